import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/rng.js";
import { BACKOFF_DOUBLINGS_MAX, RetryPolicy } from "../../../workloads/client/retries.js";

describe("RetryPolicy", () => {
  it("waits between half and all of backoff x 2^(n-1), doubling at most BACKOFF_DOUBLINGS_MAX times", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 20 }),
        (backoff_us, attempt) => {
          const policy = new RetryPolicy({ retries: 100, backoff_us }, Rng.fromSeed(backoff_us));
          const d = backoff_us * 2 ** Math.min(attempt, BACKOFF_DOUBLINGS_MAX);
          const delay = policy.delay_us(attempt) as number;
          expect(delay).toBeGreaterThanOrEqual(Math.floor(d / 2));
          expect(delay).toBeLessThanOrEqual(d);
        },
      ),
      { seed: 16 },
    );
  });

  it("gives up after `retries` retries, and jitters the same for a seed", () => {
    const delays = (seed: number) => {
      const policy = new RetryPolicy({ retries: 3, backoff_us: 1000 }, Rng.fromSeed(seed));
      return [0, 1, 2, 3].map((attempt) => policy.delay_us(attempt));
    };
    expect(delays(1)).toEqual(delays(1));
    expect(delays(1)[3]).toBeNull();
    expect(delays(1).slice(0, 3)).not.toEqual(delays(2).slice(0, 3));
    expect(new RetryPolicy({ retries: 0, backoff_us: 1000 }, Rng.fromSeed(1)).delay_us(0)).toBeNull();
  });
});
