// A client host's connection pools (scenario `workload.pool`): one per database node, as a driver's
// pool (HikariCP, pgx) keeps one per server. The dispatcher hands each request part to it.
//
// A part to node X takes an idle connection to X, or opens one while fewer than `size` are open
// (the node counts it open at its first request: engine/node/connections.ts), or waits in X's FIFO
// of waiters. A connection comes back when its answer arrives (or its request is abandoned: a driver
// cancels the statement and keeps the connection); a connection the node refused
// (`too_many_connections`) is dropped. A waiter still waiting `max_wait` after it queued gives up:
// its request fails `pool_timeout`, never sent. One timer at a time serves every deadline: waiters
// queue in time order and all wait the same `max_wait`, so the earliest deadline is a queue's head.

import type { HostContext, HostId, TimerTag } from "../../sim/host.js";
import type { Request } from "../protocol.js";

export interface PoolSettings {
  /** Connections to each node at most. */
  readonly size: number;
  readonly max_wait_us: number;
}

/** A request part the pool carries: where it goes, and what the pool records of it. */
export interface PooledPart {
  readonly node: HostId;
  readonly wireId: number;
  /** How long it waited for a connection (set when it is sent or gives up). */
  pool_wait_us?: number;
}

interface Waiter {
  readonly part: PooledPart;
  readonly request: Request;
  readonly queued_us: number;
  readonly deadline_us: number;
  /** Abandoned while waiting: skipped when its turn comes. */
  cancelled: boolean;
}

/** What a client host's pool to one node holds now (metrics read it). */
export interface NodePoolState {
  readonly open: number;
  readonly busy: number;
  readonly waiters: number;
  readonly waiters_peak: number;
}

class NodePool implements NodePoolState {
  open = 0;
  /** Idle connection ids, the most recently used last (taken first: its server process is warm). */
  readonly idle: number[] = [];
  /** Ids given back by dropped connections, reused before new ones. */
  readonly freeIds: number[] = [];
  nextId = 0;
  /** Waiters in arrival order from `head` on (compacted once the head passes half the array). */
  private queue: Waiter[] = [];
  private head = 0;
  waiting = 0;
  waiters_peak = 0;

  get busy(): number {
    return this.open - this.idle.length;
  }

  get waiters(): number {
    return this.waiting;
  }

  push(waiter: Waiter): void {
    this.queue.push(waiter);
    if (++this.waiting > this.waiters_peak) this.waiters_peak = this.waiting;
  }

  /** The first waiter not cancelled (dropping cancelled ones before it), or undefined. */
  peek(): Waiter | undefined {
    while (this.head < this.queue.length) {
      const waiter = this.queue[this.head] as Waiter;
      if (!waiter.cancelled) return waiter;
      this.drop();
    }
    return undefined;
  }

  shift(): Waiter {
    const waiter = this.peek() as Waiter;
    this.drop();
    return waiter;
  }

  cancelled(): void {
    this.waiting--;
  }

  private drop(): void {
    const waiter = this.queue[this.head++] as Waiter;
    if (!waiter.cancelled) this.waiting--;
    if (this.head * 2 > this.queue.length && this.head > 32) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

export class ConnectionPools {
  private readonly settings: PoolSettings;
  private readonly timerTag: TimerTag;
  private readonly pools = new Map<HostId, NodePool>();
  /** Parts on a connection now, by wire id: the node and the connection. */
  private readonly busy = new Map<number, { readonly node: HostId; readonly conn: number }>();
  /** Parts waiting, by wire id (to cancel them). */
  private readonly waiting = new Map<number, Waiter>();
  private timerArmed = false;
  /** Requests that gave up waiting (pool_timeout). */
  timeouts = 0;

  /** `timerTag`: the host's tag for the pool's timer (its onTimer passes it to `expired`). */
  constructor(settings: PoolSettings, timerTag: TimerTag) {
    this.settings = settings;
    this.timerTag = timerTag;
  }

  /** Each node's pool as it stands, in the order first used. */
  get nodes(): ReadonlyMap<HostId, NodePoolState> {
    return this.pools;
  }

  /** Sends `request` (part `part`) on a connection to its node now, or queues it for one. */
  send(ctx: HostContext, part: PooledPart, request: Request): void {
    const pool = this.poolOf(part.node);
    part.pool_wait_us = 0;
    if (pool.peek() === undefined && this.trySend(ctx, pool, part, request)) return;
    const now = ctx.now_us();
    const waiter: Waiter = {
      part,
      request,
      queued_us: now,
      deadline_us: now + this.settings.max_wait_us,
      cancelled: false,
    };
    pool.push(waiter);
    this.waiting.set(part.wireId, waiter);
    if (!this.timerArmed) this.arm(ctx, waiter.deadline_us);
  }

  /**
   * The answer to `wireId` arrived (late ones too): its connection comes back, or is dropped when
   * the node refused to open it; the node's next waiter takes it.
   */
  answered(ctx: HostContext, wireId: number, refused: boolean): void {
    const held = this.busy.get(wireId);
    if (held === undefined) return;
    this.busy.delete(wireId);
    const pool = this.poolOf(held.node);
    if (refused) {
      pool.open--;
      pool.freeIds.push(held.conn);
    } else pool.idle.push(held.conn);
    this.serveWaiters(ctx, pool);
  }

  /** The part's request was abandoned: a waiter stops waiting, a sent one's connection comes back. */
  cancel(ctx: HostContext, wireId: number): void {
    const waiter = this.waiting.get(wireId);
    if (waiter !== undefined) {
      this.waiting.delete(wireId);
      waiter.cancelled = true;
      this.poolOf(waiter.part.node).cancelled();
      return;
    }
    this.answered(ctx, wireId, false);
  }

  /** Whether the part is still waiting for a connection (it was never sent). */
  isWaiting(wireId: number): boolean {
    return this.waiting.has(wireId);
  }

  /** The pool's timer fired: the parts whose wait ran out (each to fail `pool_timeout`), with their requests. */
  expired(ctx: HostContext): { part: PooledPart; request: Request }[] {
    this.timerArmed = false;
    const now = ctx.now_us();
    const out: { part: PooledPart; request: Request }[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const pool of this.pools.values()) {
      for (let w = pool.peek(); w !== undefined && w.deadline_us <= now; w = pool.peek()) {
        pool.shift();
        this.waiting.delete(w.part.wireId);
        w.part.pool_wait_us = now - w.queued_us;
        this.timeouts++;
        out.push(w);
      }
      const head = pool.peek();
      if (head !== undefined && head.deadline_us < next) next = head.deadline_us;
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(ctx, next);
    return out;
  }

  private poolOf(node: HostId): NodePool {
    let pool = this.pools.get(node);
    if (pool === undefined) {
      pool = new NodePool();
      this.pools.set(node, pool);
    }
    return pool;
  }

  /** Sends on an idle connection, or a new one if the pool may open one; false when neither. */
  private trySend(ctx: HostContext, pool: NodePool, part: PooledPart, request: Request): boolean {
    let conn = pool.idle.pop();
    if (conn === undefined) {
      if (pool.open >= this.settings.size) return false;
      pool.open++;
      conn = pool.freeIds.pop() ?? pool.nextId++;
    }
    this.busy.set(part.wireId, { node: part.node, conn });
    (request as { conn?: number }).conn = conn;
    ctx.send(part.node, request);
    return true;
  }

  private serveWaiters(ctx: HostContext, pool: NodePool): void {
    const now = ctx.now_us();
    for (let w = pool.peek(); w !== undefined; w = pool.peek()) {
      if (!this.trySend(ctx, pool, w.part, w.request)) return;
      pool.shift();
      this.waiting.delete(w.part.wireId);
      w.part.pool_wait_us = now - w.queued_us;
    }
  }

  private arm(ctx: HostContext, at_us: number): void {
    this.timerArmed = true;
    ctx.setTimer(Math.max(0, at_us - ctx.now_us()), this.timerTag);
  }
}
