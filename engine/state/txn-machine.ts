// The transaction state machine: serves `txn` statements over the node's MVCC store
// (engine/txn/): a statement begins a transaction or continues an open one, runs its
// micro-operations, and commits it when asked; a commit that wrote is logged as one entry whose
// payload is its effects, applied (and undone) whole. The open transactions belong to this node
// instance: a crash or a restart forgets them (their next statement answers `unknown_txn`), and so
// does a new leader, which never saw them. Ids are unique in the run (a sequence on the node's disk
// and the node's host id), so a statement never reaches another node's or instance's transaction.
//
// Two-phase commit's participant (a request with `two_phase`, from the router host): `prepare` runs
// the statement's micro-operations, validates, and logs a prepare record (the transaction then holds
// its keys: prepared.ts); `commit` and `abort` log the coordinator's decision for a transaction
// prepared here (one no longer prepared here was decided before: answered ok, nothing logged);
// `in_doubt` lists the transactions prepared here (the recovering coordinator's question). A prepare
// that arrives after its coordinator, hearing nothing in time, decided abort is refused (an id per
// such abort is kept until its prepare arrives; volatile, as the open transactions are); one
// arriving for a transaction already prepared here is answered ok again.
//
// Cost: service_time + row_time per micro-operation (the store has no pages of its own).

import type { HostId } from "../../sim/host.js";
import { SIM_HOSTS_MAX } from "../../sim/simulation.js";
import type { EngineEventSink } from "../events.js";
import type { NodeStorage } from "../node/storage.js";
import {
  type RequestOf,
  responseDigest,
  type ServedResponse,
  type TwoPhaseStep,
  type TxnResponse,
} from "../protocol.js";
import type { MvccStore, TxnPayload, TxnUndo } from "../txn/mvcc-store.js";
import type { TransactionSettings } from "../txn/settings.js";
import { Transactions, type TxnMicroOp } from "../txn/transactions.js";
import type { Execution, StateMachine } from "./state-machine.js";

const NO_MOPS: readonly TxnMicroOp[] = [];

export class TxnMachine implements StateMachine<RequestOf<"txn">, TxnPayload, TxnUndo, MvccStore> {
  private readonly storage: NodeStorage;
  private readonly transactions: Transactions;
  private readonly host: HostId;
  private readonly events: EngineEventSink | undefined;
  /** Transactions decided abort here before their prepare arrived. */
  private readonly abortedUnprepared = new Set<number>();

  constructor(storage: NodeStorage, settings: TransactionSettings, host: HostId, events?: EngineEventSink) {
    this.storage = storage;
    this.host = host;
    this.events = events;
    this.transactions = new Transactions(settings, {
      store: () => storage.txn,
      nextId: () => ++storage.txn_seq * SIM_HOSTS_MAX + host,
    });
  }

  execute(req: RequestOf<"txn">, x: Execution): ServedResponse {
    const transactions = this.transactions;
    transactions.expire(x.now_us);
    if (!x.applies_at_once) transactions.forgetApplied(x.log.applied_lsn, x.term);
    if (req.abort === true) {
      transactions.abort(req.txn);
      return this.response(req, x, "ok", 0, NO_MOPS, 0);
    }
    const step = req.two_phase;
    if (step !== undefined && step.step !== "prepare") return this.decide(req, x, step.step, step.gtid);
    if (step !== undefined && this.storage.txn.prepared.get(step.gtid) !== undefined)
      return this.response(req, x, "ok", 0, req.mops, 0);
    if (step !== undefined && this.abortedUnprepared.delete(step.gtid)) {
      transactions.abort(req.txn);
      return this.response(req, x, "unknown_txn", 0, NO_MOPS, 0);
    }
    const id = req.txn === 0 ? transactions.begin(x.now_us) : req.txn;
    const mops = transactions.execute(id, req.mops);
    if (typeof mops === "string") return this.response(req, x, mops, 0, NO_MOPS, 0);
    if (step !== undefined) return this.prepare(req, x, id, mops, step.gtid);
    if (!req.commit) return this.response(req, x, "ok", id, mops, 0);
    const outcome = transactions.commit(id);
    if (outcome.status === "aborted") return this.response(req, x, outcome.reason, 0, NO_MOPS, 0);
    const payload = outcome.payload;
    if (payload === null) return this.response(req, x, "ok", 0, mops, 0);
    const lsn = this.log(payload, x);
    return this.response(req, x, "ok", 0, mops, lsn);
  }

  private prepare(
    req: RequestOf<"txn">,
    x: Execution,
    id: number,
    mops: readonly TxnMicroOp[],
    gtid: number,
  ): ServedResponse {
    const outcome = this.transactions.prepare(id);
    if (outcome.status === "aborted") return this.response(req, x, outcome.reason, 0, NO_MOPS, 0);
    const payload: TxnPayload = {
      kind: "txn",
      effects: outcome.effects,
      two_phase: { step: "prepare", gtid, reads: outcome.reads, prepared_us: x.now_us },
    };
    return this.response(req, x, "ok", 0, mops, this.log(payload, x));
  }

  private decide(
    req: RequestOf<"txn">,
    x: Execution,
    step: Exclude<TwoPhaseStep["step"], "prepare">,
    gtid: number,
  ): ServedResponse {
    const prepared = this.storage.txn.prepared;
    if (step === "in_doubt")
      return { ...this.response(req, x, "ok", 0, NO_MOPS, 0), in_doubt: prepared.gtids() };
    const held = prepared.get(gtid);
    if (held === undefined) {
      if (step === "abort") this.abortedUnprepared.add(gtid);
      return this.response(req, x, "ok", 0, NO_MOPS, 0);
    }
    this.events?.({
      type: "txn_decided",
      node: this.host,
      decision: step,
      blocked_us: Math.max(0, x.now_us - held.prepared_us),
      keys: prepared.keysOf(held),
    });
    const payload: TxnPayload = { kind: "txn", effects: [], two_phase: { step, gtid } };
    return this.response(req, x, "ok", 0, NO_MOPS, this.log(payload, x));
  }

  /** Logs a payload, applied at once when the protocol applies as it logs; returns its position. */
  /** Logs a commit or prepare record; one applied only once committed (Raft) is tracked until then. */
  private log(payload: TxnPayload, x: Execution): number {
    const lsn = x.append(payload, x.applies_at_once ? this.apply(payload) : null);
    if (!x.applies_at_once) this.transactions.logged(txnKeysWritten(payload), lsn);
    return lsn;
  }

  apply(payload: TxnPayload): TxnUndo {
    return this.storage.txn.apply(payload, this.transactions.horizon());
  }

  undo(_payload: TxnPayload, undo: TxnUndo): void {
    this.storage.txn.undo(undo);
  }

  snapshot(): MvccStore {
    return this.storage.txn.copy();
  }

  restore(state: MvccStore): void {
    this.storage.txn = state.copy();
  }

  private response(
    req: RequestOf<"txn">,
    x: Execution,
    status: TxnResponse["status"],
    txn: number,
    mops: readonly TxnMicroOp[],
    lsn: number,
  ): TxnResponse {
    return {
      kind: "resp",
      digest: responseDigest(req.id, txn),
      id: req.id,
      op: "txn",
      status,
      txn,
      mops,
      lsn,
      rows: req.mops.length,
      pages_read: 0,
      pages_written: 0,
      queue_us: x.queue_us,
      service_us: x.service_us(0, req.mops.length),
      sync_us: 0,
      disk_us: 0,
      pages_hit: 0,
      pages_missed: 0,
      term: x.term,
      leader_hint: x.leader_hint,
    };
  }
}

/** The keys a commit writes (each once). */
export function txnKeysWritten(payload: TxnPayload): readonly string[] {
  return [...new Set(payload.effects.map(([, key]) => key))];
}

/** The part of a commit that writes only `keys` (multi-leader's per-key settling). */
export function txnRestrictTo(payload: TxnPayload, keys: readonly string[]): TxnPayload {
  return { kind: "txn", effects: payload.effects.filter(([, key]) => keys.includes(key)) };
}
