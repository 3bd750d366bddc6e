// Protocol-aware recovery for Raft (Alagappan et al., "Protocol-Aware Recovery for Consensus-Based
// Storage", FAST 2018; TigerBeetle does the same). Raft assumes that an entry a replica acknowledged
// stays on its disk: a leader counts it toward a majority for good. A lost fsync or a corrupt entry
// breaks that: a replica that lost entries it acknowledged and then voted as if it never had them
// could elect a leader without a committed entry. So a replica remembers, in its durable state
// (which the disk faults spare, as TigerBeetle's superblock is kept in redundant copies), the
// highest position it ever acknowledged; when its log ends before it (after a restart, or when it
// cut its log at a corrupt entry), it abstains from elections (no pre-votes, votes or candidacy)
// until a leader's log matched its own through that position again.

import type { ReplicatedLog } from "./protocol.js";

/** The part of a replica's durable state this reads and keeps. */
interface AcknowledgedState {
  /** Highest log position it acknowledged as durable (absent: none yet). */
  acked_lsn?: number;
}

export class AcknowledgedLog {
  private readonly durable: AcknowledgedState;
  /** It abstains until a leader matched its log through here (0: it does not abstain). */
  private until = 0;

  private readonly alone: boolean;

  /**
   * A (re)started replica: it abstains if its log lost entries it had acknowledged, unless it is
   * `alone` (a group of one: nobody can give them back, and nobody else could lead).
   */
  constructor(durable: AcknowledgedState, log: ReplicatedLog, alone: boolean) {
    this.durable = durable;
    this.alone = alone;
    const acked = durable.acked_lsn ?? 0;
    if (log.last_lsn < acked && !alone) this.until = acked;
  }

  /** Whether it stays out of elections. */
  get abstains(): boolean {
    return this.until > 0;
  }

  /** It told a leader (or, leading, counted itself) that its log is durable up to `lsn`. */
  acknowledged(lsn: number): void {
    if (lsn > (this.durable.acked_lsn ?? 0)) this.durable.acked_lsn = lsn;
  }

  /** A leader's log replaced its entries from `lsn` on: they were not committed, nothing is owed. */
  replaced(lsn: number): void {
    if ((this.durable.acked_lsn ?? 0) >= lsn) this.durable.acked_lsn = lsn - 1;
  }

  /** Its log lost the entries from `lsn` on (cut at a corrupt one): it abstains if it acknowledged any. */
  lost(lsn: number): void {
    const acked = this.durable.acked_lsn ?? 0;
    if (acked >= lsn && !this.alone) this.until = Math.max(this.until, acked);
  }

  /** A leader's log matched its own through `lsn`: it holds again what it acknowledged up to there. */
  matched(lsn: number): void {
    if (this.until > 0 && lsn >= this.until) this.until = 0;
  }
}
