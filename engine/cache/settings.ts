// The `cluster.cache` section of a scenario: its schema with defaults, and its resolution to the
// settings the cache hosts and the clients' caching dispatcher run with (CacheSettings, durations in
// µs). Absent (the default), there is no cache and nothing of a run changes.

import { z } from "zod";
import { duration } from "../settings/durations.js";
import { integer, us } from "../settings/fields.js";

export const CACHE_STRATEGIES = ["cache-aside", "read-through", "write-through", "write-behind"] as const;
export type CacheStrategy = (typeof CACHE_STRATEGIES)[number];
export const CACHE_INVALIDATIONS = ["delete", "update", "none"] as const;
export type CacheInvalidation = (typeof CACHE_INVALIDATIONS)[number];
export const CACHE_EVICTIONS = ["lru", "lfu"] as const;
export type CacheEviction = (typeof CACHE_EVICTIONS)[number];

/** Cache hosts a scenario may have. */
export const CACHE_NODES_MAX = 16;
/** Entries one cache host may hold at most. */
export const CACHE_CAPACITY_MAX = 10_000_000;

export const cacheSchema = z
  .strictObject({
    nodes: integer(1, CACHE_NODES_MAX)
      .default(1)
      .describe("Cache hosts (`cache0`, `cache1`, ...); a key lives on one, by a hash of the key."),
    capacity: integer(1, CACHE_CAPACITY_MAX)
      .default(100_000)
      .describe("Entries (records) each cache host holds; past it, `eviction` picks the entry that leaves."),
    eviction: z
      .enum(CACHE_EVICTIONS)
      .default("lru")
      .describe(
        "Which entry makes room: `lru` (the least recently used) or `lfu` (the least frequently used, " +
          "the least recently used among equals; frequency buckets, O(1) per access).",
      ),
    ttl: duration("zero")
      .default(0)
      .describe("How long an entry lives after it is set (virtual time; 0: until evicted or invalidated)."),
    service_time: duration("positive")
      .default("20us")
      .describe("CPU time a cache host spends on one request (one request at a time, in arrival order)."),
    strategy: z
      .enum(CACHE_STRATEGIES)
      .default("cache-aside")
      .describe(
        "`cache-aside`: the client reads the cache, on a miss reads the database and sets the cache; " +
          "a write goes to the database, then `invalidation`. `read-through`: the cache host reads the " +
          "database on a miss (writes as cache-aside). `write-through`: reads as read-through; a write goes " +
          "to the cache host, which writes the database, sets itself, then acknowledges. `write-behind`: " +
          "the cache host acknowledges a write at once and writes the database every `flush_interval` " +
          "(a crash loses its dirty entries). Keyed YCSB reads, updates and inserts use the cache; " +
          "scans bypass it.",
      ),
    invalidation: z
      .enum(CACHE_INVALIDATIONS)
      .default("delete")
      .describe(
        "What a cache-aside or read-through write does to the cache once the database acknowledged it " +
          "(the client waits for it): `delete` the entry, `update` it with the value written, or `none` " +
          "(entries go stale until `ttl`).",
      ),
    leases: z
      .boolean()
      .default(false)
      .describe(
        "Leases (Scaling Memcache at Facebook, NSDI 2013): a miss hands one reader per key a lease; " +
          "a delete or update of the key voids it and a set with a void lease is refused (no stale set); " +
          "other readers missing meanwhile wait at the cache host for the value (one database read per " +
          "key: no thundering herd). Read-through: at most one database read per key in flight, its " +
          "waiters answered together (request coalescing).",
      ),
    lease_ttl: duration("positive")
      .default("100ms")
      .describe(
        "A lease not used by then expires: the next waiting reader gets a new one (the old one's set is " +
          "then refused). It bounds how long readers wait for a holder that never sets (its read failed).",
      ),
    flush_interval: duration("positive")
      .default("100ms")
      .describe("write-behind: how often a cache host writes its dirty entries to the database."),
    flush_batch: integer(1, 100_000)
      .default(1000)
      .describe("write-behind: dirty entries written per flush at most (oldest first)."),
  })
  .describe(
    "A caching tier between the clients and the database (absent: none). YCSB workloads with " +
      "client-side routing only (docs/caching.md).",
  );

export type CacheDoc = z.output<typeof cacheSchema>;

export interface CacheSettings {
  nodes: number;
  capacity: number;
  eviction: CacheEviction;
  /** 0: entries do not expire. */
  ttl_us: number;
  service_time_us: number;
  strategy: CacheStrategy;
  invalidation: CacheInvalidation;
  leases: boolean;
  lease_ttl_us: number;
  flush_interval_us: number;
  flush_batch: number;
}

export function resolveCache(doc: CacheDoc | null | undefined): CacheSettings | null {
  if (doc == null) return null;
  return {
    nodes: doc.nodes,
    capacity: doc.capacity,
    eviction: doc.eviction,
    ttl_us: us(doc.ttl),
    service_time_us: us(doc.service_time),
    strategy: doc.strategy,
    invalidation: doc.invalidation,
    leases: doc.leases,
    lease_ttl_us: us(doc.lease_ttl),
    flush_interval_us: us(doc.flush_interval),
    flush_batch: doc.flush_batch,
  };
}

/** The cache hosts' names, in the order they are added (after every other host). */
export function cacheNodeNames(cache: { nodes: number } | null): string[] {
  return cache === null ? [] : Array.from({ length: cache.nodes }, (_, i) => `cache${i}`);
}
