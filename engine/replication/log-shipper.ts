// A leader's log shipping to each follower, shared by the protocols with one leader per term
// (leader-follower.ts, raft.ts): batches in order, a snapshot when the follower needs compacted
// entries or cannot match otherwise, and the follower's progress from its replies. Per follower, as
// etcd raft's Progress:
// - probing: one append in flight (resent after 2 ticks; a heartbeat when nothing is new), until
//   one succeeds. With a window of 1 (leader-follower) a follower is always probed.
// - pipelined (`window` > 1, after a success): each new batch is sent at once, without waiting for
//   the previous one's answer, up to `window` appends in flight, each marked `pipelined` (a follower
//   holds one that overtook an earlier one on the network: early-appends.ts); a success frees those
//   it covers. A rejection, no answer for 2 ticks (an append was lost), or a snapshot due probes
//   again.

import type { HostId } from "../../sim/host.js";
import type { FollowerEcho } from "./leader-reads.js";
import type { AppendEntries, AppendReply, InstallSnapshot } from "./messages.js";
import type { LogEntry, ProtocolContext } from "./protocol.js";

/** What a leader knows of one follower. */
export interface ShippedFollower extends FollowerEcho {
  /** Next log position to send. */
  next: number;
  /** Highest position the follower holds durably. */
  match: number;
  /** Pipelined (else probing: one append in flight). */
  pipelined: boolean;
  /** The appends in flight, oldest first: the last position each carries, and when it was sent. */
  inflight: { readonly last: number; readonly sent_us: number }[];
  /** When the latest append (or snapshot) was sent. */
  sent_us: number;
  lastReply_us: number;
  /** The follower cannot match the log at what it still holds: send it a snapshot. */
  snapshotDue: boolean;
}

/** What the shipper reads of its protocol when it sends. */
export interface ShipperRules {
  readonly tick_us: number;
  /** Most appends in flight to a pipelined follower (absent: 1, always probing). */
  readonly window?: number;
  /** The leader's latest read round (0: none; read-confirmation.ts). */
  roundSent(): number;
  /** The leader's commit index, carried in every append as `commit_lsn` (null: appends carry none). */
  readonly commitLsn: (() => number) | null;
  /** What a snapshot message carries beside the snapshot, given its last position (Raft: its configuration). */
  readonly snapshotFields?: (last_lsn: number) => object;
}

export class LogShipper {
  /** Kept across terms (a leader's own replaces its content): read confirmation counts its echoes. */
  readonly followers = new Map<HostId, ShippedFollower>();
  private readonly node: ProtocolContext;
  private readonly replica: { readonly term: number };
  private readonly settings: { readonly peers: readonly HostId[]; readonly batch_max: number };
  private readonly rules: ShipperRules;

  /** `replica`: the protocol's current term; `settings`: the shard's replicas, the most entries in one append. */
  constructor(
    node: ProtocolContext,
    replica: { readonly term: number },
    settings: { readonly peers: readonly HostId[]; readonly batch_max: number },
    rules: ShipperRules,
  ) {
    this.node = node;
    this.replica = replica;
    this.settings = settings;
    this.rules = rules;
  }

  /** A new leader: every other replica is a follower to resume at `next`; each is sent an append. */
  lead(next: number): void {
    this.followers.clear();
    for (const peer of this.settings.peers) if (peer !== this.node.id) this.follow(peer, next);
  }

  /** A replica to ship to from `next` on (a new leader's, or one a membership change added); sent an append. */
  follow(peer: HostId, next: number): void {
    this.followers.set(peer, {
      next,
      match: 0,
      pipelined: false,
      inflight: [],
      sent_us: 0,
      lastReply_us: this.node.now_us(),
      snapshotDue: false,
      round: 0,
      echo_us: Number.NEGATIVE_INFINITY,
    });
    this.replicate(peer);
  }

  /** Logs an entry of this term that writes nothing (Raft's no-op); returns its position. */
  appendNoop(): number {
    const node = this.node;
    const lsn = node.log.last_lsn + 1;
    node.append({ lsn, term: this.replica.term, origin: node.id, ts_us: node.now_us(), payload: null });
    if (node.fsync_each_write) node.requestFsync();
    return lsn;
  }

  replicateAll(): void {
    for (const follower of this.followers.keys()) this.replicate(follower);
  }

  /**
   * Sends the follower its next batch, or a heartbeat: probing, when nothing is in flight (or after 2
   * ticks); pipelined, what is new while the window has room (a heartbeat when nothing is in flight).
   */
  replicate(peer: HostId): void {
    const node = this.node;
    const { tick_us, commitLsn } = this.rules;
    const log = node.log;
    const f = this.followers.get(peer) as ShippedFollower;
    const now = node.now_us();
    const oldest = f.inflight[0];
    if (oldest !== undefined && now - oldest.sent_us >= 2 * tick_us && f.pipelined) {
      // No answer for 2 ticks: probe again from what it is known to hold.
      f.pipelined = false;
      f.next = f.match + 1;
    } else if (f.pipelined) {
      if (f.inflight.length >= (this.rules.window ?? 1)) return;
      if (oldest !== undefined && f.next > log.last_lsn) return; // nothing new, answers due
    } else if (oldest !== undefined && now - f.sent_us < 2 * tick_us) return;
    const last = log.last_lsn;
    const prev_lsn = f.next - 1;
    if (f.snapshotDue || prev_lsn < log.base_lsn) {
      f.pipelined = false;
      this.sendSnapshot(peer, f);
      return;
    }
    const entries: LogEntry[] = [];
    for (let lsn = f.next; lsn <= last && entries.length < this.settings.batch_max; lsn++)
      entries.push(this.entryAt(lsn));
    const commit = commitLsn?.() ?? 0;
    const append: AppendEntries = {
      kind: "append",
      digest: (Math.imul(prev_lsn, 0x9e3779b1) ^ entries.length ^ commit) >>> 0,
      term: this.replica.term,
      leader: node.id,
      round: this.rules.roundSent(),
      sent_us: now,
      prev_lsn,
      prev_term: log.termAt(prev_lsn),
      entries,
    };
    const sent: AppendEntries & { commit_lsn?: number } = {
      ...append,
      ...(commitLsn === null ? {} : { commit_lsn: commit }),
      ...(f.pipelined ? { pipelined: true } : {}),
    };
    node.send(peer, sent);
    const sentLast = prev_lsn + entries.length;
    if (f.pipelined) {
      f.inflight.push({ last: sentLast, sent_us: now });
      f.next = sentLast + 1; // optimistic: the next batch follows this one
    } else f.inflight = [{ last: sentLast, sent_us: now }];
    f.sent_us = now;
  }

  /** Sends the follower the leader's state (node.snapshot()); it resumes after the snapshot. */
  private sendSnapshot(peer: HostId, f: ShippedFollower): void {
    const node = this.node;
    const snapshot = node.snapshot();
    const now = node.now_us();
    const message: InstallSnapshot = {
      kind: "snapshot",
      digest: (Math.imul(snapshot.last_lsn, 0x9e3779b1) ^ 0x5a) >>> 0,
      term: this.replica.term,
      leader: node.id,
      round: this.rules.roundSent(),
      sent_us: now,
      snapshot,
      ...this.rules.snapshotFields?.(snapshot.last_lsn),
    };
    node.send(peer, message);
    f.next = snapshot.last_lsn + 1;
    f.inflight = [{ last: snapshot.last_lsn, sent_us: now }];
    f.sent_us = now;
  }

  /**
   * A follower's reply of this leader's term: records its progress, calls `matched` on success
   * (before anything more is sent), then sends what it still lacks. Undefined for a non-follower.
   */
  onReply(from: HostId, msg: AppendReply, matched: () => void): ShippedFollower | undefined {
    const f = this.followers.get(from);
    if (f === undefined) return undefined;
    f.lastReply_us = this.node.now_us();
    if (msg.success) {
      if (msg.match_lsn > f.match) f.match = msg.match_lsn;
      f.next = Math.max(f.next, msg.last_lsn + 1);
      f.snapshotDue = false;
      if (f.pipelined) {
        const inflight = f.inflight;
        let answered = 0;
        while (answered < inflight.length && (inflight[answered]?.last ?? 0) <= msg.last_lsn) answered++;
        if (answered > 0) f.inflight = inflight.slice(answered);
      } else {
        f.inflight = [];
        f.pipelined = (this.rules.window ?? 1) > 1;
      }
      matched();
    } else {
      f.inflight = [];
      f.pipelined = false;
      if (msg.snapshot_needed) f.snapshotDue = true;
      else f.next = Math.max(1, Math.min(f.next - 1, msg.last_lsn + 1));
    }
    if (f.next <= this.node.log.last_lsn) this.replicate(from);
    return f;
  }

  /** A follower answered a message of this leader's term (not an append); undefined for a non-follower. */
  heard(from: HostId): ShippedFollower | undefined {
    const f = this.followers.get(from);
    if (f !== undefined) f.lastReply_us = this.node.now_us();
    return f;
  }

  /** Replicas heard from within `window_us`, this one included. */
  liveReplicas(now: number, window_us: number): number {
    let live = 1;
    for (const f of this.followers.values()) if (now - f.lastReply_us <= window_us) live++;
    return live;
  }

  /** What each follower holds durably. */
  matches(): number[] {
    const matches: number[] = [];
    for (const f of this.followers.values()) matches.push(f.match);
    return matches;
  }

  private entryAt(lsn: number): LogEntry {
    const node = this.node;
    const entry = node.log.entryAt(lsn);
    if (entry === undefined) throw new Error(`log position ${lsn} is not held (log ${node.log.last_lsn})`);
    return entry;
  }
}
