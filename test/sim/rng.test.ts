import { describe, expect, it } from "vitest";
import { Rng } from "../../sim/rng.js";

function draw(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.u32());
}

describe("Rng", () => {
  it("is a pure function of the seed", () => {
    expect(draw(Rng.fromSeed(42), 10)).toEqual(draw(Rng.fromSeed(42), 10));
    expect(draw(Rng.fromSeed(42), 10)).not.toEqual(draw(Rng.fromSeed(43), 10));
    // Seeds above 2^32 are distinct too.
    expect(draw(Rng.fromSeed(2 ** 40), 4)).not.toEqual(draw(Rng.fromSeed(2 ** 40 + 2 ** 32), 4));
  });

  it("derives a child from the label and the seed only, not from draws already made", () => {
    const a = Rng.fromSeed(7);
    const b = Rng.fromSeed(7);
    draw(b, 1000);
    expect(draw(a.split("workload"), 8)).toEqual(draw(b.split("workload"), 8));
    expect(draw(a.split("workload"), 8)).not.toEqual(draw(a.split("network"), 8));
    expect(draw(a.split("x").split("y"), 4)).not.toEqual(draw(a.split("y").split("x"), 4));
  });

  it("gives uniform floats in [0, 1) and unbiased integers", () => {
    const rng = Rng.fromSeed(1);
    const buckets = new Array<number>(10).fill(0);
    const n = 200_000;
    let outOfRange = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.float();
      if (!(x >= 0 && x < 1)) outOfRange++;
      buckets[Math.floor(x * 10)] = (buckets[Math.floor(x * 10)] ?? 0) + 1;
    }
    expect(outOfRange).toBe(0);
    // chi-square with 9 degrees of freedom; 27.9 is the 0.999 quantile.
    const expected = n / 10;
    const chi2 = buckets.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9);
    for (let i = 0; i < 1000; i++) {
      const k = rng.intBetween(3, 5);
      expect([3, 4, 5]).toContain(k);
    }
  });

  it("draws normal and exponential variates with the right moments", () => {
    const rng = Rng.fromSeed(9);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let expSum = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
      expSum += rng.exponential(250);
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(expSum / n - 250)).toBeLessThan(5);
  });

  it("rejects seeds that are not non-negative safe integers", () => {
    expect(() => Rng.fromSeed(-1)).toThrow(RangeError);
    expect(() => Rng.fromSeed(1.5)).toThrow(RangeError);
    expect(() => Rng.fromSeed(2 ** 53)).toThrow(RangeError);
  });
});
