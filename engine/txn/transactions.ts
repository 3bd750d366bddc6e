// The open transactions of a node and the isolation level's rules. A transaction begins with a
// snapshot timestamp (the store's clock), runs statements (lists of micro-operations: reads, appends,
// register writes) whose writes it buffers, and commits: validation by the isolation level, then its
// effects as one payload for the caller to log and apply (so replication and crash recovery treat a
// commit as any other write). Nothing waits: there are no locks, so no deadlock.
//
// - read-committed: each read sees the newest committed value at its statement; a commit aborts
//   (`conflict`) when another committed a key it wrote after it first wrote it (a write lock taken
//   without waiting: no dirty write, and its own reads stay a prefix of the key's final order). A
//   read then a write of a register in two statements may still lose an update, as in PostgreSQL.
// - snapshot: reads see the snapshot taken at begin; first committer wins: a commit whose written
//   key has a version newer than its snapshot aborts (`conflict`).
// - serializable: snapshot's rules, and a committing transaction that writes aborts (`validation`)
//   when a key it read has a version newer than its snapshot (backward validation, Kung and
//   Robinson's optimistic concurrency control over MVCC). A writer's reads then hold at its commit,
//   where it takes effect; a read-only transaction takes effect at its snapshot: that order of
//   commits and snapshots explains every history, and each point lies inside its transaction's
//   lifetime, so it is strictly serializable.
//
// Each read also sees the transaction's own earlier writes.
//
// Two-phase commit (a transaction over several shards, coordinated by the router host): `prepare`
// validates as a commit would, and instead of effects to install returns a prepare record for the
// caller to log, whose transaction then holds its keys (prepared.ts) until the decision: a statement
// reading a key a prepared transaction writes, and a commit or prepare touching a key one holds,
// abort (`prepared`). Reading around the hold would be safe for serializability alone, but not in
// real time: the decision may be applied on one shard and not yet on another.
//
// A protocol that applies a commit only once a majority holds it (Raft) leaves commits logged but
// not yet applied, which neither the store nor any snapshot shows: every level treats a key such a
// commit writes as written after its snapshot (`conflict` when the transaction writes it,
// `validation` when a serializable one read it), so two conflicting commits cannot both be logged.

import { asList, type MvccStore, type TxnEffect, type TxnPayload, type TxnValue } from "./mvcc-store.js";

export const ISOLATION_LEVELS = ["read-committed", "snapshot", "serializable"] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

/** A micro-operation: a read (sent with value null, answered with what it read), or an effect. */
export type TxnMicroOp = readonly ["r", string, TxnValue] | TxnEffect;

/**
 * Why a transaction aborted: a write-write conflict, a failed read validation, a key held by a
 * prepared transaction, open longer than the timeout, or unknown here.
 */
export const ABORT_REASONS = ["conflict", "validation", "prepared", "timeout", "unknown_txn"] as const;
export type AbortReason = (typeof ABORT_REASONS)[number];

export type CommitOutcome =
  /** payload null: it wrote nothing (nothing to log). */
  | { readonly status: "committed"; readonly payload: TxnPayload | null }
  | { readonly status: "aborted"; readonly reason: AbortReason };

export type PrepareOutcome =
  /** Its effects and the keys it read, for the prepare record. */
  | { readonly status: "prepared"; readonly effects: readonly TxnEffect[]; readonly reads: readonly string[] }
  | { readonly status: "aborted"; readonly reason: AbortReason };

interface OpenTxn {
  readonly start_ts: number;
  /** When it began (the node's clock): it expires timeout_us later. */
  readonly began_us: number;
  readonly effects: TxnEffect[];
  /** Each key it wrote, with the store's clock at its first write there (read-committed's check). */
  readonly written: Map<string, number>;
  /** The keys it read (serializable only: what validation checks). */
  readonly reads: Set<string>;
}

export class Transactions {
  readonly isolation: IsolationLevel;
  private readonly timeout_us: number;
  private readonly store: () => MvccStore;
  private readonly nextId: () => number;
  /** In begin order, so in snapshot and expiry order: the first is the oldest. */
  private readonly open = new Map<number, OpenTxn>();
  /**
   * Transactions that expired, until their client's next statement hears `timeout` (one whose
   * client never comes back stays: an id per abandoned transaction, as the history keeps it).
   */
  private readonly expired = new Set<number>();
  /** Keys written by commits logged but not applied yet, with the newest such commit's position. */
  private readonly unapplied = new Map<string, number>();
  /** Those commits' positions and keys, in log order (to forget them once applied). */
  private readonly unappliedOrder: { readonly lsn: number; readonly keys: readonly string[] }[] = [];
  /** The term in which they were logged: a leader of another term forgets them. */
  private unappliedTerm = 0;

  /**
   * `store`: the node's data as it is now (a snapshot installed replaces it); `nextId`: a new
   * transaction's id, never 0 and never one a client may still hold.
   */
  constructor(
    settings: { readonly isolation: IsolationLevel; readonly timeout_us: number },
    node: { readonly store: () => MvccStore; readonly nextId: () => number },
  ) {
    this.isolation = settings.isolation;
    this.timeout_us = settings.timeout_us;
    this.store = node.store;
    this.nextId = node.nextId;
  }

  get openCount(): number {
    return this.open.size;
  }

  /** Starts a transaction at a snapshot of everything committed so far; returns its id. */
  begin(now_us: number): number {
    const id = this.nextId();
    this.open.set(id, {
      start_ts: this.store().clock,
      began_us: now_us,
      effects: [],
      written: new Map(),
      reads: new Set(),
    });
    return id;
  }

  /** Aborts the transactions open for timeout_us or longer at `now_us` (the node's clock). */
  expire(now_us: number): void {
    for (const [id, txn] of this.open) {
      if (txn.began_us + this.timeout_us > now_us) return;
      this.open.delete(id);
      this.expired.add(id);
    }
  }

  /** Runs a statement: each read answered, each effect buffered; or why there is no such open transaction. */
  execute(id: number, mops: readonly TxnMicroOp[]): TxnMicroOp[] | "prepared" | "timeout" | "unknown_txn" {
    const txn = this.open.get(id);
    if (txn === undefined) return this.gone(id);
    const prepared = this.store().prepared;
    if (prepared.size > 0 && mops.some(([f, key]) => f === "r" && prepared.writeHeld(key))) {
      this.open.delete(id);
      return "prepared";
    }
    return mops.map((mop): TxnMicroOp => {
      if (mop[0] !== "r") {
        txn.effects.push(mop);
        if (!txn.written.has(mop[1])) txn.written.set(mop[1], this.store().clock);
        return mop;
      }
      const key = mop[1];
      if (this.isolation === "serializable") txn.reads.add(key);
      return ["r", key, this.read(txn, key)];
    });
  }

  /**
   * Notes a commit logged at `lsn` and not applied yet, writing `keys` (a protocol that applies once
   * committed): until applied, they count as written after every open snapshot.
   */
  logged(keys: readonly string[], lsn: number): void {
    for (const key of keys) this.unapplied.set(key, lsn);
    this.unappliedOrder.push({ lsn, keys });
  }

  /**
   * Forgets the logged commits applied up to `applied_lsn`, and all of them when `term` is not the
   * one they were logged in (a Raft leader serves transactions only once everything before its term
   * is committed, and the node applies that before a statement runs). Called before each statement.
   */
  forgetApplied(applied_lsn: number, term: number): void {
    if (term !== this.unappliedTerm) {
      this.unapplied.clear();
      this.unappliedOrder.length = 0;
      this.unappliedTerm = term;
      return;
    }
    const order = this.unappliedOrder;
    let done = 0;
    while (done < order.length && (order[done] as { lsn: number }).lsn <= applied_lsn) {
      const { lsn, keys } = order[done] as { lsn: number; keys: readonly string[] };
      for (const key of keys) if (this.unapplied.get(key) === lsn) this.unapplied.delete(key);
      done++;
    }
    if (done > 0) order.splice(0, done);
  }

  /** Validates and ends a transaction; when it committed, its payload is the caller's to log and apply. */
  commit(id: number): CommitOutcome {
    const txn = this.open.get(id);
    if (txn === undefined) return { status: "aborted", reason: this.gone(id) };
    this.open.delete(id);
    if (txn.effects.length === 0) return { status: "committed", payload: null };
    const reason = this.violation(txn);
    if (reason !== null) return { status: "aborted", reason };
    return { status: "committed", payload: { kind: "txn", effects: txn.effects } };
  }

  /**
   * Validates a transaction as `commit` does and ends it here; when it prepared, the caller logs
   * its prepare record, whose transaction holds its keys until the coordinator's decision.
   */
  prepare(id: number): PrepareOutcome {
    const txn = this.open.get(id);
    if (txn === undefined) return { status: "aborted", reason: this.gone(id) };
    this.open.delete(id);
    const reason = this.violation(txn);
    if (reason !== null) return { status: "aborted", reason };
    return { status: "prepared", effects: txn.effects, reads: [...txn.reads] };
  }

  /** Ends a transaction without effect (the client gave up); unknown ids are ignored. */
  abort(id: number): void {
    this.open.delete(id);
  }

  /** Why `id` is not open: it expired (said once), or this node never knew it. */
  private gone(id: number): "timeout" | "unknown_txn" {
    return this.expired.delete(id) ? "timeout" : "unknown_txn";
  }

  /** The oldest snapshot an open transaction may still read (versions below it can go; none: Infinity). */
  horizon(): number {
    for (const txn of this.open.values()) return txn.start_ts;
    return Number.POSITIVE_INFINITY;
  }

  private read(txn: OpenTxn, key: string): TxnValue {
    const store = this.store();
    let value = this.isolation === "read-committed" ? store.latest(key) : store.asOf(key, txn.start_ts);
    for (const [f, k, element] of txn.effects) {
      if (k === key) value = f === "append" ? [...asList(value), element] : element;
    }
    return value;
  }

  private violation(txn: OpenTxn): AbortReason | null {
    const store = this.store();
    const prepared = store.prepared;
    if (prepared.size > 0) {
      for (const key of txn.written.keys()) if (prepared.held(key)) return "prepared";
      for (const key of txn.reads) if (prepared.writeHeld(key)) return "prepared";
    }
    const readCommitted = this.isolation === "read-committed";
    const unapplied = this.unapplied;
    for (const [key, written_ts] of txn.written) {
      if (unapplied.has(key) || store.lastWriteTs(key) > (readCommitted ? written_ts : txn.start_ts))
        return "conflict";
    }
    if (this.isolation === "serializable") {
      for (const key of txn.reads)
        if (unapplied.has(key) || store.lastWriteTs(key) > txn.start_ts) return "validation";
    }
    return null;
  }
}

/** Bytes of micro-operations on the wire: each key, and 8 per value written or element read. */
export function microOpsBytes(mops: readonly TxnMicroOp[]): number {
  let bytes = 0;
  for (const [, key, value] of mops) {
    bytes += key.length;
    if (value !== null) bytes += typeof value === "number" ? 8 : 8 * value.length;
  }
  return bytes;
}
