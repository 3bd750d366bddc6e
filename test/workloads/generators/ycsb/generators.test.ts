import { describe, expect, it } from "vitest";
import { Rng } from "../../../../sim/rng.js";
import { fnvhash64Mod } from "../../../../workloads/generators/ycsb/fnv.js";
import {
  ACK_WINDOW_SIZE,
  AcknowledgedCounterGenerator,
  CounterGenerator,
  DiscreteGenerator,
  ExponentialGenerator,
  HotspotIntegerGenerator,
  ScrambledZipfianGenerator,
  SequentialGenerator,
  SkewedLatestGenerator,
  UniformLongGenerator,
  ZipfianGenerator,
  zetaStatic,
} from "../../../../workloads/generators/ycsb/generators.js";
import { binomialZ, chiSquare, grayPmf, histogram, zipfPmf } from "./stats.js";

const rngOf = (seed: number, label = "test") => Rng.fromSeed(seed).split(label);

describe("chi-square helper", () => {
  it("rejects a visibly wrong distribution (so the tests below can fail)", () => {
    const rng = rngOf(1);
    const counts = histogram(10, 20_000, () => Math.min(9, Math.floor(rng.float() * 10.5)));
    const result = chiSquare(counts, new Float64Array(10).fill(0.1));
    expect(result.statistic).toBeGreaterThan(result.critical);
  });

  it("has the Wilson–Hilferty critical values of the χ² table", () => {
    expect(chiSquare([5, 5], [0.5, 0.5]).critical).toBeCloseTo(10.83, 0); // df 1 (WH is rough there)
    expect(chiSquare(new Array(11).fill(10), new Array(11).fill(1 / 11)).critical).toBeCloseTo(29.59, 0); // df 10
    expect(chiSquare(new Array(101).fill(10), new Array(101).fill(1 / 101)).critical).toBeCloseTo(149.45, 0); // df 100
  });
});

describe("UniformLongGenerator", () => {
  it("is uniform over [lb, ub] (χ², p = 0.001)", () => {
    const gen = new UniformLongGenerator(rngOf(2), 100, 299);
    const counts = histogram(200, 100_000, () => gen.next() - 100);
    const result = chiSquare(counts, new Float64Array(200).fill(1 / 200));
    expect(result.statistic).toBeLessThan(result.critical);
    expect(gen.last()).toBeGreaterThanOrEqual(100);
  });

  it("rejects reversed bounds", () => {
    expect(() => new UniformLongGenerator(rngOf(2), 5, 4)).toThrow(RangeError);
  });
});

describe("ZipfianGenerator", () => {
  const n = 1000;
  const theta = 0.99;

  it("draws exactly the distribution of Gray et al.'s method as YCSB implements it (χ², p = 0.001)", () => {
    const gen = ZipfianGenerator.ofItems(rngOf(3), n);
    const counts = histogram(n, 200_000, () => gen.next());
    const result = chiSquare(counts, grayPmf(n, theta, zetaStatic(0, n, theta)));
    expect(result.df).toBeGreaterThan(400);
    expect(result.statistic).toBeLessThan(result.critical);
  });

  it("follows the zipf pmf 1/i^θ / ζ(n, θ): exact for the two most popular items, close overall", () => {
    // Gray's method is exact for items 0 and 1 and a continuous approximation beyond (item 2 comes
    // out ~17% too likely at θ = 0.99, total variation ~1.6%), so a large-sample χ² against the
    // ideal pmf rejects YCSB's zipfian by design; the χ² above checks the method exactly instead.
    const samples = 200_000;
    const gen = ZipfianGenerator.ofItems(rngOf(4), n);
    const counts = histogram(n, samples, () => gen.next());
    const ideal = zipfPmf(n, theta);
    // Items 0 and 1 over a million draws: a 2% error in either would be ~6 standard deviations.
    const head = ZipfianGenerator.ofItems(rngOf(40), n);
    const million = 1_000_000;
    let zeros = 0;
    let ones = 0;
    for (let i = 0; i < million; i++) {
      const v = head.next();
      if (v === 0) zeros++;
      else if (v === 1) ones++;
    }
    expect(binomialZ(zeros, million, ideal[0] as number)).toBeLessThan(4);
    expect(binomialZ(ones, million, ideal[1] as number)).toBeLessThan(4);
    let tv = 0;
    for (let i = 0; i < n; i++) tv += Math.abs((counts[i] as number) / samples - (ideal[i] as number));
    expect(tv / 2).toBeLessThan(0.03);
    // The pooled χ² against the ideal pmf over the whole range stays within a small multiple of df.
    const result = chiSquare(counts, ideal);
    expect(result.statistic).toBeLessThan(3 * result.critical);
  });

  it("is also exact for another theta and a min offset", () => {
    const gen = new ZipfianGenerator(rngOf(5), 10, 59, { zipfianConstant: 0.5 });
    const counts = histogram(50, 100_000, () => gen.next() - 10);
    const result = chiSquare(counts, grayPmf(50, 0.5, zetaStatic(0, 50, 0.5)));
    expect(result.statistic).toBeLessThan(result.critical);
  });

  it("extends zeta incrementally when nextLong is given more items, like YCSB", () => {
    const gen = ZipfianGenerator.ofItems(rngOf(6), 100);
    expect(gen.zetan).toBe(zetaStatic(0, 100, theta));
    let max = 0;
    for (let i = 0; i < 1000; i++) max = Math.max(max, gen.nextLong(150));
    expect(max).toBeLessThan(150);
    expect(gen.zetan).toBeCloseTo(zetaStatic(0, 150, theta), 12);
    // Fewer items: YCSB keeps the larger zeta unless allowItemCountDecrease.
    gen.nextLong(120);
    expect(gen.zetan).toBeCloseTo(zetaStatic(0, 150, theta), 12);
    // The grown generator draws Gray's pmf over 150 items with eta from the original 100 (YCSB).
    const counts = histogram(150, 100_000, () => gen.nextLong(150));
    const result = chiSquare(counts, grayPmf(150, theta, gen.zetan, 150, 100));
    expect(result.statistic).toBeLessThan(result.critical);
  });

  it("computes zeta like YCSB's summation, also past the direct-summation limit", () => {
    let direct = 0;
    for (let i = 1; i <= 3_000_000; i++) direct += 1 / i ** 0.99;
    expect(zetaStatic(0, 3_000_000, 0.99) / direct - 1).toBeLessThan(1e-12);
    // YCSB's precomputed zeta(10^10, 0.99), from a 10^10-term loop.
    expect(Math.abs(zetaStatic(0, 1e10, 0.99) / ScrambledZipfianGenerator.ZETAN - 1)).toBeLessThan(1e-11);
    // Incremental: zeta(a..b) continues zeta(0..a).
    expect(zetaStatic(2_000_000, 5_000_000, 0.7, zetaStatic(0, 2_000_000, 0.7))).toBeCloseTo(
      zetaStatic(0, 5_000_000, 0.7),
      9,
    );
  });

  it("validates theta", () => {
    expect(() => ZipfianGenerator.ofItems(rngOf(1), 10, { zipfianConstant: 1 })).toThrow(RangeError);
    expect(() => ZipfianGenerator.ofItems(rngOf(1), 10, { zipfianConstant: -0.1 })).toThrow(RangeError);
  });
});

describe("ScrambledZipfianGenerator", () => {
  const items = 1000;
  const samples = 200_000;
  const gen = ScrambledZipfianGenerator.ofItems(rngOf(7), items);
  const counts = histogram(items, samples, () => gen.next());

  it("scatters the popular items: the ranking is the hash permutation, not 0, 1, 2, ...", () => {
    const order = Array.from(counts.keys()).sort((a, b) => (counts[b] as number) - (counts[a] as number));
    expect(order[0]).toBe(fnvhash64Mod(0, items));
    expect(order[1]).toBe(fnvhash64Mod(1, items));
    expect(order[0]).not.toBe(0);
    expect(new Set(order).size).toBe(items);
  });

  it("gives each item the zipf mass of the 10^10 ranks hashing to it (χ², p = 0.001)", () => {
    // P(item j) = sum of P(rank r) over ranks r with fnvhash64(r) % items = j. The first 2^18 ranks
    // are summed exactly (Gray's pmf over 10^10 + 1 items with YCSB's zetan); the rest, ~70% of
    // the mass in tiny pieces, spreads evenly.
    const ranks = 1 << 18;
    const n = ScrambledZipfianGenerator.ITEM_COUNT + 1;
    const rankPmf = grayPmf(n, 0.99, ScrambledZipfianGenerator.ZETAN, ranks);
    const expected = new Float64Array(items);
    let head = 0;
    for (let r = 0; r < ranks; r++) {
      const j = fnvhash64Mod(r, items);
      expected[j] = (expected[j] as number) + (rankPmf[r] as number);
      head += rankPmf[r] as number;
    }
    for (let j = 0; j < items; j++) expected[j] = (expected[j] as number) + (1 - head) / items;
    const result = chiSquare(counts, expected);
    expect(result.df).toBe(items - 1);
    expect(result.statistic).toBeLessThan(result.critical);
  });

  it("sorted by frequency, the counts fall off like the folded zipf, far flatter than zipf over the items", () => {
    const sorted = Array.from(counts).sort((a, b) => b - a);
    const p0 = (sorted[0] as number) / samples;
    // The top item holds rank 0 (1/ZETAN = 3.8%) plus its share of the tail (~0.07%).
    expect(p0).toBeGreaterThan(0.036);
    expect(p0).toBeLessThan(0.042);
    // A zipfian over the 1000 items alone would give the top one 1/ζ(1000, 0.99) ≈ 13%.
    expect(p0).toBeLessThan(zipfPmf(items, 0.99)[0] as number);
    expect(sorted[0]).toBeGreaterThan(1.5 * (sorted[1] as number));
  });

  it("maps onto [min, max]", () => {
    const g = new ScrambledZipfianGenerator(rngOf(8), 500, 509);
    const counts = histogram(10, 2000, () => g.next() - 500);
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it("takes another theta, computing zeta over 10^10 + 1 items", () => {
    const g = ScrambledZipfianGenerator.ofItems(rngOf(9), 100, 0.8);
    histogram(100, 1000, () => g.next()); // throws on a value outside [0, 100)
  });
});

describe("HotspotIntegerGenerator", () => {
  it("sends the hot fraction of operations to the hot set, uniformly within each set", () => {
    const lb = 1000;
    const n = 1000;
    const gen = new HotspotIntegerGenerator(rngOf(10), lb, lb + n - 1, 0.2, 0.8);
    expect(gen.hotInterval).toBe(200);
    expect(gen.coldInterval).toBe(800);
    const samples = 200_000;
    const counts = histogram(n, samples, () => gen.next() - lb);
    const hot = counts.slice(0, 200);
    const cold = counts.slice(200);
    const hotTotal = hot.reduce((a, b) => a + b, 0);
    expect(binomialZ(hotTotal, samples, 0.8)).toBeLessThan(4);
    const hotFit = chiSquare(hot, new Float64Array(200).fill(1 / 200));
    expect(hotFit.statistic).toBeLessThan(hotFit.critical);
    const coldFit = chiSquare(cold, new Float64Array(800).fill(1 / 800));
    expect(coldFit.statistic).toBeLessThan(coldFit.critical);
    // Per item, hot items are 16x as popular as cold ones: (0.8/200) / (0.2/800).
    expect(hotTotal / 200 / ((samples - hotTotal) / 800)).toBeCloseTo(16, 0);
  });

  it("rejects bad fractions and empty sets that would be drawn from", () => {
    expect(() => new HotspotIntegerGenerator(rngOf(1), 0, 9, 1.2, 0.8)).toThrow(RangeError);
    expect(() => new HotspotIntegerGenerator(rngOf(1), 0, 9, 0.2, -0.1)).toThrow(RangeError);
    expect(() => new HotspotIntegerGenerator(rngOf(1), 0, 3, 0.2, 0.8)).toThrow(/hot set is empty/);
    expect(() => new HotspotIntegerGenerator(rngOf(1), 0, 9, 1, 0.8)).toThrow(/cold set is empty/);
    expect(() => new HotspotIntegerGenerator(rngOf(1), 9, 0, 0.2, 0.8)).toThrow(RangeError);
    expect(new HotspotIntegerGenerator(rngOf(1), 0, 9, 1, 1).next()).toBeLessThan(10);
  });
});

describe("ExponentialGenerator", () => {
  it("puts `percentile` % of the values below `range`", () => {
    const gen = new ExponentialGenerator(rngOf(11), 95, 857.1428571);
    expect(gen.gamma).toBeCloseTo(-Math.log(0.05) / 857.1428571, 15);
    const samples = 100_000;
    let below = 0;
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < samples; i++) {
      const v = gen.next();
      min = Math.min(min, v);
      if (v < 857.1428571) below++;
      sum += v;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(binomialZ(below, samples, 0.95)).toBeLessThan(4);
    expect(sum / samples / gen.mean()).toBeCloseTo(1, 1);
  });

  it("validates its arguments", () => {
    expect(() => new ExponentialGenerator(rngOf(1), 100, 10)).toThrow(RangeError);
    expect(() => new ExponentialGenerator(rngOf(1), 95, 0)).toThrow(RangeError);
  });
});

describe("SkewedLatestGenerator", () => {
  it("makes the most recent values the most popular, and follows the counter", () => {
    const counter = new CounterGenerator(0);
    for (let i = 0; i < 1000; i++) counter.next(); // last() = 999
    const gen = new SkewedLatestGenerator(rngOf(12), counter);
    const samples = 100_000;
    const counts = histogram(1000, samples, () => gen.next());
    // next = last - zipfian(last): Gray's pmf over 999 items, read backwards from 999.
    const pmf = grayPmf(999, 0.99, zetaStatic(0, 999, 0.99));
    const backwards = new Float64Array(1000);
    for (let age = 0; age < 999; age++) backwards[age] = counts[999 - age] as number;
    expect(counts[0]).toBe(0); // as in YCSB, the oldest value is out of reach
    const fit = chiSquare(backwards.subarray(0, 999), pmf);
    expect(fit.statistic).toBeLessThan(fit.critical);
    expect(counts[999]).toBeGreaterThan(counts[998] as number);
    expect(counts[998]).toBeGreaterThan(counts[997] as number);
    for (let i = 0; i < 100; i++) counter.next(); // last() = 1099
    const after = histogram(1100, 20_000, () => gen.next());
    expect(after.indexOf(Math.max(...after))).toBe(1099);
  });
});

describe("DiscreteGenerator", () => {
  it("picks values with probability weight / total, never a zero weight", () => {
    const gen = new DiscreteGenerator<string>(rngOf(13));
    gen.addValue(0.5, "a");
    gen.addValue(0, "never");
    gen.addValue(0.3, "b");
    gen.addValue(0.2, "c");
    const names = ["a", "b", "c", "never"];
    const counts = histogram(4, 100_000, () => names.indexOf(gen.next()));
    expect(counts[3]).toBe(0);
    const fit = chiSquare(counts.subarray(0, 3), [0.5, 0.3, 0.2]);
    expect(fit.statistic).toBeLessThan(fit.critical);
    expect(names).toContain(gen.last());
  });

  it("normalizes weights that do not sum to 1, and complains when empty", () => {
    const gen = new DiscreteGenerator<number>(rngOf(14));
    expect(() => gen.next()).toThrow(/no value/);
    gen.addValue(3, 0);
    gen.addValue(1, 1);
    const counts = histogram(2, 40_000, () => gen.next());
    expect(binomialZ(counts[0] as number, 40_000, 0.75)).toBeLessThan(4);
    expect(() => gen.addValue(-1, 2)).toThrow(RangeError);
  });
});

describe("counters", () => {
  it("CounterGenerator counts from its start", () => {
    const c = new CounterGenerator(5);
    expect(c.last()).toBe(4);
    expect([c.next(), c.next(), c.next()]).toEqual([5, 6, 7]);
    expect(c.last()).toBe(7);
  });

  it("SequentialGenerator wraps around", () => {
    const s = new SequentialGenerator(3, 5);
    expect(Array.from({ length: 7 }, () => s.next())).toEqual([3, 4, 5, 3, 4, 5, 3]);
    expect(s.last()).toBe(3);
  });

  it("AcknowledgedCounterGenerator's last() is the highest contiguous acknowledged value", () => {
    const c = new AcknowledgedCounterGenerator(100);
    expect(c.last()).toBe(99);
    const values = Array.from({ length: 5 }, () => c.next());
    expect(values).toEqual([100, 101, 102, 103, 104]);
    c.acknowledge(101);
    c.acknowledge(103);
    expect(c.last()).toBe(99);
    c.acknowledge(100);
    expect(c.last()).toBe(101);
    c.acknowledge(102);
    expect(c.last()).toBe(103);
    expect(c.pending()).toBe(1);
    c.acknowledge(104);
    expect(c.last()).toBe(104);
  });

  it("AcknowledgedCounterGenerator rejects double, stale and unknown acknowledgements", () => {
    const c = new AcknowledgedCounterGenerator(0, 8);
    for (let i = 0; i < 3; i++) c.next();
    c.acknowledge(0);
    expect(() => c.acknowledge(0)).toThrow(/again/);
    c.acknowledge(2);
    expect(() => c.acknowledge(2)).toThrow(/twice/);
    expect(() => c.acknowledge(3)).toThrow(/never handed out/);
  });

  it("AcknowledgedCounterGenerator throws when the window overflows, and works across wraps", () => {
    const c = new AcknowledgedCounterGenerator(0, 8);
    for (let i = 0; i < 10; i++) c.next();
    // With 0 not acknowledged, the window of 8 holds 0..7: 8 does not fit.
    for (let v = 1; v <= 7; v++) c.acknowledge(v);
    expect(() => c.acknowledge(8)).toThrow(/Too many unacknowledged insertion keys/);
    c.acknowledge(0);
    expect(c.last()).toBe(7);
    c.acknowledge(9);
    c.acknowledge(8);
    expect(c.last()).toBe(9);
    // Many laps of the ring, acknowledged in reverse order within each lap.
    for (let lap = 0; lap < 50; lap++) {
      const batch = Array.from({ length: 8 }, () => c.next());
      for (const v of batch.reverse()) c.acknowledge(v);
      expect(c.last()).toBe(batch[0]);
    }
    expect(ACK_WINDOW_SIZE).toBe(1 << 20);
  });
});

describe("determinism", () => {
  it("the same seed gives the same draws", () => {
    const a = ScrambledZipfianGenerator.ofItems(rngOf(15), 500);
    const b = ScrambledZipfianGenerator.ofItems(rngOf(15), 500);
    const drawsA = Array.from({ length: 1000 }, () => a.next());
    const drawsB = Array.from({ length: 1000 }, () => b.next());
    expect(drawsA).toEqual(drawsB);
  });
});
