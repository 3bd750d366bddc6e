// Goodness-of-fit helpers for the YCSB generator tests.

/** Upper 0.001 quantile of the standard normal. */
const Z_0_001 = 3.090232306167813;

/** Critical value of χ² with `df` degrees of freedom at p = 0.001 (Wilson–Hilferty approximation). */
export function chiSquareCritical(df: number): number {
  const v = 2 / (9 * df);
  return df * (1 - v + Z_0_001 * Math.sqrt(v)) ** 3;
}

export interface ChiSquareResult {
  statistic: number;
  df: number;
  critical: number;
  bins: number;
}

/**
 * Pearson's χ² of observed counts against expected probabilities (which must sum to 1 over the
 * bins given). Bins whose expected count is below `minExpected` are pooled into one bin.
 */
export function chiSquare(
  observed: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  minExpected = 5,
): ChiSquareResult {
  if (observed.length !== probabilities.length) throw new Error("observed and expected differ in length");
  let total = 0;
  for (let i = 0; i < observed.length; i++) total += observed[i] as number;
  let statistic = 0;
  let bins = 0;
  let pooledObserved = 0;
  let pooledExpected = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = (probabilities[i] as number) * total;
    const o = observed[i] as number;
    if (expected < minExpected) {
      pooledObserved += o;
      pooledExpected += expected;
      continue;
    }
    statistic += (o - expected) ** 2 / expected;
    bins++;
  }
  if (pooledExpected > 0) {
    statistic += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
    bins++;
  } else if (pooledObserved > 0) {
    statistic = Number.POSITIVE_INFINITY; // counts where none were expected
  }
  const df = bins - 1;
  return { statistic, df, critical: chiSquareCritical(df), bins };
}

/** Counts of the values of `draw()` over `samples` draws, for values in [0, size). */
export function histogram(size: number, samples: number, draw: () => number): Float64Array {
  const counts = new Float64Array(size);
  for (let i = 0; i < samples; i++) {
    const v = draw();
    if (!(v >= 0 && v < size && Number.isInteger(v))) throw new Error(`value ${v} outside [0, ${size})`);
    counts[v] = (counts[v] as number) + 1;
  }
  return counts;
}

/**
 * Exact pmf of Gray et al.'s method as YCSB implements it (ZipfianGenerator.nextLong) over n items
 * with zeta `zetan` and eta computed from `etaItems` items: P(0) = 1/zetan, P(1) = 0.5^θ/zetan, and
 * for k >= 2 the measure of the u in [0, 1) for which floor(n (eta u - eta + 1)^(1/(1-θ))) = k.
 * Entries 0 .. size-1.
 */
export function grayPmf(n: number, theta: number, zetan: number, size = n, etaItems = n): Float64Array {
  const zeta2 = 1 + 0.5 ** theta;
  const eta = (1 - (2 / etaItems) ** (1 - theta)) / (1 - zeta2 / zetan);
  const u0 = zeta2 / zetan;
  const lower = (k: number) => Math.min(1, Math.max(u0, ((k / n) ** (1 - theta) - 1 + eta) / eta));
  const pmf = new Float64Array(size);
  pmf[0] = 1 / zetan;
  if (size > 1) pmf[1] = 0.5 ** theta / zetan;
  for (let k = 2; k < size; k++) pmf[k] = Math.max(0, lower(k + 1) - lower(k));
  return pmf;
}

/** The ideal zipf pmf over n items: 1/(i+1)^θ / ζ(n, θ). */
export function zipfPmf(n: number, theta: number): Float64Array {
  const pmf = new Float64Array(n);
  let zeta = 0;
  for (let i = 0; i < n; i++) {
    pmf[i] = 1 / (i + 1) ** theta;
    zeta += pmf[i] as number;
  }
  for (let i = 0; i < n; i++) pmf[i] = (pmf[i] as number) / zeta;
  return pmf;
}

/** |observed - expected| in standard deviations of a binomial(total, p). */
export function binomialZ(observed: number, total: number, p: number): number {
  return Math.abs(observed - total * p) / Math.sqrt(total * p * (1 - p));
}
