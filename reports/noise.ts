// How far a single run's figure could move by chance: a 95% interval from the run's own samples,
// which `dbsim compare` uses to star only differences beyond noise (a matrix uses the seeds' range).
//
// - A latency percentile: the distribution-free interval of a quantile. Of n samples, the rank of
//   the p-quantile varies by sqrt(n p (1 - p)); the ranks n p +- 1.96 of that (and one more for
//   rounding) are read back as latencies from the operation's percentile spectrum, interpolated on
//   its log-log axes. Past the largest sample the interval is open.
// - The maximum is one sample: its interval is open above, so a maximum alone is never starred.
// - A mean: +- 1.96 standard errors, the spread estimated from the spectrum.
// - Counts of events (operations, failures, lost writes): +- 1.96 sqrt(count), plus one.
// - Anything else: its printed precision, 3 significant digits (values that print alike are equal).
// Samples of a queueing system are not independent, so these intervals are narrow rather than wide:
// what they call noise surely is; a difference they call real may still be the seed's luck, which
// only several seeds (`dbsim matrix`) measure.

import type { OpReport } from "./report-schema.js";

/** [low, high]; high is Infinity when nothing bounds it. */
export type Interval = [number, number];

const Z95 = 1.96;
/** Half of the last printed digit at 3 significant digits, at worst (a leading 1). */
const PRINTED_PRECISION = 0.005;

/** The interval values that print alike fall in. */
export function precisionInterval(value: number): Interval {
  const spread = Math.abs(value) * PRINTED_PRECISION;
  return [value - spread, value + spread];
}

/** A count of independent events: Poisson's spread. */
export function countInterval(count: number): Interval {
  const spread = Z95 * Math.sqrt(count) + 1;
  return [Math.max(0, count - spread), count + spread];
}

/** A rate of `count` events over `seconds`. */
export function rateInterval(count: number, seconds: number): Interval {
  const [low, high] = countInterval(count);
  return [low / seconds, high / seconds];
}

/** The interval of the operation's p-th latency percentile (0 < p < 100), `value` being the reported one. */
export function percentileInterval(op: OpReport, p: number, value: number): Interval {
  const n = op.ok;
  if (n === 0 || op.spectrum.length === 0) return precisionInterval(value);
  const q = p / 100;
  const spread = Z95 * Math.sqrt(n * q * (1 - q)) + 1;
  const lowRank = n * q - spread;
  const highRank = n * q + spread;
  const low = lowRank <= 0 ? 0 : latencyAt(op, (100 * lowRank) / n);
  const high = highRank >= n ? Number.POSITIVE_INFINITY : latencyAt(op, (100 * highRank) / n);
  return widen([Math.min(low, value), Math.max(high, value)]);
}

/** The maximum: one sample, nothing bounds it from above. */
export function maxInterval(value: number): Interval {
  return [value, Number.POSITIVE_INFINITY];
}

/** The interval of the operation's mean latency. */
export function meanInterval(op: OpReport, mean: number): Interval {
  const n = op.ok;
  const points = op.spectrum;
  if (n < 2 || points.length < 2) return precisionInterval(mean);
  // The spectrum as a distribution: each step's share of samples at the middle of its latencies.
  let first = 0;
  let second = 0;
  for (let i = 1; i < points.length; i++) {
    const [p0, v0] = points[i - 1] as [number, number];
    const [p1, v1] = points[i] as [number, number];
    const share = (p1 - p0) / 100;
    const middle = (v0 + v1) / 2;
    first += share * middle;
    second += share * middle * middle;
  }
  const spread = (Z95 * Math.sqrt(Math.max(0, second - first * first))) / Math.sqrt(n);
  return widen([mean - spread, mean + spread]);
}

/** True when the two intervals share a point. */
export function overlap(a: Interval, b: Interval): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}

/** At least the printed precision around each end. */
function widen([low, high]: Interval): Interval {
  return [precisionInterval(low)[0], high === Number.POSITIVE_INFINITY ? high : precisionInterval(high)[1]];
}

/**
 * The latency at percentile p of an operation's spectrum, interpolated between its points on
 * HdrHistogram's axes (log latency over log 1/(1 - p)); the maximum sits at x = n, as the plots draw it.
 */
function latencyAt(op: OpReport, p: number): number {
  const axis = (percentile: number) => (percentile >= 100 ? op.ok : 1 / (1 - percentile / 100));
  const x = Math.log(axis(p));
  let before = op.spectrum[0] as [number, number];
  for (const point of op.spectrum) {
    const [px, value] = [Math.log(axis(point[0])), point[1]];
    if (px >= x) {
      const bx = Math.log(axis(before[0]));
      if (px <= bx) return value;
      const [low, high] = [Math.log(Math.max(1, before[1])), Math.log(Math.max(1, value))];
      return Math.exp(low + ((high - low) * (x - bx)) / (px - bx));
    }
    before = point;
  }
  return before[1];
}
