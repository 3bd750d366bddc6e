// A follower's side of log shipping (log-shipper.ts), shared by leader-follower.ts and raft.ts:
// log matching of a leader's append (discarding a divergent suffix), installing its snapshot, and
// the reply that tells the leader how far the logs match.

import type { EchoToLeader } from "./leader-reads.js";
import type { AppendEntries, AppendReply } from "./messages.js";
import type { HostId, ProtocolContext, Snapshot } from "./protocol.js";

/** What a follower does where a leader's log reaches below what its own log still holds. */
export interface FollowerLogRules {
  /**
   * true: entries up to its compacted base are taken as matching (they were committed, so the
   * leader's are the same: Raft); false: it cannot check them and asks for a snapshot.
   */
  readonly compacted_entries_match: boolean;
  /** Entries up to here may never be discarded (a protocol's committed ones); 0: none. */
  committed(): number;
  /** Optional: its reply told the leader the log is durable up to `lsn` (Raft: acknowledged-log.ts). */
  acknowledged?(lsn: number): void;
  /** Optional: a divergent suffix from `lsn` on was discarded. */
  replaced?(lsn: number): void;
}

/** What an append did to the follower's log. */
export type AppendOutcome =
  | { readonly matched: false; readonly snapshot_needed: boolean }
  | { readonly matched: true; readonly appended: number };

export class FollowerLog {
  /** The log is known to match the current leader's up to here (0: not yet checked). */
  verified = 0;
  private readonly node: ProtocolContext;
  private readonly rules: FollowerLogRules;
  private readonly replica: { readonly term: number };
  private readonly echo: EchoToLeader;

  /** `replica`: the protocol's current term; `echo`: what its replies echo to the leader. */
  constructor(
    node: ProtocolContext,
    replica: { readonly term: number },
    echo: EchoToLeader,
    rules: FollowerLogRules,
  ) {
    this.node = node;
    this.replica = replica;
    this.echo = echo;
    this.rules = rules;
  }

  /** Appends what of a leader's append connects to this log, after discarding what diverges. */
  append(msg: AppendEntries): AppendOutcome {
    const node = this.node;
    const log = node.log;
    if (node.awaits_snapshot === true) return { matched: false, snapshot_needed: true };
    if (msg.prev_lsn > log.last_lsn) return { matched: false, snapshot_needed: false };
    const base = log.base_lsn;
    if (!this.rules.compacted_entries_match) {
      // Below what this log still holds it can neither check nor discard entries: a snapshot can.
      if (msg.prev_lsn < base) return { matched: false, snapshot_needed: true };
      if (msg.prev_lsn === base && log.termAt(base) !== msg.prev_term)
        return { matched: false, snapshot_needed: true };
    }
    if (msg.prev_lsn >= base && log.termAt(msg.prev_lsn) !== msg.prev_term) {
      this.truncateFrom(msg.prev_lsn);
      return { matched: false, snapshot_needed: false };
    }
    let appended = 0;
    for (const entry of msg.entries) {
      if (entry.lsn <= log.last_lsn) {
        if (entry.lsn <= base || log.termAt(entry.lsn) === entry.term) continue; // already held
        this.truncateFrom(entry.lsn);
      }
      node.append(entry); // applied by the node's applier (on append, or once committed)
      appended++;
    }
    this.verified = Math.max(msg.prev_lsn + msg.entries.length, Math.min(base, log.last_lsn));
    return { matched: true, appended };
  }

  /**
   * Installs a leader's snapshot unless `held` (this log already matches the leader's up to its last
   * position); returns whether it installed it.
   */
  offerSnapshot(snapshot: Snapshot, held: boolean): boolean {
    const node = this.node;
    const at = snapshot.last_lsn;
    if (!held) {
      node.install(snapshot);
      node.emit({ type: "snapshot", node: node.id, lsn: at });
    }
    this.verified = held ? Math.max(at, this.verified) : at;
    return !held;
  }

  /** Whether this log holds the snapshot's last entry (compacted, or in the snapshot's term). */
  holds(snapshot: Snapshot): boolean {
    const log = this.node.log;
    const at = snapshot.last_lsn;
    return at <= log.base_lsn || (at <= log.last_lsn && log.termAt(at) === snapshot.last_term);
  }

  /**
   * Success reports the part of the log known to match the leader's (entries past it may be left
   * from an older term); failure reports the log's end, where the leader should look back from, or
   * that this log cannot be matched without a snapshot.
   */
  reply(success: boolean, snapshot_needed = false): AppendReply {
    const last = success ? this.verified : this.node.log.last_lsn;
    const term = this.replica.term;
    const match_lsn = success ? Math.min(this.node.durableLsn(), last) : 0;
    if (match_lsn > 0) this.rules.acknowledged?.(match_lsn);
    return {
      kind: "append_reply",
      digest: (last ^ (success ? 0x80000000 : 0) ^ (snapshot_needed ? 0x40000000 : 0)) >>> 0,
      term,
      ...this.echo.echoed(term),
      success,
      match_lsn,
      last_lsn: last,
      snapshot_needed,
    };
  }

  /** The log is durable up to `durable`: tells the leader how far the logs now match, durably. */
  acknowledgeDurable(leader: HostId, durable: number): void {
    // Followers under `always` acknowledge after fsync.
    if (leader >= 0 && durable > 0 && this.verified > 0) this.node.send(leader, this.reply(true));
  }

  /** Discards the log from `lsn` on, undoing its writes (never a committed entry). */
  private truncateFrom(lsn: number): void {
    const node = this.node;
    const committed = this.rules.committed();
    if (lsn <= committed) throw new Error(`truncating committed entry ${lsn} (commit ${committed})`);
    const removed = node.truncateFrom(lsn);
    if (removed > 0) node.emit({ type: "truncate", node: node.id, entries: removed });
    this.rules.replaced?.(lsn);
  }
}
