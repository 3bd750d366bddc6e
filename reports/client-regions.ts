// report.json `client_regions` (only with a topology): the latency of ok operations per client
// region, per operation type and for all, so clients far from the leader show apart from near ones;
// and the summary's line per region.

import { z } from "zod";
import { OP_NAMES } from "../workloads/observer.js";
import { formatUs } from "./compare.js";
import type { LatencyRecorder, LatencySummary } from "./latency.js";
import type { Report } from "./report-schema.js";

const micros = z.number().nonnegative();

const regionOpSchema = z
  .object({
    ok: z.number().int().nonnegative().describe("ok operations in the measured phase."),
    latency_us: z
      .object({ p50: micros, p99: micros, max: micros })
      .strict()
      .describe("Intended start to completion (HDR histogram, 3 significant digits; max exact)."),
  })
  .strict();

export const clientRegionsSchema = z
  .record(z.string(), z.record(z.string(), regionOpSchema))
  .optional()
  .describe(
    "With a topology: per client region (in topology.clients' order), per operation type and `all`, " +
      "the ok operations' count and latency; absent without one.",
  );

export type ClientRegionsReport = NonNullable<z.output<typeof clientRegionsSchema>>;

/** Each client region's figures, regions in the order given, operations in the fixed order then `all`. */
export function clientRegionsReport(
  latency: LatencyRecorder,
  regions: readonly string[],
): ClientRegionsReport {
  const report: ClientRegionsReport = {};
  for (const region of regions) {
    const byOp = latency.byClientRegion.get(region);
    const figures: ClientRegionsReport[string] = {};
    for (const op of [...OP_NAMES, "all" as const]) {
      const stats = byOp?.get(op);
      if (stats === undefined) continue;
      const { p50, p99, max } = stats.summary() as LatencySummary; // recorded once at least
      figures[op] = { ok: stats.histogram.totalCount, latency_us: { p50, p99, max } };
    }
    report[region] = figures;
  }
  return report;
}

/** The summary's lines: one per client region, each operation's p50/p99/max. */
export function clientRegionLines(report: Report): string[] {
  const regions = report.client_regions;
  if (regions === undefined) return [];
  return Object.entries(regions).map(([region, ops]) => {
    const parts = Object.entries(ops).map(
      ([op, { latency_us: l }]) => `${op} ${formatUs(l.p50)}/${formatUs(l.p99)}/${formatUs(l.max)}`,
    );
    return `clients in ${region}, p50/p99/max: ${parts.length === 0 ? "no ok operations" : parts.join(", ")}`;
  });
}
