// The router host (routing: proxy), as mongos is to MongoDB: clients send every request to it, and
// it routes each to its shard (scattering scans and merging them) with its own cached shard map,
// following redirects, then answers the client. It spends no CPU time of its own: it costs the
// clients one more network round trip. Requests a shard never answers are dropped after the
// clients' timeout (the client has timed out by then), and their shard's presumed leader moves on.
// With transactions (list-append), it is also their coordinator (txn-coordinator.ts): every `txn`
// request goes to it, and a commit over several shards runs two-phase commit.

import type { HostBehaviour, HostContext, HostId, Message, TimerTag } from "../../sim/host.js";
import {
  type Request,
  type RequestOf,
  type RequestSpec,
  type Response,
  type TxnSpec,
  unserved,
} from "../protocol.js";
import { DISPATCH_MAX_TAGS, type Dispatcher } from "./dispatcher.js";
import type { ShardMapNotice } from "./shard-map.js";
import { TxnCoordinator } from "./txn-coordinator.js";

interface Forwarded {
  readonly client: HostId;
  readonly id: number;
  readonly since_us: number;
}

/** A request of the router's own (the transaction coordinator's), and who takes its answer. */
interface Call {
  readonly since_us: number;
  readonly onAnswer: (ctx: HostContext, response: Response | null) => void;
}

const TIMER_SWEEP = 0;
const TIMER_TWO_PHASE = 1;

export class RouterHost implements HostBehaviour {
  private readonly dispatcher: Dispatcher;
  private readonly timeout_us: number;
  private readonly slots: (Forwarded | Call | undefined)[] = [];
  private readonly free: number[] = [];
  /** The transactions' coordinator (null: the run has no transactions). */
  private readonly coordinator: TxnCoordinator | null;

  /** `transactions`: the run has transactions, with this timeout (null: none). */
  constructor(
    dispatcher: Dispatcher,
    timeout_us: number,
    transactions: { timeout_us: number } | null = null,
  ) {
    this.dispatcher = dispatcher;
    this.timeout_us = timeout_us;
    for (let tag = DISPATCH_MAX_TAGS - 1; tag >= 0; tag--) this.free.push(tag);
    this.coordinator =
      transactions === null
        ? null
        : new TxnCoordinator(
            {
              shardOf: (key) => dispatcher.shardOfKey(key),
              shards: () => dispatcher.shardsInUse(),
              call: (ctx, shard, spec, onAnswer) => this.call(ctx, shard, spec, onAnswer),
              crossShard: () => {
                dispatcher.crossShard++;
              },
              reply: (ctx, client, id, response) => {
                const answer: Response = { ...response, id, leader_hint: -1 };
                ctx.send(client, answer);
              },
            },
            transactions.timeout_us,
            TIMER_TWO_PHASE,
          );
  }

  onStart(ctx: HostContext): void {
    ctx.setTimer(this.timeout_us, TIMER_SWEEP);
    this.coordinator?.onStart(ctx);
  }

  onMessage(ctx: HostContext, from: HostId, msg: Message): void {
    if (msg.kind === "shard_map") {
      this.dispatcher.adopt((msg as ShardMapNotice).map);
    } else if (msg.kind === "req") {
      const req = msg as Request;
      if (this.coordinator !== null && req.op === "txn")
        this.coordinator.onRequest(ctx, from, req as RequestOf<"txn">);
      else this.forward(ctx, from, req);
    } else if (msg.kind === "resp") {
      const done = this.dispatcher.onResponse(ctx, from, msg as Response);
      if (done === null) return;
      const slot = this.slots[done.tag] as Forwarded | Call;
      this.release(done.tag);
      if ("onAnswer" in slot) {
        slot.onAnswer(ctx, done.response);
        return;
      }
      const forwarded = slot;
      // The client's only node is this router: a leader hint would point it past the router.
      const answer: Response = { ...done.response, id: forwarded.id, leader_hint: -1 };
      ctx.send(forwarded.client, answer);
    }
  }

  onTimer(ctx: HostContext, tag: TimerTag): void {
    if (tag === TIMER_TWO_PHASE) {
      this.coordinator?.onTimer(ctx);
      return;
    }
    const now = ctx.now_us();
    for (let tag = 0; tag < this.slots.length; tag++) {
      const slot = this.slots[tag];
      if (slot === undefined || now - slot.since_us < this.timeout_us) continue;
      this.dispatcher.abandon(tag, ctx);
      this.release(tag);
      if ("onAnswer" in slot) slot.onAnswer(ctx, null);
    }
    this.coordinator?.expire(ctx.monotonic_us());
    ctx.setTimer(this.timeout_us, TIMER_SWEEP);
  }

  /** Sends a request of the coordinator's to a shard's leader; `onAnswer` gets the response, or null after the timeout. */
  private call(
    ctx: HostContext,
    shard: number,
    spec: TxnSpec,
    onAnswer: (ctx: HostContext, response: Response | null) => void,
  ): void {
    const tag = this.free.pop();
    if (tag === undefined) {
      onAnswer(ctx, null); // the slots are full: as if unanswered
      return;
    }
    this.slots[tag] = { since_us: ctx.now_us(), onAnswer };
    this.dispatcher.send(ctx, tag, spec, { shard, min_lsn: 0 });
  }

  private forward(ctx: HostContext, client: HostId, req: Request): void {
    const tag = this.free.pop();
    if (tag === undefined) {
      // The router's own slots are full: answered like a node's full queue.
      ctx.send(client, unserved(req, "overloaded", 0, -1));
      return;
    }
    this.slots[tag] = { client, id: req.id, since_us: ctx.now_us() };
    // The client's routing fields were for this router: the dispatcher routes the request anew.
    const { kind: _kind, digest: _digest, id: _id, min_lsn: _min, require_leader: _leader, ...spec } = req;
    this.dispatcher.send(ctx, tag, spec as RequestSpec);
  }

  private release(tag: number): void {
    this.slots[tag] = undefined;
    this.free.push(tag);
  }
}
