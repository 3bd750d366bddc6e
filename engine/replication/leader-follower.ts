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
import type { RefusalStatus, Request } from "../protocol.js";
import { ElectionTimer } from "./election-timer.js";
import { FollowerLog } from "./follower-log.js";
import { answerRead, EchoToLeader, LeaderReads } from "./leader-reads.js";
import { LogShipper } from "./log-shipper.js";
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
import type { InService, ProtocolContext, ReplicationProtocol, ShardReplicas } from "./protocol.js";
import {
  LOCAL_READS,
  leaseDuration_us,
  quorumValue,
  ReadConfirmation,
  type ReadSettings,
} from "./read-confirmation.js";
import { ReplicaRole } from "./replica-role.js";
import { answerVote, refuseVote, VoteTally } from "./votes.js";

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

const TIMER_TICK = 0;
/** Fires at a follower's exact election deadline (ticks alone would quantize elections). */
const TIMER_ELECTION = 1;

export class LeaderFollower implements ReplicationProtocol {
  readonly applies_on_append = true;
  private readonly settings: LeaderFollowerSettings;
  private node!: ProtocolContext;
  /** Its term, vote, role, and the leader it knows of. */
  private readonly replica = new ReplicaRole();
  private election!: ElectionTimer;
  private readonly votes: VoteTally;
  /** Leader: its log shipping to each follower. */
  private shipper!: LogShipper;
  /** Follower: its log matched against the leader's. */
  private followerLog!: FollowerLog;
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

  constructor(settings: LeaderFollowerSettings) {
    this.settings = settings;
    this.tick_us = Math.max(1000, Math.round(settings.failover.detect_after_us / 5));
    this.reads = settings.reads ?? LOCAL_READS;
    this.lease_us = leaseDuration_us(settings.failover.detect_after_us, this.reads.max_clock_error_us);
    if (this.reads.consistency !== "local" && !settings.failover.fencing)
      throw new Error(`replica: read_consistency ${this.reads.consistency} needs fencing (terms)`);
    if (this.reads.consistency === "lease" && this.lease_us <= 0)
      throw new Error("replica: max_clock_error leaves no lease (it must be under detect_after / 2)");
    this.votes = new VoteTally(settings.peers);
  }

  private get majority(): number {
    return Math.floor(this.settings.peers.length / 2) + 1;
  }

  get term(): number {
    return this.replica.term;
  }

  get leader_hint(): HostId {
    return this.replica.leader;
  }

  start(node: ProtocolContext): void {
    this.node = node;
    const firstStart = this.replica.start(node);
    const roundSent = () => this.leaderReads?.confirmation.roundSent ?? 0;
    const rules = { tick_us: this.tick_us, roundSent, commitLsn: null };
    this.shipper = new LogShipper(node, this.replica, this.settings, rules);
    // Entries are applied as logged: a divergent suffix is undone, whatever its position.
    const logRules = { compacted_entries_match: false, committed: () => 0 };
    this.followerLog = new FollowerLog(node, this.replica, this.echo, logRules);
    this.election = new ElectionTimer(node, {
      detect_after_us: this.settings.failover.detect_after_us,
      tick_us: this.tick_us,
      tag: TIMER_ELECTION,
    });
    this.election.start(this.reads.consistency === "lease");
    if (firstStart) this.replica.leader = this.settings.initial_leader;
    // Without failover nobody else can have been promoted: the initial leader resumes after a restart.
    const leads = node.id === this.settings.initial_leader && (firstStart || !this.settings.failover.enabled);
    if (leads) this.becomeLeader();
    else this.replica.set("follower", true);
    node.setTimer(this.tick_us, TIMER_TICK);
  }

  refusal(req: Request): RefusalStatus | null {
    if (req.require_leader && this.replica.role !== "leader") return "not_leader";
    if (req.min_lsn > this.node.log.applied_lsn) return "not_leader"; // read-your-writes: not caught up
    return null;
  }

  onWrite(write: InService): void {
    // Executed while it led, finished after it stepped down: its client times out (info), and a
    // follower ships nothing under its new term.
    if (this.replica.role !== "leader") return;
    this.pendingAcks.push(write);
    this.leaderReads?.confirmation.logged(this.node.log.last_lsn, this.keysAt);
    this.shipper.replicateAll();
  }

  onDurable(durable: number): void {
    if (this.replica.role === "leader") {
      this.releaseAcks();
      this.advanceCommit();
    } else this.followerLog.acknowledgeDurable(this.replica.leader, durable);
  }

  onTimer(tag: TimerTag): void {
    if (tag === TIMER_ELECTION) {
      this.election.fired();
      this.checkElection();
      return;
    }
    if (tag !== TIMER_TICK) throw new Error(`leader-follower: unknown timer tag ${tag}`);
    const node = this.node;
    node.setTimer(this.tick_us, TIMER_TICK);
    const now = node.now_us();
    const { failover } = this.settings;
    if (this.replica.role === "leader") {
      // Lease lost: stop acknowledging writes, for another may be elected. Without failover nobody
      // can be, so the leader keeps leading (a paused or cut-off primary stalls, it does not abdicate).
      const fenced = failover.fencing && failover.enabled;
      if (fenced && this.shipper.liveReplicas(now, failover.detect_after_us) < this.majority) {
        this.stepDown(this.replica.term);
        return;
      }
      this.shipper.replicateAll();
      this.releaseAcks(); // a follower may have stopped counting as live (sync)
    } else {
      this.checkElection();
    }
  }

  /** Starts an election past the deadline, or arms a timer for a deadline within the next tick. */
  private checkElection(): void {
    if (!this.settings.failover.enabled || this.replica.role === "leader") return;
    if (this.election.expired()) this.startElection();
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
    this.replica.set("leader");
    this.replica.leader = node.id;
    const next = node.log.last_lsn + 1;
    if (this.reads.consistency !== "local") {
      const confirmation = new ReadConfirmation(this.shipper.appendNoop());
      const followers = this.shipper.followers;
      this.leaderReads = new LeaderReads(confirmation, {
        node,
        term: this.replica.term,
        followers,
        majority: this.majority,
      });
    }
    this.shipper.lead(next);
    this.advanceCommit(); // a leader alone commits by itself
  }

  private onAppendReply(from: HostId, msg: AppendReply): void {
    if (msg.term > this.replica.term && this.settings.failover.fencing) {
      this.stepDown(msg.term);
      return;
    }
    if (this.replica.role !== "leader" || msg.term !== this.replica.term) return;
    const f = this.shipper.onReply(from, msg, () => this.releaseAcks());
    if (f === undefined) return;
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
        const { followers } = this.shipper;
        if (followers.size === 0) return true;
        for (const f of followers.values()) if (f.match >= lsn) return true;
        return false;
      }
      case "sync": {
        // Every live follower, and never fewer than a majority of the replicas: followers that went
        // silent stop counting, but a leader cut off from most of them cannot acknowledge alone.
        let holders = 1;
        for (const f of this.shipper.followers.values()) {
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
    const { req } = done;
    const reads = { settings: this.reads, lease_us: this.lease_us, leader: this.leaderReads };
    answerRead(this.node, reads, done, (c) =>
      c.commitNeeded(req.op === "read" ? req.key : null, this.node.log.last_lsn),
    );
  }

  /** Moves the commit position to what a majority holds durably. */
  private advanceCommit(): void {
    const leaderReads = this.leaderReads;
    if (leaderReads === null) return;
    const held = quorumValue(this.node.durableLsn(), this.shipper.matches(), this.majority);
    if (leaderReads.confirmation.majorityHolds(held, this.keysAt)) leaderReads.answerConfirmed();
  }

  // ---- follower ----

  /** Whether a leader's message is to be followed (else it was refused, and answered so). */
  private acceptLeader(from: HostId, msg: LeaderMessage): boolean {
    const node = this.node;
    const { term, leader } = msg;
    if (term < this.replica.term && this.settings.failover.fencing) {
      node.send(from, this.followerLog.reply(false));
      return false;
    }
    if (this.replica.role === "leader" && term === this.replica.term) {
      // Another leader in this term: possible only without fencing. Keep leading (split brain).
      node.send(from, this.followerLog.reply(false));
      return false;
    }
    if (term > this.replica.term || this.replica.role !== "follower")
      this.stepDown(Math.max(term, this.replica.term));
    this.replica.leader = leader;
    this.election.heardLeader();
    this.echo.accept(msg);
    return true;
  }

  private onHeartbeat(from: HostId, msg: Heartbeat): void {
    if (this.acceptLeader(from, msg)) this.node.send(from, this.echo.heartbeatReply(msg, this.replica.term));
  }

  private onHeartbeatReply(from: HostId, msg: HeartbeatReply): void {
    if (msg.term > this.replica.term) {
      this.stepDown(msg.term); // heartbeats are sent only with fencing
      return;
    }
    if (this.replica.role !== "leader" || msg.term !== this.replica.term) return;
    const f = this.shipper.heard(from);
    if (f !== undefined) this.leaderReads?.noteEcho(f, msg);
  }

  private onAppend(from: HostId, msg: AppendEntries): void {
    if (!this.acceptLeader(from, msg)) return;
    const node = this.node;
    const outcome = this.followerLog.append(msg);
    if (!outcome.matched) node.send(from, this.followerLog.reply(false, outcome.snapshot_needed));
    else if (outcome.appended > 0 && node.fsync_each_write) {
      node.requestFsync(); // the reply goes when the fsync completes (onDurable): one reply per batch
    } else node.send(from, this.followerLog.reply(true));
  }

  /** Installs the leader's snapshot unless this log already matches the leader's past it. */
  private onSnapshot(from: HostId, msg: InstallSnapshot): void {
    if (!this.acceptLeader(from, msg)) return;
    const { snapshot } = msg;
    this.followerLog.offerSnapshot(snapshot, snapshot.last_lsn <= this.followerLog.verified);
    this.node.send(from, this.followerLog.reply(true));
  }

  // ---- elections ----

  private startElection(): void {
    this.replica.standForElection(this.settings.failover.fencing);
    this.election.restart(true);
    if (this.votes.campaign(this.node, "vote_request", this.replica.term)) this.becomeLeader();
  }

  private onVoteRequest(from: HostId, msg: VoteRequest): void {
    const node = this.node;
    if (
      this.reads.consistency === "lease" &&
      (this.replica.role === "leader" || this.election.leaderHeardRecently())
    ) {
      // It may have acknowledged a leader's lease: no vote, and no newer term (etcd's in-lease check).
      refuseVote(node, from, this.replica);
      return;
    }
    if (msg.term > this.replica.term) this.stepDown(msg.term);
    // Without fencing (one term) a voter may vote again. Once it grants a vote it does not start a
    // competing election right away.
    if (answerVote(node, from, msg, this.replica, this.settings.failover.fencing))
      this.election.restart(false);
  }

  private onVoteReply(from: HostId, msg: VoteReply): void {
    if (msg.term > this.replica.term) this.stepDown(msg.term);
    else if (this.votes.countReply(from, msg, this.replica)) this.becomeLeader();
  }

  /** Becomes a follower (of a newer term, if given). The election timer is not reset: only a leader's
   * append, a granted vote or an own election do that, so a stale candidate cannot stall elections. */
  private stepDown(term: number): void {
    this.replica.enterTerm(term);
    if (this.replica.role === "leader") {
      this.replica.leader = -1;
      this.pendingAcks = []; // their clients time out: the outcome is unknown
      // Held reads were not confirmed: their clients try another node.
      for (const read of this.leaderReads?.confirmation.drain() ?? []) this.node.refuse(read, "not_leader");
      this.leaderReads = null;
    }
    this.followerLog.verified = 0;
    this.replica.set("follower");
  }

  /** The keys the entry at a log position writes, undefined when the log does not hold it (compacted). */
  private readonly keysAt = (lsn: number): readonly string[] | undefined => {
    const entry = this.node.log.entryAt(lsn);
    return entry === undefined ? undefined : this.node.payloads.keysWritten(entry.payload);
  };
}
