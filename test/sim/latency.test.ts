import { describe, expect, it } from "vitest";
import { type LatencySpec, latencySampler } from "../../sim/latency.js";
import { Rng } from "../../sim/rng.js";

function samples(spec: LatencySpec, n = 100_000): number[] {
  const sample = latencySampler(spec);
  const rng = Rng.fromSeed(3);
  return Array.from({ length: n }, () => sample(rng)).sort((a, b) => a - b);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe("latency models", () => {
  it("gives integer microseconds >= 0", () => {
    for (const s of samples({ dist: "normal", mean_us: 10, stddev_us: 50 }, 10_000)) {
      expect(Number.isInteger(s) && s >= 0).toBe(true);
    }
  });

  it("constant", () => {
    expect(new Set(samples({ dist: "constant", value_us: 250 }, 100))).toEqual(new Set([250]));
  });

  it("uniform covers [min, max] evenly", () => {
    const s = samples({ dist: "uniform", min_us: 100, max_us: 300 });
    expect(s[0]).toBeGreaterThanOrEqual(100);
    expect(s.at(-1)).toBeLessThanOrEqual(300);
    expect(Math.abs(quantile(s, 0.5) - 200)).toBeLessThan(3);
  });

  it("exponential has its mean", () => {
    expect(Math.abs(mean(samples({ dist: "exponential", mean_us: 1000 })) - 1000)).toBeLessThan(15);
  });

  it("normal has its mean and spread", () => {
    const s = samples({ dist: "normal", mean_us: 1000, stddev_us: 100 });
    expect(Math.abs(mean(s) - 1000)).toBeLessThan(2);
    expect(Math.abs(quantile(s, 0.8413) - 1100)).toBeLessThan(4);
  });

  it("lognormal is fitted to its median and p99", () => {
    const s = samples({ dist: "lognormal", median_us: 500, p99_us: 5000 });
    expect(Math.abs(quantile(s, 0.5) - 500) / 500).toBeLessThan(0.02);
    expect(Math.abs(quantile(s, 0.99) - 5000) / 5000).toBeLessThan(0.05);
  });

  it("pareto has its scale as minimum and its tail index", () => {
    const s = samples({ dist: "pareto", scale_us: 100, shape: 2 });
    expect(s[0]).toBeGreaterThanOrEqual(100);
    // P(X > x) = (scale / x)^shape: the median is scale * 2^(1/shape).
    expect(Math.abs(quantile(s, 0.5) - 100 * Math.SQRT2)).toBeLessThan(2);
  });

  it("rejects impossible parameters", () => {
    expect(() => latencySampler({ dist: "uniform", min_us: 5, max_us: 1 })).toThrow(/max must be >= min/);
    expect(() => latencySampler({ dist: "lognormal", median_us: 5, p99_us: 1 })).toThrow(/p99/);
    expect(() => latencySampler({ dist: "exponential", mean_us: 0 })).toThrow(/mean_us/);
    expect(() => latencySampler({ dist: "pareto", scale_us: 1, shape: -1 })).toThrow(/shape/);
  });
});
