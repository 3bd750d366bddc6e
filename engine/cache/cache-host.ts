// A cache host (`cache<i>`): a CacheStore behind one CPU that serves requests one at a time in
// arrival order (`service_time` each), as a memcached thread does. A restart is cold: the behaviour
// is made anew, its memory empty (its counters live in CacheStats).
//
// Cache-aside requests (the client reads and writes the database itself): `get` (a hit, or a miss
// with a lease when leases are on; a miss while another reader holds the key's lease waits here and
// is answered when that reader's set arrives, or takes the lease once it is voided or expired),
// `set` (no answer; refused when its lease is void), `delete` and `update` (void the key's lease).
//
// The other strategies send the keyed request itself (`through`): a read the host serves from its
// memory or reads from the database on a miss (with leases: one database read per key in flight,
// its waiters answered together, and a write meanwhile keeps its result out of the cache);
// write-through writes the database, then updates its entry, then answers; write-behind answers at
// once, marks the entry dirty and writes dirty entries to the database every `flush_interval` (an
// evicted dirty entry is written at once). The host's own Dispatcher reaches the shards; a database
// request unanswered after `timeout` is given up (a flush's entry is dirty again).

import type { HostBehaviour, HostContext, HostId, Message, TimerTag } from "../../sim/host.js";
import { RingQueue } from "../../sim/ring-queue.js";
import { type RequestSpec, type Response, valueRead } from "../protocol.js";
import { DISPATCH_MAX_TAGS, type Dispatcher } from "../sharding/dispatcher.js";
import type { ShardMapNotice } from "../sharding/shard-map.js";
import { type CacheRequest, cacheResponse, type Waiter } from "./messages.js";
import type { CacheSettings } from "./settings.js";
import type { CacheStats } from "./stats.js";
import { CacheStore } from "./store.js";

const TIMER_SERVE = 0;
const TIMER_FLUSH = 1;
const TIMER_SWEEP = 2;
const TIMER_LEASES = 3;
/** Requests waiting for the host's CPU at most; past it they are dropped (the client times out). */
const CACHE_QUEUE_LIMIT = 4 * DISPATCH_MAX_TAGS;

interface Queued {
  readonly from: HostId;
  readonly request: CacheRequest;
  readonly arrived_us: number;
}

/** A database request of the host's in flight, by its dispatcher tag. */
type Fetch =
  | {
      readonly kind: "read";
      readonly key: string;
      readonly waiters: Waiter[];
      voided: boolean;
      readonly since_us: number;
    }
  | {
      readonly kind: "write";
      readonly spec: RequestSpec & { key: string };
      readonly waiter: Waiter;
      readonly since_us: number;
    }
  | { readonly kind: "flush"; readonly spec: RequestSpec & { key: string }; readonly since_us: number };

export class CacheHost implements HostBehaviour {
  private readonly settings: CacheSettings;
  private readonly stats: CacheStats;
  private readonly store: CacheStore;
  /** The database, for every strategy but cache-aside (null there). */
  private readonly dispatcher: Dispatcher | null;
  private readonly timeout_us: number;
  private readonly queue = new RingQueue<Queued>(CACHE_QUEUE_LIMIT);
  private busy = false;
  /** Cache-aside readers waiting for a key whose lease another reader holds. */
  private readonly waiting = new Map<string, Waiter[]>();
  /** Leases issued, oldest first (they all last lease_ttl): when to wake the waiters of each key. */
  private readonly leaseExpiries = new RingQueue<{ key: string; at_us: number }>(2 ** 31);
  private leaseTimer = false;
  private readonly fetches: (Fetch | undefined)[] = [];
  private readonly freeTags: number[] = [];
  /** Read-through with leases: the key's database read in flight (its tag). */
  private readonly readsInFlight = new Map<string, number>();
  /** write-behind: per key, the latest write not yet sent to the database, oldest first. */
  private readonly dirty = new Map<string, RequestSpec & { key: string }>();

  constructor(options: {
    settings: CacheSettings;
    stats: CacheStats;
    dispatcher: Dispatcher | null;
    timeout_us: number;
  }) {
    this.settings = options.settings;
    this.stats = options.stats;
    this.dispatcher = options.dispatcher;
    this.timeout_us = options.timeout_us;
    this.store = new CacheStore(
      {
        capacity: this.settings.capacity,
        eviction: this.settings.eviction,
        ttl_us: this.settings.ttl_us,
        lease_ttl_us: this.settings.lease_ttl_us,
      },
      this.stats,
    );
    for (let tag = DISPATCH_MAX_TAGS - 1; tag >= 0; tag--) this.freeTags.push(tag);
  }

  onStart(ctx: HostContext): void {
    // A restart is cold: what the previous instance held, dirty entries included, is gone.
    this.stats.dirty_lost += this.stats.dirty;
    this.stats.dirty = 0;
    this.stats.entries = 0;
    if (this.dispatcher !== null) ctx.setTimer(this.timeout_us, TIMER_SWEEP);
    if (this.settings.strategy === "write-behind") ctx.setTimer(this.settings.flush_interval_us, TIMER_FLUSH);
    this.store.onEvict = (key) => {
      const spec = this.dirty.get(key);
      if (spec !== undefined) this.flush(ctx, key, spec);
    };
  }

  onMessage(ctx: HostContext, from: HostId, msg: Message): void {
    if (msg.kind === "cache_req") {
      if (!this.queue.push({ from, request: msg as CacheRequest, arrived_us: ctx.monotonic_us() })) return;
      if (!this.busy) this.serveNext(ctx);
    } else if (msg.kind === "resp" && this.dispatcher !== null) {
      const done = this.dispatcher.onResponse(ctx, from, msg as Response);
      if (done !== null) this.fetched(ctx, done.tag, done.response);
    } else if (msg.kind === "shard_map") {
      this.dispatcher?.adopt((msg as ShardMapNotice).map);
    }
  }

  onTimer(ctx: HostContext, tag: TimerTag): void {
    switch (tag) {
      case TIMER_SERVE: {
        const queued = this.queue.shift() as Queued;
        this.serve(ctx, queued, ctx.monotonic_us() - queued.arrived_us - this.settings.service_time_us);
        this.serveNext(ctx);
        return;
      }
      case TIMER_FLUSH:
        this.flushDirty(ctx);
        ctx.setTimer(this.settings.flush_interval_us, TIMER_FLUSH);
        return;
      case TIMER_SWEEP:
        this.sweep(ctx);
        ctx.setTimer(this.timeout_us, TIMER_SWEEP);
        return;
      case TIMER_LEASES:
        this.leaseTimer = false;
        this.expireLeases(ctx);
        return;
    }
  }

  private serveNext(ctx: HostContext): void {
    this.busy = this.queue.size > 0;
    if (this.busy) ctx.setTimer(this.settings.service_time_us, TIMER_SERVE);
  }

  private serve(ctx: HostContext, { from, request }: Queued, queue_us: number): void {
    const now = ctx.now_us();
    const service_us = this.settings.service_time_us;
    switch (request.op) {
      case "get":
        this.get(ctx, request.key, { client: from, id: request.id }, queue_us);
        break;
      case "set":
        if (!this.settings.leases || this.store.redeem(request.key, request.token)) {
          this.store.set(request.key, request.value, now);
          this.stats.requests.set++;
          this.answerWaiters(ctx, request.key, request.value);
        } else this.stats.requests.set_refused++;
        break;
      case "delete":
      case "update":
        this.stats.requests.invalidate++;
        if (request.op === "delete") this.store.delete(request.key);
        else this.store.set(request.key, request.value, now);
        this.invalidated(ctx, request.key);
        ctx.send(from, cacheResponse("update", request.id, null, queue_us, service_us));
        break;
      case "through":
        this.through(
          ctx,
          request.spec as RequestSpec & { key: string },
          { client: from, id: request.id },
          queue_us,
        );
        break;
    }
    this.stats.entries = this.store.size;
  }

  /** A cache-aside get: a hit, a miss (with a lease), or a wait for the lease's holder. */
  private get(ctx: HostContext, key: string, waiter: Waiter, queue_us: number, retry = false): void {
    const now = ctx.now_us();
    const value = this.store.get(key, now);
    if (value !== undefined) {
      this.stats.requests.hit++;
      this.reply(ctx, waiter, value, true, 0, queue_us);
      return;
    }
    let token = 0;
    if (this.settings.leases) {
      token = this.store.lease(key, now);
      if (token === 0) {
        if (!retry) this.stats.requests.lease_wait++;
        const list = this.waiting.get(key);
        if (list === undefined) this.waiting.set(key, [waiter]);
        else list.push(waiter);
        return;
      }
      this.leaseIssued(ctx, key, now);
    }
    this.stats.requests.miss++;
    this.reply(ctx, waiter, null, false, token, queue_us);
  }

  private reply(
    ctx: HostContext,
    to: Waiter,
    value: number | null,
    hit: boolean,
    token: number,
    queue_us: number,
  ): void {
    ctx.send(
      to.client,
      cacheResponse("read", to.id, value, queue_us, this.settings.service_time_us, { hit, token }),
    );
  }

  /** A set's value reached the cache: every reader waiting for the key gets it. */
  private answerWaiters(ctx: HostContext, key: string, value: number): void {
    const list = this.waiting.get(key);
    if (list === undefined) return;
    this.waiting.delete(key);
    for (const waiter of list) {
      this.stats.requests.hit++;
      this.reply(ctx, waiter, value, true, 0, 0);
    }
  }

  /** The key was written: its lease is void, read results in flight must not be cached, waiters retry. */
  private invalidated(ctx: HostContext, key: string): void {
    if (!this.settings.leases) return;
    this.store.voidLease(key);
    const tag = this.readsInFlight.get(key);
    if (tag !== undefined) (this.fetches[tag] as Fetch & { kind: "read" }).voided = true;
    this.retryWaiters(ctx, key);
  }

  /** The waiters of a key whose lease is gone: the first takes a new one (or a hit), the rest wait on. */
  private retryWaiters(ctx: HostContext, key: string): void {
    const list = this.waiting.get(key);
    if (list === undefined) return;
    this.waiting.delete(key);
    for (const waiter of list) this.get(ctx, key, waiter, 0, true);
  }

  private leaseIssued(ctx: HostContext, key: string, now_us: number): void {
    this.leaseExpiries.push({ key, at_us: now_us + this.settings.lease_ttl_us });
    if (!this.leaseTimer) {
      this.leaseTimer = true;
      ctx.setTimer(this.settings.lease_ttl_us, TIMER_LEASES);
    }
  }

  /** Leases that expired unused: their keys' waiters retry. */
  private expireLeases(ctx: HostContext): void {
    const now = ctx.now_us();
    let head = this.leaseExpiries.peek();
    while (head !== undefined && head.at_us <= now) {
      this.leaseExpiries.shift();
      if (this.waiting.has(head.key)) this.retryWaiters(ctx, head.key);
      head = this.leaseExpiries.peek();
    }
    if (head !== undefined) {
      this.leaseTimer = true;
      ctx.setTimer(head.at_us - now, TIMER_LEASES);
    }
  }

  /** A keyed request of a read-through, write-through or write-behind client. */
  private through(
    ctx: HostContext,
    spec: RequestSpec & { key: string },
    waiter: Waiter,
    queue_us: number,
  ): void {
    const now = ctx.now_us();
    const service_us = this.settings.service_time_us;
    if (spec.op === "read") {
      const value = this.store.get(spec.key, now);
      if (value !== undefined) {
        this.stats.requests.hit++;
        ctx.send(waiter.client, cacheResponse("read", waiter.id, value, queue_us, service_us));
        return;
      }
      this.stats.requests.miss++;
      const inFlight = this.settings.leases ? this.readsInFlight.get(spec.key) : undefined;
      if (inFlight !== undefined) {
        (this.fetches[inFlight] as Fetch & { kind: "read" }).waiters.push(waiter);
        return;
      }
      const tag = this.fetch(ctx, spec, (since_us) => ({
        kind: "read",
        key: spec.key,
        waiters: [waiter],
        voided: false,
        since_us,
      }));
      if (tag !== null && this.settings.leases) this.readsInFlight.set(spec.key, tag);
      return;
    }
    this.stats.requests.write++;
    if (this.settings.strategy === "write-behind") {
      this.store.set(spec.key, (spec as { value: number }).value, now);
      this.dirty.delete(spec.key); // the newest write goes last: dirty entries leave oldest first
      this.dirty.set(spec.key, spec);
      this.stats.dirty = this.dirty.size;
      this.invalidated(ctx, spec.key);
      ctx.send(
        waiter.client,
        cacheResponse(spec.op === "insert" ? "insert" : "update", waiter.id, null, queue_us, service_us),
      );
      return;
    }
    this.fetch(ctx, spec, (since_us) => ({ kind: "write", spec, waiter, since_us }));
  }

  /** Sends a database request of the host's; null when every tag is in use (it is dropped). */
  private fetch(ctx: HostContext, spec: RequestSpec, fetch: (since_us: number) => Fetch): number | null {
    const dispatcher = this.dispatcher as Dispatcher;
    const tag = this.freeTags.pop();
    if (tag === undefined) return null;
    this.fetches[tag] = fetch(ctx.monotonic_us());
    if (spec.op === "read") this.stats.database_reads++;
    dispatcher.send(ctx, tag, spec);
    return tag;
  }

  /** A database request of the host's was answered. */
  private fetched(ctx: HostContext, tag: number, response: Response): void {
    const fetch = this.fetches[tag];
    this.release(tag);
    if (fetch === undefined) return;
    const now = ctx.now_us();
    switch (fetch.kind) {
      case "read": {
        if (this.readsInFlight.get(fetch.key) === tag) this.readsInFlight.delete(fetch.key);
        const value = response.status === "ok" ? valueRead(response) : null;
        if (value !== null && !fetch.voided && this.store.fill(fetch.key, value, now))
          this.stats.requests.set++;
        for (const waiter of fetch.waiters) this.answer(ctx, waiter, response);
        break;
      }
      case "write":
        if (response.status === "ok")
          this.store.set(fetch.spec.key, (fetch.spec as { value: number }).value, now);
        else this.store.delete(fetch.spec.key);
        this.invalidated(ctx, fetch.spec.key);
        this.answer(ctx, fetch.waiter, response);
        break;
      case "flush":
        if (response.status !== "ok") this.redirty(fetch.spec);
        break;
    }
    this.stats.entries = this.store.size;
  }

  /** The database's answer, as the client's (its leader hint was for the host's dispatcher). */
  private answer(ctx: HostContext, waiter: Waiter, response: Response): void {
    const answer: Response = { ...response, id: waiter.id, leader_hint: -1 };
    ctx.send(waiter.client, answer);
  }

  private flushDirty(ctx: HostContext): void {
    let sent = 0;
    for (const [key, spec] of this.dirty) {
      if (sent++ >= this.settings.flush_batch) break;
      this.flush(ctx, key, spec);
    }
  }

  private flush(ctx: HostContext, key: string, spec: RequestSpec & { key: string }): void {
    if (this.fetch(ctx, spec, (since_us) => ({ kind: "flush", spec, since_us })) === null) return;
    this.dirty.delete(key);
    this.stats.dirty = this.dirty.size;
  }

  /** A flush that failed: its write is dirty again, unless a newer one is. */
  private redirty(spec: RequestSpec & { key: string }): void {
    if (!this.dirty.has(spec.key)) this.dirty.set(spec.key, spec);
    this.stats.dirty = this.dirty.size;
  }

  /** Gives up on database requests unanswered for the timeout. */
  private sweep(ctx: HostContext): void {
    const now = ctx.monotonic_us();
    for (let tag = 0; tag < this.fetches.length; tag++) {
      const fetch = this.fetches[tag];
      if (fetch === undefined || now - fetch.since_us < this.timeout_us) continue;
      (this.dispatcher as Dispatcher).abandon(tag, ctx);
      this.release(tag);
      if (fetch.kind === "read" && this.readsInFlight.get(fetch.key) === tag)
        this.readsInFlight.delete(fetch.key);
      if (fetch.kind === "flush") this.redirty(fetch.spec);
    }
  }

  private release(tag: number): void {
    if (this.fetches[tag] === undefined) return;
    this.fetches[tag] = undefined;
    this.freeTags.push(tag);
  }
}
