import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { columnLabels, compareRuns, compareVariants, comparisonTable } from "../../reports/compare.js";
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
  });
});
