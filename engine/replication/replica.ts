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
// Logs are compacted (node-base.ts LOG_WINDOW): a follower that needs entries its leader no longer
// holds, or whose own log diverges below what it still holds, is sent a snapshot of the leader's
// state (table, query database, the writes its log held) and replaces its own with it.

import type { HostContext, HostId, Message } from "../../sim/host.js";
import type { Role } from "../events.js";
import {
  FIRST_SUBCLASS_TIMER,
  type InService,
  type LogEntry,
  type LogRecord,
  NodeBase,
  type NodeConfig,
} from "../node-base.js";
import type { Request, ResponseStatus } from "../protocol.js";
import type {
  AppendEntries,
  AppendReply,
  Heartbeat,
  HeartbeatReply,
  InstallSnapshot,
  LeaderEcho,
  LeaderMessage,
  VoteReply,
  VoteRequest,
} from "./messages.js";
import {
  LOCAL_READS,
  leaseDuration_us,
  quorumValue,
  ReadConfirmation,
  type ReadSettings,
} from "./read-confirmation.js";

export type ReplicationMode = "async" | "semi-sync" | "sync";

export interface ReplicationSettings {
  mode: ReplicationMode;
  /** Every replica of the shard, this one included. */
  peers: readonly HostId[];
  initialLeader: HostId;
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

const TIMER_TICK = FIRST_SUBCLASS_TIMER;
/** Fires at a follower's exact election deadline (ticks alone would quantize elections). */
const TIMER_ELECTION = FIRST_SUBCLASS_TIMER + 1;
/**
 * Reads a leader under read_index or lease answers only once confirmed, when they ask for the leader
 * (not the coordinator's requests, nor a read of one replica's own state, which any replica answers).
 */
const CLIENT_READS = new Set(["read", "scan", "read_all", "query"]);

export class ReplicaNode extends NodeBase {
  private readonly settings: ReplicationSettings;
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
  private confirmation: ReadConfirmation | null = null;
  /** Follower: the latest read round and leader clock accepted from this term's leader (echoed). */
  private readonly echo = { term: 0, round: 0, sent_us: Number.NEGATIVE_INFINITY };
  /** When this node last accepted a leader's message, or started (lease: no votes within detect_after). */
  private leaderHeard_us = 0;

  constructor(config: NodeConfig, settings: ReplicationSettings) {
    super(config);
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

  protected start(ctx: HostContext): void {
    const firstStart = !this.storage.started;
    this.storage.started = true;
    this.lastHeard_us = ctx.now_us();
    this.leaderHeard_us = this.lastHeard_us; // it may have acknowledged a lease before it crashed
    this.newElectionDelay();
    if (firstStart) this.leader = this.settings.initialLeader;
    // Without failover nobody else can have been promoted: the initial leader resumes after a restart.
    const leads = ctx.id === this.settings.initialLeader && (firstStart || !this.settings.failover.enabled);
    if (leads) this.becomeLeader(ctx);
    else this.setRole("follower", true);
    ctx.setTimer(this.tick_us, TIMER_TICK);
  }

  protected termAndHint(): { term: number; leader_hint: HostId } {
    return { term: this.storage.term, leader_hint: this.leader };
  }

  protected refusal(req: Request): ResponseStatus | null {
    if (req.require_leader && this.role !== "leader") return "not_leader";
    if (req.min_lsn > this.ctx.disk.length) return "not_leader"; // read-your-writes: not caught up
    return null;
  }

  protected onWriteLogged(ctx: HostContext, write: InService): void {
    this.pendingAcks.push(write);
    this.confirmation?.logged(ctx.disk.length, this.entryOf);
    for (const follower of this.followers.keys()) this.replicate(ctx, follower);
  }

  protected onDurable(ctx: HostContext, durable: number): void {
    if (this.role === "leader") {
      this.releaseAcks(ctx);
      this.advanceCommit(ctx);
    } else if (this.leader >= 0 && durable > 0 && this.verified > 0) {
      // Tell the leader what is durable now (followers under `always` acknowledge after fsync).
      ctx.send(this.leader, this.appendReply(true));
    }
  }

  protected onOwnTimer(ctx: HostContext, tag: number): void {
    if (tag === TIMER_ELECTION) {
      this.electionTimerArmed = false;
      this.checkElection(ctx);
      return;
    }
    if (tag !== TIMER_TICK) throw new Error(`replica: unknown timer tag ${tag}`);
    ctx.setTimer(this.tick_us, TIMER_TICK);
    const now = ctx.now_us();
    const { failover } = this.settings;
    if (this.role === "leader") {
      // Lease lost: stop acknowledging writes, for another may be elected. Without failover nobody
      // can be, so the leader keeps leading (a paused or cut-off primary stalls, it does not abdicate).
      if (failover.fencing && failover.enabled && this.liveReplicas(now) < this.majority) {
        this.stepDown(ctx, this.storage.term);
        return;
      }
      for (const follower of this.followers.keys()) this.replicate(ctx, follower);
      this.releaseAcks(ctx); // a follower may have stopped counting as live (sync)
    } else {
      this.checkElection(ctx);
    }
  }

  /** Starts an election past the deadline, or arms a timer for a deadline within the next tick. */
  private checkElection(ctx: HostContext): void {
    const { failover } = this.settings;
    if (!failover.enabled || this.role === "leader") return;
    const deadline_us = this.lastHeard_us + failover.detect_after_us + this.electionDelay_us;
    const now = ctx.now_us();
    if (now >= deadline_us) this.startElection(ctx);
    else if (deadline_us - now < this.tick_us && !this.electionTimerArmed) {
      this.electionTimerArmed = true;
      ctx.setTimer(deadline_us - now, TIMER_ELECTION);
    }
  }

  protected onPeerMessage(ctx: HostContext, from: HostId, msg: Message): void {
    switch (msg.kind) {
      case "append":
        this.onAppend(ctx, from, msg as AppendEntries);
        break;
      case "snapshot":
        this.onSnapshot(ctx, from, msg as InstallSnapshot);
        break;
      case "append_reply":
        this.onAppendReply(ctx, from, msg as AppendReply);
        break;
      case "vote_request":
        this.onVoteRequest(ctx, from, msg as VoteRequest);
        break;
      case "vote_reply":
        this.onVoteReply(ctx, from, msg as VoteReply);
        break;
      case "heartbeat":
        this.onHeartbeat(ctx, from, msg as Heartbeat);
        break;
      case "heartbeat_reply":
        this.onHeartbeatReply(ctx, from, msg as HeartbeatReply);
        break;
      default:
        throw new Error(`replica: unexpected message ${msg.kind}`);
    }
  }

  // ---- leader ----

  private becomeLeader(ctx: HostContext): void {
    this.setRole("leader");
    this.leader = ctx.id;
    this.followers.clear();
    const now = ctx.now_us();
    const next = ctx.disk.length + 1;
    if (this.reads.consistency !== "local") this.confirmation = new ReadConfirmation(this.logNoop(ctx));
    for (const peer of this.settings.peers) {
      if (peer === ctx.id) continue;
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
      this.replicate(ctx, peer);
    }
    this.advanceCommit(ctx); // a leader alone commits by itself
  }

  /** Logs an entry of this term that writes nothing; returns its position (read-confirmation.ts). */
  private logNoop(ctx: HostContext): number {
    const lsn = ctx.disk.length + 1;
    const { term } = this.storage;
    this.applyAndLog({
      lsn,
      term,
      insert: false,
      key: "",
      field: -1,
      value: 0,
      ts_us: ctx.now_us(),
      origin: ctx.id,
      noop: true,
    });
    if (this.config.fsync_policy.kind === "always") this.requestFsync();
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
  private replicate(ctx: HostContext, peer: HostId): void {
    const f = this.followers.get(peer) as FollowerState;
    const now = ctx.now_us();
    if (f.inflight && now - f.sent_us < 2 * this.tick_us) return;
    const last = ctx.disk.length;
    if (f.inflight && f.next > last && now - f.sent_us < this.tick_us) return;
    const prev_lsn = f.next - 1;
    if (f.snapshotDue || prev_lsn < ctx.disk.firstPosition) {
      this.sendSnapshot(ctx, peer, f);
      return;
    }
    const entries: LogEntry[] = [];
    for (let lsn = f.next; lsn <= last && entries.length < this.settings.batch_max; lsn++) {
      entries.push(this.entryAt(lsn));
    }
    const append: AppendEntries = {
      kind: "append",
      digest: (Math.imul(prev_lsn, 0x9e3779b1) ^ entries.length) >>> 0,
      term: this.storage.term,
      leader: ctx.id,
      round: this.confirmation?.roundSent ?? 0,
      sent_us: now,
      prev_lsn,
      prev_term: this.termAt(prev_lsn),
      entries,
    };
    ctx.send(peer, append);
    f.inflight = true;
    f.sent_us = now;
  }

  /** Sends the follower this leader's whole state; it resumes from the log's end. */
  private sendSnapshot(ctx: HostContext, peer: HostId, f: FollowerState): void {
    const snapshot = this.snapshot();
    const now = ctx.now_us();
    const message: InstallSnapshot = {
      kind: "snapshot",
      digest: (Math.imul(snapshot.last_lsn, 0x9e3779b1) ^ 0x5a) >>> 0,
      term: this.storage.term,
      leader: ctx.id,
      round: this.confirmation?.roundSent ?? 0,
      sent_us: now,
      snapshot,
    };
    ctx.send(peer, message);
    f.next = snapshot.last_lsn + 1;
    f.inflight = true;
    f.sent_us = now;
  }

  private onAppendReply(ctx: HostContext, from: HostId, msg: AppendReply): void {
    if (msg.term > this.storage.term && this.settings.failover.fencing) {
      this.stepDown(ctx, msg.term);
      return;
    }
    const f = this.followers.get(from);
    if (this.role !== "leader" || f === undefined || msg.term !== this.storage.term) return;
    f.inflight = false;
    f.lastReply_us = ctx.now_us();
    if (msg.success) {
      if (msg.match_lsn > f.match) f.match = msg.match_lsn;
      f.next = Math.max(f.next, msg.last_lsn + 1);
      f.snapshotDue = false;
      this.releaseAcks(ctx);
    } else if (msg.snapshot_needed) {
      f.snapshotDue = true;
    } else {
      f.next = Math.max(1, Math.min(f.next - 1, msg.last_lsn + 1));
    }
    if (f.next <= ctx.disk.length) this.replicate(ctx, from);
    if (msg.success) this.advanceCommit(ctx);
    this.noteEcho(ctx, f, msg);
  }

  /** Acknowledges, in log order, the writes that are now durable and replicated enough. */
  private releaseAcks(ctx: HostContext): void {
    const now = ctx.now_us();
    let released = 0;
    while (released < this.pendingAcks.length) {
      const write = this.pendingAcks[released] as InService;
      if (!this.acknowledgeable(write.response.lsn, now)) break;
      write.response.sync_us = now - write.cpuDone_us;
      ctx.send(write.from, write.response);
      released++;
    }
    if (released > 0) this.pendingAcks = this.pendingAcks.slice(released);
  }

  private acknowledgeable(lsn: number, now: number): boolean {
    if (this.durableLsn() < lsn) return false;
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
   * leader knows it led when the read arrived and what the read saw is committed.
   */
  protected override answerRead(ctx: HostContext, done: InService): void {
    const { req } = done;
    if (this.reads.consistency === "local" || !req.require_leader || !CLIENT_READS.has(req.op)) {
      super.answerRead(ctx, done);
      return;
    }
    const confirmation = this.confirmation;
    if (confirmation === null) {
      ctx.send(done.from, this.reply(req, "not_leader")); // stepped down during its CPU work
      return;
    }
    const leased = this.reads.consistency === "lease" && confirmation.leaseHeld(ctx.now_us(), this.lease_us);
    const commit = confirmation.commitNeeded(req.op === "read" ? req.key : null, ctx.disk.length);
    if (confirmation.hold(done, leased, commit)) this.sendRound(ctx);
    this.answerConfirmed(ctx);
  }

  /** Sends the latest read round to every follower at once (not waiting for the next append). */
  private sendRound(ctx: HostContext): void {
    const round = (this.confirmation as ReadConfirmation).roundSent;
    const heartbeat: Heartbeat = {
      kind: "heartbeat",
      digest: round,
      term: this.storage.term,
      leader: ctx.id,
      round,
      sent_us: ctx.now_us(),
    };
    for (const peer of this.followers.keys()) ctx.send(peer, heartbeat);
    this.confirm(ctx); // alone, a leader is its own majority
  }

  /** Records what a follower acknowledged, and answers the reads that lets through. */
  private noteEcho(ctx: HostContext, f: FollowerState, echo: LeaderEcho): void {
    if (this.confirmation === null) return;
    if (echo.round > f.round) f.round = echo.round;
    if (echo.sent_us > f.echo_us) f.echo_us = echo.sent_us;
    this.confirm(ctx);
  }

  /** Takes the read round and send time a majority acknowledged; starts the next round if wanted. */
  private confirm(ctx: HostContext): void {
    const confirmation = this.confirmation as ReadConfirmation;
    const rounds: number[] = [];
    const sent: number[] = [];
    for (const f of this.followers.values()) {
      rounds.push(f.round);
      sent.push(f.echo_us);
    }
    const round = quorumValue(confirmation.roundSent, rounds, this.majority);
    if (confirmation.acknowledged(round, quorumValue(ctx.now_us(), sent, this.majority))) this.sendRound(ctx);
    else this.answerConfirmed(ctx);
  }

  /** Moves the commit position to what a majority holds durably. */
  private advanceCommit(ctx: HostContext): void {
    const confirmation = this.confirmation;
    if (confirmation === null) return;
    const matches: number[] = [];
    for (const f of this.followers.values()) matches.push(f.match);
    const held = quorumValue(this.durableLsn(), matches, this.majority);
    if (confirmation.majorityHolds(held, this.entryOf)) this.answerConfirmed(ctx);
  }

  private answerConfirmed(ctx: HostContext): void {
    for (const read of (this.confirmation as ReadConfirmation).ready()) ctx.send(read.from, read.response);
  }

  // ---- follower ----

  /** Whether a leader's message is to be followed (else it was refused, and answered so). */
  private acceptLeader(ctx: HostContext, from: HostId, msg: LeaderMessage): boolean {
    const { term, leader } = msg;
    if (term < this.storage.term && this.settings.failover.fencing) {
      ctx.send(from, this.appendReply(false));
      return false;
    }
    if (this.role === "leader" && term === this.storage.term) {
      // Another leader in this term: possible only without fencing. Keep leading (split brain).
      ctx.send(from, this.appendReply(false));
      return false;
    }
    if (term > this.storage.term || this.role !== "follower")
      this.stepDown(ctx, Math.max(term, this.storage.term));
    this.leader = leader;
    this.lastHeard_us = ctx.now_us();
    this.leaderHeard_us = this.lastHeard_us;
    const echo = this.echo;
    if (term !== echo.term) {
      echo.term = term;
      echo.round = msg.round;
      echo.sent_us = msg.sent_us;
    } else {
      if (msg.round > echo.round) echo.round = msg.round;
      if (msg.sent_us > echo.sent_us) echo.sent_us = msg.sent_us;
    }
    return true;
  }

  private onHeartbeat(ctx: HostContext, from: HostId, msg: Heartbeat): void {
    if (!this.acceptLeader(ctx, from, msg)) return;
    const reply: HeartbeatReply = {
      kind: "heartbeat_reply",
      digest: msg.round,
      term: this.storage.term,
      ...this.echoed(),
    };
    ctx.send(from, reply);
  }

  private onHeartbeatReply(ctx: HostContext, from: HostId, msg: HeartbeatReply): void {
    if (msg.term > this.storage.term) {
      this.stepDown(ctx, msg.term); // heartbeats are sent only with fencing
      return;
    }
    const f = this.followers.get(from);
    if (this.role !== "leader" || f === undefined || msg.term !== this.storage.term) return;
    f.lastReply_us = ctx.now_us();
    this.noteEcho(ctx, f, msg);
  }

  /** What a reply echoes of this term's leader's messages (nothing when none was accepted). */
  private echoed(): { round: number; sent_us: number } {
    const echo = this.echo;
    return echo.term === this.storage.term
      ? { round: echo.round, sent_us: echo.sent_us }
      : { round: 0, sent_us: Number.NEGATIVE_INFINITY };
  }

  private onAppend(ctx: HostContext, from: HostId, msg: AppendEntries): void {
    if (!this.acceptLeader(ctx, from, msg)) return;
    const disk = ctx.disk;
    if (msg.prev_lsn > disk.length) {
      ctx.send(from, this.appendReply(false));
      return;
    }
    // Below what this log still holds it can neither check nor discard entries: a snapshot can.
    if (msg.prev_lsn < disk.firstPosition) {
      ctx.send(from, this.appendReply(false, true));
      return;
    }
    if (this.termAt(msg.prev_lsn) !== msg.prev_term) {
      if (msg.prev_lsn - 1 < disk.firstPosition) ctx.send(from, this.appendReply(false, true));
      else {
        this.truncateFrom(ctx, msg.prev_lsn);
        ctx.send(from, this.appendReply(false));
      }
      return;
    }
    let appended = 0;
    const now = ctx.now_us();
    for (const entry of msg.entries) {
      if (entry.lsn <= disk.length) {
        if (this.termAt(entry.lsn) === entry.term) continue; // already held
        this.truncateFrom(ctx, entry.lsn);
      }
      this.applyAndLog(entry);
      appended++;
      this.config.events?.({ type: "lag", node: ctx.id, lag_us: Math.max(0, now - entry.ts_us) });
    }
    this.verified = msg.prev_lsn + msg.entries.length;
    if (appended > 0 && this.config.fsync_policy.kind === "always") {
      this.requestFsync(); // the reply goes when the fsync completes (onDurable): one reply per batch
      return;
    }
    ctx.send(from, this.appendReply(true));
  }

  /** Installs the leader's snapshot unless this log already matches the leader's past it. */
  private onSnapshot(ctx: HostContext, from: HostId, msg: InstallSnapshot): void {
    if (!this.acceptLeader(ctx, from, msg)) return;
    const { snapshot } = msg;
    if (snapshot.last_lsn > this.verified) {
      this.installSnapshot(snapshot);
      this.verified = snapshot.last_lsn;
      this.config.events?.({ type: "snapshot", node: ctx.id, lsn: snapshot.last_lsn });
    }
    ctx.send(from, this.appendReply(true));
  }

  /**
   * Success reports the part of the log known to match the leader's (entries past it may be left
   * from an older term); failure reports the log's end, where the leader should look back from, or
   * that this log cannot be matched without a snapshot.
   */
  private appendReply(success: boolean, snapshot_needed = false): AppendReply {
    const last = success ? this.verified : this.ctx.disk.length;
    return {
      kind: "append_reply",
      digest: (last ^ (success ? 0x80000000 : 0) ^ (snapshot_needed ? 0x40000000 : 0)) >>> 0,
      term: this.storage.term,
      ...this.echoed(),
      success,
      match_lsn: success ? Math.min(this.durableLsn(), last) : 0,
      last_lsn: last,
      snapshot_needed,
    };
  }

  /** Discards the log from `lsn` on, undoing its writes on the table. */
  private truncateFrom(ctx: HostContext, lsn: number): void {
    const removed = ctx.disk.truncateFrom(lsn - 1) as LogRecord[];
    this.undoRecords(removed);
    if (removed.length > 0) this.config.events?.({ type: "truncate", node: ctx.id, entries: removed.length });
  }

  // ---- elections ----

  private startElection(ctx: HostContext): void {
    const storage = this.storage;
    if (this.settings.failover.fencing) storage.term++;
    storage.votedFor = ctx.id;
    this.setRole("candidate");
    this.leader = -1;
    this.lastHeard_us = ctx.now_us();
    this.newElectionDelay();
    this.votes.clear();
    this.votes.add(ctx.id);
    if (this.votes.size >= this.majority) {
      this.becomeLeader(ctx);
      return;
    }
    const lastLsn = ctx.disk.length;
    const request: VoteRequest = {
      kind: "vote_request",
      digest: storage.term,
      term: storage.term,
      candidate: ctx.id,
      last_lsn: lastLsn,
      last_term: this.termAt(lastLsn),
    };
    for (const peer of this.settings.peers) if (peer !== ctx.id) ctx.send(peer, request);
  }

  private onVoteRequest(ctx: HostContext, from: HostId, msg: VoteRequest): void {
    const storage = this.storage;
    const { fencing, detect_after_us } = this.settings.failover;
    if (
      this.reads.consistency === "lease" &&
      (this.role === "leader" || ctx.now_us() - this.leaderHeard_us < detect_after_us)
    ) {
      // It may have acknowledged a leader's lease: no vote, and no newer term (etcd's in-lease check).
      const refused: VoteReply = { kind: "vote_reply", digest: 0, term: storage.term, granted: false };
      ctx.send(from, refused);
      return;
    }
    if (msg.term > storage.term) this.stepDown(ctx, msg.term);
    const lastLsn = ctx.disk.length;
    const lastTerm = this.termAt(lastLsn);
    const upToDate = msg.last_term > lastTerm || (msg.last_term === lastTerm && msg.last_lsn >= lastLsn);
    const free = storage.votedFor === -1 || storage.votedFor === msg.candidate || !fencing;
    const granted = msg.term === storage.term && this.role !== "leader" && free && upToDate;
    if (granted) {
      storage.votedFor = msg.candidate;
      this.lastHeard_us = ctx.now_us(); // do not start a competing election right away
    }
    const reply: VoteReply = { kind: "vote_reply", digest: granted ? 1 : 0, term: storage.term, granted };
    ctx.send(from, reply);
  }

  private onVoteReply(ctx: HostContext, from: HostId, msg: VoteReply): void {
    if (msg.term > this.storage.term) {
      this.stepDown(ctx, msg.term);
      return;
    }
    if (this.role !== "candidate" || msg.term !== this.storage.term || !msg.granted) return;
    this.votes.add(from);
    if (this.votes.size >= this.majority) this.becomeLeader(ctx);
  }

  /** Becomes a follower (of a newer term, if given). The election timer is not reset: only a leader's
   * append, a granted vote or an own election do that, so a stale candidate cannot stall elections. */
  private stepDown(_ctx: HostContext, term: number): void {
    if (term > this.storage.term) {
      this.storage.term = term;
      this.storage.votedFor = -1;
    }
    if (this.role === "leader") {
      this.leader = -1;
      this.pendingAcks = []; // their clients time out: the outcome is unknown
      // Held reads were not confirmed: their clients try another node.
      for (const read of this.confirmation?.drain() ?? [])
        this.ctx.send(read.from, this.reply(read.req, "not_leader"));
      this.confirmation = null;
    }
    this.verified = 0;
    this.setRole("follower");
  }

  /** Records a role change (and reports it; `always`: also when unchanged, e.g. after a restart). */
  private setRole(role: Role, always = false): void {
    if (this.role === role && role !== "leader" && !always) return;
    this.role = role;
    this.config.events?.({ type: "role", node: this.ctx.id, role, term: this.storage.term });
  }

  private newElectionDelay(): void {
    this.electionDelay_us = this.ctx.rng.int(
      Math.max(1, Math.floor(this.settings.failover.detect_after_us / 2)),
    );
  }

  /** The entry at a log position, undefined when the log does not hold it (compacted). */
  private readonly entryOf = (lsn: number): LogEntry | undefined =>
    (this.ctx.disk.entryAt(lsn - 1) as LogRecord | undefined)?.entry;

  private entryAt(lsn: number): LogEntry {
    const entry = this.entryOf(lsn);
    if (entry === undefined)
      throw new Error(`replica: log position ${lsn} is not held (log ${this.ctx.disk.length})`);
    return entry;
  }
}
