import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type BaselineSide,
  baselineTable,
  compareBaseline,
  seedFigures,
  seedNoise,
} from "../../reports/baseline.js";
import type { Report } from "../../reports/report-schema.js";

const report = JSON.parse(readFileSync("test/fixtures/reports/fsync-always.json", "utf8")) as Report;

/** A side of the given seeds, each with these figures. */
function side(...seeds: Record<string, number | null>[]): BaselineSide {
  return { sources: ["x"], seeds: seeds.map((figures, i) => ({ seed: i + 1, figures })) };
}

describe("seedFigures", () => {
  it("is throughput, then per operation its latency statistics (no max) and error rate", () => {
    const figures = seedFigures(report);
    expect(Object.keys(figures).slice(0, 8)).toEqual([
      "throughput",
      "read.p50",
      "read.p90",
      "read.p99",
      "read.p999",
      "read.mean",
      "read.error_rate",
      "update.p50",
    ]);
    expect(figures.throughput).toBe(report.throughput_ops_per_s);
    expect(figures["update.p99"]).toBe(report.ops.update?.latency_us.p99);
    expect(figures["all.error_rate"]).toBe(0);
  });

  it("has a sampling interval for each figure of one run", () => {
    const noise = seedNoise(report);
    const p99 = report.ops.update?.latency_us.p99 as number;
    const [low, high] = noise.get("update.p99") as [number, number];
    expect(low).toBeLessThan(p99);
    expect(high).toBeGreaterThan(p99);
    expect(noise.get("all.error_rate")?.[0]).toBe(0);
  });
});

describe("compareBaseline", () => {
  const base = side(
    { throughput: 1000, "read.p99": 100 },
    { throughput: 990, "read.p99": 110 },
    { throughput: 1010, "read.p99": 105 },
  );

  it("calls a candidate within the baseline's range and the tolerance noise", () => {
    const comparison = compareBaseline(base, side({ throughput: 950, "read.p99": 115 }), 0.05);
    expect(comparison.rows.map((row) => row.verdict)).toEqual(["within noise", "within noise"]);
    expect(comparison.regressed).toEqual([]);
    expect(comparison.rows[1]).toMatchObject({
      figure: "read.p99",
      better: "lower",
      unit: "us",
      baseline: { median: 105, range: [100, 110], seeds: 3 },
      candidate: { median: 115, seeds: 1 },
    });
  });

  it("calls a candidate worse than the worst seed by more than the tolerance a regression", () => {
    // read.p99 above 110 x 1.05 = 115.5; throughput below 990 x 0.95 = 940.5.
    const comparison = compareBaseline(base, side({ throughput: 940, "read.p99": 116 }), 0.05);
    expect(comparison.regressed).toEqual(["throughput", "read.p99"]);
    expect(compareBaseline(base, side({ throughput: 940, "read.p99": 116 }), 0.1).regressed).toEqual([]);
  });

  it("compares the candidate's median over its seeds, and calls beyond the best bound an improvement", () => {
    const candidate = side({ "read.p99": 90 }, { "read.p99": 200 }, { "read.p99": 94 });
    const [row] = compareBaseline(base, candidate, 0.05).rows;
    expect(row).toMatchObject({
      figure: "read.p99",
      candidate: { median: 94, seeds: 3 },
      verdict: "improved",
    });
  });

  it("uses one run's own sampling interval when the baseline is one seed", () => {
    const one: BaselineSide = { ...side({ "read.p99": 100 }), noise: new Map([["read.p99", [80, 130]]]) };
    expect(compareBaseline(one, side({ "read.p99": 135 }), 0.05).regressed).toEqual([]);
    expect(compareBaseline(one, side({ "read.p99": 137 }), 0.05).regressed).toEqual(["read.p99"]);
    // Without one (a sweep's seed), its printed precision.
    expect(compareBaseline(side({ "read.p99": 100 }), side({ "read.p99": 106 }), 0.05).regressed).toEqual([
      "read.p99",
    ]);
  });

  it("leaves out figures of one side only, and seeds without a value", () => {
    const comparison = compareBaseline(
      side({ "read.p99": 100, "scan.p99": 5 }, { "read.p99": null }),
      side({ "read.p99": 100, "insert.p99": 7 }),
      0.05,
    );
    expect(comparison.rows.map((row) => row.figure)).toEqual(["read.p99"]);
    expect(comparison.rows[0]?.baseline.seeds).toBe(1);
    expect(comparison.unmatched).toEqual(["scan.p99", "insert.p99"]);
  });

  it("prints a table with each figure's median, range, change and verdict", () => {
    const text = baselineTable(compareBaseline(base, side({ throughput: 940, "read.p99": 116 }), 0.05));
    expect(text).toContain("baseline: x (3 seeds: 1, 2, 3); candidate: x (1 seed: 1)");
    expect(text).toMatch(/read\.p99\s+105us\s+100us–110us\s+116us\s+\+10\.5%\s+regressed/);
    expect(text).toContain(
      "regressed beyond the baseline's range and the 5% tolerance: throughput, read.p99",
    );
  });
});
