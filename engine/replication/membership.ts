// Raft's cluster membership (dissertation, chapter 4), for raft.ts: which replicas vote and which
// only learn, as configuration entries in the log, one change at a time (single-server changes).
//
// - A configuration is in effect on a node as soon as its entry is in the node's log, committed or
//   not (4.1); a discarded entry brings back the one before it. So a node's configuration is the
//   last configuration entry its log holds, or, below its log's start, the one a snapshot carried,
//   or the shard's initial one.
// - The entries are remembered beside the log in the protocol's durable state (a handful: one or
//   two per scheduled change), each with its position and term, so a restart finds its
//   configuration without scanning the log: an entry the log no longer holds in that term (lost in
//   a crash, or discarded) is forgotten.
// - A new replica joins as a learner: it receives the log, counts in no majority and never
//   campaigns; the leader makes it a voter once a catch-up round (the entries the leader held when
//   the round began) took it no longer than an election timeout (4.2.1; rounds are not bounded).

import type { HostId, LogEntry, ReplicatedLog } from "./protocol.js";

/** Who votes (counts in majorities, may campaign) and who only receives the log. */
export interface Membership {
  readonly voters: readonly HostId[];
  readonly learners: readonly HostId[];
}

/** A configuration and where the log holds it. */
export interface Configuration {
  /** The position of its entry (0: the shard's initial configuration). */
  readonly lsn: number;
  readonly term: number;
  readonly membership: Membership;
  /** Scheduled changes started so far (the next one to start is `changes[done]`). */
  readonly done: number;
}

/** A configuration entry: a protocol entry (payload null) that carries a configuration. */
export interface ConfigEntry extends LogEntry {
  readonly payload: null;
  readonly membership: Membership;
  readonly done: number;
}

/** A scheduled membership change (a scenario's `changes`), with the hosts it names. */
export type MembershipChange =
  | { readonly at_us: number; readonly add: HostId }
  | { readonly at_us: number; readonly remove: HostId | "leader" };

export function isConfigEntry(entry: LogEntry): entry is ConfigEntry {
  return (entry as Partial<ConfigEntry>).membership !== undefined;
}

/** A node's configurations: the latest is in effect; the others are there to fall back to. */
export class Configurations {
  /** The durable record, in log order (kept across crashes by the protocol's durable state). */
  private readonly stored: Configuration[];
  private readonly initial: Configuration;

  constructor(stored: Configuration[], initialVoters: readonly HostId[]) {
    this.stored = stored;
    this.initial = { lsn: 0, term: 0, membership: { voters: initialVoters, learners: [] }, done: 0 };
  }

  latest(): Configuration {
    return this.stored[this.stored.length - 1] ?? this.initial;
  }

  isVoter(node: HostId): boolean {
    return this.latest().membership.voters.includes(node);
  }

  /** A voter or a learner: a replica the leader ships its log to. */
  isMember(node: HostId): boolean {
    const { voters, learners } = this.latest().membership;
    return voters.includes(node) || learners.includes(node);
  }

  /** The configuration in effect at `lsn` (what a snapshot as of `lsn` carries). */
  at(lsn: number): Configuration {
    for (let i = this.stored.length - 1; i >= 0; i--) {
      const config = this.stored[i] as Configuration;
      if (config.lsn <= lsn) return config;
    }
    return this.initial;
  }

  /**
   * Forgets the configurations whose entries the log no longer holds (lost in a crash, or
   * discarded as divergent): always the newest ones. Entries under the log's start were committed.
   */
  reconcile(log: ReplicatedLog): void {
    const stored = this.stored;
    for (let last = stored.at(-1); last !== undefined; last = stored.at(-1)) {
      const held =
        last.lsn <= log.base_lsn || (last.lsn <= log.last_lsn && log.termAt(last.lsn) === last.term);
      if (held) return;
      stored.pop();
    }
  }

  /** Entries just appended to the log: the configurations among them take effect. */
  appended(entries: readonly LogEntry[], log: ReplicatedLog): void {
    this.reconcile(log);
    for (const entry of entries) {
      if (!isConfigEntry(entry) || entry.lsn <= this.latest().lsn || entry.lsn > log.last_lsn) continue;
      if (log.termAt(entry.lsn) !== entry.term) continue;
      this.stored.push({ lsn: entry.lsn, term: entry.term, membership: entry.membership, done: entry.done });
    }
  }

  /** A snapshot replaced the log: its configuration is the one in effect. */
  installed(config: Configuration): void {
    this.stored.length = 0;
    if (config.lsn > 0) this.stored.push(config);
  }

  /** The configurations whose entries lie in (`from`, `to`]: those a commit from `from` to `to` commits. */
  between(from: number, to: number): Configuration[] {
    return this.stored.filter((config) => config.lsn > from && config.lsn <= to);
  }
}

/**
 * A leader's catch-up rounds for one learner: a round replicates the entries the leader held when
 * it began; the learner is caught up once a round took no longer than `round_max_us`.
 */
export class CatchUp {
  private learner: HostId = -1;
  private target_lsn = 0;
  private started_us = 0;

  /** Whether `learner`, holding the log up to `match`, is caught up (else a round goes on or begins). */
  caughtUp(learner: HostId, match: number, last_lsn: number, now_us: number, round_max_us: number): boolean {
    if (learner === this.learner && match >= this.target_lsn) {
      if (now_us - this.started_us <= round_max_us) return true;
    } else if (learner === this.learner) return false;
    this.learner = learner;
    this.target_lsn = last_lsn;
    this.started_us = now_us;
    return false;
  }
}
