import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LatencyRecorder, spectrum, summarize } from "../../reports/latency.js";
import type { CompletedOperation } from "../../workloads/observer.js";
import { completedOperation } from "./completed-operation.js";

function op(fields: Partial<CompletedOperation>): CompletedOperation {
  return completedOperation({ op: "update", ...fields });
}

function recorded(latencies: number[]): LatencyRecorder {
  const recorder = new LatencyRecorder();
  for (const latency_us of latencies) recorder.onOperation(op({ latency_us }));
  return recorder;
}

describe("latency summary", () => {
  it("never puts a percentile above the exact maximum (HDR rounds a bucket up)", () => {
    // 79,500 µs lies in an HDR bucket whose highest equivalent value is 79,551 µs.
    const summary = recorded([1000, 2000, 79_500]).all.latencySummary();
    expect(summary.max).toBe(79_500);
    expect(summary.p999).toBe(79_500);
    expect(summary.p99).toBe(79_500);
  });

  it("counts the operations that waited for no disk read in the disk time's percentiles", () => {
    const recorder = new LatencyRecorder();
    for (const disk_us of [0, 0, 0, 0, 0, 0, 0, 0, 1000, 3000]) recorder.onOperation(op({ disk_us }));
    const disk = recorder.all.disk;
    expect(disk.totalCount).toBe(10);
    expect(summarize(disk, recorder.all.diskSum_us, disk.maxValue)).toMatchObject({
      p50: 0,
      p90: 1000,
      max: 3000,
      mean: 400,
    });
  });

  it("keeps every percentile and spectrum point at or below the maximum", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50_000_000 }), { minLength: 1, maxLength: 300 }),
        (values) => {
          const stats = recorded(values).all;
          const s = stats.latencySummary();
          const max = Math.max(...values);
          expect(s.max).toBe(max);
          for (const p of [s.p50, s.p90, s.p99, s.p999]) expect(p).toBeLessThanOrEqual(max);
          expect([s.p50, s.p90, s.p99, s.p999, s.max]).toEqual(
            [s.p50, s.p90, s.p99, s.p999, s.max].sort((a, b) => a - b),
          );
          for (const [, value] of spectrum(stats.latency)) expect(value).toBeLessThanOrEqual(max);
        },
      ),
      { seed: 13, numRuns: 200 },
    );
  });
});
