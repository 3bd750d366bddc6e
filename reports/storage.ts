// What each node's buffer pool and disk did in the measured phase: report.json `storage`, from the
// nodes' I/O counters as the measured phase began and as the run ended.

import type { IoStats } from "../engine/node/io-stats.js";
import type { StorageReport } from "./report-schema.js";

export interface NodeIo {
  readonly name: string;
  /** The buffer pool's capacity, and the node's data pages at the end. */
  readonly pool_pages: number;
  readonly data_pages: number;
  /** The counters as the measured phase began, and at the run's end. */
  readonly from: IoStats;
  readonly to: IoStats;
}

/** A share rounded to 4 decimals; null without a denominator. */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

export function storageReport(nodes: readonly NodeIo[]): StorageReport {
  const report: StorageReport = { nodes: {} };
  for (const { name, pool_pages, data_pages, from, to } of nodes) {
    const hits = to.hits - from.hits;
    const misses = to.misses - from.misses;
    report.nodes[name] = {
      pool_pages,
      data_pages,
      hits,
      misses,
      hit_ratio: ratio(hits, hits + misses),
      evictions: to.evictions - from.evictions,
      disk_reads: to.disk_reads - from.disk_reads,
      disk_writes: to.disk_writes - from.disk_writes,
      fsyncs: to.fsyncs - from.fsyncs,
    };
  }
  return report;
}
