import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { BucketHistogram } from "../../../reports/metrics/bucket-histogram.js";

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** Counts `values` as BucketHistogram's owner does: per bucket (value <= bound), then above all. */
function counts(values: number[]): number[] {
  const out = new Array<number>(BUCKETS.length + 1).fill(0);
  for (const v of values) {
    let b = 0;
    while (b < BUCKETS.length && v > (BUCKETS[b] as number)) b++;
    out[b] = (out[b] as number) + 1;
  }
  return out;
}

describe("BucketHistogram", () => {
  const observations: Record<string, number[]> = {
    read: [0.0005, 0.001, 0.002, 0.05, 0.5, 3],
    update: [0.02, 0.02, 2],
  };

  function both() {
    const reference = new Registry();
    const ours = new Registry();
    const real = new Histogram({
      name: "x_seconds",
      help: "h",
      labelNames: ["op"],
      buckets: BUCKETS,
      registers: [reference],
    });
    for (const [op, values] of Object.entries(observations)) for (const v of values) real.observe({ op }, v);
    new BucketHistogram(
      { name: "x_seconds", help: "h", labelNames: ["op"], buckets: BUCKETS, registers: [ours] },
      () =>
        Object.entries(observations).map(([op, values]) => ({
          labels: { op },
          counts: counts(values),
          sum: values.reduce((a, b) => a + b, 0),
        })),
    );
    for (const registry of [reference, ours]) registry.setDefaultLabels({ run: "r/seed-1" });
    return { reference, ours };
  }

  it("reads exactly like a prom-client Histogram fed the same values (JSON)", async () => {
    const { reference, ours } = both();
    expect(await ours.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
  });

  it("renders exactly like it (Registry.metrics())", async () => {
    const { reference, ours } = both();
    expect(await ours.metrics()).toBe(await reference.metrics());
  });

  it("refuses bucket counts of the wrong length", async () => {
    const registry = new Registry();
    new BucketHistogram(
      { name: "y_seconds", help: "h", labelNames: [], buckets: BUCKETS, registers: [registry] },
      () => [{ labels: {}, counts: [1, 2], sum: 1 }],
    );
    await expect(registry.getMetricsAsJSON()).rejects.toThrow(/expected 5 bucket counts/);
  });
});
