// The open-loop arrival schedule (workloads/client/arrivals.ts): a single rate draws exactly the
// schedule it always drew, stages follow their integral, ramps space arrivals monotonically.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/rng.js";
import {
  ArrivalSchedule,
  constantRate,
  expectedArrivals,
  meanRatePerS,
  type RateShape,
  type RateStage,
} from "../../../workloads/client/arrivals.js";

type Arrival = "poisson" | "constant";

/** The intended starts before end_us, from the stream `arrivals` of `seed`. */
function arrivals(shape: RateShape, arrival: Arrival, end_us: number, seed = 1): number[] {
  const schedule = new ArrivalSchedule(shape, arrival, Rng.fromSeed(seed).split("arrivals"));
  const times: number[] = [];
  for (let at_us = schedule.next_us(); at_us < end_us; at_us = schedule.next_us()) times.push(at_us);
  return times;
}

/** The drivers' schedule before load shapes, for a single rate: gaps added to an unrounded clock. */
function singleRateArrivals(rate_per_s: number, arrival: Arrival, end_us: number, seed = 1): number[] {
  const rng = Rng.fromSeed(seed).split("arrivals");
  const times: number[] = [];
  let clock_us = 0;
  for (;;) {
    clock_us += arrival === "poisson" ? rng.exponential(1e6 / rate_per_s) : 1e6 / rate_per_s;
    const at_us = Math.round(clock_us);
    if (at_us >= end_us) return times;
    times.push(at_us);
  }
}

const count = (times: readonly number[], from_us: number, to_us: number) =>
  times.filter((t) => t >= from_us && t < to_us).length;

const stageArbitrary: fc.Arbitrary<RateStage> = fc.record({
  for_us: fc.integer({ min: 1, max: 3_000_000 }),
  from_per_s: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000 })),
  to_per_s: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000 })),
});

describe("the arrival schedule", () => {
  it("draws a single rate exactly as the drivers always did", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 1_000_000, noNaN: true }),
        fc.constantFrom<Arrival>("poisson", "constant"),
        fc.integer({ min: 1, max: 1000 }),
        (rate, arrival, seed) => {
          const end_us = Math.min(5_000_000, Math.ceil(2e10 / rate));
          expect(arrivals(constantRate(rate), arrival, end_us, seed)).toEqual(
            singleRateArrivals(rate, arrival, end_us, seed),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("draws a rate held over stages exactly as the single rate", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.array(fc.integer({ min: 1, max: 2_000_000 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom<Arrival>("poisson", "constant"),
        (rate, lengths, arrival) => {
          const shape: RateShape = {
            stages: lengths.map((for_us) => ({ for_us, from_per_s: rate, to_per_s: rate })),
            after_per_s: rate,
          };
          expect(arrivals(shape, arrival, 3_000_000)).toEqual(singleRateArrivals(rate, arrival, 3_000_000));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("offers each stage about its integral: Poisson within its noise, constant gaps within one", () => {
    fc.assert(
      fc.property(
        fc.array(stageArbitrary, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 99 }),
        (stages, seed) => {
          const shape: RateShape = { stages, after_per_s: (stages.at(-1) as RateStage).to_per_s };
          const end_us = stages.reduce((sum, s) => sum + s.for_us, 0);
          const poisson = arrivals(shape, "poisson", end_us, seed);
          const constant = arrivals(shape, "constant", end_us, seed);
          let start_us = 0;
          for (const stage of stages) {
            const expected = expectedArrivals(shape, start_us, start_us + stage.for_us);
            // Six standard deviations of a Poisson count, and its rounding to whole µs at both ends.
            const slack = 6 * Math.sqrt(expected) + 2;
            expect(
              Math.abs(count(poisson, start_us, start_us + stage.for_us) - expected),
            ).toBeLessThanOrEqual(slack);
            expect(
              Math.abs(count(constant, start_us, start_us + stage.for_us) - expected),
            ).toBeLessThanOrEqual(2);
            start_us += stage.for_us;
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("spaces constant arrivals ever closer on a ramp up, ever wider on a ramp down", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 100_000, max: 2_000_000 }),
        (from, to, for_us) => {
          fc.pre(from !== to);
          const shape: RateShape = { stages: [{ for_us, from_per_s: from, to_per_s: to }], after_per_s: to };
          const times = arrivals(shape, "constant", for_us);
          const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
          // Each arrival is rounded to a whole µs: consecutive gaps may be off by 1 µs either way.
          const direction = to > from ? 1 : -1;
          const against = gaps.slice(1).filter((gap, i) => (gap - (gaps[i] as number)) * direction > 1);
          expect(against).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("ramps from 0/s in closed form: the k-th constant arrival of a ramp to R over T is at √(2kT/R)", () => {
    // 0 to 1000/s over 10 s: 5000 operations, the k-th at √(k/50) s.
    const shape: RateShape = {
      stages: [{ for_us: 10_000_000, from_per_s: 0, to_per_s: 1000 }],
      after_per_s: 1000,
    };
    const times = arrivals(shape, "constant", 10_000_000);
    // The 5000th lands at the end of the ramp, 10 s.
    expect(times).toHaveLength(4999);
    for (const k of [1, 2, 50, 800, 4999]) {
      expect(Math.abs((times[k - 1] as number) - Math.sqrt(k / 50) * 1e6)).toBeLessThanOrEqual(1);
    }
    // Then the rate holds: 1000/s, a gap of 1 ms.
    expect(arrivals(shape, "constant", 10_005_000).slice(4999)).toEqual([
      10_000_000, 10_001_000, 10_002_000, 10_003_000, 10_004_000,
    ]);
  });

  it("sends nothing while the rate is 0/s, and nothing ever after a ramp down to 0/s", () => {
    const pause: RateShape = {
      stages: [
        { for_us: 2_000_000, from_per_s: 0, to_per_s: 0 },
        { for_us: 1_000_000, from_per_s: 100, to_per_s: 100 },
      ],
      after_per_s: 100,
    };
    const times = arrivals(pause, "constant", 3_000_000);
    expect(times[0]).toBe(2_010_000);
    expect(times).toHaveLength(99);
    const down: RateShape = {
      stages: [{ for_us: 1_000_000, from_per_s: 1000, to_per_s: 0 }],
      after_per_s: 0,
    };
    const schedule = new ArrivalSchedule(down, "poisson", Rng.fromSeed(3).split("arrivals"));
    let last = 0;
    for (let at_us = schedule.next_us(); at_us !== Number.POSITIVE_INFINITY; at_us = schedule.next_us()) {
      expect(at_us).toBeLessThanOrEqual(1_000_000);
      last = at_us;
    }
    expect(last).toBeGreaterThan(0);
    expect(schedule.next_us()).toBe(Number.POSITIVE_INFINITY);
  });

  it("integrates the rate: steps, ramps and the rate held after the last stage", () => {
    const shape: RateShape = {
      stages: [
        { for_us: 10_000_000, from_per_s: 1000, to_per_s: 1000 },
        { for_us: 30_000_000, from_per_s: 1000, to_per_s: 8000 },
      ],
      after_per_s: 8000,
    };
    expect(expectedArrivals(shape, 0, 10_000_000)).toBe(10_000);
    expect(expectedArrivals(shape, 10_000_000, 40_000_000)).toBe(135_000);
    expect(expectedArrivals(shape, 40_000_000, 50_000_000)).toBe(80_000);
    // Half of the ramp: from 1000/s to 4500/s over 15 s.
    expect(expectedArrivals(shape, 10_000_000, 25_000_000)).toBe(41_250);
    expect(meanRatePerS(shape, 0, 50_000_000)).toBe(4500);
    expect(expectedArrivals(constantRate(2000), 0, 65_000_000)).toBe(130_000);
  });
});
