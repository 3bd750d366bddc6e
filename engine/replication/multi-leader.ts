// Multi-leader replication: every node accepts writes from its clients, acknowledges them once
// durable locally, and pushes them to every other node once durable (in order, one batch in flight
// per peer, resent when unanswered). Concurrent writes to a key are resolved by last-writer-wins on
// the timestamp the accepting node's clock gave the write (ties broken by node id), so a node whose
// clock runs behind loses its updates to older ones: each write discarded that way is a conflict.
// A peer's transaction is settled per key, as a per-cell last-writer-wins store does, so part of it
// may win (node.payloads.restrictTo): half of a bank transfer.
//
// Restarts. Each start of a node is an incarnation (its entries' term; counted in its durable
// state, with its log's end at each start). A node's stream of own writes is positioned by its log
// positions; a receiver logs each peer write it keeps with the write's position in its origin's log
// (`origin_lsn`), so a restarted node rebuilds from its durable log what it holds of each peer's
// stream, which of its own writes it may still have to push, and the keys' versions. Messages carry
// the sender's incarnation: a node that hears of a peer's new incarnation asks the peer where it
// stands (a probe) and pushes from there. A node pushes only what it holds durably (under
// fsync_policy always: fsynced), so a crash never takes back a write a peer holds; under another
// policy it can, and a new incarnation's positions past the log end it started with may name other
// writes than the old one's: a peer on an older incarnation moves to the new one from the lowest
// log end the node had at any start since (`starts`).

import type { HostId, Message, TimerTag } from "../../sim/host.js";
import type { RefusalStatus } from "../protocol.js";
import type { PeerAck, PeerWrites } from "./messages.js";
import type { InService, LogEntry, ProtocolContext, ReplicationProtocol, ShardReplicas } from "./protocol.js";

export interface MultiLeaderSettings extends ShardReplicas {
  /** Resend interval of unacknowledged pushes (and of probes). */
  resend_us: number;
  batch_max: number;
}

/** How this node's stream of own writes stands with a peer. */
interface PeerState {
  /** The peer holds this node's own writes up to this log position (UNKNOWN: to be asked). */
  acked: number;
  /** The incarnation of this node's stream `acked` was reported in by the peer. */
  synced: number;
  /** The peer's incarnation, as last heard (0: not heard since this node's start). */
  incarnation: number;
  inflight: boolean;
  sent_us: number;
}

/** How far a peer's stream reached this node: its own writes up to `lsn` of its `incarnation`. */
interface StreamPosition {
  incarnation: number;
  lsn: number;
}

/** What a node keeps across crashes: its log's end at each start (incarnation i began at starts[i - 1]). */
interface DurableState {
  readonly starts: number[];
}

/** Last-writer-wins version of a key: the writing node's clock, then its id. */
interface Version {
  ts_us: number;
  origin: HostId;
}

/** A peer's position in this node's stream is to be asked (after a start, or the peer's restart). */
const UNKNOWN = -1;
const TIMER_RESEND = 0;
/** Own writes every peer holds are dropped from memory in batches of more than this. */
const FORGET_BATCH = 1024;

export class MultiLeader implements ReplicationProtocol {
  readonly applies_on_append = true;
  /** This node's incarnation: its own entries' term (1 until its first restart). */
  term = 1;
  private readonly settings: MultiLeaderSettings;
  private node!: ProtocolContext;
  private starts: readonly number[] = [];
  /**
   * This node's own durable writes, in log order: what it pushes to its peers. Read from the log as
   * it becomes durable (writes finish their CPU work out of log order when some wait for pages).
   */
  private ownWrites: LogEntry[] = [];
  /** Own writes up to this log position are no longer in `ownWrites` (every peer held them). */
  private forgotten_lsn = 0;
  /** The log has been read for own writes up to here (where it is durable). */
  private collected_lsn = 0;
  /** Own writes up to this log position have been settled by last-writer-wins. */
  private settled_lsn = 0;
  private readonly peers = new Map<HostId, PeerState>();
  private readonly received = new Map<HostId, StreamPosition>();
  private readonly versions = new Map<string, Version>();
  private pendingAcks: InService[] = [];

  constructor(settings: MultiLeaderSettings) {
    this.settings = settings;
  }

  /** Every node leads: it names itself. */
  get leader_hint(): HostId {
    return this.node.id;
  }

  start(node: ProtocolContext): void {
    this.node = node;
    const durable = node.persistent<DurableState>(() => ({ starts: [] }));
    durable.starts.push(node.log.last_lsn);
    this.starts = durable.starts;
    this.term = durable.starts.length;
    this.recover();
    this.collect(node.durableLsn());
    // At the first start every peer is at its first too and holds nothing of this node's.
    const first = this.term === 1;
    for (const peer of this.settings.peers) {
      if (peer === node.id) continue;
      this.peers.set(peer, {
        acked: first ? 0 : UNKNOWN,
        synced: 0,
        incarnation: first ? 1 : 0,
        inflight: false,
        sent_us: 0,
      });
      if (!this.received.has(peer)) this.received.set(peer, { incarnation: 0, lsn: 0 });
    }
    node.setTimer(this.settings.resend_us, TIMER_RESEND);
    if (!first) for (const peer of this.peers.keys()) this.push(peer);
  }

  refusal(): RefusalStatus | null {
    return null; // every node serves everything
  }

  onWrite(write: InService): void {
    this.settleOwnWrites();
    this.pendingAcks.push(write);
  }

  onRead(read: InService): void {
    this.node.respond(read);
  }

  onDurable(durable: number): void {
    this.collect(durable);
    for (const peer of this.peers.keys()) this.push(peer);
    let released = 0;
    while (released < this.pendingAcks.length) {
      const write = this.pendingAcks[released] as InService;
      if (write.lsn > durable) break;
      this.node.respond(write);
      released++;
    }
    if (released > 0) this.pendingAcks = this.pendingAcks.slice(released);
  }

  onTimer(tag: TimerTag): void {
    if (tag !== TIMER_RESEND) throw new Error(`multi-leader: unknown timer tag ${tag}`);
    this.node.setTimer(this.settings.resend_us, TIMER_RESEND);
    for (const peer of this.peers.keys()) this.push(peer);
  }

  onMessage(from: HostId, msg: Message): void {
    if (msg.kind === "peer_writes") this.onPeerWrites(from, msg as PeerWrites);
    else if (msg.kind === "peer_ack") this.onPeerAck(from, msg as PeerAck);
    else throw new Error(`multi-leader: unexpected message ${msg.kind}`);
  }

  /**
   * Rebuilds from the durable log what a crash lost: how far each peer's stream reached this node,
   * and each key's version (once per start, over the log's window; `collect` reads the own writes).
   */
  private recover(): void {
    const log = this.node.log;
    for (let lsn = log.base_lsn + 1; lsn <= log.last_lsn; lsn++) {
      const entry = log.entryAt(lsn) as LogEntry;
      if (entry.origin_lsn !== undefined)
        this.received.set(entry.origin, { incarnation: entry.term, lsn: entry.origin_lsn });
      for (const key of this.node.payloads.keysWritten(entry.payload))
        if (this.wins(entry, key)) this.versions.set(key, { ts_us: entry.ts_us, origin: entry.origin });
    }
    this.forgotten_lsn = log.base_lsn;
    this.collected_lsn = log.base_lsn;
    this.settled_lsn = log.last_lsn;
  }

  /**
   * Settles by last-writer-wins the own writes logged since the last call, in log order: the order
   * the data applies them in. So a peer's write logged after an own write whose CPU work is not done
   * yet is settled against it, not against the version before it.
   */
  private settleOwnWrites(): void {
    const node = this.node;
    const last = node.log.last_lsn;
    for (let lsn = this.settled_lsn + 1; lsn <= last; lsn++) {
      const entry = node.log.entryAt(lsn) as LogEntry;
      if (entry.origin !== node.id) continue; // a peer's, settled as it came
      const keys = node.payloads.keysWritten(entry.payload);
      const losing = keys.find((key) => !this.wins(entry, key));
      if (losing !== undefined) {
        // This node's clock is behind the key's version: last-writer-wins drops the write here too,
        // although the client is told it succeeded (as in Cassandra).
        node.undo(lsn);
        this.conflict(losing);
      } else {
        for (const key of keys) this.versions.set(key, { ts_us: entry.ts_us, origin: node.id });
      }
    }
    this.settled_lsn = last;
  }

  /** Adds the own writes of the log up to `durable` to those to push. */
  private collect(durable: number): void {
    const { log, id } = this.node;
    for (let lsn = Math.max(this.collected_lsn, log.base_lsn) + 1; lsn <= durable; lsn++) {
      const entry = log.entryAt(lsn) as LogEntry;
      if (entry.origin === id) this.ownWrites.push(entry);
    }
    this.collected_lsn = Math.max(this.collected_lsn, durable);
  }

  /**
   * Sends the peer the next batch of own durable writes it does not hold: one batch in flight,
   * resent when unanswered for resend_us. Each batch starts at the peer's acknowledged position, so
   * a batch lost or overtaken is simply sent again. While that position is unknown, a probe.
   */
  private push(peer: HostId): void {
    const p = this.peers.get(peer) as PeerState;
    const now = this.node.now_us();
    const first = p.acked === UNKNOWN ? 0 : this.firstAfter(p.acked);
    const end = this.ownWrites.length;
    if (p.acked !== UNKNOWN && first >= end) return; // the peer has everything
    if (p.inflight && now - p.sent_us < this.settings.resend_us) return;
    const entries =
      p.acked === UNKNOWN ? [] : this.ownWrites.slice(first, Math.min(end, first + this.settings.batch_max));
    const writes: PeerWrites = {
      kind: "peer_writes",
      digest: (p.acked ^ entries.length) >>> 0,
      incarnation: this.term,
      from_incarnation: p.synced,
      after_lsn: p.acked,
      entries,
    };
    this.node.send(peer, writes);
    p.inflight = true;
    p.sent_us = now;
  }

  private onPeerAck(from: HostId, msg: PeerAck): void {
    const p = this.peers.get(from);
    if (p === undefined || msg.incarnation < p.incarnation) return; // from the peer's previous life
    const restarted = msg.incarnation > p.incarnation;
    p.incarnation = msg.incarnation;
    if (restarted || p.acked === UNKNOWN || msg.stream_incarnation !== this.term) {
      this.resume(p, msg.stream_incarnation, msg.through_lsn);
      this.push(from);
      return;
    }
    if (
      msg.through_lsn <= p.acked &&
      p.inflight &&
      this.node.now_us() - p.sent_us < this.settings.resend_us
    ) {
      return; // a duplicate or stale acknowledgement: keep waiting for the batch in flight
    }
    p.inflight = false;
    if (msg.through_lsn > p.acked) p.acked = msg.through_lsn;
    this.forgetAcknowledged();
    this.push(from);
  }

  /**
   * Restarts the stream to a peer from where it says it stands in `incarnation` of it: in an older
   * one, only up to the lowest log end this node started with since (what followed may be gone).
   */
  private resume(p: PeerState, incarnation: number, lsn: number): void {
    let acked = lsn;
    for (let i = incarnation; i < this.term; i++) acked = Math.min(acked, this.starts[i] as number);
    p.acked = acked;
    p.synced = incarnation;
    p.inflight = false;
    if (acked < this.forgotten_lsn) this.recall(acked);
  }

  private onPeerWrites(from: HostId, msg: PeerWrites): void {
    const p = this.peers.get(from);
    const at = this.received.get(from);
    if (p === undefined || at === undefined) return;
    if (msg.incarnation < Math.max(p.incarnation, at.incarnation)) return; // from the peer's previous life
    if (msg.incarnation > p.incarnation) {
      // The peer restarted: it may hold less of this node's stream than it acknowledged. Ask it.
      p.incarnation = msg.incarnation;
      p.acked = UNKNOWN;
      p.inflight = false;
      this.push(from);
    }
    const moves = msg.incarnation > at.incarnation;
    const continues = moves
      ? msg.from_incarnation === at.incarnation && msg.after_lsn >= 0 && msg.after_lsn <= at.lsn
      : msg.after_lsn <= at.lsn; // else a gap: wait for the resend
    if (continues) {
      if (moves) {
        at.incarnation = msg.incarnation;
        at.lsn = msg.after_lsn;
      }
      for (const entry of msg.entries) {
        if (entry.lsn <= at.lsn) continue; // already held
        this.applyRemote(entry);
        at.lsn = entry.lsn;
      }
    }
    const ack: PeerAck = {
      kind: "peer_ack",
      digest: at.lsn,
      incarnation: this.term,
      stream_incarnation: at.incarnation,
      through_lsn: at.lsn,
    };
    this.node.send(from, ack);
  }

  /** Last-writer-wins: applies a peer's write to each key that holds no newer version. */
  private applyRemote(entry: LogEntry): void {
    const node = this.node;
    const payload = entry.payload;
    if (payload === null) return;
    this.settleOwnWrites();
    const winners: string[] = [];
    for (const key of node.payloads.keysWritten(payload)) {
      if (this.wins(entry, key)) winners.push(key);
      else if (!this.holds(entry, key)) this.conflict(key);
    }
    if (winners.length === 0) return;
    for (const key of winners) this.versions.set(key, { ts_us: entry.ts_us, origin: entry.origin });
    // Logged locally under this node's own positions, with the origin's: a crash here loses it like
    // any write (and the origin sends it again). The node's applier applies it (and reports its lag).
    node.append({
      lsn: node.log.last_lsn + 1,
      term: entry.term,
      origin: entry.origin,
      ts_us: entry.ts_us,
      payload: node.payloads.restrictTo(payload, winners),
      origin_lsn: entry.lsn,
    });
    if (node.fsync_each_write) node.requestFsync();
  }

  /** Whether `entry` is newer than the version `key` holds here (or the key has none). */
  private wins(entry: LogEntry, key: string): boolean {
    const current = this.versions.get(key);
    return current === undefined || newer(entry, current);
  }

  /** Whether `key`'s version here is `entry`'s own (a write received again: nothing discarded). */
  private holds(entry: LogEntry, key: string): boolean {
    const current = this.versions.get(key);
    return current !== undefined && current.ts_us === entry.ts_us && current.origin === entry.origin;
  }

  private conflict(key: string): void {
    this.node.emit({ type: "conflict", node: this.node.id, key });
  }

  /** The index in `ownWrites` of the first own write past log position `lsn`. */
  private firstAfter(lsn: number): number {
    const writes = this.ownWrites;
    let lo = 0;
    let hi = writes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((writes[mid] as LogEntry).lsn <= lsn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops own writes every peer has acknowledged (bounded memory). */
  private forgetAcknowledged(): void {
    let min = Number.POSITIVE_INFINITY;
    for (const p of this.peers.values()) if (p.acked < min) min = p.acked;
    const drop = this.firstAfter(min);
    if (drop > FORGET_BATCH) {
      this.forgotten_lsn = (this.ownWrites[drop - 1] as LogEntry).lsn;
      this.ownWrites.splice(0, drop);
    }
  }

  /**
   * Reads back from the log the own writes past `lsn` that were dropped from memory (a peer that
   * restarted stands before them). Those compacted out of the log are gone: the peer never gets them.
   */
  private recall(lsn: number): void {
    const { log, id } = this.node;
    const recalled: LogEntry[] = [];
    for (let at = Math.max(lsn, log.base_lsn) + 1; at <= this.forgotten_lsn; at++) {
      const entry = log.entryAt(at) as LogEntry;
      if (entry.origin === id) recalled.push(entry);
    }
    this.ownWrites = recalled.concat(this.ownWrites);
    this.forgotten_lsn = Math.max(lsn, log.base_lsn);
  }
}

function newer(entry: LogEntry, current: Version): boolean {
  return entry.ts_us > current.ts_us || (entry.ts_us === current.ts_us && entry.origin > current.origin);
}
