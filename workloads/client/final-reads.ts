// Jepsen's final phase, its reads: once the clients are done, every fault has ended and the cluster
// has settled (the runner sees to that), every key is read from every replica of its shard, one
// read at a time, key by key, by one dedicated process. Each is a real read request that the node
// serves from what it holds: no leader is required, nothing is redirected, so a replica answers with
// its own state (a bank's replica answers one read of every balance: `read_all`, or a read-only
// transaction when the accounts are transactional keys). A read not answered within the
// timeout, or refused, is tried again, at most FINAL_READ_ATTEMPTS times in all; then that replica's
// value of the key stays unknown.
//
// The reads are sent from the client host (which is done with its operations by then): ClientHost
// hands the driver everything but the final reads' responses (negative request ids) and timer.

import {
  okResponse,
  type ReadAllSpec,
  type ReadSpec,
  type RecordValue,
  type Response,
  routed,
  type TxnSpec,
  valueRead,
} from "../../engine/protocol.js";
import type { HostBehaviour, HostContext, HostId, Message, TimerTag } from "../../sim/host.js";

/** Tries of one read from one replica before its value is given up as unknown. */
export const FINAL_READ_ATTEMPTS = 3;

/** The client host's timer tag for a final read's timeout (far above the driver's tags). */
const FINAL_READ_TIMER = 2 ** 30;

/**
 * What to read from which replicas: a key (`read`), or a bank's every balance (`read_all`, or a
 * one-shot transaction reading each account).
 */
export type FinalReadTarget = (ReadSpec | ReadAllSpec | TxnSpec) & { readonly nodes: readonly HostId[] };

/** One final read: the last try of one target on one replica. */
export interface FinalRead {
  readonly target: FinalReadTarget;
  readonly node: HostId;
  readonly sent_us: number;
  readonly completed_us: number;
  /** ok: the replica answered (a missing key is ok with value null); fail: it never did. */
  readonly result: "ok" | "fail";
  /** A read's value: the version the key holds (0: its loaded value; null: absent or unanswered). */
  readonly value: number | null;
  /** read_all, txn: every record and its value (null when unanswered). */
  readonly records: readonly RecordValue[] | null;
  /** Why the last try failed: timeout, or the status the node answered. */
  readonly error: string | null;
}

export class FinalReader {
  readonly reads: FinalRead[] = [];
  private readonly targets: readonly FinalReadTarget[];
  private readonly timeout_us: number;
  private readonly onDone: () => void;
  private target = 0;
  private replica = 0;
  private attempt = 0;
  /** The request in flight: its id (negative, never a driver's), when it was sent, its timer. */
  private id = 0;
  private sent_us = 0;
  private timer = -1;
  private finished = false;

  constructor(targets: readonly FinalReadTarget[], timeout_us: number, onDone: () => void) {
    this.targets = targets;
    this.timeout_us = timeout_us;
    this.onDone = onDone;
  }

  get done(): boolean {
    return this.finished;
  }

  start(ctx: HostContext): void {
    this.skipEmpty();
    this.send(ctx);
  }

  /** Takes a response to a final read (true), or leaves the message to the driver (false). */
  onMessage(ctx: HostContext, msg: Message): boolean {
    if (msg.kind !== "resp" || (msg as Response).id >= 0) return false;
    const response = msg as Response;
    if (response.id !== this.id || this.finished) return true; // late: that try timed out
    ctx.cancelTimer(this.timer);
    if (response.status === "ok" || response.status === "not_found") {
      this.complete(ctx, "ok", response, null);
    } else this.retry(ctx, response.status);
    return true;
  }

  onTimer(ctx: HostContext): void {
    if (!this.finished) this.retry(ctx, "timeout");
  }

  private retry(ctx: HostContext, error: string): void {
    if (this.attempt < FINAL_READ_ATTEMPTS) this.send(ctx);
    else this.complete(ctx, "fail", null, error);
  }

  private send(ctx: HostContext): void {
    if (this.finished) return;
    const target = this.targets[this.target] as FinalReadTarget;
    this.attempt++;
    this.id--;
    this.sent_us = ctx.now_us();
    const { nodes: _, ...spec } = target;
    const request = routed(spec, this.id >>> 0, this.id, 0, false);
    ctx.send(target.nodes[this.replica] as HostId, request);
    this.timer = ctx.setTimer(this.timeout_us, FINAL_READ_TIMER);
  }

  private complete(ctx: HostContext, result: "ok" | "fail", response: Response | null, error: string | null) {
    const target = this.targets[this.target] as FinalReadTarget;
    this.reads.push({
      target,
      node: target.nodes[this.replica] as HostId,
      sent_us: this.sent_us,
      completed_us: ctx.now_us(),
      result,
      value: response === null ? null : valueRead(response),
      records: response?.status === "ok" ? recordsOf(target, response) : null,
      error,
    });
    this.attempt = 0;
    this.replica++;
    this.skipEmpty();
    this.send(ctx);
  }

  /** Moves on to the next target with a replica left to read; finishes after the last. */
  private skipEmpty(): void {
    while (this.target < this.targets.length) {
      if (this.replica < (this.targets[this.target] as FinalReadTarget).nodes.length) return;
      this.target++;
      this.replica = 0;
    }
    this.finished = true;
    this.onDone();
  }
}

/** Every record a read of every balance answered (null for a read of one key). */
function recordsOf(target: FinalReadTarget, response: Response): readonly RecordValue[] | null {
  if (target.op === "read_all") return okResponse(response, "read_all").records;
  if (target.op === "read") return null;
  return okResponse(response, "txn").mops.map(([, key, value]) => ({ key, value: value as number }));
}

/** The client host: the driver's, and the final reader's once the final phase starts. */
export class ClientHost implements HostBehaviour {
  private readonly driver: HostBehaviour;
  private ctx: HostContext | null = null;
  private reader: FinalReader | null = null;

  constructor(driver: HostBehaviour) {
    this.driver = driver;
  }

  onStart(ctx: HostContext): void {
    this.ctx = ctx;
    this.driver.onStart(ctx);
  }

  onMessage(ctx: HostContext, from: HostId, msg: Message): void {
    if (this.reader?.onMessage(ctx, msg) === true) return;
    this.driver.onMessage(ctx, from, msg);
  }

  onTimer(ctx: HostContext, tag: TimerTag): void {
    if (tag === FINAL_READ_TIMER && this.reader !== null) this.reader.onTimer(ctx);
    else this.driver.onTimer(ctx, tag);
  }

  /** Starts the final reads (the host has started: the run is over). */
  startFinalReads(reader: FinalReader): void {
    if (this.ctx === null) throw new Error("final reads: the client host has not started");
    this.reader = reader;
    reader.start(this.ctx);
  }
}
