// A replica of a Raft shard (Ongaro & Ousterhout, "In Search of an Understandable Consensus
// Algorithm", 2014; Ongaro's dissertation, 2014), `cluster.replication.mode: raft`.
//
// - Log replication: the leader logs each write in its term and ships its log to every follower in
//   order (pipelined: up to `append_window` appends in flight per follower, probing again after a
//   rejection or 2 ticks unanswered; a heartbeat every tick; a tick is detect_after / 5). An entry
//   is committed once a majority, the leader included, holds it durably and it is of the leader's
//   term or precedes one that is (the leader logs a no-op when elected). Followers learn the commit index from appends. Entries are applied only once
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
//   state after the node caught it up to the commit index. The shard mover's reads (a reshard's
//   exports) are confirmed as under read_index (or lease) whatever the setting.
// - Snapshots (7): a follower that needs entries the leader compacted away is sent the leader's
//   state as of its applied (committed) position, with the configuration in effect there; a follower
//   whose log already holds that position in that term keeps its log.
// - Membership (4, membership.ts): the majority, the peers a candidate asks and those the leader
//   ships to come from the latest configuration in the log. The leader starts the next scheduled
//   change once its previous configuration is committed (and an entry of its term is): a new replica
//   joins as a learner and becomes a voter once caught up; a removed leader keeps leading, without
//   counting itself, until its removal commits, then steps down.
// - Leadership transfer (3.10, leader-transfer.ts): asked by any host (`transfer_leadership`) or by
//   the schedule, the leader parks new writes, waits until the target holds its whole log committed,
//   and sends it TimeoutNow; the target campaigns at once, without PreVote, and voters grant it past
//   leader stickiness (the request says it is a transfer's). Aborted after an election timeout.
// - A replica move requested by message (`move_replica`, ranges/moves.ts) is kept by every replica
//   that hears it and carried out by whichever leads, after the scheduled changes that are due: add
//   the new host, promote, remove; a leader that would remove itself first transfers leadership to
//   the new host, which then removes it.
// - Disk faults (acknowledged-log.ts): a replica whose log lost entries it had acknowledged (a lost
//   fsync, a corrupt or torn entry cut out) stays out of elections until a leader gave them back; a
//   leader that cuts its own log steps down.
//
// Simplifications are listed in docs/replication.md ("Raft").

import type { HostId, Message, TimerTag } from "../../sim/host.js";
import { OPERATIONS } from "../operations.js";
import type { RefusalStatus, Request } from "../protocol.js";
import { type MoveReplicaRequest, moveStep } from "../ranges/moves.js";
import { AcknowledgedLog } from "./acknowledged-log.js";
import { EarlyAppends } from "./early-appends.js";
import { ElectionTimer } from "./election-timer.js";
import { FollowerLog } from "./follower-log.js";
import { answerRead, EchoToLeader, LeaderReads } from "./leader-reads.js";
import { LeaderTransfer, type TimeoutNow, type TransferLeadership } from "./leader-transfer.js";
import { LogShipper, type ShippedFollower } from "./log-shipper.js";
import {
  CatchUp,
  type ConfigEntry,
  type Configuration,
  Configurations,
  type Membership,
  type MembershipChange,
} from "./membership.js";
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
import type {
  InService,
  ProtocolContext,
  ReplicationProtocol,
  ScheduledTransfer,
  ShardReplicas,
} from "./protocol.js";
import {
  LOCAL_READS,
  leaseDuration_us,
  quorumValue,
  ReadConfirmation,
  type ReadSettings,
} from "./read-confirmation.js";
import { ReplicaRole } from "./replica-role.js";
import { answerVote, refuseVote, upToDate, VoteTally } from "./votes.js";

export interface RaftSettings extends ShardReplicas {
  /** The election timeout's base, and the window of CheckQuorum and leader stickiness. */
  detect_after_us: number;
  /** Most entries in one append. */
  batch_max: number;
  /** Most appends in flight to one follower (pipelining, log-shipper.ts); default 1. */
  append_window?: number;
  /** How the leader answers reads (read-confirmation.ts); default local. */
  reads?: ReadSettings;
}

/** What Raft keeps on disk beside the term and vote (replica-role.ts), in the same durable object. */
interface DurableConfigurations {
  configurations?: Configuration[];
  /** Replica moves requested by message, not yet seen done (ranges/moves.ts). */
  moves?: { readonly add: HostId; readonly remove: HostId }[];
}

/** Leader -> follower: an append that also carries the leader's commit index. */
interface RaftAppend extends AppendEntries {
  readonly commit_lsn: number;
}

/** Leader -> follower: a snapshot with the configuration in effect at its last position. */
interface RaftSnapshot extends InstallSnapshot {
  readonly configuration: Configuration;
}

/** A candidate's request for pre-votes: `term` is the term it would start, its own is unchanged. */
interface PreVoteRequest extends Omit<VoteRequest, "kind"> {
  readonly kind: "pre_vote_request";
}

interface PreVoteReply extends Omit<VoteReply, "kind"> {
  readonly kind: "pre_vote_reply";
}

/** A vote request of a leadership transfer's target: voters grant it past leader stickiness. */
interface TransferVoteRequest extends Omit<VoteRequest, "kind"> {
  readonly kind: "transfer_vote_request";
}

/** A read that arrived before the leader's no-op was committed: served once it is. */
interface DeferredRead {
  readonly from: HostId;
  readonly req: Request;
}

const TIMER_TICK = 0;
/** Fires at a follower's exact election deadline (ticks alone would quantize elections). */
const TIMER_ELECTION = 1;
/** Fires when the next scheduled leadership transfer is due. */
const TIMER_TRANSFER = 2;

/** Read confirmation tracks no keys here: the applied state holds committed entries only. */
const NO_KEYS = (): readonly string[] => [];

export class Raft implements ReplicationProtocol {
  readonly applies_on_append = false;
  private readonly settings: RaftSettings;
  private node!: ProtocolContext;
  /** Its term, vote, role, and the leader it knows of. */
  private readonly replica = new ReplicaRole();
  /** Counts from a leader's message, a granted vote, an own (pre-)election. */
  private election!: ElectionTimer;
  /** Highest log position known committed (volatile: after a restart, what the data has applied). */
  private commit = 0;
  /** Follower: its log matched against the leader's. */
  private followerLog!: FollowerLog;
  /** What it acknowledged, and whether its log lost some of it (then it stays out of elections). */
  private acked!: AcknowledgedLog;
  /** A pre-vote round for term + 1 is under way. */
  private preVoting = false;
  /** The votes of its latest (pre-)election, among the voters of its configuration then. */
  private votes!: VoteTally;
  /** Its configurations: the latest is in effect (membership.ts). */
  private configs!: Configurations;
  /** Scheduled membership changes (a scenario's `changes`). */
  private readonly changes: readonly MembershipChange[];
  /** Scheduled leadership transfers, and the next one not yet due. */
  private readonly transfers: readonly ScheduledTransfer[];
  private nextTransfer = 0;
  /** Leader: the leadership transfer under way (null: none). */
  private transfer: LeaderTransfer | null = null;
  /** Candidate of a transfer: the leader that sent it TimeoutNow (-1: an ordinary election). */
  private transferFrom: HostId = -1;
  /** Leader: the voters among its followers (read confirmation and CheckQuorum count these). */
  private readonly voterFollowers = new Map<HostId, ShippedFollower>();
  /** Leader: its learner's catch-up rounds. */
  private catchUp = new CatchUp();
  /** Leader: its log shipping to each follower. */
  private shipper!: LogShipper;
  /** Writes this leader logged, waiting to be committed, in log order. */
  private pendingAcks: InService[] = [];
  /** Leader: the position of its no-op, the first entry of its term. */
  private termStart = 0;
  private deferredReads: DeferredRead[] = [];
  private readonly tick_us: number;
  private readonly reads: ReadSettings;
  private readonly lease_us: number;
  /** Leader: its reads waiting for confirmation (null on a follower). */
  private leaderReads: LeaderReads | null = null;
  /** Follower: the latest read round and leader clock accepted from this term's leader (echoed). */
  private readonly echo = new EchoToLeader();
  /** Follower: pipelined appends that overtook earlier ones, held until those arrive. */
  private readonly early: EarlyAppends<RaftAppend>;

  constructor(settings: RaftSettings) {
    this.settings = settings;
    this.tick_us = Math.max(1000, Math.round(settings.detect_after_us / 5));
    this.reads = settings.reads ?? LOCAL_READS;
    this.lease_us = leaseDuration_us(settings.detect_after_us, this.reads.max_clock_error_us);
    if (this.reads.consistency === "lease" && this.lease_us <= 0)
      throw new Error("raft: max_clock_error leaves no lease (it must be under detect_after / 2)");
    this.changes = settings.membership ?? [];
    this.transfers = settings.transfers ?? [];
    this.early = new EarlyAppends(settings.append_window ?? 1);
  }

  /** A majority of the voters of its configuration. */
  private get majority(): number {
    return Math.floor(this.configs.latest().membership.voters.length / 2) + 1;
  }

  get term(): number {
    return this.replica.term;
  }

  get leader_hint(): HostId {
    return this.replica.leader;
  }

  /** Its latest configuration (in effect once logged): what a leader reports to the rebalancer. */
  membership(): Membership {
    return this.configs.latest().membership;
  }

  start(node: ProtocolContext): void {
    this.node = node;
    const firstStart = this.replica.start(node);
    // The same durable object as the term's and vote's (a node has one).
    const durable = node.persistent<DurableConfigurations>(() => ({}));
    durable.configurations ??= [];
    this.configs = new Configurations(durable.configurations, this.settings.voters ?? this.settings.peers);
    this.configs.reconcile(node.log);
    this.votes = new VoteTally(this.configs.latest().membership.voters);
    // What the data has applied was committed: the commit index restarts there.
    this.commit = node.log.applied_lsn;
    const roundSent = () => this.leaderReads?.confirmation.roundSent ?? 0;
    const rules = {
      tick_us: this.tick_us,
      window: this.settings.append_window ?? 1,
      roundSent,
      commitLsn: () => this.commit,
      snapshotFields: (last_lsn: number) => ({ configuration: this.configs.at(last_lsn) }),
    };
    const configs = this.configs;
    const members = {
      batch_max: this.settings.batch_max,
      get peers(): HostId[] {
        const { voters, learners } = configs.latest().membership;
        return [...voters, ...learners];
      },
    };
    this.shipper = new LogShipper(node, this.replica, members, rules);
    // Entries up to a compacted base were applied, so committed: the leader's are the same.
    this.acked = new AcknowledgedLog(this.replica.durable, node.log, this.settings.peers.length === 1);
    const acked = this.acked;
    const logRules = {
      compacted_entries_match: true,
      committed: () => this.commit,
      acknowledged: (lsn: number) => acked.acknowledged(lsn),
      replaced: (lsn: number) => acked.replaced(lsn),
    };
    this.followerLog = new FollowerLog(node, this.replica, this.echo, logRules);
    this.election = new ElectionTimer(node, {
      detect_after_us: this.settings.detect_after_us,
      tick_us: this.tick_us,
      tag: TIMER_ELECTION,
    });
    this.election.start(this.reads.consistency === "lease");
    if (firstStart && node.id === this.settings.initial_leader) {
      this.replica.durable.voted_for = node.id;
      this.becomeLeader();
    } else this.replica.set("follower", true);
    node.setTimer(this.tick_us, TIMER_TICK);
    // A restarted node skips the transfers that fell due while it was down.
    while ((this.transfers[this.nextTransfer]?.at_us ?? Number.POSITIVE_INFINITY) <= node.now_us())
      this.nextTransfer++;
    this.armTransferTimer();
  }

  refusal(req: Request, from: HostId): RefusalStatus | "forwarded" | null {
    if (!this.configs.isMember(this.node.id)) return "not_leader"; // a spare, or a removed replica
    if (req.require_leader && this.replica.role !== "leader") return "not_leader";
    if (this.transfer?.parks(req, OPERATIONS[req.op].writes !== false) === true) {
      this.transfer.park(from, req);
      return "forwarded";
    }
    if (req.min_lsn > this.node.log.applied_lsn) return "not_leader"; // read-your-writes: not caught up
    if (
      this.replica.role === "leader" &&
      req.require_leader &&
      (!OPERATIONS[req.op].writes || req.op === "txn") &&
      this.commit < this.termStart
    ) {
      // Until its no-op is committed a new leader does not know what is committed: the read waits,
      // and so does a transaction's statement (it reads, and validates against every commit).
      this.deferredReads.push({ from, req });
      return "forwarded";
    }
    return null;
  }

  onWrite(write: InService): void {
    // Executed while it led, finished after it stepped down: its entry may yet be committed by a
    // later leader or truncated, so its client times out (info); a follower ships nothing.
    if (this.replica.role !== "leader") return;
    this.pendingAcks.push(write);
    this.shipper.replicateAll();
  }

  onDurable(durable: number): void {
    if (this.replica.role === "leader") this.advanceCommit();
    else this.followerLog.acknowledgeDurable(this.replica.leader, durable);
  }

  onLogRepaired(lsn: number): void {
    this.acked.lost(lsn);
    this.followerLog.verified = Math.min(this.followerLog.verified, lsn - 1);
    // Its writes waiting for a commit may have been cut: a leader steps down (clients time out).
    if (this.replica.role === "leader") this.stepDown(this.replica.term);
  }

  onTimer(tag: TimerTag): void {
    if (tag === TIMER_ELECTION) {
      this.election.fired();
      this.checkElection();
      return;
    }
    if (tag === TIMER_TRANSFER) {
      const now = this.node.now_us();
      for (let due = this.transfers[this.nextTransfer]; due !== undefined && due.at_us <= now; ) {
        if (this.replica.role === "leader") this.beginTransfer(due.to);
        due = this.transfers[++this.nextTransfer];
      }
      this.armTransferTimer();
      return;
    }
    if (tag !== TIMER_TICK) throw new Error(`raft: unknown timer tag ${tag}`);
    const node = this.node;
    node.setTimer(this.tick_us, TIMER_TICK);
    if (this.replica.role === "leader") {
      // CheckQuorum: a leader that has not heard from a majority within detect_after steps down.
      if (this.liveVoters() < this.majority) {
        this.stepDown(this.replica.term);
        return;
      }
      this.shipper.replicateAll();
      if (this.transfer !== null && node.now_us() - this.transfer.started_us >= this.settings.detect_after_us)
        this.abortTransfer();
      this.changeMembership();
    } else this.checkElection();
  }

  onMessage(from: HostId, msg: Message): void {
    switch (msg.kind) {
      case "append":
        this.onAppend(from, msg as RaftAppend);
        break;
      case "snapshot":
        this.onSnapshot(from, msg as RaftSnapshot);
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
      case "transfer_vote_request":
        this.onVoteRequest(from, { ...(msg as TransferVoteRequest), kind: "vote_request" }, true);
        break;
      case "transfer_leadership":
        if (this.replica.role === "leader") this.beginTransfer((msg as TransferLeadership).to);
        break;
      case "timeout_now":
        this.onTimeoutNow(from, msg as TimeoutNow);
        break;
      case "move_replica": {
        const { add, remove } = msg as MoveReplicaRequest;
        const durable = this.node.persistent<DurableConfigurations>(() => ({}));
        durable.moves ??= [];
        if (!durable.moves.some((move) => move.add === add && move.remove === remove))
          durable.moves.push({ add, remove });
        break;
      }
      default:
        throw new Error(`raft: unexpected message ${msg.kind}`);
    }
  }

  // ---- leader ----

  private becomeLeader(): void {
    const node = this.node;
    this.preVoting = false;
    this.replica.set("leader");
    this.replica.leader = node.id;
    this.termStart = this.shipper.appendNoop();
    this.catchUp = new CatchUp();
    // Under local reads too: the shard mover's reads are confirmed (onRead).
    const raft = this;
    const leader = {
      node,
      term: this.replica.term,
      followers: this.voterFollowers,
      // Counting its own echo, a leader outside its configuration needs one more.
      get majority(): number {
        return raft.majority + (raft.configs.isVoter(node.id) ? 0 : 1);
      },
    };
    this.leaderReads = new LeaderReads(new ReadConfirmation(this.termStart), leader);
    this.shipper.lead(this.termStart);
    this.countVoters();
    if (this.transferFrom >= 0) {
      const from = this.transferFrom;
      this.transferFrom = -1;
      node.emit({
        type: "leader_transfer",
        node: node.id,
        from,
        to: node.id,
        term: this.replica.term,
        done: true,
      });
    }
    this.advanceCommit(); // a leader alone commits by itself
  }

  // ---- leadership transfer (leader-transfer.ts) ----

  /** Leader: hands leadership to a voter; ignored while one is under way, or for itself or a non-voter. */
  private beginTransfer(to: HostId): void {
    if (this.transfer !== null || to === this.node.id || !this.configs.isVoter(to)) return;
    this.transfer = new LeaderTransfer(to, this.node.now_us());
    this.shipper.replicate(to);
    this.sendTimeoutNow();
  }

  /** Leader: sends TimeoutNow once the target holds its whole log and that log is committed. */
  private sendTimeoutNow(): void {
    const transfer = this.transfer;
    if (transfer === null || transfer.timeoutSent) return;
    const node = this.node;
    const last = node.log.last_lsn;
    const target = this.shipper.followers.get(transfer.to);
    if (target === undefined || target.match < last || this.commit < last) return;
    const message: TimeoutNow = {
      kind: "timeout_now",
      digest: this.replica.term,
      term: this.replica.term,
      leader: node.id,
      round: this.leaderReads?.confirmation.roundSent ?? 0,
      sent_us: node.now_us(),
    };
    node.send(transfer.to, message);
    transfer.timeoutSent = true;
  }

  /** Leader: the target was not elected within an election timeout: it serves what it parked. */
  private abortTransfer(): void {
    const node = this.node;
    const transfer = this.transfer as LeaderTransfer;
    this.transfer = null;
    const { to } = transfer;
    node.emit({
      type: "leader_transfer",
      node: node.id,
      from: node.id,
      to,
      term: this.replica.term,
      done: false,
    });
    for (const { from, req } of transfer.release()) node.serve(from, req);
  }

  /** Target: its leader handed it leadership: it campaigns at once, without pre-votes. */
  private onTimeoutNow(from: HostId, msg: TimeoutNow): void {
    if (msg.term !== this.replica.term || !this.acceptLeader(from, msg)) return;
    if (!this.configs.isVoter(this.node.id) || this.acked.abstains) return;
    this.transferFrom = from;
    this.startElection(true);
  }

  private armTransferTimer(): void {
    const next = this.transfers[this.nextTransfer];
    if (next !== undefined) this.node.setTimer(Math.max(0, next.at_us - this.node.now_us()), TIMER_TRANSFER);
  }

  // ---- membership (membership.ts) ----

  /** Voters heard from within detect_after, this leader included if it votes. */
  private liveVoters(): number {
    const now = this.node.now_us();
    let live = this.configs.isVoter(this.node.id) ? 1 : 0;
    for (const f of this.voterFollowers.values())
      if (now - f.lastReply_us <= this.settings.detect_after_us) live++;
    return live;
  }

  /** Leader: which of its followers vote, after its configuration changed. */
  private countVoters(): void {
    this.voterFollowers.clear();
    for (const voter of this.configs.latest().membership.voters) {
      const f = this.shipper.followers.get(voter);
      if (f !== undefined) this.voterFollowers.set(voter, f);
    }
  }

  /**
   * Leader: once its latest configuration and an entry of its term are committed, promotes a learner
   * that caught up, or starts the next scheduled change that is due (one change at a time).
   */
  private changeMembership(): void {
    const config = this.configs.latest();
    if (this.commit < this.termStart || config.lsn > this.commit || this.transfer !== null) return;
    const node = this.node;
    const { voters, learners } = config.membership;
    const learner = learners[0];
    if (learner !== undefined) {
      const match = this.shipper.followers.get(learner)?.match ?? 0;
      const now = node.now_us();
      if (this.catchUp.caughtUp(learner, match, node.log.last_lsn, now, this.settings.detect_after_us))
        this.logConfiguration({ voters: [...voters, learner], learners: learners.slice(1) }, config.done);
      return;
    }
    const change = this.changes[config.done];
    if (change === undefined || node.now_us() < change.at_us) {
      this.moveReplica(voters, learners, config.done);
      return;
    }
    if ("add" in change) this.logConfiguration({ voters, learners: [change.add] }, config.done + 1);
    else {
      const removed = change.remove === "leader" ? node.id : change.remove;
      this.logConfiguration({ voters: voters.filter((v) => v !== removed), learners }, config.done + 1);
    }
  }

  /** Leader: the next step of the first requested move not done yet (moves done are forgotten). */
  private moveReplica(voters: readonly HostId[], learners: readonly HostId[], done: number): void {
    const moves = this.node.persistent<DurableConfigurations>(() => ({})).moves;
    while (moves !== undefined && moves.length > 0) {
      const move = moves[0] as { add: HostId; remove: HostId };
      const step = moveStep(move, voters, learners);
      if (step === "add") this.logConfiguration({ voters, learners: [...learners, move.add] }, done);
      // A leader about to remove itself hands leadership to the new voter first (CockroachDB moves
      // the lease off a replica before removing it): the move costs a transfer, not an election.
      else if (step === "remove" && move.remove === this.node.id) this.beginTransfer(move.add);
      else if (step === "remove")
        this.logConfiguration({ voters: voters.filter((v) => v !== move.remove), learners }, done);
      else if (step === null) {
        moves.shift();
        continue;
      }
      return;
    }
  }

  /** Leader: logs a configuration entry; it is in effect at once (its followers change with it). */
  private logConfiguration(membership: Membership, done: number): void {
    const node = this.node;
    const log = node.log;
    const entry: ConfigEntry = {
      lsn: log.last_lsn + 1,
      term: this.replica.term,
      origin: node.id,
      ts_us: node.now_us(),
      payload: null,
      membership,
      done,
    };
    node.append(entry);
    if (node.fsync_each_write) node.requestFsync();
    this.configs.appended([entry], log);
    const members = new Set([...membership.voters, ...membership.learners]);
    for (const peer of [...this.shipper.followers.keys()])
      if (!members.has(peer)) this.shipper.followers.delete(peer);
    for (const peer of members)
      if (peer !== node.id && !this.shipper.followers.has(peer)) this.shipper.follow(peer, entry.lsn);
    this.countVoters();
    this.shipper.replicateAll();
    this.advanceCommit();
  }

  private onAppendReply(from: HostId, msg: AppendReply): void {
    if (msg.term > this.replica.term) {
      this.stepDown(msg.term);
      return;
    }
    if (this.replica.role !== "leader" || msg.term !== this.replica.term) return;
    const f = this.shipper.onReply(from, msg, () => {});
    if (f === undefined) return;
    if (msg.success) this.advanceCommit();
    this.leaderReads?.noteEcho(f, msg);
    if (this.transfer !== null) this.sendTimeoutNow();
  }

  /**
   * Commits what a majority of the voters holds durably, once that reaches an entry of this term (a
   * leader outside its configuration does not count itself).
   */
  private advanceCommit(): void {
    const node = this.node;
    const durable = node.durableLsn();
    this.acked.acknowledged(durable); // it counts itself
    const own = this.configs.isVoter(node.id) ? durable : Number.NEGATIVE_INFINITY;
    const matches: number[] = [];
    for (const f of this.voterFollowers.values()) matches.push(f.match);
    const held = quorumValue(own, matches, this.majority);
    if (held >= this.termStart && held > this.commit) this.commitTo(held);
  }

  /** The leader committed up to `lsn`: apply, acknowledge, and serve the reads that waited for it. */
  private commitTo(lsn: number): void {
    const node = this.node;
    for (const config of this.configs.between(this.commit, lsn)) {
      const { voters, learners } = config.membership;
      node.emit({ type: "membership", node: node.id, lsn: config.lsn, voters, learners });
    }
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
    // Its own removal committed: it steps down (and, outside the configuration, never campaigns).
    if (this.configs.latest().lsn <= lsn && !this.configs.isVoter(node.id)) this.stepDown(this.replica.term);
    else {
      this.changeMembership();
      this.sendTimeoutNow();
    }
  }

  // ---- reads (read_index, lease) ----

  /**
   * Answers a client's read at once (local) or once confirmed; the shard mover's reads always once
   * confirmed: a leader deposed without noticing must not answer a move's last export (a newer
   * leader's writes to the moving keys would be left behind at the cut-over).
   */
  onRead(done: InService): void {
    // Its lease ended when it sent TimeoutNow: the target's voters no longer keep to it.
    if (this.transfer?.timeoutSent === true && done.req.require_leader) {
      this.node.refuse(done, "not_leader");
      return;
    }
    const reads = {
      settings: this.reads,
      lease_us: this.lease_us,
      leader: this.leaderReads,
      confirm_mover_reads: true,
    };
    answerRead(this.node, reads, done, () => this.termStart);
  }

  // ---- follower ----

  /** Whether a leader's message is to be followed (else it was refused, and answered so). */
  private acceptLeader(from: HostId, msg: LeaderMessage): boolean {
    const node = this.node;
    const { term, leader } = msg;
    if (term < this.replica.term) {
      node.send(from, this.followerLog.reply(false));
      return false;
    }
    if (this.replica.role === "leader" && term === this.replica.term)
      throw new Error(`raft: two leaders in term ${term} (${node.id} and ${leader})`);
    if (term !== this.replica.term || leader !== this.replica.leader) this.early.clear();
    if (term > this.replica.term || this.replica.role !== "follower") this.stepDown(term);
    this.preVoting = false;
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
      this.stepDown(msg.term);
      return;
    }
    if (this.replica.role !== "leader" || msg.term !== this.replica.term) return;
    const f = this.shipper.heard(from);
    if (f !== undefined) this.leaderReads?.noteEcho(f, msg);
  }

  private onAppend(from: HostId, msg: RaftAppend): void {
    if (!this.acceptLeader(from, msg)) return;
    const node = this.node;
    if (msg.pipelined && msg.prev_lsn > node.log.last_lsn) {
      this.early.hold(msg); // the appends before it are in flight
      return;
    }
    this.append(from, msg);
    // Then the held appends it connects, in turn.
    const log = node.log;
    for (let next = this.early.takeConnecting(msg.term, log.last_lsn); next !== undefined; ) {
      this.append(from, next);
      next = this.early.takeConnecting(msg.term, log.last_lsn);
    }
  }

  /** Appends what of a leader's append connects (log matching), and answers it. */
  private append(from: HostId, msg: RaftAppend): void {
    const node = this.node;
    const followerLog = this.followerLog;
    const outcome = followerLog.append(msg);
    this.configs.appended(msg.entries, node.log); // after a discarded suffix too
    if (!outcome.matched) {
      node.send(from, followerLog.reply(false, outcome.snapshot_needed));
      return;
    }
    this.acked.matched(followerLog.verified);
    const commit = Math.min(msg.commit_lsn, followerLog.verified);
    if (commit > this.commit) {
      this.commit = commit;
      node.applyTo(commit);
    }
    if (outcome.appended > 0 && node.fsync_each_write) {
      node.requestFsync(); // the reply goes when the fsync completes (onDurable): one reply per batch
      return;
    }
    node.send(from, followerLog.reply(true));
  }

  /**
   * Installs the leader's snapshot, unless this log already holds its last position in its term (the
   * logs then match up to there: Raft keeps the entries after it).
   */
  private onSnapshot(from: HostId, msg: RaftSnapshot): void {
    if (!this.acceptLeader(from, msg)) return;
    const { snapshot } = msg;
    const held = snapshot.last_lsn <= this.commit || this.followerLog.holds(snapshot);
    if (this.followerLog.offerSnapshot(snapshot, held)) {
      this.commit = snapshot.last_lsn;
      this.configs.installed(msg.configuration);
    }
    this.acked.matched(this.followerLog.verified);
    this.node.send(from, this.followerLog.reply(true));
  }

  // ---- elections ----

  /** Starts a pre-vote past the deadline, or arms a timer for a deadline within the next tick. */
  private checkElection(): void {
    // Only a voter campaigns: a learner, a spare or a removed replica never does; nor one whose log
    // misses entries it acknowledged (disk faults).
    const voter = this.configs.isVoter(this.node.id);
    if (voter && this.replica.role !== "leader" && this.election.expired() && !this.acked.abstains)
      this.startPreVote();
  }

  /** Whether it heard from a leader within detect_after (or leads): it then grants no newer term. */
  private inLease(): boolean {
    return this.replica.role === "leader" || this.election.leaderHeardRecently();
  }

  /** Asks for pre-votes for the next term; its own term stays (PreVote). */
  private startPreVote(): void {
    const node = this.node;
    this.replica.leader = -1;
    this.election.restart(true);
    this.preVoting = true;
    this.votes = new VoteTally(this.configs.latest().membership.voters);
    if (this.votes.campaign(node, "pre_vote_request", this.replica.term + 1)) this.startElection();
  }

  /** Grants a pre-vote without changing its own state: a newer term, a log as up to date, no leader heard. */
  private onPreVoteRequest(from: HostId, msg: PreVoteRequest): void {
    const term = this.replica.term;
    const granted =
      msg.term > term && !this.inLease() && !this.acked.abstains && upToDate(this.node.log, msg);
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
      if (msg.term > this.replica.term) this.stepDown(msg.term); // a newer term exists: join it
      return;
    }
    if (!this.preVoting || this.replica.role !== "follower" || msg.term !== this.replica.term + 1) return;
    if (this.votes.add(from)) this.startElection();
  }

  /** Stands for election in the next term (`transfer`: a leadership transfer's, past stickiness). */
  private startElection(transfer = false): void {
    if (!transfer) this.transferFrom = -1; // an ordinary election: a transfer's is over
    this.preVoting = false;
    this.replica.standForElection(true);
    this.election.restart(true);
    this.votes = new VoteTally(this.configs.latest().membership.voters);
    const kind = transfer ? "transfer_vote_request" : "vote_request";
    if (this.votes.campaign(this.node, kind, this.replica.term)) this.becomeLeader();
  }

  private onVoteRequest(from: HostId, msg: VoteRequest, transfer = false): void {
    const node = this.node;
    if ((msg.term > this.replica.term && this.inLease() && !transfer) || this.acked.abstains) {
      // Leader stickiness: it heard from a leader lately; neither a vote nor a newer term (unless
      // its leader handed leadership over: a transfer's request). Or its log lost entries it
      // acknowledged: it votes for nobody until it has them again.
      refuseVote(node, from, this.replica);
      return;
    }
    if (msg.term > this.replica.term) this.stepDown(msg.term);
    // Once it grants a vote it does not start a competing election right away.
    if (answerVote(node, from, msg, this.replica)) this.election.restart(false);
  }

  private onVoteReply(from: HostId, msg: VoteReply): void {
    if (msg.term > this.replica.term) this.stepDown(msg.term);
    else if (this.votes.countReply(from, msg, this.replica)) this.becomeLeader();
  }

  /** Becomes a follower (of a newer term, if given); a leader's waiting writes and reads are dropped. */
  private stepDown(term: number): void {
    this.replica.enterTerm(term);
    this.preVoting = false;
    this.transferFrom = -1;
    if (this.replica.role === "leader") {
      const node = this.node;
      // Handing leadership over, it names the target: the likely next leader.
      this.replica.leader = this.transfer?.to ?? -1;
      this.pendingAcks = []; // their clients time out: the outcome is unknown
      for (const read of this.leaderReads?.confirmation.drain() ?? []) node.refuse(read, "not_leader");
      this.leaderReads = null;
      for (const read of this.deferredReads) node.refuse(read, "not_leader");
      this.deferredReads = [];
      for (const parked of this.transfer?.release() ?? []) node.refuse(parked, "not_leader");
      this.transfer = null;
    }
    this.followerLog.verified = 0;
    this.replica.set("follower");
  }
}
