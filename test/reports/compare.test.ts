import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  columnLabels,
  compareRuns,
  compareVariants,
  comparisonTable,
  formatUs,
} from "../../reports/compare.js";
import { type Report, validateReport } from "../../reports/report-schema.js";

function fixture(name: string): Report {
  const path = `test/fixtures/reports/${name}.json`;
  return validateReport(JSON.parse(readFileSync(path, "utf8")), path);
}

const always = fixture("fsync-always");
const never = fixture("fsync-never");

describe("compare", () => {
  it("labels columns by what differs between the configs", () => {
    expect(columnLabels([always, never])).toEqual(["fsync_policy=always", "fsync_policy=never"]);
    expect(columnLabels([always, { ...always, seed: 9 }])).toEqual(["seed=3", "seed=9"]);
    expect(columnLabels([always, always])).toEqual(["run 1", "run 2"]);
  });

  it("prints the golden table for two fixed reports", async () => {
    const comparison = compareRuns([
      { source: "fsync-always.json", report: always },
      { source: "fsync-never.json", report: never },
    ]);
    await expect(comparisonTable(comparison)).toMatchFileSnapshot("__golden__/compare-fsync.txt");
  });

  it("marks the best value per row by its direction, and none when all are equal", () => {
    const { rows } = compareRuns([
      { source: "a", report: always },
      { source: "b", report: never },
    ]);
    const row = (section: string, figure: string) =>
      rows.find((r) => r.section === section && r.figure === figure);
    // Without fsync waits, updates are faster.
    expect(row("latency update", "p50")?.best).toEqual([1]);
    expect(row("latency update", "p50")?.better).toBe("lower");
    expect(row("throughput", "ops/s")?.better).toBe("higher");
    // The same seed gives the same operations: the counts are equal, so no best.
    expect(row("outcomes", "ok")?.best).toEqual([]);
  });

  it("compares the buffer pools: the lowest node's hit ratio and the disk reads", () => {
    const node = (hits: number, misses: number) => ({
      pool_pages: 230,
      data_pages: 2265,
      hits,
      misses,
      hit_ratio: hits / (hits + misses),
      evictions: misses,
      disk_reads: misses,
      disk_writes: 0,
      fsyncs: 0,
    });
    const zipfian: Report = { ...always, storage: { nodes: { "shard0/n0": node(72, 28) } } };
    const uniform: Report = { ...always, storage: { nodes: { "shard0/n0": node(68, 32) } } };
    const { rows } = compareRuns([
      { source: "zipfian", report: zipfian },
      { source: "uniform", report: uniform },
    ]);
    const row = (figure: string) => rows.find((r) => r.section === "storage" && r.figure === figure);
    expect(row("buffer pool hit ratio (lowest node)")?.cells.map((c) => c.value)).toEqual([0.72, 0.68]);
    expect(row("buffer pool hit ratio (lowest node)")?.best).toEqual([0]);
    expect(row("disk reads")?.best).toEqual([0]);
    // Older reports have no storage section: no row.
    expect(compareRuns([{ source: "a", report: always }]).rows.some((r) => r.section === "storage")).toBe(
      false,
    );
  });

  it("compares transactions: committed/s, abort rate, aborts by reason, commit latency", () => {
    const section = (committed: number, conflict: number, validation: number): Report["transactions"] => ({
      committed,
      aborted: conflict + validation,
      unknown: 0,
      committed_per_s: committed / always.sim.measured_duration_s,
      abort_rate: (conflict + validation) / (committed + conflict + validation),
      aborts: validation === 0 ? { conflict } : { conflict, validation },
      retries: 0,
      commit_latency_us: { p50: 3000, p90: 6000, p99: 9000, p999: 12000, max: 20000, mean: 3500 },
      validation_us: null,
      lock_wait_us: null,
      conflict_keys: [],
    });
    const { rows } = compareRuns([
      { source: "snapshot", report: { ...always, transactions: section(8745, 1251, 0) } },
      { source: "serializable", report: { ...always, transactions: section(8709, 1253, 34) } },
    ]);
    const figures = rows.filter((r) => r.section === "transactions").map((r) => r.figure);
    expect(figures).toEqual([
      "committed/s",
      "abort rate",
      "commit latency p99",
      "aborts (conflict)",
      "aborts (validation)",
    ]);
    const row = (figure: string) => rows.find((r) => r.section === "transactions" && r.figure === figure);
    expect(row("aborts (validation)")?.cells.map((c) => c.value)).toEqual([null, 34]);
    expect(row("abort rate")?.best).toEqual([0]);
    // A run without transactions has no such row.
    expect(
      compareRuns([{ source: "a", report: always }]).rows.some((r) => r.section === "transactions"),
    ).toBe(false);
  });

  it("compares caches and connection pools where the runs had them", () => {
    const counts = {
      hits: 0,
      misses: 0,
      hit_ratio: null,
      lease_waits: 0,
      sets: 0,
      sets_refused: 0,
      invalidations: 0,
      writes: 0,
      evictions: 0,
      expired: 0,
      database_reads: 0,
      dirty_lost: 0,
      entries: 0,
    };
    const cached = (hit_ratio: number, dirty_lost: number): Report => ({
      ...always,
      cache: {
        strategy: "write-behind",
        invalidation: "delete",
        leases: false,
        nodes: {},
        total: { ...counts, hit_ratio, dirty_lost },
      },
    });
    const pooled = (refused: number, pool_timeouts: number): Report => ({
      ...always,
      connections: {
        pool_size: 8,
        pool_timeouts,
        nodes: {
          n0: {
            max_connections: 200,
            opened: 8,
            refused,
            open_peak: 8,
            active_peak: 8,
            pool_open: 8,
            pool_waiters_peak: 0,
          },
        },
      },
    });
    const rowsOf = (a: Report, b: Report, section: string) =>
      compareRuns([
        { source: "a", report: a },
        { source: "b", report: b },
      ]).rows.filter((r) => r.section === section);
    const cache = rowsOf(cached(0.9, 206), cached(0.8, 0), "cache");
    expect(cache.map((r) => [r.figure, r.cells.map((c) => c.value), r.best])).toEqual([
      ["hit ratio", [0.9, 0.8], [0]],
      ["sets refused", [0, 0], []],
      ["dirty entries lost", [206, 0], [1]],
    ]);
    const pools = rowsOf(pooled(500, 0), pooled(0, 3), "connections");
    expect(pools.map((r) => [r.figure, r.cells.map((c) => c.value)])).toEqual([
      ["pool timeouts", [0, 3]],
      ["refused (too_many_connections)", [500, 0]],
    ]);
    // Runs without either: no row.
    expect(rowsOf(always, always, "cache").length + rowsOf(always, always, "connections").length).toBe(0);
  });

  it("stars no difference within a run's sampling noise (two seeds of one configuration)", () => {
    // Every latency figure 0.4% higher, 0.1% fewer operations: what another seed gives.
    const scaled = (l: Report["ops"][string]["latency_us"]) =>
      Object.fromEntries(Object.entries(l).map(([k, v]) => [k, Math.round(v * 1.004)])) as typeof l;
    const twin: Report = {
      ...always,
      seed: 4,
      throughput_ops_per_s: always.throughput_ops_per_s * 0.999,
      ops: Object.fromEntries(
        Object.entries(always.ops).map(([name, op]) => [name, { ...op, latency_us: scaled(op.latency_us) }]),
      ),
    };
    const comparison = compareRuns([
      { source: "a", report: always },
      { source: "b", report: twin },
    ]);
    const table = comparisonTable(comparison);
    expect(table).not.toMatch(/\d \*/);
    const p50 = comparison.rows.find((r) => r.section === "latency update" && r.figure === "p50");
    expect(p50?.best).toEqual([0]);
    expect(p50?.withinNoise).toBe(true);
    expect(table).toMatch(/ {2}p90 \(within noise\) +1\.79ms +1\.80ms\n/);
    // The largest latency is one sample: never starred from single runs.
    expect(table).toMatch(/ {2}max \(one sample\) /);
  });

  it("compares throughput as a fraction of the target when the target rates differ", () => {
    const half: Report = {
      ...never,
      config: { ...never.config, workload: { ...never.config.workload, rate: "250/s" } },
      throughput_ops_per_s: never.throughput_ops_per_s / 2,
      ops: { ...never.ops, all: { ...(never.ops.all as Report["ops"][string]), ok: 481 } },
    };
    const comparison = compareRuns([
      { source: "a", report: always },
      { source: "b", report: half },
    ]);
    const row = (figure: string) =>
      comparison.rows.find((r) => r.section === "throughput" && r.figure === figure);
    expect(row("ops/s")).toBeUndefined();
    expect(row("target ops/s")?.cells.map((c) => c.value)).toEqual([500, 250]);
    expect(row("ops/s (targets differ)")).toMatchObject({ better: "none", best: [] });
    expect(row("ops/s / target")?.cells.map((c) => c.value)).toEqual([0.962, 0.962]);
    expect(comparison.rows.find((r) => r.figure === "ok")).toMatchObject({ better: "none", best: [] });
    const table = comparisonTable(comparison);
    expect(table).not.toMatch(/^ {2}(ops\/s|ok).*\*$/m);
    expect(table).toContain(
      "target rates differ: throughput is compared as a fraction of each run's target rate",
    );
  });

  it("takes a load shape's mean offered rate over the measured phase as its target", () => {
    // Measured from 0.5 s for 2 s: 0/s until 1.5 s, then 1000/s: a mean of 500/s, as the single rate.
    const { measured_from_s, measured_duration_s } = never.sim;
    expect([measured_from_s, measured_duration_s]).toEqual([0.5, 2]);
    const stages = [
      { for: "1500ms", rate: "0/s" },
      { for: "1s", rate: "1000/s" },
    ];
    const shaped: Report = {
      ...never,
      config: { ...never.config, workload: { ...never.config.workload, rate: stages } },
    };
    const rows = (other: Report) =>
      compareRuns([
        { source: "a", report: always },
        { source: "b", report: other },
      ]).rows.filter((r) => r.section === "throughput");
    expect(rows(shaped).map((r) => r.figure)).toEqual(["ops/s"]);
    const ramp: Report = {
      ...never,
      config: {
        ...never.config,
        workload: { ...never.config.workload, rate: [{ for: "2500ms", to: "1000/s" }] },
      },
    };
    // A ramp from 0/s to 1000/s over the run: 600/s on average between 0.5 s and 2.5 s.
    expect(
      rows(ramp)
        .find((r) => r.figure === "target ops/s")
        ?.cells.map((c) => c.value),
    ).toEqual([500, 600]);
  });

  it("prints latencies with 3 significant digits, seconds from 1 s", () => {
    expect([254, 1264, 79_500, 999_400, 2_113_500, 12_340_000].map(formatUs)).toEqual([
      "254us",
      "1.26ms",
      "79.5ms",
      "999.4ms",
      "2.11s",
      "12.3s",
    ]);
  });

  it("takes medians across seeds with their range, and flags differences within noise", () => {
    const shifted = (report: Report, us: number): Report => ({
      ...report,
      ops: {
        ...report.ops,
        all: {
          ...(report.ops.all as Report["ops"][string]),
          latency_us: { ...(report.ops.all as Report["ops"][string]).latency_us, p50: us },
        },
      },
    });
    const comparison = compareVariants([
      { label: "A", source: "", reports: [shifted(always, 100), shifted(always, 300), shifted(always, 200)] },
      { label: "B", source: "", reports: [shifted(always, 250), shifted(always, 400), shifted(always, 350)] },
      { label: "C", source: "", reports: [shifted(always, 900), shifted(always, 1000)] },
    ]);
    const p50 = comparison.rows.find((r) => r.section === "latency all" && r.figure === "p50");
    expect(p50?.cells.map((c) => c.value)).toEqual([200, 350, 950]);
    expect(p50?.cells.map((c) => c.range)).toEqual([
      [100, 300],
      [250, 400],
      [900, 1000],
    ]);
    expect(p50?.best).toEqual([0]);
    expect(p50?.withinNoise).toBe(true); // A's 100-300 overlaps B's 250-400
    expect(comparison.columns.map((c) => c.seeds.length)).toEqual([3, 3, 2]);
    // Within noise: the best is not starred.
    expect(comparisonTable(comparison)).toMatch(/ {2}p50 \(within noise\) +200us \(100us–300us\) +350us/);
    expect(comparisonTable(comparison)).not.toMatch(/200us \(100us–300us\) \*/);
  });
});
