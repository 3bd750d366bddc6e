// Seeded pseudo-random streams: xoshiro128** (Blackman & Vigna) seeded through splitmix32.
//
// One seed makes everything. A stream's `split(label)` derives an independent child from the
// parent's *seed material and the label only*, never from how many numbers the parent has drawn,
// so adding draws to one stream (say, a new strategy's own randomness) never shifts another
// (the workload, the fault schedule).

import { fnv1a32, mix32 } from "./hash.js";

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  /** Seed material of this stream: what `split` derives children from. */
  private readonly key0: number;
  private readonly key1: number;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = Number.NaN;

  private constructor(key0: number, key1: number) {
    this.key0 = key0 >>> 0;
    this.key1 = key1 >>> 0;
    const state = { s: this.key0 ^ mix32(this.key1 + 0x6a09e667) };
    this.s0 = splitmix32(state);
    this.s1 = splitmix32(state);
    this.s2 = splitmix32(state);
    this.s3 = splitmix32(state);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** The root stream of a run. `seed` is a non-negative safe integer. */
  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    }
    const low = seed % TWO_POW_32;
    const high = Math.floor(seed / TWO_POW_32);
    return new Rng(low, high);
  }

  /** An independent named child stream; the same label always gives the same stream. */
  split(label: string): Rng {
    const h = fnv1a32(label);
    return new Rng(mix32(this.key0 ^ h) ^ this.key1, mix32(this.key1 + h + 0x3c6ef372) ^ this.key0);
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    let r = Math.imul(s1, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
    return r >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits (like java.util.Random.nextDouble). */
  float(): number {
    const a = this.u32() >>> 5;
    const b = this.u32() >>> 6;
    return (a * 67108864 + b) / TWO_POW_53;
  }

  /** Uniform integer in [0, n), n a positive safe integer. */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [min, max], both inclusive. */
  intBetween(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** Standard normal (Box–Muller, both outputs used). */
  normal(): number {
    const spare = this.spareNormal;
    if (!Number.isNaN(spare)) {
      this.spareNormal = Number.NaN;
      return spare;
    }
    let u = this.float();
    while (u === 0) u = this.float();
    const v = this.float();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}
