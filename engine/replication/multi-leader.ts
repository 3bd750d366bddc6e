// Multi-leader replication: every node accepts writes from its clients, acknowledges them once
// durable locally, and pushes them to every other node (in order, one batch in flight per peer,
// resent when unanswered). Concurrent writes to a key are resolved by last-writer-wins on the
// timestamp the accepting node's clock gave the write (ties broken by node id), so a node whose
// clock runs behind loses its updates to older ones: each write discarded that way is a conflict.
// A peer's transaction is settled per key, as a per-cell last-writer-wins store does, so part of it
// may win (node.payloads.restrictTo): half of a bank transfer.

import type { HostId, Message, TimerTag } from "../../sim/host.js";
import type { RefusalStatus } from "../protocol.js";
import type { PeerAck, PeerWrites } from "./messages.js";
import type { InService, LogEntry, ProtocolContext, ReplicationProtocol, ShardReplicas } from "./protocol.js";

export interface MultiLeaderSettings extends ShardReplicas {
  /** Resend interval of unacknowledged pushes (and of empty pushes keeping peers in touch). */
  resend_us: number;
  batch_max: number;
}

interface PeerState {
  /** The peer holds this node's own writes before this position. */
  acked: number;
  inflight: boolean;
  sent_us: number;
}

/** Last-writer-wins version of a key: the writing node's clock, then its id. */
interface Version {
  ts_us: number;
  origin: HostId;
}

/** Every entry's term: multi-leader has no elections. */
const TERM = 1;
const TIMER_RESEND = 0;

export class MultiLeader implements ReplicationProtocol {
  readonly applies_on_append = true;
  readonly term = TERM;
  private readonly settings: MultiLeaderSettings;
  private node!: ProtocolContext;
  /** Writes this node accepted from clients, in order: what it pushes to its peers. */
  private readonly ownWrites: LogEntry[] = [];
  /** Position in `ownWrites` of its first element (older ones were acknowledged by every peer). */
  private ownBase = 0;
  private readonly peers = new Map<HostId, PeerState>();
  /** Next position expected from each peer's stream. */
  private readonly received = new Map<HostId, number>();
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
    for (const peer of this.settings.peers) {
      if (peer === node.id) continue;
      this.peers.set(peer, { acked: this.ownBase, inflight: false, sent_us: 0 });
    }
    node.setTimer(this.settings.resend_us, TIMER_RESEND);
  }

  refusal(): RefusalStatus | null {
    return null; // every node serves everything
  }

  onWrite(write: InService): void {
    const node = this.node;
    const entry = node.log.entryAt(write.lsn) as LogEntry;
    const keys = node.payloads.keysWritten(entry.payload);
    const losing = keys.find((key) => !this.wins(entry, key));
    if (losing !== undefined) {
      // This node's clock is behind the key's version: last-writer-wins drops the write here too,
      // although the client is told it succeeded (as in Cassandra).
      node.undo(write.lsn);
      this.conflict(losing);
    } else {
      for (const key of keys) this.versions.set(key, { ts_us: entry.ts_us, origin: node.id });
    }
    this.ownWrites.push(entry);
    this.pendingAcks.push(write);
    for (const peer of this.peers.keys()) this.push(peer);
  }

  onRead(read: InService): void {
    this.node.respond(read);
  }

  onDurable(durable: number): void {
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
   * Sends the peer the next batch of own writes it does not hold: one batch in flight, resent when
   * unanswered for resend_us. Each batch starts at the peer's acknowledged position, so a batch lost
   * or overtaken is simply sent again.
   */
  private push(peer: HostId): void {
    const p = this.peers.get(peer) as PeerState;
    const now = this.node.now_us();
    if (p.acked >= this.ownBase + this.ownWrites.length) return; // the peer has everything
    if (p.inflight && now - p.sent_us < this.settings.resend_us) return;
    const from = p.acked - this.ownBase;
    const entries = this.ownWrites.slice(from, from + this.settings.batch_max);
    const writes: PeerWrites = {
      kind: "peer_writes",
      digest: (p.acked ^ entries.length) >>> 0,
      from_seq: p.acked,
      entries,
    };
    this.node.send(peer, writes);
    p.inflight = true;
    p.sent_us = now;
  }

  private onPeerAck(from: HostId, msg: PeerAck): void {
    const p = this.peers.get(from);
    if (p === undefined) return;
    if (msg.next_seq <= p.acked && p.inflight && this.node.now_us() - p.sent_us < this.settings.resend_us) {
      return; // a duplicate or stale acknowledgement: keep waiting for the batch in flight
    }
    p.inflight = false;
    if (msg.next_seq > p.acked) p.acked = msg.next_seq;
    this.forgetAcknowledged();
    this.push(from);
  }

  private onPeerWrites(from: HostId, msg: PeerWrites): void {
    let next = this.received.get(from) ?? 0;
    for (let i = 0; i < msg.entries.length; i++) {
      if (msg.from_seq + i !== next) continue; // already applied, or a gap: wait for the resend
      this.applyRemote(msg.entries[i] as LogEntry);
      next++;
    }
    this.received.set(from, next);
    const ack: PeerAck = { kind: "peer_ack", digest: next, next_seq: next };
    this.node.send(from, ack);
  }

  /** Last-writer-wins: applies a peer's write to each key that holds no newer version. */
  private applyRemote(entry: LogEntry): void {
    const node = this.node;
    const payload = entry.payload;
    if (payload === null) return;
    const winners: string[] = [];
    for (const key of node.payloads.keysWritten(payload)) {
      if (this.wins(entry, key)) winners.push(key);
      else this.conflict(key);
    }
    if (winners.length === 0) return;
    for (const key of winners) this.versions.set(key, { ts_us: entry.ts_us, origin: entry.origin });
    // Logged locally under this node's own positions: a crash here loses it like any write. The
    // node's applier applies it (and reports its lag).
    node.append({
      lsn: node.log.last_lsn + 1,
      term: entry.term,
      origin: entry.origin,
      ts_us: entry.ts_us,
      payload: node.payloads.restrictTo(payload, winners),
    });
    if (node.fsync_each_write) node.requestFsync();
  }

  /** Whether `entry` is newer than the version `key` holds here (or the key has none). */
  private wins(entry: LogEntry, key: string): boolean {
    const current = this.versions.get(key);
    return current === undefined || newer(entry, current);
  }

  private conflict(key: string): void {
    this.node.emit({ type: "conflict", node: this.node.id, key });
  }

  /** Drops own writes every peer has acknowledged (bounded memory). */
  private forgetAcknowledged(): void {
    let min = Number.POSITIVE_INFINITY;
    for (const p of this.peers.values()) if (p.acked < min) min = p.acked;
    const drop = Math.min(min, this.ownBase + this.ownWrites.length) - this.ownBase;
    if (drop > 1024) {
      this.ownWrites.splice(0, drop);
      this.ownBase += drop;
    }
  }
}

function newer(entry: LogEntry, current: Version): boolean {
  return entry.ts_us > current.ts_us || (entry.ts_us === current.ts_us && entry.origin > current.origin);
}
