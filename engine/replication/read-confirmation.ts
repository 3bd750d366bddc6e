// Linearizable reads on a shard's leader, leader-follower's or Raft's (the Raft dissertation, section
// 6.4; etcd raft's ReadOnlySafe and ReadOnlyLeaseBased, read_only.go; the messages: leader-reads.ts).
// `read_consistency` chooses how:
//
// - `local` (the default): the node that believes it leads answers from its table at once. A leader
//   deposed by a partition it has not noticed answers stale values, and since a leader applies a
//   write to its table when it logs it, a read can also return a write that is never committed
//   (lost in a failover): not linearizable.
// - `read_index`: the leader answers once a round of heartbeats sent after the read arrived has been
//   acknowledged by a majority in its term (no newer leader can have committed anything before the
//   read), batching reads as etcd's server does: reads arriving while a round is in flight wait for
//   the next one. One round trip to the nearest majority per read, or per batch. No clock involved.
// - `lease`: the leader answers at once while it holds a lease: a majority acknowledged a message it
//   sent at most `detect_after - 2 x max_clock_error` ago by its clock. A follower that accepted a
//   leader's message refuses votes for `detect_after` by its own clock (etcd's check-quorum lease),
//   as do the leader and a node for `detect_after` after it starts (it may have acknowledged a lease before
//   it crashed), so no other leader can be elected within the lease while each clock gains or loses
//   at most `max_clock_error` over `detect_after`. A clock off by more (a step back, a fast drift)
//   breaks the promise. Without a lease, a read waits for a round as under read_index.
//
// Both also wait until what the read saw is committed (held by a majority, the leader's own term's
// first entry included: a new leader logs an empty entry when elected, Raft's no-op, to learn what
// is committed). Simplification: where Raft applies only committed entries and reads the applied
// state, leader-follower applies writes as it logs them (applies_on_append), so a read of a key whose
// latest write is not committed yet waits for that commit (a read of several keys, for the whole log
// as of its arrival) instead of reading the committed version.

import type { InService } from "./protocol.js";

/** The keys the entry at a log position writes; undefined once the log no longer holds it. */
export type KeysAt = (lsn: number) => readonly string[] | undefined;

export const READ_CONSISTENCIES = ["local", "lease", "read_index"] as const;
export type ReadConsistency = (typeof READ_CONSISTENCIES)[number];

export interface ReadSettings {
  readonly consistency: ReadConsistency;
  /** lease: the most a replica's clock may gain or lose over one detect_after. */
  readonly max_clock_error_us: number;
}

export const LOCAL_READS: ReadSettings = { consistency: "local", max_clock_error_us: 0 };

/** The lease a leader may assume after a majority acknowledged it: see the header. */
export function leaseDuration_us(detect_after_us: number, max_clock_error_us: number): number {
  return detect_after_us - 2 * max_clock_error_us;
}

/** The largest value at least `majority` replicas have reached: the leader's own and its followers'. */
export function quorumValue(own: number, followers: readonly number[], majority: number): number {
  const values = [own, ...followers].sort((a, b) => b - a);
  return values[majority - 1] ?? Number.NEGATIVE_INFINITY;
}

interface HeldRead {
  readonly read: InService;
  /** The read round a majority must acknowledge (0: none, the lease covered the read). */
  readonly round: number;
  /** The log position that must be committed. */
  readonly commit: number;
}

/**
 * One leader's reads for one term: created when it is elected (after it logged its no-op entry at
 * `termStart`), dropped when it steps down.
 */
export class ReadConfirmation {
  /** Highest read round started. */
  roundSent = 0;
  /** Highest read round a majority (this leader included) acknowledged. */
  roundAcked = 0;
  /** This leader's clock at the latest send a majority acknowledged: a lease counts from here. */
  acked_us = Number.NEGATIVE_INFINITY;
  /** Highest log position known committed. */
  commitLsn = 0;
  private readonly termStart: number;
  /** Highest read round a held read waits for. */
  private roundWanted = 0;
  /** Keys with a logged write not yet committed -> the position of the latest one. */
  private readonly uncommitted = new Map<string, number>();
  /** The log position up to which writes are noted in `uncommitted`. */
  private tracked: number;
  private held: HeldRead[] = [];

  constructor(termStart: number) {
    this.termStart = termStart;
    this.tracked = termStart;
  }

  /** Notes the writes this leader logged up to `logEnd`. */
  logged(logEnd: number, keysAt: KeysAt): void {
    for (let lsn = Math.max(this.tracked, this.commitLsn) + 1; lsn <= logEnd; lsn++) {
      for (const key of keysAt(lsn) ?? []) this.uncommitted.set(key, lsn);
    }
    this.tracked = Math.max(this.tracked, logEnd);
  }

  /**
   * A majority holds the log up to `lsn`; it is committed once that reaches the term's first entry
   * (Raft commits only through an entry of the leader's own term). Returns whether it advanced.
   * `keysAt` gives what the entry at a position writes, undefined once compacted away.
   */
  majorityHolds(lsn: number, keysAt: KeysAt): boolean {
    if (lsn <= this.commitLsn || lsn < this.termStart) return false;
    const from = this.commitLsn + 1;
    this.commitLsn = lsn;
    if (this.uncommitted.size === 0) return true;
    for (let p = from; p <= lsn; p++) {
      const keys = keysAt(p);
      if (keys === undefined) {
        // Compacted before it was committed (a long partition): forget by position instead.
        for (const [key, at] of this.uncommitted) if (at <= lsn) this.uncommitted.delete(key);
        return true;
      }
      for (const key of keys) this.forgetIfCommitted(key);
    }
    return true;
  }

  /** The log position a read must see committed: its key's latest write, or the whole log. */
  commitNeeded(key: string | null, logEnd: number): number {
    if (key === null) return Math.max(this.termStart, logEnd);
    return Math.max(this.termStart, this.uncommitted.get(key) ?? 0);
  }

  /** Whether a lease of `lease_us` from the last acknowledged send covers `now_us`. */
  leaseHeld(now_us: number, lease_us: number): boolean {
    return now_us < this.acked_us + lease_us;
  }

  /**
   * Holds a read until `commit` is committed and, unless `leased`, a read round started after now
   * is acknowledged. Returns whether a round must start now (none is in flight).
   */
  hold(read: InService, leased: boolean, commit: number): boolean {
    let round = 0;
    let start = false;
    if (!leased) {
      start = this.roundAcked === this.roundSent;
      if (start) this.roundSent++;
      round = start ? this.roundSent : this.roundSent + 1;
      this.roundWanted = Math.max(this.roundWanted, round);
    }
    this.held.push({ read, round, commit });
    return start;
  }

  /** Records what a majority acknowledged; returns whether the next round must start now. */
  acknowledged(round: number, sent_us: number): boolean {
    this.roundAcked = Math.max(this.roundAcked, round);
    this.acked_us = Math.max(this.acked_us, sent_us);
    const start = this.roundAcked === this.roundSent && this.roundWanted > this.roundSent;
    if (start) this.roundSent++;
    return start;
  }

  /** Removes and returns the held reads that may be answered now. */
  ready(): InService[] {
    if (this.held.length === 0) return [];
    const answered: InService[] = [];
    const waiting: HeldRead[] = [];
    for (const h of this.held) {
      if (h.round <= this.roundAcked && h.commit <= this.commitLsn) answered.push(h.read);
      else waiting.push(h);
    }
    if (answered.length > 0) this.held = waiting;
    return answered;
  }

  /** Removes and returns every held read (the leader steps down). */
  drain(): InService[] {
    const all = this.held.map((h) => h.read);
    this.held = [];
    return all;
  }

  private forgetIfCommitted(key: string): void {
    const at = this.uncommitted.get(key);
    if (at !== undefined && at <= this.commitLsn) this.uncommitted.delete(key);
  }
}
