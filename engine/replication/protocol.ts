// The replication protocol's interface: what a protocol is given of its node, and what the node asks
// of it. A database node (engine/node/) is a Server (queue, CPU, write-ahead log, fsync), state
// machines (engine/state/) and one ReplicationProtocol: leader-follower.ts and multi-leader.ts here,
// or a protocol written outside engine/ against this file alone.
//
// A protocol owns the node's log of entries `{lsn, term, origin, ts_us, payload}` (positions 1, 2,
// ...); the payloads are the state machines' and opaque to it (null: an entry of the protocol's own
// that writes nothing, as Raft's no-op). It decides:
// - which requests the node may serve now (`refusal`: a follower refuses writes with not_leader; a
//   protocol may also forward a request to the replica that serves it, which calls `node.serve`);
// - when a write is acknowledged (`onWrite`: the write's entries are logged; answer it with
//   `node.respond` once durable and replicated enough) and when a read is answered (`onRead`);
// - what peers exchange (`onMessage`, `onTimer`): entries appended with `node.append`, a divergent
//   suffix discarded with `node.truncateFrom`, a snapshot when a peer lacks compacted entries;
// - when entries are applied to the state machines: as they are logged (`applies_on_append`,
//   what leader-follower and multi-leader do: a read may see a write not committed yet), or only
//   once committed, when the protocol calls `node.applyTo(lsn)` (what consensus needs). Either way
//   the node's applier applies them in log order and pays for them on its CPU (node/applier.ts):
//   a node's data may trail its log (`log.applied_lsn`), and the node reports each replicated
//   entry's lag as it applies it. A write, or a request only a leader may serve, first catches the
//   node up: it sees every entry logged before it.
//
// One node, one protocol instance per start: a crash loses the instance (its volatile state); what
// must survive lives in `node.persistent(...)` and the log (up to what fsync made durable).

import type { HostId, Message, TimerId, TimerTag } from "../../sim/host.js";
import type { Rng } from "../../sim/rng.js";
import type { EngineEvent } from "../events.js";
import type { RefusalStatus, Request, Response } from "../protocol.js";
import type { MembershipChange } from "./membership.js";

export type { HostId, Message, TimerId, TimerTag } from "../../sim/host.js";
export type { EngineEvent } from "../events.js";
export type { RefusalStatus, Request, RequestOf, Response } from "../protocol.js";

/** A state machine's record of a write: carried by protocols, never looked into. */
export type Payload = object;

/** One position of the log, shared between replicas once sent: never mutated. */
export interface LogEntry {
  readonly lsn: number;
  readonly term: number;
  /** The node that accepted the write from a client (or logged the entry). */
  readonly origin: HostId;
  /** The origin's clock when it logged the entry (lag; last-writer-wins). */
  readonly ts_us: number;
  /** What the entry writes (null: nothing; a protocol's own entry). */
  readonly payload: Payload | null;
  /**
   * Multi-leader, on a node's copy of a peer's write: the write's position in its origin's log, kept
   * in the same record as the write so that a restarted node knows how far each peer's stream reached it.
   */
  readonly origin_lsn?: number;
}

/** A node's state as of a log position: sent whole to a replica too far behind. Never mutated. */
export interface Snapshot {
  readonly last_lsn: number;
  readonly last_term: number;
}

/** A request whose CPU work is done, waiting to be answered (`node.respond`). */
export interface InService {
  readonly from: HostId;
  readonly req: Request;
  readonly response: Response;
  /** The log position of its last entry (0: it wrote nothing, a read). */
  readonly lsn: number;
  /** When its CPU work ended (a write's sync_us counts from here). */
  readonly cpu_done_us: number;
}

/** The node's log as a protocol reads it. */
export interface ReplicatedLog {
  /** The position of the last entry (0: empty). */
  readonly last_lsn: number;
  /** Entries up to here were compacted away (their effects stay in the state machines). */
  readonly base_lsn: number;
  /**
   * Entries up to here are applied to the state machines (the node applies logged entries in order,
   * as its CPU allows: a follower's data may trail its log).
   */
  readonly applied_lsn: number;
  /** The entry at `lsn`; undefined when not held (compacted, or past the end). */
  entryAt(lsn: number): LogEntry | undefined;
  /** The term of the entry at `lsn` (0 for 0; base_lsn's is known); throws when not held. */
  termAt(lsn: number): number;
}

/** What a protocol may learn of the payloads it carries without depending on their shape. */
export interface PayloadView {
  /** The keys a payload writes (empty: none, or rows a key does not name, a query's). */
  keysWritten(payload: Payload | null): readonly string[];
  /** The part of a payload that writes only `keys` (last-writer-wins decides per key). */
  restrictTo(payload: Payload, keys: readonly string[]): Payload;
}

/** The node as its protocol sees it. */
export interface ProtocolContext {
  readonly id: HostId;
  /** This node's own random stream. */
  readonly rng: Rng;
  /** This node's clock (skew applies). */
  now_us(): number;
  send(to: HostId, msg: Message): void;
  /** A timer of the protocol's own: `onTimer(tag)` is called when it fires (tags are its own). */
  setTimer(delay_us: number, tag: TimerTag): TimerId;
  /** Whether only the shard's leader may serve the request: a write, or a read of the shard mover's. */
  leaderOnly(req: Request): boolean;
  /**
   * Serves a request another replica forwarded (its `refusal` answered "forwarded") as if `client`
   * had sent it here: queued, executed, handed to this protocol, answered to `client`.
   */
  serve(client: HostId, req: Request): void;
  readonly log: ReplicatedLog;
  readonly payloads: PayloadView;
  /** The fsync policy is `always`: an entry counts as durable only once an fsync covers it. */
  readonly fsync_each_write: boolean;
  /** Asks for an fsync covering the whole log (group commit); `onDurable` follows. */
  requestFsync(): void;
  /** Where the log is durable as acknowledgements count it: synced under `always`, its end otherwise. */
  durableLsn(): number;
  /**
   * Appends an entry at the log's end (`lsn` must be last_lsn + 1); if the protocol applies on
   * append, the node's applier applies it after the entries before it, as its CPU allows.
   */
  append(entry: LogEntry): void;
  /** Discards the entries from `lsn` on, undoing what they applied; returns how many it discarded. */
  truncateFrom(lsn: number): number;
  /** Undoes the entry at `lsn` on the state machines, keeping it logged (last-writer-wins lost it). */
  undo(lsn: number): void;
  /**
   * Has the entries up to `lsn` applied (a protocol that applies once committed): by the node's
   * applier, in order, as its CPU allows; a request that must see them catches up first.
   */
  applyTo(lsn: number): void;
  /**
   * A copy of the node's state as of its log's end, or, when the protocol applies only once
   * committed, as of what it committed (its cost: copying the data).
   */
  snapshot(): Snapshot;
  /** Replaces the node's state and log by a snapshot's (a copy of it: a message may be duplicated). */
  install(snapshot: Snapshot): void;
  /**
   * The node holds no base state to build a log on (a multi-raft spare that starts empty): until
   * it installs a snapshot it answers every append "snapshot needed". Absent: false.
   */
  readonly awaits_snapshot?: boolean;
  /** Answers a request: a write's sync_us counts from its CPU's end. */
  respond(done: InService): void;
  /** Answers a request unserved (it read or wrote nothing that counts), e.g. not_leader. */
  refuse(done: Pick<InService, "from" | "req">, status: RefusalStatus): void;
  /** The protocol's durable state: created by `init` at the node's first start, kept across crashes. */
  persistent<T extends object>(init: () => T): T;
  /**
   * Reports what happened (role changes, conflicts, truncations, snapshots). Lag is the node's: it
   * reports each entry of another node as it applies it.
   */
  emit(event: EngineEvent): void;
}

export interface ReplicationProtocol {
  /** Entries are applied as they are logged (true), or only once the protocol calls `applyTo`. */
  readonly applies_on_append: boolean;
  /** The term responses carry, and the node they name as leader (-1: unknown). */
  readonly term: number;
  readonly leader_hint: HostId;
  /** Optional (raft): the replicas of its latest configuration, voters and learners. */
  membership?(): { readonly voters: readonly HostId[]; readonly learners: readonly HostId[] };
  /** The node (re)started: its log and durable state are in place. */
  start(node: ProtocolContext): void;
  /** A message from a peer (anything but a client's request). */
  onMessage(from: HostId, msg: Message): void;
  onTimer(tag: TimerTag): void;
  /**
   * null when the node may serve `req` (from `from`) now; "forwarded" when the protocol sent it on to
   * the replica that serves it (which calls `node.serve`), so this node neither serves nor answers
   * it; else the status to answer (e.g. not_leader).
   */
  refusal(req: Request, from: HostId): RefusalStatus | "forwarded" | null;
  /** A write's CPU work is done and its entries are logged: acknowledge it when the protocol allows. */
  onWrite(write: InService): void;
  /** A request that wrote nothing is done: answer it now, or once its answer is safe to give. */
  onRead(read: InService): void;
  /** The log is durable up to `lsn` (after an fsync, or at once under a policy that does not wait). */
  onDurable(lsn: number): void;
  /**
   * Optional: the node found corrupt entries in its log and cut it from `lsn` on while running
   * (engine/node/log.ts). Entries it acknowledged may be gone: Raft stays out of elections until a
   * leader gave them back. Without it, a protocol just finds its log shorter.
   */
  onLogRepaired?(lsn: number): void;
}

/** A shard's replicas, as its protocol is built for each of them. */
export interface ShardReplicas {
  /** Every replica of the shard, this one included. */
  readonly peers: readonly HostId[];
  /** The replica that leads at the start (leader-follower). */
  readonly initial_leader: HostId;
  /**
   * Raft: the replicas of its initial configuration (default: every peer); the other peers are
   * spares, idle until a membership change adds them.
   */
  readonly voters?: readonly HostId[];
  /** Raft: the shard's scheduled membership changes. */
  readonly membership?: readonly MembershipChange[];
  /** Raft: the shard's scheduled leadership transfers (raft.ts), in time order. */
  readonly transfers?: readonly ScheduledTransfer[];
}

/** A leadership transfer a scenario schedules: the leader then hands leadership to `to`. */
export interface ScheduledTransfer {
  readonly at_us: number;
  readonly to: HostId;
}

/** Builds a node's protocol, at each start (a restart builds a new one: volatile state is lost). */
export type ProtocolFactory = (shard: ShardReplicas) => ReplicationProtocol;

/** What a protocol module (a scenario's `cluster.replication.protocol`) is given. */
export interface ProtocolOptions {
  /** The scenario's `failover.detect_after`: how long a silent replica may be presumed alive. */
  readonly detect_after_us: number;
}

/**
 * What a protocol module exports as `createProtocol`: called once per run, it returns the factory of
 * the replicas' protocols (called at each start of each replica, with its shard's replicas). What
 * replicas share (a shard's configuration service, say) lives in its closure, so no run sees
 * another's and a crash loses none of it.
 */
export type CreateProtocol = (options: ProtocolOptions) => ProtocolFactory;
