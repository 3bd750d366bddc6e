// The clients' side of a cache: a Dispatcher that puts the cache hosts in front of the database for
// keyed reads, updates and inserts (other requests, scans and explicitly addressed ones, go to the
// database as before). The client driver sees one logical response per request, as from any
// Dispatcher; a response the cache served names its cache host and shard -1.
//
// cache-aside: a read gets the key from its cache host; a hit answers with the cached value (the
// write id the cache holds: the history records what the client saw); a miss reads the database,
// then sets the cache with what it read (with the miss's lease, if any) without waiting. A write goes
// to the database, then (`invalidation`) deletes or updates the key on its cache host, and is
// answered once the cache host acknowledged that: a read that starts after the write's answer cannot
// find the old entry. read-through: reads go to the cache host (which reads the database on a miss),
// writes as cache-aside. write-through and write-behind: reads and writes go to the cache host.

import type { HostContext, HostId } from "../../sim/host.js";
import type { RequestSpec, Response } from "../protocol.js";
import { DISPATCH_MAX_TAGS, type Dispatched, Dispatcher } from "../sharding/dispatcher.js";
import { hash32 } from "../sharding/partitioners.js";
import type { CacheReply, CacheRequest } from "./messages.js";
import type { CacheSettings } from "./settings.js";

type Keyed = Extract<RequestSpec, { op: "read" | "update" | "insert" }>;

interface CacheOp {
  readonly spec: Keyed;
  /** get: waiting for the cache; read / write: for the database; invalidate / through: for the cache. */
  phase: "get" | "read" | "write" | "invalidate" | "through";
  /** The wire id of the cache request in flight. */
  wireId: number;
  readonly node: HostId;
  /** The lease a miss handed the reader (0: none). */
  token: number;
  /** A write's database answer, given once the invalidation is acknowledged. */
  written: Dispatched | null;
}

function cached(spec: RequestSpec): spec is Keyed {
  return spec.op === "read" || spec.op === "update" || spec.op === "insert";
}

export class CachingDispatcher extends Dispatcher {
  private readonly cache: CacheSettings;
  /** The cache hosts, by cache node number. */
  private readonly cacheHosts: readonly HostId[];
  private readonly isCacheHost: ReadonlySet<HostId>;
  private readonly ops: (CacheOp | undefined)[] = [];
  private cacheCounter = 0;

  constructor(
    options: ConstructorParameters<typeof Dispatcher>[0],
    cache: { settings: CacheSettings; hosts: readonly HostId[] },
  ) {
    super(options);
    this.cache = cache.settings;
    this.cacheHosts = cache.hosts;
    this.isCacheHost = new Set(cache.hosts);
  }

  /** The cache host that holds a key. */
  cacheHostOf(key: string): HostId {
    return this.cacheHosts[hash32(key) % this.cacheHosts.length] as HostId;
  }

  override send(
    ctx: HostContext,
    tag: number,
    spec: RequestSpec,
    to?: { shard: number; min_lsn: number },
  ): void {
    this.ops[tag] = undefined;
    if (to !== undefined || !cached(spec)) {
      super.send(ctx, tag, spec, to);
      return;
    }
    const { strategy } = this.cache;
    const reads = spec.op === "read";
    if (reads ? strategy === "cache-aside" : strategy === "cache-aside" || strategy === "read-through") {
      const op: CacheOp = {
        spec,
        phase: reads ? "get" : "write",
        wireId: -1,
        node: this.cacheHostOf(spec.key),
        token: 0,
        written: null,
      };
      this.ops[tag] = op;
      if (reads)
        this.toCache(ctx, tag, op, (id) => ({ kind: "cache_req", digest: id, id, op: "get", key: spec.key }));
      else super.send(ctx, tag, spec);
      return;
    }
    const op: CacheOp = {
      spec,
      phase: "through",
      wireId: -1,
      node: this.cacheHostOf(spec.key),
      token: 0,
      written: null,
    };
    this.ops[tag] = op;
    this.toCache(ctx, tag, op, (id) => ({ kind: "cache_req", digest: id, id, op: "through", spec }));
  }

  override onResponse(ctx: HostContext, from: HostId, response: Response): Dispatched | null {
    if (this.isCacheHost.has(from)) return this.fromCache(ctx, from, response as CacheReply);
    const done = super.onResponse(ctx, from, response);
    if (done === null) return null;
    const op = this.ops[done.tag];
    if (op === undefined) return done;
    const ok = done.response.status === "ok";
    if (op.phase === "read") {
      this.ops[done.tag] = undefined;
      const value = ok && "value" in done.response ? done.response.value : null;
      if (value !== null) {
        // Fire and forget: the reader has its answer; the cache host answers sets with nothing.
        const { key } = op.spec;
        const token = op.token;
        const set: CacheRequest = {
          kind: "cache_req",
          digest: value >>> 0,
          id: -1,
          op: "set",
          key,
          value,
          token,
        };
        ctx.send(op.node, set);
      }
      return done;
    }
    // A write the database answered.
    if (!ok || this.cache.invalidation === "none") {
      this.ops[done.tag] = undefined;
      return done;
    }
    op.phase = "invalidate";
    op.written = done;
    const { key } = op.spec;
    const value = "value" in op.spec ? op.spec.value : 0;
    this.toCache(ctx, done.tag, op, (id) =>
      this.cache.invalidation === "delete"
        ? { kind: "cache_req", digest: id, id, op: "delete", key }
        : { kind: "cache_req", digest: id, id, op: "update", key, value },
    );
    return null;
  }

  /** True when any of the operation was sent: to the cache host, or (by the pools' say) to the database. */
  override abandon(tag: number, ctx: HostContext): boolean {
    const op = this.ops[tag];
    this.ops[tag] = undefined;
    const sent = super.abandon(tag, ctx);
    return sent || (op !== undefined && op.phase !== "write");
  }

  override nodeOf(tag: number): HostId {
    const op = this.ops[tag];
    return op !== undefined && this.atCache(op) ? op.node : super.nodeOf(tag);
  }

  override shardOf(tag: number): number {
    const op = this.ops[tag];
    return op !== undefined && this.atCache(op) ? -1 : super.shardOf(tag);
  }

  private atCache(op: CacheOp): boolean {
    return op.phase === "get" || op.phase === "through";
  }

  private toCache(ctx: HostContext, tag: number, op: CacheOp, request: (id: number) => CacheRequest): void {
    op.wireId = ++this.cacheCounter * DISPATCH_MAX_TAGS + tag;
    ctx.send(op.node, request(op.wireId));
  }

  private fromCache(ctx: HostContext, from: HostId, reply: CacheReply): Dispatched | null {
    const tag = reply.id % DISPATCH_MAX_TAGS;
    const op = this.ops[tag];
    if (op === undefined || op.wireId !== reply.id) return null; // late: abandoned or answered
    switch (op.phase) {
      case "get":
        if (reply.cache_hit) break;
        op.phase = "read";
        op.token = reply.token;
        super.send(ctx, tag, op.spec);
        return null;
      case "invalidate": {
        this.ops[tag] = undefined;
        return op.written;
      }
      default:
        break;
    }
    this.ops[tag] = undefined;
    return { tag, response: reply, node: from, shard: -1, pool_wait_us: 0 };
  }
}
