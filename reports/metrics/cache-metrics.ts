// The caching tier's metrics (catalogue: dbsim_cache_*), read from the cache hosts' counters at
// each collection. Registered only in runs with a cache, so other runs' metrics stay as they were.

import { Counter, Gauge, type Registry } from "prom-client";
import { CACHE_RESULTS, type CacheStats } from "../../engine/cache/stats.js";
import { METRICS, metricOptions } from "./catalogue.js";

export function registerCacheMetrics(registry: Registry, stats: () => readonly CacheStats[]): void {
  const registers = [registry];
  const m = METRICS;
  const each = (visit: (node: string, one: CacheStats) => void) =>
    stats().forEach((one, i) => {
      visit(`cache${i}`, one);
    });
  new Counter({
    ...metricOptions(m.cacheRequests),
    labelNames: m.cacheRequests.labels,
    registers,
    collect() {
      this.reset();
      each((node, one) => {
        for (const result of CACHE_RESULTS) this.inc({ node, result }, one.requests[result]);
      });
    },
  });
  new Counter({
    ...metricOptions(m.cacheEvictions),
    labelNames: m.cacheEvictions.labels,
    registers,
    collect() {
      this.reset();
      each((node, one) => this.inc({ node }, one.evictions));
    },
  });
  new Gauge({
    ...metricOptions(m.cacheEntries),
    labelNames: m.cacheEntries.labels,
    registers,
    collect() {
      this.reset();
      each((node, one) => this.set({ node }, one.entries));
    },
  });
  new Counter({
    ...metricOptions(m.cacheDirtyLost),
    labelNames: m.cacheDirtyLost.labels,
    registers,
    collect() {
      this.reset();
      each((node, one) => this.inc({ node }, one.dirty_lost));
    },
  });
}
