// A replica of a multi-leader shard: every node accepts writes from its clients, acknowledges them
// once durable locally, and pushes them to every other node (in order, one batch in flight per
// peer, resent when unanswered). Concurrent writes to a key are resolved by last-writer-wins on the
// timestamp the accepting node's clock gave the write (ties broken by node id), so a node whose
// clock runs behind loses its updates to older ones: each write discarded that way is a conflict.

import type { HostContext, HostId, Message } from "../../sim/host.js";
import {
  FIRST_SUBCLASS_TIMER,
  type InService,
  type LogEntry,
  type LogRecord,
  NodeBase,
  type NodeConfig,
} from "../node-base.js";
import type { Request, ResponseStatus } from "../protocol.js";
import type { PeerAck, PeerWrites } from "./messages.js";

export interface MultiLeaderSettings {
  /** Every replica of the shard, this one included. */
  peers: readonly HostId[];
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

const TIMER_RESEND = FIRST_SUBCLASS_TIMER;

export class MultiLeaderNode extends NodeBase {
  private readonly settings: MultiLeaderSettings;
  /** Writes this node accepted from clients, in order: what it pushes to its peers. */
  private readonly ownWrites: LogEntry[] = [];
  /** Position in `ownWrites` of its first element (older ones were acknowledged by every peer). */
  private ownBase = 0;
  private readonly peers = new Map<HostId, PeerState>();
  /** Next position expected from each peer's stream. */
  private readonly received = new Map<HostId, number>();
  private readonly versions = new Map<string, Version>();
  private pendingAcks: InService[] = [];
  conflicts = 0;

  constructor(config: NodeConfig, settings: MultiLeaderSettings) {
    super(config);
    this.settings = settings;
  }

  protected start(ctx: HostContext): void {
    for (const peer of this.settings.peers) {
      if (peer === ctx.id) continue;
      this.peers.set(peer, { acked: this.ownBase, inflight: false, sent_us: 0 });
    }
    ctx.setTimer(this.settings.resend_us, TIMER_RESEND);
  }

  protected termAndHint(): { term: number; leader_hint: HostId } {
    return { term: this.storage.term, leader_hint: this.ctx.id };
  }

  protected refusal(_req: Request): ResponseStatus | null {
    return null; // every node serves everything
  }

  protected onWriteLogged(ctx: HostContext, write: InService): void {
    const record = ctx.disk.entryAt(write.response.lsn - 1) as LogRecord;
    const { entry } = record;
    const losing = writtenKeys(entry).find((key) => !this.wins(entry, key));
    if (losing !== undefined) {
      // This node's clock is behind the key's version: last-writer-wins drops the write here too,
      // although the client is told it succeeded (as in Cassandra).
      this.undoRecords([record]);
      this.conflict(ctx, losing);
    } else {
      for (const key of writtenKeys(entry)) this.versions.set(key, { ts_us: entry.ts_us, origin: ctx.id });
    }
    this.ownWrites.push(record.entry);
    this.pendingAcks.push(write);
    for (const peer of this.peers.keys()) this.push(ctx, peer);
  }

  protected onDurable(ctx: HostContext, durable: number): void {
    let released = 0;
    const now = ctx.now_us();
    while (released < this.pendingAcks.length) {
      const write = this.pendingAcks[released] as InService;
      if (write.response.lsn > durable) break;
      write.response.sync_us = now - write.cpuDone_us;
      ctx.send(write.from, write.response);
      released++;
    }
    if (released > 0) this.pendingAcks = this.pendingAcks.slice(released);
  }

  protected onOwnTimer(ctx: HostContext, tag: number): void {
    if (tag !== TIMER_RESEND) throw new Error(`multi-leader: unknown timer tag ${tag}`);
    ctx.setTimer(this.settings.resend_us, TIMER_RESEND);
    for (const peer of this.peers.keys()) this.push(ctx, peer);
  }

  protected onPeerMessage(ctx: HostContext, from: HostId, msg: Message): void {
    if (msg.kind === "peer_writes") this.onPeerWrites(ctx, from, msg as PeerWrites);
    else if (msg.kind === "peer_ack") this.onPeerAck(ctx, from, msg as PeerAck);
    else throw new Error(`multi-leader: unexpected message ${msg.kind}`);
  }

  /**
   * Sends the peer the next batch of own writes it does not hold: one batch in flight, resent when
   * unanswered for resend_us. Each batch starts at the peer's acknowledged position, so a batch lost
   * or overtaken is simply sent again.
   */
  private push(ctx: HostContext, peer: HostId): void {
    const p = this.peers.get(peer) as PeerState;
    const now = ctx.now_us();
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
    ctx.send(peer, writes);
    p.inflight = true;
    p.sent_us = now;
  }

  private onPeerAck(ctx: HostContext, from: HostId, msg: PeerAck): void {
    const p = this.peers.get(from);
    if (p === undefined) return;
    if (msg.next_seq <= p.acked && p.inflight && ctx.now_us() - p.sent_us < this.settings.resend_us) {
      return; // a duplicate or stale acknowledgement: keep waiting for the batch in flight
    }
    p.inflight = false;
    if (msg.next_seq > p.acked) p.acked = msg.next_seq;
    this.forgetAcknowledged();
    this.push(ctx, from);
  }

  private onPeerWrites(ctx: HostContext, from: HostId, msg: PeerWrites): void {
    let next = this.received.get(from) ?? 0;
    for (let i = 0; i < msg.entries.length; i++) {
      if (msg.from_seq + i !== next) continue; // already applied, or a gap: wait for the resend
      const entry = msg.entries[i] as LogEntry;
      this.applyRemote(ctx, entry);
      next++;
    }
    this.received.set(from, next);
    const ack: PeerAck = { kind: "peer_ack", digest: next, next_seq: next };
    ctx.send(from, ack);
  }

  /**
   * Last-writer-wins: applies a peer's write unless the key holds a newer version. Each key of a
   * transfer is decided alone, as a per-cell last-writer-wins store does, so half a transfer may win.
   */
  private applyRemote(ctx: HostContext, entry: LogEntry): void {
    const { paired, ...first } = entry;
    const firstWins = this.wins(entry, entry.key);
    if (!firstWins) this.conflict(ctx, entry.key);
    const pairedWins = paired !== undefined && this.wins(entry, paired.key);
    if (paired !== undefined && !pairedWins) this.conflict(ctx, paired.key);
    let applied: LogEntry | null = firstWins ? first : null;
    if (pairedWins)
      applied = firstWins ? entry : { ...first, key: paired.key, field: -1, value: paired.value };
    if (applied === null) return;
    for (const key of writtenKeys(applied))
      this.versions.set(key, { ts_us: entry.ts_us, origin: entry.origin });
    // Logged locally under this node's own positions: a crash here loses it like any write.
    this.applyAndLog({ ...applied, lsn: ctx.disk.length + 1 });
    if (this.config.fsync_policy.kind === "always") this.requestFsync();
    this.config.events?.({ type: "lag", node: ctx.id, lag_us: Math.max(0, ctx.now_us() - entry.ts_us) });
  }

  /** Whether `entry` is newer than the version `key` holds here (or the key has none). */
  private wins(entry: LogEntry, key: string): boolean {
    const current = this.versions.get(key);
    return current === undefined || newer(entry, current);
  }

  private conflict(ctx: HostContext, key: string): void {
    this.conflicts++;
    this.config.events?.({ type: "conflict", node: ctx.id, key });
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

function writtenKeys(entry: LogEntry): string[] {
  return entry.paired === undefined ? [entry.key] : [entry.key, entry.paired.key];
}

function newer(entry: LogEntry, current: Version): boolean {
  return entry.ts_us > current.ts_us || (entry.ts_us === current.ts_us && entry.origin > current.origin);
}
