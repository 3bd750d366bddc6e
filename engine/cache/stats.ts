// A cache host's counters. They live outside the host's behaviour (which a crash discards), so
// reports and metrics read them across restarts, as a node's I/O counters live on its storage.

/** How a cache host served requests, by result (metrics' `result` label). */
export const CACHE_RESULTS = [
  "hit",
  "miss",
  "lease_wait",
  "set",
  "set_refused",
  "invalidate",
  "write",
] as const;
export type CacheResult = (typeof CACHE_RESULTS)[number];

export interface CacheStats {
  readonly requests: Record<CacheResult, number>;
  evictions: number;
  /** Entries found expired (each was a miss). */
  expired: number;
  /** Reads the host sent to the database itself (read-through strategies). */
  database_reads: number;
  /** Entries held now (0 while down). */
  entries: number;
  /** write-behind: entries written but not yet flushed, now. */
  dirty: number;
  /** write-behind: dirty entries crashes lost (acknowledged writes the database never got). */
  dirty_lost: number;
}

export function newCacheStats(): CacheStats {
  const requests = Object.fromEntries(CACHE_RESULTS.map((result) => [result, 0])) as Record<
    CacheResult,
    number
  >;
  return { requests, evictions: 0, expired: 0, database_reads: 0, entries: 0, dirty: 0, dirty_lost: 0 };
}

export function copyCacheStats(stats: CacheStats): CacheStats {
  return { ...stats, requests: { ...stats.requests } };
}
