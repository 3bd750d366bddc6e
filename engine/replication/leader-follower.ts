// A replica of a leader-follower shard (also the single node of an unreplicated one: a leader with
// no followers).
//
// The leader logs each write (LSN and term per entry) and ships its log to every follower in order
// (batches, one in flight per follower, resent when unanswered); followers apply entries in order
// and acknowledge what they hold durably by their own fsync policy. A write is acknowledged to the
// client by `mode`: async once the leader has it durable; semi-sync once at least one follower also
// has it; sync once every live follower (heard from within detect_after) has it, and at least a
// majority of the replicas.
//
// Failover: followers expect a heartbeat (an empty append) every tick; one that has not heard from
// a leader for detect_after (plus a random delay of up to half of it) asks the others for votes,
// which are granted to a log at least as up to date as the voter's (Raft's rule), once per term. A
// majority promotes it. With fencing, each promotion starts a new term: nodes refuse messages of an
// older term, a leader that learns of a newer one steps down, and a leader that has not heard from a
// majority for detect_after steps down on its own (a lease), so an isolated old leader stops
// acknowledging writes. A rejoining replica discards the suffix of its log that the new leader does
// not have (log matching). Without fencing (unsafe, for demonstration) promotions keep the term, no
// lease applies and a leader never steps down: two leaders can acknowledge writes in one term.
//
// Reads (`read_consistency`): `local` answers from whoever believes it leads; `read_index` and `lease`
// confirm leadership first and answer only committed writes (read-confirmation.ts).
//
// Logs are compacted (node/log.ts LOG_WINDOW): a follower that needs entries its leader no longer
// holds, or whose own log diverges below what it still holds, is sent a snapshot of the leader's
// state (node.snapshot()) and replaces its own with it.
//
// Entries are applied as they are logged (applies_on_append), the leader's as it executes a write:
// a write is acknowledged later, by mode. A follower acknowledges what it has logged durably; its
// applier applies it as its CPU and disk allow (node/applier.ts), so under a write-heavy load its
// data, and its lag, may trail its log.

import type { HostId, Message, TimerTag } from "../../sim/host.js";
import type { Role } from "../events.js";
import { OPERATIONS } from "../operations.js";
import type { RefusalStatus, Request } from "../protocol.js";
import { EchoToLeader, LeaderReads } from "./leader-reads.js";
import type {
  AppendEntries,
  AppendReply,
  Heartbeat,
  HeartbeatReply,
  InstallSnapshot,
  LeaderMessage,
  VoteReply,
  VoteRequest,
} from "./messages.js";
import type { InService, LogEntry, ProtocolContext, ReplicationProtocol, ShardReplicas } from "./protocol.js";
import {
  LOCAL_READS,
  leaseDuration_us,
  quorumValue,
  ReadConfirmation,
  type ReadSettings,
} from "./read-confirmation.js";

/** When a leader acknowledges a write (what each mode waits for: see acknowledgement below). */
export const LEADER_FOLLOWER_MODES = ["async", "semi-sync", "sync"] as const;
export type ReplicationMode = (typeof LEADER_FOLLOWER_MODES)[number];

export interface LeaderFollowerSettings extends ShardReplicas {
  mode: ReplicationMode;
  failover: { enabled: boolean; detect_after_us: number; fencing: boolean };
  /** Most entries in one append. */
  batch_max: number;
  /** How a leader answers reads (read-confirmation.ts); default local. */
  reads?: ReadSettings;
}

interface FollowerState {
  /** Next log position to send. */
  next: number;
  /** Highest position the follower holds durably. */
  match: number;
  inflight: boolean;
  sent_us: number;
  lastReply_us: number;
  /** The follower cannot match the log at what it still holds: send it a snapshot. */
  snapshotDue: boolean;
  /** Highest read round it acknowledged in this term. */
  round: number;
  /** This leader's clock at the latest send it acknowledged. */
  echo_us: number;
}

/** What a replica keeps on disk for its protocol: Raft's term and vote, durable. */
interface DurableState {
  term: number;
  voted_for: HostId;
  /** False until the node first starts: the initial leader leads only at its first start. */
  started: boolean;
}

const TIMER_TICK = 0;
/** Fires at a follower's exact election deadline (ticks alone would quantize elections). */
const TIMER_ELECTION = 1;

export class LeaderFollower implements ReplicationProtocol {
  readonly applies_on_append = true;
  private readonly settings: LeaderFollowerSettings;
  private node!: ProtocolContext;
  private durable!: DurableState;
  private role: Role = "follower";
  private leader: HostId = -1;
  private lastHeard_us = 0;
  private electionDelay_us = 0;
  private electionTimerArmed = false;
  /** Follower: the log is known to match the current leader's up to here (0: not yet checked). */
  private verified = 0;
  private readonly votes = new Set<HostId>();
  private readonly followers = new Map<HostId, FollowerState>();
  /** Writes this leader logged, waiting for durability and replication, in log order. */
  private pendingAcks: InService[] = [];
  private readonly tick_us: number;
  private readonly reads: ReadSettings;
  /** lease: how long a majority's acknowledgement lets the leader answer reads alone. */
  private readonly lease_us: number;
  /** Leader under read_index or lease: its reads waiting for confirmation (null otherwise). */
  private leaderReads: LeaderReads | null = null;
  /** Follower: the latest read round and leader clock accepted from this term's leader (echoed). */
  private readonly echo = new EchoToLeader();
  /** When this node last accepted a leader's message, or started (lease: no votes within detect_after). */
  private leaderHeard_us = 0;

  constructor(settings: LeaderFollowerSettings) {
    this.settings = settings;
    this.tick_us = Math.max(1000, Math.round(settings.failover.detect_after_us / 5));
    this.reads = settings.reads ?? LOCAL_READS;
    this.lease_us = leaseDuration_us(settings.failover.detect_after_us, this.reads.max_clock_error_us);
    if (this.reads.consistency !== "local" && !settings.failover.fencing)
      throw new Error(`replica: read_consistency ${this.reads.consistency} needs fencing (terms)`);
    if (this.reads.consistency === "lease" && this.lease_us <= 0)
      throw new Error("replica: max_clock_error leaves no lease (it must be under detect_after / 2)");
  }

  private get majority(): number {
    return Math.floor(this.settings.peers.length / 2) + 1;
  }

  get term(): number {
    return this.durable.term;
  }

  get leader_hint(): HostId {
    return this.leader;
  }

  start(node: ProtocolContext): void {
    this.node = node;
    this.durable = node.persistent<DurableState>(() => ({ term: 1, voted_for: -1, started: false }));
    const firstStart = !this.durable.started;
    this.durable.started = true;
    this.lastHeard_us = node.now_us();
    this.leaderHeard_us = this.lastHeard_us; // it may have acknowledged a lease before it crashed
    this.newElectionDelay();
    if (firstStart) this.leader = this.settings.initial_leader;
    // Without failover nobody else can have been promoted: the initial leader resumes after a restart.
    const leads = node.id === this.settings.initial_leader && (firstStart || !this.settings.failover.enabled);
    if (leads) this.becomeLeader();
    else this.setRole("follower", true);
    node.setTimer(this.tick_us, TIMER_TICK);
  }

  refusal(req: Request): RefusalStatus | null {
    if (req.require_leader && this.role !== "leader") return "not_leader";
    if (req.min_lsn > this.node.log.applied_lsn) return "not_leader"; // read-your-writes: not caught up
    return null;
  }

  onWrite(write: InService): void {
    this.pendingAcks.push(write);
    this.leaderReads?.confirmation.logged(this.node.log.last_lsn, this.keysAt);
    for (const follower of this.followers.keys()) this.replicate(follower);
  }

  onDurable(durable: number): void {
    if (this.role === "leader") {
      this.releaseAcks();
      this.advanceCommit();
    } else if (this.leader >= 0 && durable > 0 && this.verified > 0) {
      // Tell the leader what is durable now (followers under `always` acknowledge after fsync).
      this.node.send(this.leader, this.appendReply(true));
    }
  }

  onTimer(tag: TimerTag): void {
    if (tag === TIMER_ELECTION) {
      this.electionTimerArmed = false;
      this.checkElection();
      return;
    }
    if (tag !== TIMER_TICK) throw new Error(`leader-follower: unknown timer tag ${tag}`);
    const node = this.node;
    node.setTimer(this.tick_us, TIMER_TICK);
    const now = node.now_us();
    const { failover } = this.settings;
    if (this.role === "leader") {
      // Lease lost: stop acknowledging writes, for another may be elected. Without failover nobody
      // can be, so the leader keeps leading (a paused or cut-off primary stalls, it does not abdicate).
      if (failover.fencing && failover.enabled && this.liveReplicas(now) < this.majority) {
        this.stepDown(this.durable.term);
        return;
      }
      for (const follower of this.followers.keys()) this.replicate(follower);
      this.releaseAcks(); // a follower may have stopped counting as live (sync)
    } else {
      this.checkElection();
    }
  }

  /** Starts an election past the deadline, or arms a timer for a deadline within the next tick. */
  private checkElection(): void {
    const { failover } = this.settings;
    if (!failover.enabled || this.role === "leader") return;
    const deadline_us = this.lastHeard_us + failover.detect_after_us + this.electionDelay_us;
    const now = this.node.now_us();
    if (now >= deadline_us) this.startElection();
    else if (deadline_us - now < this.tick_us && !this.electionTimerArmed) {
      this.electionTimerArmed = true;
      this.node.setTimer(deadline_us - now, TIMER_ELECTION);
    }
  }

  onMessage(from: HostId, msg: Message): void {
    switch (msg.kind) {
      case "append":
        this.onAppend(from, msg as AppendEntries);
        break;
      case "snapshot":
        this.onSnapshot(from, msg as InstallSnapshot);
        break;
      case "append_reply":
        this.onAppendReply(from, msg as AppendReply);
        break;
      case "vote_request":
        this.onVoteRequest(from, msg as VoteRequest);
        break;
      case "vote_reply":
        this.onVoteReply(from, msg as VoteReply);
        break;
      case "heartbeat":
        this.onHeartbeat(from, msg as Heartbeat);
        break;
      case "heartbeat_reply":
        this.onHeartbeatReply(from, msg as HeartbeatReply);
        break;
      default:
        throw new Error(`leader-follower: unexpected message ${msg.kind}`);
    }
  }

  // ---- leader ----

  private becomeLeader(): void {
    const node = this.node;
    this.setRole("leader");
    this.leader = node.id;
    this.followers.clear();
    const now = node.now_us();
    const next = node.log.last_lsn + 1;
    if (this.reads.consistency !== "local") {
      const confirmation = new ReadConfirmation(this.logNoop());
      const leader = { node, term: this.durable.term, followers: this.followers, majority: this.majority };
      this.leaderReads = new LeaderReads(confirmation, leader);
    }
    for (const peer of this.settings.peers) {
      if (peer === node.id) continue;
      this.followers.set(peer, {
        next,
        match: 0,
        inflight: false,
        sent_us: 0,
        lastReply_us: now,
        snapshotDue: false,
        round: 0,
        echo_us: Number.NEGATIVE_INFINITY,
      });
      this.replicate(peer);
    }
    this.advanceCommit(); // a leader alone commits by itself
  }

  /** Logs an entry of this term that writes nothing; returns its position (read-confirmation.ts). */
  private logNoop(): number {
    const node = this.node;
    const lsn = node.log.last_lsn + 1;
    node.append({ lsn, term: this.durable.term, origin: node.id, ts_us: node.now_us(), payload: null });
    if (node.fsync_each_write) node.requestFsync();
    return lsn;
  }

  /** Replicas heard from within detect_after, this one included. */
  private liveReplicas(now: number): number {
    let live = 1;
    for (const f of this.followers.values())
      if (now - f.lastReply_us <= this.settings.failover.detect_after_us) live++;
    return live;
  }

  /** Sends the follower its next batch, or a heartbeat; one append in flight, resent after 2 ticks. */
  private replicate(peer: HostId): void {
    const node = this.node;
    const log = node.log;
    const f = this.followers.get(peer) as FollowerState;
    const now = node.now_us();
    if (f.inflight && now - f.sent_us < 2 * this.tick_us) return;
    const last = log.last_lsn;
    if (f.inflight && f.next > last && now - f.sent_us < this.tick_us) return;
    const prev_lsn = f.next - 1;
    if (f.snapshotDue || prev_lsn < log.base_lsn) {
      this.sendSnapshot(peer, f);
      return;
    }
    const entries: LogEntry[] = [];
    for (let lsn = f.next; lsn <= last && entries.length < this.settings.batch_max; lsn++) {
      entries.push(this.entryAt(lsn));
    }
    const append: AppendEntries = {
      kind: "append",
      digest: (Math.imul(prev_lsn, 0x9e3779b1) ^ entries.length) >>> 0,
      term: this.durable.term,
      leader: node.id,
      round: this.leaderReads?.confirmation.roundSent ?? 0,
      sent_us: now,
      prev_lsn,
      prev_term: log.termAt(prev_lsn),
      entries,
    };
    node.send(peer, append);
    f.inflight = true;
    f.sent_us = now;
  }

  /** Sends the follower this leader's whole state; it resumes from the log's end. */
  private sendSnapshot(peer: HostId, f: FollowerState): void {
    const node = this.node;
    const snapshot = node.snapshot();
    const now = node.now_us();
    const message: InstallSnapshot = {
      kind: "snapshot",
      digest: (Math.imul(snapshot.last_lsn, 0x9e3779b1) ^ 0x5a) >>> 0,
      term: this.durable.term,
      leader: node.id,
      round: this.leaderReads?.confirmation.roundSent ?? 0,
      sent_us: now,
      snapshot,
    };
    node.send(peer, message);
    f.next = snapshot.last_lsn + 1;
    f.inflight = true;
    f.sent_us = now;
  }

  private onAppendReply(from: HostId, msg: AppendReply): void {
    if (msg.term > this.durable.term && this.settings.failover.fencing) {
      this.stepDown(msg.term);
      return;
    }
    const f = this.followers.get(from);
    if (this.role !== "leader" || f === undefined || msg.term !== this.durable.term) return;
    f.inflight = false;
    f.lastReply_us = this.node.now_us();
    if (msg.success) {
      if (msg.match_lsn > f.match) f.match = msg.match_lsn;
      f.next = Math.max(f.next, msg.last_lsn + 1);
      f.snapshotDue = false;
      this.releaseAcks();
    } else if (msg.snapshot_needed) {
      f.snapshotDue = true;
    } else {
      f.next = Math.max(1, Math.min(f.next - 1, msg.last_lsn + 1));
    }
    if (f.next <= this.node.log.last_lsn) this.replicate(from);
    if (msg.success) this.advanceCommit();
    this.leaderReads?.noteEcho(f, msg);
  }

  /** Acknowledges, in log order, the writes that are now durable and replicated enough. */
  private releaseAcks(): void {
    const now = this.node.now_us();
    let released = 0;
    while (released < this.pendingAcks.length) {
      const write = this.pendingAcks[released] as InService;
      if (!this.acknowledgeable(write.lsn, now)) break;
      this.node.respond(write);
      released++;
    }
    if (released > 0) this.pendingAcks = this.pendingAcks.slice(released);
  }

  private acknowledgeable(lsn: number, now: number): boolean {
    if (this.node.durableLsn() < lsn) return false;
    switch (this.settings.mode) {
      case "async":
        return true;
      case "semi-sync": {
        if (this.followers.size === 0) return true;
        for (const f of this.followers.values()) if (f.match >= lsn) return true;
        return false;
      }
      case "sync": {
        // Every live follower, and never fewer than a majority of the replicas: followers that went
        // silent stop counting, but a leader cut off from most of them cannot acknowledge alone.
        let holders = 1;
        for (const f of this.followers.values()) {
          const live = now - f.lastReply_us <= this.settings.failover.detect_after_us;
          if (f.match >= lsn) holders++;
          else if (live) return false;
        }
        return holders >= this.majority;
      }
    }
  }

  // ---- reads (read_index, lease) ----

  /**
   * Holds a client's read until it is confirmed: under read_index or lease it is answered once this
   * leader knows it led when the read arrived and what the read saw is committed. Reads a client did
   * not ask the leader for, and the shard mover's, are answered at once.
   */
  onRead(done: InService): void {
    const node = this.node;
    const { req } = done;
    if (this.reads.consistency === "local" || !req.require_leader || !OPERATIONS[req.op].client_read) {
      node.respond(done);
      return;
    }
    const leaderReads = this.leaderReads;
    if (leaderReads === null) {
      node.refuse(done, "not_leader"); // stepped down during its CPU work
      return;
    }
    const { confirmation } = leaderReads;
    const leased = this.reads.consistency === "lease" && confirmation.leaseHeld(node.now_us(), this.lease_us);
    const commit = confirmation.commitNeeded(req.op === "read" ? req.key : null, node.log.last_lsn);
    if (confirmation.hold(done, leased, commit)) leaderReads.sendRound();
    leaderReads.answerConfirmed();
  }

  /** Moves the commit position to what a majority holds durably. */
  private advanceCommit(): void {
    const leaderReads = this.leaderReads;
    if (leaderReads === null) return;
    const matches: number[] = [];
    for (const f of this.followers.values()) matches.push(f.match);
    const held = quorumValue(this.node.durableLsn(), matches, this.majority);
    if (leaderReads.confirmation.majorityHolds(held, this.keysAt)) leaderReads.answerConfirmed();
  }

  // ---- follower ----

  /** Whether a leader's message is to be followed (else it was refused, and answered so). */
  private acceptLeader(from: HostId, msg: LeaderMessage): boolean {
    const node = this.node;
    const { term, leader } = msg;
    if (term < this.durable.term && this.settings.failover.fencing) {
      node.send(from, this.appendReply(false));
      return false;
    }
    if (this.role === "leader" && term === this.durable.term) {
      // Another leader in this term: possible only without fencing. Keep leading (split brain).
      node.send(from, this.appendReply(false));
      return false;
    }
    if (term > this.durable.term || this.role !== "follower")
      this.stepDown(Math.max(term, this.durable.term));
    this.leader = leader;
    this.lastHeard_us = node.now_us();
    this.leaderHeard_us = this.lastHeard_us;
    this.echo.accept(msg);
    return true;
  }

  private onHeartbeat(from: HostId, msg: Heartbeat): void {
    if (!this.acceptLeader(from, msg)) return;
    const reply: HeartbeatReply = {
      kind: "heartbeat_reply",
      digest: msg.round,
      term: this.durable.term,
      ...this.echoed(),
    };
    this.node.send(from, reply);
  }

  private onHeartbeatReply(from: HostId, msg: HeartbeatReply): void {
    if (msg.term > this.durable.term) {
      this.stepDown(msg.term); // heartbeats are sent only with fencing
      return;
    }
    const f = this.followers.get(from);
    if (this.role !== "leader" || f === undefined || msg.term !== this.durable.term) return;
    f.lastReply_us = this.node.now_us();
    this.leaderReads?.noteEcho(f, msg);
  }

  /** What a reply echoes of this term's leader's messages (nothing when none was accepted). */
  private echoed(): { round: number; sent_us: number } {
    return this.echo.echoed(this.durable.term);
  }

  private onAppend(from: HostId, msg: AppendEntries): void {
    if (!this.acceptLeader(from, msg)) return;
    const node = this.node;
    const log = node.log;
    if (msg.prev_lsn > log.last_lsn) {
      node.send(from, this.appendReply(false));
      return;
    }
    // Below what this log still holds it can neither check nor discard entries: a snapshot can.
    if (msg.prev_lsn < log.base_lsn) {
      node.send(from, this.appendReply(false, true));
      return;
    }
    if (log.termAt(msg.prev_lsn) !== msg.prev_term) {
      if (msg.prev_lsn - 1 < log.base_lsn) node.send(from, this.appendReply(false, true));
      else {
        this.truncateFrom(msg.prev_lsn);
        node.send(from, this.appendReply(false));
      }
      return;
    }
    let appended = 0;
    for (const entry of msg.entries) {
      if (entry.lsn <= log.last_lsn) {
        if (log.termAt(entry.lsn) === entry.term) continue; // already held
        this.truncateFrom(entry.lsn);
      }
      node.append(entry); // applied by the node's applier, which reports its lag
      appended++;
    }
    this.verified = msg.prev_lsn + msg.entries.length;
    if (appended > 0 && node.fsync_each_write) {
      node.requestFsync(); // the reply goes when the fsync completes (onDurable): one reply per batch
      return;
    }
    node.send(from, this.appendReply(true));
  }

  /** Installs the leader's snapshot unless this log already matches the leader's past it. */
  private onSnapshot(from: HostId, msg: InstallSnapshot): void {
    if (!this.acceptLeader(from, msg)) return;
    const node = this.node;
    const { snapshot } = msg;
    if (snapshot.last_lsn > this.verified) {
      node.install(snapshot);
      this.verified = snapshot.last_lsn;
      node.emit({ type: "snapshot", node: node.id, lsn: snapshot.last_lsn });
    }
    node.send(from, this.appendReply(true));
  }

  /**
   * Success reports the part of the log known to match the leader's (entries past it may be left
   * from an older term); failure reports the log's end, where the leader should look back from, or
   * that this log cannot be matched without a snapshot.
   */
  private appendReply(success: boolean, snapshot_needed = false): AppendReply {
    const last = success ? this.verified : this.node.log.last_lsn;
    return {
      kind: "append_reply",
      digest: (last ^ (success ? 0x80000000 : 0) ^ (snapshot_needed ? 0x40000000 : 0)) >>> 0,
      term: this.durable.term,
      ...this.echoed(),
      success,
      match_lsn: success ? Math.min(this.node.durableLsn(), last) : 0,
      last_lsn: last,
      snapshot_needed,
    };
  }

  /** Discards the log from `lsn` on, undoing its writes. */
  private truncateFrom(lsn: number): void {
    const node = this.node;
    const removed = node.truncateFrom(lsn);
    if (removed > 0) node.emit({ type: "truncate", node: node.id, entries: removed });
  }

  // ---- elections ----

  private startElection(): void {
    const node = this.node;
    const durable = this.durable;
    if (this.settings.failover.fencing) durable.term++;
    durable.voted_for = node.id;
    this.setRole("candidate");
    this.leader = -1;
    this.lastHeard_us = node.now_us();
    this.newElectionDelay();
    this.votes.clear();
    this.votes.add(node.id);
    if (this.votes.size >= this.majority) {
      this.becomeLeader();
      return;
    }
    const lastLsn = node.log.last_lsn;
    const request: VoteRequest = {
      kind: "vote_request",
      digest: durable.term,
      term: durable.term,
      candidate: node.id,
      last_lsn: lastLsn,
      last_term: node.log.termAt(lastLsn),
    };
    for (const peer of this.settings.peers) if (peer !== node.id) node.send(peer, request);
  }

  private onVoteRequest(from: HostId, msg: VoteRequest): void {
    const node = this.node;
    const durable = this.durable;
    const { fencing, detect_after_us } = this.settings.failover;
    if (
      this.reads.consistency === "lease" &&
      (this.role === "leader" || node.now_us() - this.leaderHeard_us < detect_after_us)
    ) {
      // It may have acknowledged a leader's lease: no vote, and no newer term (etcd's in-lease check).
      const refused: VoteReply = { kind: "vote_reply", digest: 0, term: durable.term, granted: false };
      node.send(from, refused);
      return;
    }
    if (msg.term > durable.term) this.stepDown(msg.term);
    const lastLsn = node.log.last_lsn;
    const lastTerm = node.log.termAt(lastLsn);
    const upToDate = msg.last_term > lastTerm || (msg.last_term === lastTerm && msg.last_lsn >= lastLsn);
    const free = durable.voted_for === -1 || durable.voted_for === msg.candidate || !fencing;
    const granted = msg.term === durable.term && this.role !== "leader" && free && upToDate;
    if (granted) {
      durable.voted_for = msg.candidate;
      this.lastHeard_us = node.now_us(); // do not start a competing election right away
    }
    const reply: VoteReply = { kind: "vote_reply", digest: granted ? 1 : 0, term: durable.term, granted };
    node.send(from, reply);
  }

  private onVoteReply(from: HostId, msg: VoteReply): void {
    if (msg.term > this.durable.term) {
      this.stepDown(msg.term);
      return;
    }
    if (this.role !== "candidate" || msg.term !== this.durable.term || !msg.granted) return;
    this.votes.add(from);
    if (this.votes.size >= this.majority) this.becomeLeader();
  }

  /** Becomes a follower (of a newer term, if given). The election timer is not reset: only a leader's
   * append, a granted vote or an own election do that, so a stale candidate cannot stall elections. */
  private stepDown(term: number): void {
    const durable = this.durable;
    if (term > durable.term) {
      durable.term = term;
      durable.voted_for = -1;
    }
    if (this.role === "leader") {
      this.leader = -1;
      this.pendingAcks = []; // their clients time out: the outcome is unknown
      // Held reads were not confirmed: their clients try another node.
      for (const read of this.leaderReads?.confirmation.drain() ?? []) this.node.refuse(read, "not_leader");
      this.leaderReads = null;
    }
    this.verified = 0;
    this.setRole("follower");
  }

  /** Records a role change (and reports it; `always`: also when unchanged, e.g. after a restart). */
  private setRole(role: Role, always = false): void {
    if (this.role === role && role !== "leader" && !always) return;
    this.role = role;
    this.node.emit({ type: "role", node: this.node.id, role, term: this.durable.term });
  }

  private newElectionDelay(): void {
    this.electionDelay_us = this.node.rng.int(
      Math.max(1, Math.floor(this.settings.failover.detect_after_us / 2)),
    );
  }

  /** The keys the entry at a log position writes, undefined when the log does not hold it (compacted). */
  private readonly keysAt = (lsn: number): readonly string[] | undefined => {
    const entry = this.node.log.entryAt(lsn);
    return entry === undefined ? undefined : this.node.payloads.keysWritten(entry.payload);
  };

  private entryAt(lsn: number): LogEntry {
    const entry = this.node.log.entryAt(lsn);
    if (entry === undefined)
      throw new Error(`leader-follower: log position ${lsn} is not held (log ${this.node.log.last_lsn})`);
    return entry;
  }
}
