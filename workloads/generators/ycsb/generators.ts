// YCSB's number generators (site.ycsb.generator.*), reimplemented over dbsim's seeded Rng streams.
//
// Each generator that draws randomness takes its own Rng (YCSB uses ThreadLocalRandom, or for the
// zipfian a per-thread java.util.Random(1)); `rng.float()` stands wherever YCSB calls nextDouble and
// `rng.int(n)` wherever it takes `Math.abs(nextLong()) % n`. Everything else follows YCSB's
// arithmetic, including its quirks (documented where they matter). Values are JS numbers: every
// generator works on safe integers, which covers any realistic record count.

import type { Rng } from "../../../sim/rng.js";
import { fnvhash64Mod } from "./fnv.js";

/** A generator of numbers (YCSB's NumberGenerator). */
export interface NumberGenerator {
  /** The next value of the sequence. */
  next(): number;
  /** The value `next` returned last (NaN before the first call), unless the generator says otherwise. */
  last(): number;
}

function checkInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a safe integer, got ${value}`);
}

function checkFraction(value: number, name: string): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${value}`);
}

/** Java's `(long) x` for the non-negative results of the zipfian formula: NaN becomes 0. */
function toLong(x: number): number {
  return x >= 0 ? Math.floor(x) : x < 0 ? Math.ceil(x) : 0;
}

// ---------------------------------------------------------------------------------------------
// Counters

/** YCSB's CounterGenerator: countstart, countstart + 1, ...; `last()` is the last value handed out. */
export class CounterGenerator implements NumberGenerator {
  protected counter: number;

  constructor(countStart: number) {
    checkInteger(countStart, "CounterGenerator countStart");
    this.counter = countStart;
  }

  next(): number {
    return this.counter++;
  }

  /** The last value handed out (countStart - 1 before the first `next`). */
  last(): number {
    return this.counter - 1;
  }
}

/** Default acknowledgement window of AcknowledgedCounterGenerator: 2^20, as in YCSB. */
export const ACK_WINDOW_SIZE = 1 << 20;

/**
 * YCSB's AcknowledgedCounterGenerator: a counter whose `last()` is the highest value v such that
 * every value from countStart to v has been acknowledged, so readers never pick a key whose insert
 * has not completed. Values handed out but not yet acknowledged wait in a ring of `windowSize`
 * slots; acknowledging a value more than `windowSize` ahead of `last()` throws (YCSB: "Too many
 * unacknowledged insertion keys"), as do acknowledging a value twice, one below the window, or one
 * never handed out (YCSB would silently corrupt its window in those cases).
 */
export class AcknowledgedCounterGenerator extends CounterGenerator {
  private readonly window: Uint8Array;
  private readonly windowSize: number;
  private limit: number;

  constructor(countStart: number, windowSize = ACK_WINDOW_SIZE) {
    super(countStart);
    if (!(Number.isInteger(windowSize) && windowSize >= 1 && windowSize <= 1 << 30)) {
      throw new RangeError(
        `AcknowledgedCounterGenerator windowSize must be an integer in [1, 2^30], got ${windowSize}`,
      );
    }
    this.windowSize = windowSize;
    this.window = new Uint8Array(windowSize);
    this.limit = countStart - 1;
  }

  /** The highest contiguously acknowledged value (countStart - 1 before any acknowledgement). */
  override last(): number {
    return this.limit;
  }

  /** Values handed out by `next` and not yet acknowledged. */
  pending(): number {
    return this.counter - 1 - this.limit;
  }

  /** Marks `value` (handed out by `next`) as complete; moves `last()` over any contiguous run. */
  acknowledge(value: number): void {
    checkInteger(value, "acknowledged value");
    const limit = this.limit;
    if (value <= limit) {
      throw new RangeError(
        `value ${value} acknowledged again: every value up to ${limit} is already acknowledged`,
      );
    }
    if (value >= this.counter) {
      throw new RangeError(
        `value ${value} acknowledged but never handed out (next value is ${this.counter})`,
      );
    }
    const size = this.windowSize;
    if (value - limit > size) {
      throw new Error(
        `Too many unacknowledged insertion keys: value ${value} is more than the window of ${size} ahead of ` +
          `the last contiguous acknowledged value ${limit} (is an earlier insert never acknowledged?)`,
      );
    }
    const window = this.window;
    const slot = value % size;
    if (window[slot] === 1) throw new RangeError(`value ${value} acknowledged twice`);
    window[slot] = 1;
    if (value !== limit + 1) return;
    // Move the contiguous run of acknowledged values out of the window (at most `size` of them).
    let index = value;
    for (let steps = 0; steps < size; steps++) {
      const s = index % size;
      if (window[s] !== 1) break;
      window[s] = 0;
      index++;
    }
    this.limit = index - 1;
  }
}

/**
 * YCSB's SequentialGenerator: countStart, countStart + 1, ..., countEnd, then again from
 * countStart. (YCSB's `lastValue()` returns its internal counter + 1; here `last()` is the value
 * last returned, as for every other generator.)
 */
export class SequentialGenerator implements NumberGenerator {
  private readonly start: number;
  private readonly interval: number;
  private counter = 0;
  private lastValue = Number.NaN;

  constructor(countStart: number, countEnd: number) {
    checkInteger(countStart, "SequentialGenerator countStart");
    checkInteger(countEnd, "SequentialGenerator countEnd");
    if (countEnd < countStart) {
      throw new RangeError(
        `SequentialGenerator countEnd (${countEnd}) must be >= countStart (${countStart})`,
      );
    }
    this.start = countStart;
    this.interval = countEnd - countStart + 1;
  }

  next(): number {
    const value = this.start + (this.counter % this.interval);
    this.counter++;
    this.lastValue = value;
    return value;
  }

  last(): number {
    return this.lastValue;
  }
}

// ---------------------------------------------------------------------------------------------
// Uniform, hotspot, exponential

/** YCSB's UniformLongGenerator: uniform over [lb, ub], both inclusive. */
export class UniformLongGenerator implements NumberGenerator {
  private readonly rng: Rng;
  private readonly lb: number;
  private readonly interval: number;
  private lastValue = Number.NaN;

  constructor(rng: Rng, lb: number, ub: number) {
    checkInteger(lb, "UniformLongGenerator lb");
    checkInteger(ub, "UniformLongGenerator ub");
    if (ub < lb) throw new RangeError(`UniformLongGenerator ub (${ub}) must be >= lb (${lb})`);
    this.rng = rng;
    this.lb = lb;
    this.interval = ub - lb + 1;
  }

  next(): number {
    const value = this.lb + this.rng.int(this.interval);
    this.lastValue = value;
    return value;
  }

  last(): number {
    return this.lastValue;
  }
}

/**
 * YCSB's HotspotIntegerGenerator over [lb, ub]: the first trunc(n * hotsetFraction) integers are the
 * hot set, drawn (uniformly) with probability hotOpnFraction; the rest, the cold set, uniformly
 * otherwise. YCSB resets an out-of-range fraction to 0 and swaps reversed bounds; here both are
 * RangeErrors, as is an empty hot or cold set that would be drawn from (YCSB divides by zero).
 */
export class HotspotIntegerGenerator implements NumberGenerator {
  private readonly rng: Rng;
  private readonly lb: number;
  readonly hotInterval: number;
  readonly coldInterval: number;
  private readonly hotOpnFraction: number;
  private lastValue = Number.NaN;

  constructor(rng: Rng, lb: number, ub: number, hotsetFraction: number, hotOpnFraction: number) {
    checkInteger(lb, "HotspotIntegerGenerator lb");
    checkInteger(ub, "HotspotIntegerGenerator ub");
    if (ub < lb) throw new RangeError(`HotspotIntegerGenerator ub (${ub}) must be >= lb (${lb})`);
    checkFraction(hotsetFraction, "hotspot data fraction (hotsetFraction)");
    checkFraction(hotOpnFraction, "hotspot operation fraction (hotOpnFraction)");
    const interval = ub - lb + 1;
    const hot = Math.trunc(interval * hotsetFraction);
    const cold = interval - hot;
    if (hot === 0 && hotOpnFraction > 0) {
      throw new RangeError(
        `hotspot: the hot set is empty (${interval} items x data fraction ${hotsetFraction}) but ${hotOpnFraction} of the operations go to it`,
      );
    }
    if (cold === 0 && hotOpnFraction < 1) {
      throw new RangeError(
        `hotspot: the cold set is empty (data fraction ${hotsetFraction}) but ${1 - hotOpnFraction} of the operations go to it`,
      );
    }
    this.rng = rng;
    this.lb = lb;
    this.hotInterval = hot;
    this.coldInterval = cold;
    this.hotOpnFraction = hotOpnFraction;
  }

  next(): number {
    const rng = this.rng;
    const value =
      rng.float() < this.hotOpnFraction
        ? this.lb + rng.int(this.hotInterval)
        : this.lb + this.hotInterval + rng.int(this.coldInterval);
    this.lastValue = value;
    return value;
  }

  last(): number {
    return this.lastValue;
  }
}

/**
 * YCSB's ExponentialGenerator(percentile, range): -ln(u) / gamma (a double, not rounded), u uniform
 * in [0, 1), with gamma = -ln(1 - percentile / 100) / range, so that `percentile` % of the values
 * fall below `range`.
 */
export class ExponentialGenerator implements NumberGenerator {
  private readonly rng: Rng;
  readonly gamma: number;
  private lastValue = Number.NaN;

  constructor(rng: Rng, percentile: number, range: number) {
    if (!(percentile > 0 && percentile < 100)) {
      throw new RangeError(`ExponentialGenerator percentile must be in (0, 100), got ${percentile}`);
    }
    if (!(range > 0 && Number.isFinite(range))) {
      throw new RangeError(`ExponentialGenerator range must be a positive finite number, got ${range}`);
    }
    this.rng = rng;
    this.gamma = -Math.log(1 - percentile / 100) / range;
  }

  next(): number {
    const value = -Math.log(this.rng.float()) / this.gamma;
    this.lastValue = value;
    return value;
  }

  last(): number {
    return this.lastValue;
  }

  mean(): number {
    return 1 / this.gamma;
  }
}

// ---------------------------------------------------------------------------------------------
// Zipfian

/** YCSB's default zipfian constant (theta). */
export const ZIPFIAN_CONSTANT = 0.99;
/** Item ranges up to this size get zeta by direct summation, as YCSB does; longer ones by Euler–Maclaurin. */
const DIRECT_ZETA_TERMS = 1 << 20;
/** Terms summed directly before Euler–Maclaurin takes over (its error there is below 1e-18). */
const EULER_MACLAURIN_START = 1000;

function eulerMaclaurin(a: number, b: number, theta: number): number {
  // sum_{i=a}^{b} i^-theta, a >= 1000: integral + endpoint average + Bernoulli corrections
  // B2/2! f'(x), B4/4! f'''(x), B6/6! f^(5)(x); f^(k) = (-1)^k theta (theta+1)...(theta+k-1) x^-(theta+k).
  const s = theta;
  const integral = (a ** (1 - s) * Math.expm1((1 - s) * Math.log(b / a))) / (1 - s);
  const ends = (a ** -s + b ** -s) / 2;
  const d1 = (x: number) => -s * x ** (-s - 1);
  const d3 = (x: number) => -s * (s + 1) * (s + 2) * x ** (-s - 3);
  const d5 = (x: number) => -s * (s + 1) * (s + 2) * (s + 3) * (s + 4) * x ** (-s - 5);
  return integral + ends + (d1(b) - d1(a)) / 12 - (d3(b) - d3(a)) / 720 + (d5(b) - d5(a)) / 30240;
}

/**
 * YCSB's `ZipfianGenerator.zetastatic(st, n, theta, initialsum)`: initialsum + sum_{i=st+1}^{n} 1/i^theta.
 * Summed term by term like YCSB when the range has at most 2^20 terms; longer ranges (YCSB loops
 * over all of them, minutes for 10^10) use an Euler–Maclaurin tail, accurate to ~1e-14 relative,
 * which is below the rounding error of YCSB's own long summation.
 */
export function zetaStatic(st: number, n: number, theta: number, initialSum = 0): number {
  let sum = initialSum;
  let i = st;
  if (n - st > DIRECT_ZETA_TERMS) {
    const directEnd = Math.max(st, EULER_MACLAURIN_START - 1);
    for (; i < directEnd; i++) sum += 1 / (i + 1) ** theta;
    return sum + eulerMaclaurin(directEnd + 1, n, theta);
  }
  for (; i < n; i++) sum += 1 / (i + 1) ** theta;
  return sum;
}

export interface ZipfianOptions {
  /** theta, in [0, 1); default 0.99. */
  zipfianConstant?: number;
  /** A precomputed zeta(max - min + 1, theta) (YCSB's four-argument constructor). */
  zetan?: number;
  /** Recompute zeta from scratch when nextLong is called with fewer items (YCSB: false). */
  allowItemCountDecrease?: boolean;
}

/**
 * YCSB's ZipfianGenerator: integers in [min, max], min the most popular, P(min + i) close to
 * 1/(i+1)^theta / zeta(n, theta), by the method of Gray et al., "Quickly Generating Billion-Record
 * Synthetic Databases" (SIGMOD 1994). The method is exact for the two most popular items and a
 * continuous approximation beyond (rank 3 comes out about 17% too likely at theta 0.99).
 *
 * `nextLong(itemcount)` draws over [min, min + itemcount) instead; when itemcount grows, zeta is
 * extended incrementally, as in YCSB. Like YCSB, eta is then recomputed with the item count given
 * at construction (`items`), not the new one.
 */
export class ZipfianGenerator implements NumberGenerator {
  private readonly rng: Rng;
  /** Number of items given at construction. */
  readonly items: number;
  private readonly base: number;
  readonly theta: number;
  private readonly zeta2theta: number;
  private readonly alpha: number;
  /** 1 + 0.5^theta: below it (times zetan), the draw is min + 1. */
  private readonly secondThreshold: number;
  private readonly allowItemCountDecrease: boolean;
  private zetanValue: number;
  private eta: number;
  private countForZeta: number;
  private lastValue = Number.NaN;

  constructor(rng: Rng, min: number, max: number, options: ZipfianOptions = {}) {
    checkInteger(min, "ZipfianGenerator min");
    checkInteger(max, "ZipfianGenerator max");
    if (max < min - 1) throw new RangeError(`ZipfianGenerator max (${max}) must be >= min (${min})`);
    const theta = options.zipfianConstant ?? ZIPFIAN_CONSTANT;
    if (!(theta >= 0 && theta < 1)) {
      throw new RangeError(`zipfian constant (theta) must be in [0, 1), got ${theta}`);
    }
    const items = max - min + 1;
    const zetan = options.zetan ?? zetaStatic(0, items, theta);
    if (!(zetan >= 0 && Number.isFinite(zetan)))
      throw new RangeError(`zetan must be a finite number >= 0, got ${zetan}`);
    this.rng = rng;
    this.items = items;
    this.base = min;
    this.theta = theta;
    this.zeta2theta = zetaStatic(0, 2, theta);
    this.alpha = 1 / (1 - theta);
    this.secondThreshold = 1 + 0.5 ** theta;
    this.allowItemCountDecrease = options.allowItemCountDecrease ?? false;
    this.zetanValue = zetan;
    this.countForZeta = items;
    this.eta = this.computeEta();
  }

  /** YCSB's `new ZipfianGenerator(items)`: over [0, items). */
  static ofItems(rng: Rng, items: number, options: ZipfianOptions = {}): ZipfianGenerator {
    return new ZipfianGenerator(rng, 0, items - 1, options);
  }

  /** zeta(n, theta) for the item count zeta was last computed for. */
  get zetan(): number {
    return this.zetanValue;
  }

  private computeEta(): number {
    const theta = this.theta;
    return (1 - (2 / this.items) ** (1 - theta)) / (1 - this.zeta2theta / this.zetanValue);
  }

  /** A value in [min, min + itemcount), zipfian over itemcount items. */
  nextLong(itemcount: number): number {
    if (itemcount !== this.countForZeta) {
      if (itemcount > this.countForZeta) {
        this.zetanValue = zetaStatic(this.countForZeta, itemcount, this.theta, this.zetanValue);
        this.countForZeta = itemcount;
        this.eta = this.computeEta();
      } else if (this.allowItemCountDecrease) {
        this.zetanValue = zetaStatic(0, itemcount, this.theta);
        this.countForZeta = itemcount;
        this.eta = this.computeEta();
      }
    }
    const u = this.rng.float();
    const uz = u * this.zetanValue;
    let value: number;
    if (uz < 1) {
      value = this.base;
    } else if (uz < this.secondThreshold) {
      value = this.base + 1;
    } else {
      // YCSB: Math.pow(eta * u - eta + 1, alpha). exp(alpha * ln y) is about twice as fast in V8
      // and differs from pow by ~1e-15 relative: another item once in ~1e15 / itemcount draws.
      const eta = this.eta;
      value = this.base + toLong(itemcount * Math.exp(this.alpha * Math.log(eta * u - eta + 1)));
    }
    this.lastValue = value;
    return value;
  }

  next(): number {
    return this.nextLong(this.items);
  }

  last(): number {
    return this.lastValue;
  }
}

/** Ranks below this (about 44% of the draws at theta 0.99) have their hash remembered. */
const SCRAMBLE_MEMO_RANKS = 1 << 16;

/**
 * YCSB's ScrambledZipfianGenerator: a zipfian over ITEM_COUNT (10^10) items, hashed with fnvhash64
 * onto [min, max], so the popular items are scattered over the range instead of clustered at min.
 * With theta 0.99 it uses YCSB's precomputed zeta (ZETAN); with another theta it computes zeta over
 * 10^10 + 1 items, as YCSB does (here in milliseconds, see zetaStatic).
 *
 * Because the 10^10 zipfian ranks are folded onto the range, each item's popularity is the sum over
 * all ranks hashing to it: the head is far less skewed than a zipfian over max - min + 1 items.
 */
export class ScrambledZipfianGenerator implements NumberGenerator {
  static readonly ZETAN = 26.46902820178302;
  static readonly USED_ZIPFIAN_CONSTANT = 0.99;
  static readonly ITEM_COUNT = 10_000_000_000;

  private readonly gen: ZipfianGenerator;
  private readonly min: number;
  readonly itemcount: number;
  /** fnvhash64(rank) % itemcount + 1 for the most popular ranks, filled lazily (0: not yet). */
  private readonly memo = new Float64Array(SCRAMBLE_MEMO_RANKS);
  private lastValue = Number.NaN;

  constructor(rng: Rng, min: number, max: number, zipfianConstant = ZIPFIAN_CONSTANT) {
    checkInteger(min, "ScrambledZipfianGenerator min");
    checkInteger(max, "ScrambledZipfianGenerator max");
    if (max < min) throw new RangeError(`ScrambledZipfianGenerator max (${max}) must be >= min (${min})`);
    this.min = min;
    this.itemcount = max - min + 1;
    // YCSB builds the inner zipfian over [0, ITEM_COUNT], i.e. ITEM_COUNT + 1 items.
    const options: ZipfianOptions = { zipfianConstant };
    if (zipfianConstant === ScrambledZipfianGenerator.USED_ZIPFIAN_CONSTANT) {
      options.zetan = ScrambledZipfianGenerator.ZETAN;
    }
    this.gen = new ZipfianGenerator(rng, 0, ScrambledZipfianGenerator.ITEM_COUNT, options);
  }

  /** YCSB's `new ScrambledZipfianGenerator(items)`: over [0, items). */
  static ofItems(rng: Rng, items: number, zipfianConstant = ZIPFIAN_CONSTANT): ScrambledZipfianGenerator {
    return new ScrambledZipfianGenerator(rng, 0, items - 1, zipfianConstant);
  }

  next(): number {
    const rank = this.gen.next();
    let offset: number;
    if (rank < SCRAMBLE_MEMO_RANKS) {
      const memo = this.memo;
      const cached = memo[rank] as number;
      if (cached !== 0) {
        offset = cached - 1;
      } else {
        offset = fnvhash64Mod(rank, this.itemcount);
        memo[rank] = offset + 1;
      }
    } else {
      offset = fnvhash64Mod(rank, this.itemcount);
    }
    const value = this.min + offset;
    this.lastValue = value;
    return value;
  }

  last(): number {
    return this.lastValue;
  }
}

/**
 * YCSB's SkewedLatestGenerator: `basis.last() - zipfian.nextLong(basis.last())`, so the most
 * recent value of the counter (for CoreWorkload: the last acknowledged insert) is the most popular,
 * the one before it the next, and so on. Two YCSB artefacts are kept: the oldest value, 0, is never
 * drawn once the counter is past it; and as the counter grows, the zipfian keeps the eta of its
 * initial item count (see ZipfianGenerator), which thins out ages 2, 3, ... once the counter has
 * grown well past its start (ages 0 and 1 stay exact).
 */
export class SkewedLatestGenerator implements NumberGenerator {
  private readonly basis: CounterGenerator;
  private readonly zipfian: ZipfianGenerator;
  private lastValue = Number.NaN;

  constructor(rng: Rng, basis: CounterGenerator, zipfianConstant = ZIPFIAN_CONSTANT) {
    this.basis = basis;
    const items = basis.last();
    if (items < 0)
      throw new RangeError(`SkewedLatestGenerator needs a basis counter with last() >= 0, got ${items}`);
    this.zipfian = ZipfianGenerator.ofItems(rng, items, { zipfianConstant });
  }

  next(): number {
    const max = this.basis.last();
    const value = max - this.zipfian.nextLong(max);
    this.lastValue = value;
    return value;
  }

  last(): number {
    return this.lastValue;
  }
}

// ---------------------------------------------------------------------------------------------
// Discrete

/**
 * YCSB's DiscreteGenerator: picks one of the added values with probability weight / sum of
 * weights, walking the values in the order added and subtracting each normalized weight from one
 * uniform draw. Values of weight 0 are never picked. (YCSB throws an AssertionError if rounding
 * lets the draw run past the last value; here the last value is returned.)
 */
export class DiscreteGenerator<T> {
  private readonly rng: Rng;
  private readonly values: T[] = [];
  private readonly weights: number[] = [];
  private normalized = new Float64Array(0);
  private lastValue: T | undefined;

  constructor(rng: Rng) {
    this.rng = rng;
  }

  addValue(weight: number, value: T): void {
    if (!(weight >= 0 && Number.isFinite(weight))) {
      throw new RangeError(`DiscreteGenerator weight must be a finite number >= 0, got ${weight}`);
    }
    if (weight === 0) return;
    this.values.push(value);
    this.weights.push(weight);
    let sum = 0;
    for (const w of this.weights) sum += w;
    this.normalized = Float64Array.from(this.weights, (w) => w / sum);
  }

  next(): T {
    const normalized = this.normalized;
    const lastIndex = normalized.length - 1;
    if (lastIndex < 0) throw new Error("DiscreteGenerator has no value with a positive weight");
    let val = this.rng.float();
    let index = 0;
    for (; index < lastIndex; index++) {
      const pw = normalized[index] as number;
      if (val < pw) break;
      val -= pw;
    }
    const value = this.values[index] as T;
    this.lastValue = value;
    return value;
  }

  /** The value `next` returned last; like YCSB, draws one if `next` was never called. */
  last(): T {
    if (this.lastValue === undefined) return this.next();
    return this.lastValue;
  }
}
