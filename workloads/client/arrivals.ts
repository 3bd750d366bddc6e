// The open-loop arrival schedule both drivers follow (the simulated one in virtual time, the real one
// in wall-clock time): a target rate over the run's time, constant or in stages (steps and linear
// ramps), and the arrivals drawn from it with the stream `arrivals`.
//
// A piecewise-linear rate makes a non-homogeneous process, drawn by time-rescaling: each gap is a
// unit-rate gap (exponential for poisson, 1 for constant), counted in expected arrivals, and is mapped
// through the inverse of the cumulative rate, stage by stage in closed form (linear in a step,
// quadratic in a ramp), from the latest arrival on. So an arrival costs O(1) however long the run is,
// and a constant rate adds exactly `gap x (1e6 / rate)` µs to the exact (unrounded) clock: the
// schedule a single rate always had.

import type { Rng } from "../../sim/rng.js";

/** A stage of the rate: from `from_per_s` to `to_per_s` linearly over `for_us` (equal: a step). */
export interface RateStage {
  readonly for_us: number;
  readonly from_per_s: number;
  readonly to_per_s: number;
}

/** The open loop's target rate over the run's time. */
export interface RateShape {
  /** In order from time 0 (the warmup included). */
  readonly stages: readonly RateStage[];
  /** The rate after the last stage, held to the end of the run. */
  readonly after_per_s: number;
}

export function constantRate(per_s: number): RateShape {
  return { stages: [], after_per_s: per_s };
}

/**
 * The stages, then the rate after them for ever. Adjacent steps at one rate are one segment, so a
 * rate held over stages draws exactly what the single rate draws (no boundary to cross).
 */
function segmentsOf(shape: RateShape): RateStage[] {
  const after = {
    for_us: Number.POSITIVE_INFINITY,
    from_per_s: shape.after_per_s,
    to_per_s: shape.after_per_s,
  };
  const segments: RateStage[] = [];
  for (const stage of [...shape.stages, after]) {
    const last = segments[segments.length - 1];
    if (last !== undefined && isStep(last) && isStep(stage) && last.to_per_s === stage.from_per_s) {
      segments[segments.length - 1] = { ...last, for_us: last.for_us + stage.for_us };
    } else segments.push(stage);
  }
  return segments;
}

function isStep(stage: RateStage): boolean {
  return stage.from_per_s === stage.to_per_s;
}

/** The stage's rate `into_us` after its start. */
function rateWithin(stage: RateStage, into_us: number): number {
  if (isStep(stage)) return stage.from_per_s;
  return stage.from_per_s + ((stage.to_per_s - stage.from_per_s) * into_us) / stage.for_us;
}

/** The operations the rate offers in [from_us, to_us): its integral. */
export function expectedArrivals(shape: RateShape, from_us: number, to_us: number): number {
  let total = 0;
  let start_us = 0;
  for (const stage of segmentsOf(shape)) {
    const end_us = start_us + stage.for_us;
    const a_us = Math.max(from_us, start_us);
    const b_us = Math.min(to_us, end_us);
    if (b_us > a_us) {
      const mean_per_s = (rateWithin(stage, a_us - start_us) + rateWithin(stage, b_us - start_us)) / 2;
      total += (mean_per_s * (b_us - a_us)) / 1e6;
    }
    if (end_us >= to_us) break;
    start_us = end_us;
  }
  return total;
}

/** The mean rate in [from_us, to_us), ops/s. */
export function meanRatePerS(shape: RateShape, from_us: number, to_us: number): number {
  return to_us > from_us ? expectedArrivals(shape, from_us, to_us) / ((to_us - from_us) / 1e6) : 0;
}

/** The intended starts of a run's open-loop operations, in order. */
export class ArrivalSchedule {
  private readonly segments: readonly RateStage[];
  private readonly poisson: boolean;
  private readonly rng: Rng;
  private segment = 0;
  private segmentStart_us = 0;
  /** Exact (unrounded) time of the latest arrival, so a constant rate does not drift by rounding. */
  private clock_us = 0;

  constructor(shape: RateShape, arrival: "poisson" | "constant", rng: Rng) {
    this.segments = segmentsOf(shape);
    this.poisson = arrival === "poisson";
    this.rng = rng;
  }

  /** The next arrival's intended start in whole µs from the run's start; Infinity: none ever again. */
  next_us(): number {
    // Expected arrivals until the next one: a unit-rate gap.
    let gap = this.poisson ? this.rng.exponential(1) : 1;
    for (;;) {
      const stage = this.segments[this.segment] as RateStage;
      const t_us = this.clock_us;
      const end_us = this.segmentStart_us + stage.for_us;
      let offered: number;
      if (isStep(stage)) {
        const rate = stage.from_per_s;
        if (rate === 0 && end_us === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
        if (rate > 0) {
          const at_us = t_us + gap * (1e6 / rate);
          if (at_us < end_us) return this.arrive(at_us);
        }
        offered = ((end_us - t_us) * rate) / 1e6;
      } else {
        // Rate per µs now and at the stage's end; ∫ from t to t + d = rate·d + slope·d²/2 = gap.
        const rate = Math.max(0, rateWithin(stage, t_us - this.segmentStart_us)) / 1e6;
        const endRate = stage.to_per_s / 1e6;
        offered = ((rate + endRate) * (end_us - t_us)) / 2;
        if (gap < offered) {
          const slope = (endRate - stage.from_per_s / 1e6) / stage.for_us;
          const root = Math.sqrt(Math.max(0, rate * rate + 2 * slope * gap));
          // The stable form of (-rate + root) / slope, for either sign of the slope.
          const d_us = gap === 0 ? 0 : (2 * gap) / (rate + root);
          return this.arrive(Math.min(t_us + d_us, end_us));
        }
      }
      gap -= offered;
      this.clock_us = end_us;
      this.segmentStart_us = end_us;
      this.segment++;
    }
  }

  private arrive(at_us: number): number {
    this.clock_us = at_us;
    return Math.round(at_us);
  }
}
