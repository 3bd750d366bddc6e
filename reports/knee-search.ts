// The knee's search over offered rates: the highest whole rate (ops/s) at which a probe meets the
// SLO. It brackets the knee by doubling up from a rate that meets it (or halving down from one that
// breaches it), then bisects the bracket until it is within the precision. It assumes that meeting
// the SLO is monotone in the rate (met below the knee, breached above); the probe decides, the
// search only chooses the next rate, so the same probe outcomes always give the same rates.

export interface KneeBounds {
  /** The first rate probed. */
  readonly start_ops_per_s: number;
  /** The lowest rate the search goes down to. */
  readonly floor_ops_per_s: number;
  /** The highest rate it goes up to. */
  readonly cap_ops_per_s: number;
  /** The bisection stops when breached - met <= max(1, precision x met). */
  readonly precision: number;
}

export interface KneeSearch {
  /** The highest rate probed that met the SLO; null when even the floor breached it. */
  readonly knee_ops_per_s: number | null;
  /** The lowest rate probed that breached it; null when the cap met it. */
  readonly breach_ops_per_s: number | null;
}

/** Searches with `meets` (called once per rate, one rate at a time, in the order of the search). */
export async function searchKnee(
  bounds: KneeBounds,
  meets: (rate_ops_per_s: number) => Promise<boolean>,
): Promise<KneeSearch> {
  const { floor_ops_per_s: floor, cap_ops_per_s: cap } = bounds;
  let met: number | null = null;
  let breached: number | null = null;
  let rate = Math.min(Math.max(bounds.start_ops_per_s, floor), cap);
  for (;;) {
    if (await meets(rate)) {
      met = rate;
      if (breached !== null || rate >= cap) break;
      rate = Math.min(rate * 2, cap);
    } else {
      breached = rate;
      if (met !== null || rate <= floor) break;
      rate = Math.max(Math.floor(rate / 2), floor);
    }
  }
  if (met === null || breached === null) return { knee_ops_per_s: met, breach_ops_per_s: breached };
  return bisect(met, breached, bounds.precision, meets);
}

/** Narrows [met, breached] to within the precision, probing its middle. */
async function bisect(
  met: number,
  breached: number,
  precision: number,
  meets: (rate_ops_per_s: number) => Promise<boolean>,
): Promise<KneeSearch> {
  let low = met;
  let high = breached;
  while (high - low > Math.max(1, precision * low)) {
    const middle = low + Math.floor((high - low) / 2);
    if (await meets(middle)) low = middle;
    else high = middle;
  }
  return { knee_ops_per_s: low, breach_ops_per_s: high };
}
