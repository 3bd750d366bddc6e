// Least squares for the cost model: each template's median latency measured on the real database
// (at a low rate: its own time) against what dbsim's model charges it (requests, pages, rows,
// synced writes), solved by
// ml-regression-multivariate-linear (normal equations through an SVD pseudo-inverse) with every
// parameter kept non-negative: a parameter that comes out negative is fixed at 0 and the others
// refit (an active set; the model has few enough parameters to drop one at a time). The errors are
// relative: each template's equation is divided by its measured time, so a slow template does not
// outweigh fast ones, and what is minimized is what the percentage errors of the report measure.

import MLR from "ml-regression-multivariate-linear";

export interface Observation {
  /** What the model charges the template per operation, one number per parameter (same order). */
  readonly x: readonly number[];
  /** What was measured (µs). */
  readonly y: number;
}

/**
 * The non-negative least-squares coefficients of `observations` (one per parameter). A parameter
 * whose column is all zero is not identifiable: null. `fixed`: parameters held at a given value
 * (their part is taken off y first); the rest are fitted.
 */
export function fitNonNegative(
  observations: readonly Observation[],
  fixed: ReadonlyMap<number, number> = new Map(),
): (number | null)[] {
  const k = observations[0]?.x.length ?? 0;
  const coefficients: (number | null)[] = Array.from({ length: k }, (_, j) => fixed.get(j) ?? null);
  const y = observations.map(
    (o) => o.y - [...fixed].reduce((sum, [j, value]) => sum + value * (o.x[j] ?? 0), 0),
  );
  const weight = observations.map((o) => 1 / Math.max(o.y, 1));
  let active = Array.from({ length: k }, (_, j) => j).filter(
    (j) => !fixed.has(j) && observations.some((o) => (o.x[j] ?? 0) !== 0),
  );
  for (const j of active) coefficients[j] = 0;
  while (active.length > 0) {
    const x = observations.map((o, i) => active.map((j) => (o.x[j] ?? 0) * (weight[i] as number)));
    const regression = new MLR(
      x,
      y.map((v, i) => [v * (weight[i] as number)]),
      { intercept: false, statistics: false },
    );
    const weights = regression.weights.map((row) => row[0] as number);
    const worst = weights.reduce((w, value, i) => (value < (weights[w] as number) ? i : w), 0);
    if ((weights[worst] as number) >= 0) {
      active.forEach((j, i) => {
        coefficients[j] = weights[i] as number;
      });
      return coefficients;
    }
    coefficients[active[worst] as number] = 0;
    active = active.filter((_, i) => i !== worst);
  }
  return coefficients;
}
