// Latency models for network links: each turns a seeded stream into a delay in integer µs.

import type { Rng } from "./rng.js";

export type LatencySpec =
  | { readonly dist: "constant"; readonly value_us: number }
  | { readonly dist: "uniform"; readonly min_us: number; readonly max_us: number }
  | { readonly dist: "exponential"; readonly mean_us: number }
  | { readonly dist: "normal"; readonly mean_us: number; readonly stddev_us: number }
  | { readonly dist: "lognormal"; readonly median_us: number; readonly p99_us: number }
  | { readonly dist: "pareto"; readonly scale_us: number; readonly shape: number };

export const LATENCY_DISTS: readonly LatencySpec["dist"][] = [
  "constant",
  "uniform",
  "exponential",
  "normal",
  "lognormal",
  "pareto",
];

/** z such that P(Z < z) = 0.99 for a standard normal Z. */
const Z_99 = 2.3263478740408408;

/** Upper bound on one sampled delay: one virtual hour. Keeps a heavy tail from overflowing time. */
export const LATENCY_US_MAX = 3_600_000_000;

export type LatencySampler = (rng: Rng) => number;

function clamp_us(value: number): number {
  if (!(value > 0)) return 0;
  return value >= LATENCY_US_MAX ? LATENCY_US_MAX : Math.round(value);
}

/** Builds a sampler for a spec; validates parameters (throws RangeError naming the parameter). */
export function latencySampler(spec: LatencySpec): LatencySampler {
  switch (spec.dist) {
    case "constant": {
      requireNonNegative("value_us", spec.value_us);
      const value = clamp_us(spec.value_us);
      return () => value;
    }
    case "uniform": {
      requireNonNegative("min_us", spec.min_us);
      if (!(spec.max_us >= spec.min_us)) throw new RangeError("uniform latency: max must be >= min");
      const { min_us, max_us } = spec;
      return (rng) => clamp_us(min_us + rng.float() * (max_us - min_us));
    }
    case "exponential": {
      requirePositive("mean_us", spec.mean_us);
      const mean = spec.mean_us;
      return (rng) => clamp_us(rng.exponential(mean));
    }
    case "normal": {
      requireNonNegative("mean_us", spec.mean_us);
      requireNonNegative("stddev_us", spec.stddev_us);
      const { mean_us, stddev_us } = spec;
      return (rng) => clamp_us(mean_us + stddev_us * rng.normal()); // truncated at 0
    }
    case "lognormal": {
      requirePositive("median_us", spec.median_us);
      if (!(spec.p99_us >= spec.median_us)) throw new RangeError("lognormal latency: p99 must be >= median");
      const mu = Math.log(spec.median_us);
      const sigma = (Math.log(spec.p99_us) - mu) / Z_99;
      return (rng) => clamp_us(Math.exp(mu + sigma * rng.normal()));
    }
    case "pareto": {
      requirePositive("scale_us", spec.scale_us);
      requirePositive("shape", spec.shape);
      const { scale_us, shape } = spec;
      const inverseShape = 1 / shape;
      return (rng) => clamp_us(scale_us / (1 - rng.float()) ** inverseShape);
    }
  }
}

/** The median of a spec's delays, in µs (not clamped): what "typically" means when comparing links. */
export function medianDelayUs(spec: LatencySpec): number {
  switch (spec.dist) {
    case "constant":
      return spec.value_us;
    case "uniform":
      return (spec.min_us + spec.max_us) / 2;
    case "exponential":
      return spec.mean_us * Math.LN2;
    case "normal":
      return spec.mean_us;
    case "lognormal":
      return spec.median_us;
    case "pareto":
      return spec.scale_us * 2 ** (1 / spec.shape);
  }
}

function requirePositive(name: string, value: number): void {
  if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`${name} must be > 0, got ${value}`);
}

function requireNonNegative(name: string, value: number): void {
  if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`${name} must be >= 0, got ${value}`);
}
