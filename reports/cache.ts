// The caching tier in report.json: `cache` (per cache host and in total, measured phase: the
// counters as it began subtracted from those at the end) and the timeline's `cache_hit_ratio`
// (CacheTimeline: the hosts' counters read whenever an operation's completion passes an interval's
// end, so each interval's hits and misses are those of its virtual second, to within one operation).

import type { CacheSettings } from "../engine/cache/settings.js";
import type { CacheStats } from "../engine/cache/stats.js";
import type { CompletedOperation, Observer } from "../workloads/observer.js";
import type { CacheReport, Timeline } from "./report-schema.js";
import { ratio } from "./storage.js";

type Counters = CacheReport["total"];

function counters(from: CacheStats, to: CacheStats): Counters {
  const hits = to.requests.hit - from.requests.hit;
  const misses = to.requests.miss - from.requests.miss;
  return {
    hits,
    misses,
    hit_ratio: ratio(hits, hits + misses),
    lease_waits: to.requests.lease_wait - from.requests.lease_wait,
    sets: to.requests.set - from.requests.set,
    sets_refused: to.requests.set_refused - from.requests.set_refused,
    invalidations: to.requests.invalidate - from.requests.invalidate,
    writes: to.requests.write - from.requests.write,
    evictions: to.evictions - from.evictions,
    expired: to.expired - from.expired,
    database_reads: to.database_reads - from.database_reads,
    dirty_lost: to.dirty_lost - from.dirty_lost,
    entries: to.entries,
  };
}

function sum(all: readonly Counters[]): Counters {
  const total = { ...(all[0] as Counters) };
  for (const one of all.slice(1)) {
    for (const key of Object.keys(total) as (keyof Counters)[]) {
      if (key !== "hit_ratio") total[key] = (total[key] as number) + (one[key] as number);
    }
  }
  total.hit_ratio = ratio(total.hits, total.hits + total.misses);
  return total;
}

/** report.json `cache`: each host's counters in the measured phase (from its start to its end). */
export function cacheReport(
  settings: CacheSettings,
  from: readonly CacheStats[],
  to: readonly CacheStats[],
): CacheReport {
  const nodes: Record<string, Counters> = {};
  to.forEach((end, i) => {
    nodes[`cache${i}`] = counters(from[i] as CacheStats, end);
  });
  return {
    strategy: settings.strategy,
    invalidation: settings.invalidation,
    leases: settings.leases,
    nodes,
    total: sum(Object.values(nodes)),
  };
}

/** Hits and misses of every cache host per timeline interval. */
export class CacheTimeline implements Observer {
  private readonly interval_us: number;
  private readonly read: () => { hits: number; misses: number };
  /** Cumulative hits and misses at the start of each interval (index: interval number). */
  private readonly hitsAt: number[] = [0];
  private readonly missesAt: number[] = [0];

  constructor(stats: readonly CacheStats[], interval_us = 1_000_000) {
    this.interval_us = interval_us;
    this.read = () => {
      let hits = 0;
      let misses = 0;
      for (const one of stats) {
        hits += one.requests.hit;
        misses += one.requests.miss;
      }
      return { hits, misses };
    };
  }

  onOperation(op: CompletedOperation): void {
    this.advanceTo(op.completed_us);
  }

  /** The hit ratio of each of the timeline's intervals (a merged last interval spans two). */
  finish(end_us: number, timeline: Timeline): (number | null)[] {
    this.advanceTo(end_us);
    const now = this.read();
    const at = (index: number, list: number[], last: number) => list[index] ?? last;
    return timeline.t_s.map((t_s, i) => {
      const start = Math.round((t_s * 1e6) / this.interval_us);
      const next = timeline.t_s[i + 1];
      const end = next === undefined ? Number.POSITIVE_INFINITY : Math.round((next * 1e6) / this.interval_us);
      const hits = at(end, this.hitsAt, now.hits) - at(start, this.hitsAt, now.hits);
      const misses = at(end, this.missesAt, now.misses) - at(start, this.missesAt, now.misses);
      return ratio(hits, hits + misses);
    });
  }

  private advanceTo(time_us: number): void {
    const index = Math.floor(time_us / this.interval_us);
    if (index < this.hitsAt.length) return;
    const { hits, misses } = this.read();
    while (this.hitsAt.length <= index) {
      this.hitsAt.push(hits);
      this.missesAt.push(misses);
    }
  }
}
