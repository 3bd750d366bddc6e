// A replica of a Raft shard (Ongaro & Ousterhout, "In Search of an Understandable Consensus
// Algorithm", 2014; Ongaro's dissertation, 2014), `cluster.replication.mode: raft`.
//
// - Log replication: the leader logs each write in its term and ships its log to every follower in
//   order (one append in flight per follower, resent after 2 ticks, a heartbeat every tick; a tick
//   is detect_after / 5). An entry is committed once a majority, the leader included, holds it
//   durably and it is of the leader's term or precedes one that is (the leader logs a no-op when
//   elected). Followers learn the commit index from appends. Entries are applied only once
//   committed (`applyTo`: applies_on_append is false), so no applied entry is ever undone. A write
//   is acknowledged once committed.
// - Elections: a follower that has not heard from a leader for detect_after plus a random delay of
//   up to half of it first asks for pre-votes for the next term without changing its own (PreVote,
//   dissertation 9.6); only a majority of pre-votes makes it a candidate that increments its term.
//   A node that heard from a leader within detect_after grants neither pre-votes nor votes for a
//   newer term (leader stickiness, 4.2.3), and a leader that has not heard from a majority within
//   detect_after steps down (CheckQuorum, 6.2). So a node cut off and rejoining cannot depose a
//   healthy leader, and a leader cut off from a majority stops acknowledging.
// - Reads (`read_consistency`, read-confirmation.ts): a leader serves reads only once its no-op is
//   committed (earlier ones wait for it); `read_index` answers after a majority acknowledged a
//   heartbeat round sent after the read ran, `lease` at once within its lease; `local` answers at once
//   (a deposed leader that has not noticed answers stale reads). A read runs on the leader's applied
//   state after the node caught it up to the commit index.
// - Snapshots (7): a follower that needs entries the leader compacted away is sent the leader's
//   state as of its applied (committed) position; a follower whose log already holds that position
//   in that term keeps its log.
//
// Simplifications are listed in docs/replication.md ("Raft").

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

export interface RaftSettings extends ShardReplicas {
  /** The election timeout's base, and the window of CheckQuorum and leader stickiness. */
  detect_after_us: number;
  /** Most entries in one append. */
  batch_max: number;
  /** How the leader answers reads (read-confirmation.ts); default local. */
  reads?: ReadSettings;
}

/** Leader -> follower: an append that also carries the leader's commit index. */
interface RaftAppend extends AppendEntries {
  readonly commit_lsn: number;
}

/** A candidate's request for pre-votes: `term` is the term it would start, its own is unchanged. */
interface PreVoteRequest extends Omit<VoteRequest, "kind"> {
  readonly kind: "pre_vote_request";
}

interface PreVoteReply extends Omit<VoteReply, "kind"> {
  readonly kind: "pre_vote_reply";
}

interface FollowerState {
  /** Next log position to send. */
  next: number;
  /** Highest position the follower holds durably. */
  match: number;
  inflight: boolean;
  sent_us: number;
  lastReply_us: number;
  /** Highest read round it acknowledged in this term. */
  round: number;
  /** This leader's clock at the latest send it acknowledged. */
  echo_us: number;
}

/** Raft's persistent state: current term and vote. */
interface DurableState {
  term: number;
  voted_for: HostId;
  /** False until the node first starts: the initial leader leads term 1 at its first start. */
  started: boolean;
}

/** A read that arrived before the leader's no-op was committed: served once it is. */
interface DeferredRead {
  readonly from: HostId;
  readonly req: Request;
}

const TIMER_TICK = 0;
/** Fires at a follower's exact election deadline (ticks alone would quantize elections). */
const TIMER_ELECTION = 1;

/** Read confirmation tracks no keys here: the applied state holds committed entries only. */
const NO_KEYS = (): readonly string[] => [];

export class Raft implements ReplicationProtocol {
  readonly applies_on_append = false;
  private readonly settings: RaftSettings;
  private node!: ProtocolContext;
  private durable!: DurableState;
  private role: Role = "follower";
  private leader: HostId = -1;
  /** The election timer counts from here (a leader's message, a granted vote, an own (pre-)election). */
  private lastHeard_us = 0;
  /** When this node last accepted a leader's message (leader stickiness; lease: or started). */
  private leaderHeard_us = Number.NEGATIVE_INFINITY;
  private electionDelay_us = 0;
  private electionTimerArmed = false;
  /** Highest log position known committed (volatile: after a restart, what the data has applied). */
  private commit = 0;
  /** Follower: the log is known to match the current leader's up to here (0: not yet checked). */
  private verified = 0;
  /** A pre-vote round for term + 1 is under way. */
  private preVoting = false;
  private readonly votes = new Set<HostId>();
  private readonly followers = new Map<HostId, FollowerState>();
  /** Writes this leader logged, waiting to be committed, in log order. */
  private pendingAcks: InService[] = [];
  /** Leader: the position of its no-op, the first entry of its term. */
  private termStart = 0;
  private deferredReads: DeferredRead[] = [];
  private readonly tick_us: number;
  private readonly reads: ReadSettings;
  private readonly lease_us: number;
  /** Leader under read_index or lease: its reads waiting for confirmation (null otherwise). */
  private leaderReads: LeaderReads | null = null;
  /** Follower: the latest read round and leader clock accepted from this term's leader (echoed). */
  private readonly echo = new EchoToLeader();

  constructor(settings: RaftSettings) {
    this.settings = settings;
    this.tick_us = Math.max(1000, Math.round(settings.detect_after_us / 5));
    this.reads = settings.reads ?? LOCAL_READS;
    this.lease_us = leaseDuration_us(settings.detect_after_us, this.reads.max_clock_error_us);
    if (this.reads.consistency === "lease" && this.lease_us <= 0)
      throw new Error("raft: max_clock_error leaves no lease (it must be under detect_after / 2)");
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
    // What the data has applied was committed: the commit index restarts there.
    this.commit = node.log.applied_lsn;
    this.lastHeard_us = node.now_us();
    // Under lease reads it may have acknowledged a lease before it crashed: no votes for a while.
    if (this.reads.consistency === "lease") this.leaderHeard_us = this.lastHeard_us;
    this.newElectionDelay();
    if (firstStart && node.id === this.settings.initial_leader) {
      this.durable.voted_for = node.id;
      this.becomeLeader();
    } else this.setRole("follower", true);
    node.setTimer(this.tick_us, TIMER_TICK);
  }

  refusal(req: Request, from: HostId): RefusalStatus | "forwarded" | null {
    if (req.require_leader && this.role !== "leader") return "not_leader";
    if (req.min_lsn > this.node.log.applied_lsn) return "not_leader"; // read-your-writes: not caught up
    if (
      this.role === "leader" &&
      req.require_leader &&
      !OPERATIONS[req.op].writes &&
      this.commit < this.termStart
    ) {
      // Until its no-op is committed a new leader does not know what is committed: the read waits.
      this.deferredReads.push({ from, req });
      return "forwarded";
    }
    return null;
  }

  onWrite(write: InService): void {
    this.pendingAcks.push(write);
    for (const follower of this.followers.keys()) this.replicate(follower);
  }

  onDurable(durable: number): void {
    if (this.role === "leader") this.advanceCommit();
    else if (this.leader >= 0 && durable > 0 && this.verified > 0) {
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
    if (tag !== TIMER_TICK) throw new Error(`raft: unknown timer tag ${tag}`);
    const node = this.node;
    node.setTimer(this.tick_us, TIMER_TICK);
    if (this.role === "leader") {
      // CheckQuorum: a leader that has not heard from a majority within detect_after steps down.
      if (this.liveReplicas(node.now_us()) < this.majority) {
        this.stepDown(this.durable.term);
        return;
      }
      for (const follower of this.followers.keys()) this.replicate(follower);
    } else this.checkElection();
  }

  onMessage(from: HostId, msg: Message): void {
    switch (msg.kind) {
      case "append":
        this.onAppend(from, msg as RaftAppend);
        break;
      case "snapshot":
        this.onSnapshot(from, msg as InstallSnapshot);
        break;
      case "append_reply":
        this.onAppendReply(from, msg as AppendReply);
        break;
      case "heartbeat":
        this.onHeartbeat(from, msg as Heartbeat);
        break;
      case "heartbeat_reply":
        this.onHeartbeatReply(from, msg as HeartbeatReply);
        break;
      case "pre_vote_request":
        this.onPreVoteRequest(from, msg as PreVoteRequest);
        break;
      case "pre_vote_reply":
        this.onPreVoteReply(from, msg as PreVoteReply);
        break;
      case "vote_request":
        this.onVoteRequest(from, msg as VoteRequest);
        break;
      case "vote_reply":
        this.onVoteReply(from, msg as VoteReply);
        break;
      default:
        throw new Error(`raft: unexpected message ${msg.kind}`);
    }
  }

  // ---- leader ----

  private becomeLeader(): void {
    const node = this.node;
    this.preVoting = false;
    this.setRole("leader");
    this.leader = node.id;
    this.followers.clear();
    this.termStart = this.logNoop();
    if (this.reads.consistency !== "local") {
      const leader = { node, term: this.durable.term, followers: this.followers, majority: this.majority };
      this.leaderReads = new LeaderReads(new ReadConfirmation(this.termStart), leader);
    }
    const now = node.now_us();
    for (const peer of this.settings.peers) {
      if (peer === node.id) continue;
      this.followers.set(peer, {
        next: this.termStart,
        match: 0,
        inflight: false,
        sent_us: 0,
        lastReply_us: now,
        round: 0,
        echo_us: Number.NEGATIVE_INFINITY,
      });
      this.replicate(peer);
    }
    this.advanceCommit(); // a leader alone commits by itself
  }

  /** Logs the entry of this term that writes nothing (Raft's no-op); returns its position. */
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
      if (now - f.lastReply_us <= this.settings.detect_after_us) live++;
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
    const prev_lsn = f.next - 1;
    if (prev_lsn < log.base_lsn) {
      this.sendSnapshot(peer, f);
      return;
    }
    const entries: LogEntry[] = [];
    for (let lsn = f.next; lsn <= last && entries.length < this.settings.batch_max; lsn++) {
      entries.push(this.entryAt(lsn));
    }
    const append: RaftAppend = {
      kind: "append",
      digest: (Math.imul(prev_lsn, 0x9e3779b1) ^ entries.length ^ this.commit) >>> 0,
      term: this.durable.term,
      leader: node.id,
      round: this.leaderReads?.confirmation.roundSent ?? 0,
      sent_us: now,
      prev_lsn,
      prev_term: log.termAt(prev_lsn),
      entries,
      commit_lsn: this.commit,
    };
    node.send(peer, append);
    f.inflight = true;
    f.sent_us = now;
  }

  /** Sends the follower this leader's state as of what it applied (committed); it resumes after it. */
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
    if (msg.term > this.durable.term) {
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
    } else f.next = Math.max(1, Math.min(f.next - 1, msg.last_lsn + 1));
    if (f.next <= this.node.log.last_lsn) this.replicate(from);
    if (msg.success) this.advanceCommit();
    this.leaderReads?.noteEcho(f, msg);
  }

  /** Commits what a majority holds durably, once that reaches an entry of this term. */
  private advanceCommit(): void {
    const matches: number[] = [];
    for (const f of this.followers.values()) matches.push(f.match);
    const held = quorumValue(this.node.durableLsn(), matches, this.majority);
    if (held >= this.termStart && held > this.commit) this.commitTo(held);
  }

  /** The leader committed up to `lsn`: apply, acknowledge, and serve the reads that waited for it. */
  private commitTo(lsn: number): void {
    const node = this.node;
    this.commit = lsn;
    node.applyTo(lsn);
    let released = 0;
    while (released < this.pendingAcks.length && (this.pendingAcks[released] as InService).lsn <= lsn) {
      node.respond(this.pendingAcks[released] as InService);
      released++;
    }
    if (released > 0) this.pendingAcks = this.pendingAcks.slice(released);
    const leaderReads = this.leaderReads;
    if (leaderReads?.confirmation.majorityHolds(lsn, NO_KEYS)) leaderReads.answerConfirmed();
    if (this.deferredReads.length > 0) {
      const deferred = this.deferredReads;
      this.deferredReads = [];
      for (const { from, req } of deferred) node.serve(from, req);
    }
  }

  // ---- reads (read_index, lease) ----

  /** Answers a read at once (local, or a read no client asked the leader for), or once confirmed. */
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
    if (confirmation.hold(done, leased, this.termStart)) leaderReads.sendRound();
    leaderReads.answerConfirmed();
  }

  // ---- follower ----

  /** Whether a leader's message is to be followed (else it was refused, and answered so). */
  private acceptLeader(from: HostId, msg: LeaderMessage): boolean {
    const node = this.node;
    const { term, leader } = msg;
    if (term < this.durable.term) {
      node.send(from, this.appendReply(false));
      return false;
    }
    if (this.role === "leader" && term === this.durable.term)
      throw new Error(`raft: two leaders in term ${term} (${node.id} and ${leader})`);
    if (term > this.durable.term || this.role !== "follower") this.stepDown(term);
    this.preVoting = false;
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
      this.stepDown(msg.term);
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

  private onAppend(from: HostId, msg: RaftAppend): void {
    if (!this.acceptLeader(from, msg)) return;
    const node = this.node;
    const log = node.log;
    if (msg.prev_lsn > log.last_lsn) {
      node.send(from, this.appendReply(false));
      return;
    }
    // Entries up to what this log compacted are applied, so committed: the leader's are the same.
    const base = log.base_lsn;
    if (msg.prev_lsn >= base && log.termAt(msg.prev_lsn) !== msg.prev_term) {
      this.truncateFrom(msg.prev_lsn);
      node.send(from, this.appendReply(false));
      return;
    }
    let appended = 0;
    for (const entry of msg.entries) {
      if (entry.lsn <= log.last_lsn) {
        if (entry.lsn <= base || log.termAt(entry.lsn) === entry.term) continue; // already held
        this.truncateFrom(entry.lsn);
      }
      node.append(entry); // applied by the node's applier once committed
      appended++;
    }
    this.verified = Math.max(msg.prev_lsn + msg.entries.length, Math.min(base, log.last_lsn));
    const commit = Math.min(msg.commit_lsn, this.verified);
    if (commit > this.commit) {
      this.commit = commit;
      node.applyTo(commit);
    }
    if (appended > 0 && node.fsync_each_write) {
      node.requestFsync(); // the reply goes when the fsync completes (onDurable): one reply per batch
      return;
    }
    node.send(from, this.appendReply(true));
  }

  /**
   * Installs the leader's snapshot, unless this log already holds its last position in its term (the
   * logs then match up to there: Raft keeps the entries after it).
   */
  private onSnapshot(from: HostId, msg: InstallSnapshot): void {
    if (!this.acceptLeader(from, msg)) return;
    const node = this.node;
    const log = node.log;
    const { snapshot } = msg;
    const at = snapshot.last_lsn;
    const held =
      at <= this.commit ||
      at <= log.base_lsn ||
      (at <= log.last_lsn && log.termAt(at) === snapshot.last_term);
    if (!held) {
      node.install(snapshot);
      this.commit = at;
      node.emit({ type: "snapshot", node: node.id, lsn: at });
    }
    this.verified = held ? Math.max(at, this.verified) : at;
    node.send(from, this.appendReply(true));
  }

  /**
   * Success reports the part of the log known to match the leader's (entries past it may be left from
   * an older term); failure reports the log's end, where the leader should look back from.
   */
  private appendReply(success: boolean): AppendReply {
    const last = success ? this.verified : this.node.log.last_lsn;
    return {
      kind: "append_reply",
      digest: (last ^ (success ? 0x80000000 : 0)) >>> 0,
      term: this.durable.term,
      ...this.echoed(),
      success,
      match_lsn: success ? Math.min(this.node.durableLsn(), last) : 0,
      last_lsn: last,
      snapshot_needed: false,
    };
  }

  /** Discards the log from `lsn` on (never a committed entry: Raft's Leader Completeness). */
  private truncateFrom(lsn: number): void {
    const node = this.node;
    if (lsn <= this.commit)
      throw new Error(`raft: truncating committed entry ${lsn} (commit ${this.commit})`);
    const removed = node.truncateFrom(lsn);
    if (removed > 0) node.emit({ type: "truncate", node: node.id, entries: removed });
  }

  // ---- elections ----

  /** Starts a pre-vote past the deadline, or arms a timer for a deadline within the next tick. */
  private checkElection(): void {
    if (this.role === "leader") return;
    const deadline_us = this.lastHeard_us + this.settings.detect_after_us + this.electionDelay_us;
    const now = this.node.now_us();
    if (now >= deadline_us) this.startPreVote();
    else if (deadline_us - now < this.tick_us && !this.electionTimerArmed) {
      this.electionTimerArmed = true;
      this.node.setTimer(deadline_us - now, TIMER_ELECTION);
    }
  }

  /** Whether it heard from a leader within detect_after (or leads): it then grants no newer term. */
  private inLease(): boolean {
    return this.role === "leader" || this.node.now_us() - this.leaderHeard_us < this.settings.detect_after_us;
  }

  private upToDate(msg: Pick<VoteRequest, "last_lsn" | "last_term">): boolean {
    const log = this.node.log;
    const lastLsn = log.last_lsn;
    const lastTerm = log.termAt(lastLsn);
    return msg.last_term > lastTerm || (msg.last_term === lastTerm && msg.last_lsn >= lastLsn);
  }

  /** Asks for pre-votes for the next term; its own term stays (PreVote). */
  private startPreVote(): void {
    const node = this.node;
    this.leader = -1;
    this.lastHeard_us = node.now_us();
    this.newElectionDelay();
    this.preVoting = true;
    this.votes.clear();
    this.votes.add(node.id);
    if (this.votes.size >= this.majority) {
      this.startElection();
      return;
    }
    const lastLsn = node.log.last_lsn;
    const request: PreVoteRequest = {
      kind: "pre_vote_request",
      digest: this.durable.term + 1,
      term: this.durable.term + 1,
      candidate: node.id,
      last_lsn: lastLsn,
      last_term: node.log.termAt(lastLsn),
    };
    for (const peer of this.settings.peers) if (peer !== node.id) node.send(peer, request);
  }

  /** Grants a pre-vote without changing its own state: a newer term, a log as up to date, no leader heard. */
  private onPreVoteRequest(from: HostId, msg: PreVoteRequest): void {
    const term = this.durable.term;
    const granted = msg.term > term && !this.inLease() && this.upToDate(msg);
    const reply: PreVoteReply = {
      kind: "pre_vote_reply",
      digest: granted ? 1 : 0,
      term: granted ? msg.term : term,
      granted,
    };
    this.node.send(from, reply);
  }

  private onPreVoteReply(from: HostId, msg: PreVoteReply): void {
    if (!msg.granted) {
      if (msg.term > this.durable.term) this.stepDown(msg.term); // a newer term exists: join it
      return;
    }
    if (!this.preVoting || this.role !== "follower" || msg.term !== this.durable.term + 1) return;
    this.votes.add(from);
    if (this.votes.size >= this.majority) this.startElection();
  }

  private startElection(): void {
    const node = this.node;
    const durable = this.durable;
    this.preVoting = false;
    durable.term++;
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
    if (msg.term > durable.term && this.inLease()) {
      // Leader stickiness: it heard from a leader lately; neither a vote nor a newer term.
      const refused: VoteReply = { kind: "vote_reply", digest: 0, term: durable.term, granted: false };
      node.send(from, refused);
      return;
    }
    if (msg.term > durable.term) this.stepDown(msg.term);
    const free = durable.voted_for === -1 || durable.voted_for === msg.candidate;
    const granted = msg.term === durable.term && this.role !== "leader" && free && this.upToDate(msg);
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

  /** Becomes a follower (of a newer term, if given); a leader's waiting writes and reads are dropped. */
  private stepDown(term: number): void {
    const durable = this.durable;
    if (term > durable.term) {
      durable.term = term;
      durable.voted_for = -1;
    }
    this.preVoting = false;
    if (this.role === "leader") {
      const node = this.node;
      this.leader = -1;
      this.pendingAcks = []; // their clients time out: the outcome is unknown
      for (const read of this.leaderReads?.confirmation.drain() ?? []) node.refuse(read, "not_leader");
      this.leaderReads = null;
      for (const read of this.deferredReads) node.refuse(read, "not_leader");
      this.deferredReads = [];
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
    this.electionDelay_us = this.node.rng.int(Math.max(1, Math.floor(this.settings.detect_after_us / 2)));
  }

  private entryAt(lsn: number): LogEntry {
    const entry = this.node.log.entryAt(lsn);
    if (entry === undefined)
      throw new Error(`raft: log position ${lsn} is not held (log ${this.node.log.last_lsn})`);
    return entry;
  }
}
