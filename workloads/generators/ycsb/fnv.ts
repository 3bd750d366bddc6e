// YCSB's 64-bit FNV hash (site.ycsb.Utils.fnvhash64) and its key names (CoreWorkload.buildKeyName).
//
// YCSB hashes a Java `long`: FNV-1a 64 over its eight octets, least significant first, and returns
// `Math.abs` of the signed 64-bit result. The result needs 63 bits, more than a double holds, so the
// hash is computed here on two unsigned 32-bit limbs (no BigInt on the hot path) and handed out as
// what callers need exactly: a remainder (`fnvhash64Mod`, for the scrambled zipfian), a decimal
// string (`fnvhash64Decimal`, for key names) or, off the hot path, a `bigint`.
//
// One Java quirk is kept on purpose: Math.abs(Long.MIN_VALUE) is Long.MIN_VALUE, so a hash whose
// bits are 0x8000000000000000 stays negative (its decimal has a '-', its remainder is <= 0).

const TWO_POW_32 = 4294967296;
const FNV64_OFFSET_HI = 0xcbf29ce4;
const FNV64_OFFSET_LO = 0x84222325;
/** FNV_prime_64 = 2^40 + 0x1b3: multiplying by it is `h * 0x1b3 + (h << 40)`. */
const FNV64_PRIME_LOW = 0x1b3;
/** Largest modulus the 16-bit-step remainder handles exactly: r * 2^16 + 0xffff stays below 2^53. */
const MOD_FAST_LIMIT = 2 ** 37;
/** Largest modulus for which (hi mod n) * 2^32 + lo stays below 2^53. */
const MOD_ONE_STEP_LIMIT = 2 ** 21;
const BILLION = 1_000_000_000;

// Result of the last `hashLimbs` call: |hash| as two 32-bit halves (read them with `>>> 0`). The
// hash was Long.MIN_VALUE, the one value Math.abs leaves negative, iff hi = 0x80000000 and lo = 0.
// A typed array rather than module variables: storing an uint32 above 2^30 in a variable would box
// it in a fresh heap number on every call.
const out = new Int32Array(2);

/** FNV-1a 64 of the 64-bit two's complement of `value` (a safe integer), then Java's Math.abs. */
function hashLimbs(value: number): void {
  let lo: number;
  let hi: number;
  if (value >= 0 && value <= 0x7fffffff) {
    lo = value;
    hi = 0;
  } else {
    const high = Math.floor(value / TWO_POW_32); // negative values: floor keeps lo in [0, 2^32)
    lo = (value - high * TWO_POW_32) | 0;
    hi = high | 0; // two's complement of the high word
  }
  // The state lives in two int32 words (signed view of the unsigned halves): every step below is
  // int32 arithmetic, which V8 keeps in registers.
  let hh = FNV64_OFFSET_HI | 0;
  let hl = FNV64_OFFSET_LO | 0;
  let word = lo;
  for (let i = 0; i < 8; i++) {
    hl ^= word & 0xff;
    word = i === 3 ? hi : word >>> 8;
    // (hh, hl) * (2^40 + 0x1b3) mod 2^64: the low word is imul(hl, 0x1b3); its carry into the high
    // word is the high half of hl * 0x1b3, from 16-bit halves; the 2^40 part only moves hl's low 24
    // bits up (hl << 8).
    const carry = ((hl >>> 16) * FNV64_PRIME_LOW + (((hl & 0xffff) * FNV64_PRIME_LOW) >>> 16)) >>> 16;
    hh = (Math.imul(hh, FNV64_PRIME_LOW) + carry + (hl << 8)) | 0;
    hl = Math.imul(hl, FNV64_PRIME_LOW);
  }
  if (hh < 0) {
    // Negative as a Java long: negate (two's complement) for Math.abs.
    if (hl === 0) {
      hh = -hh | 0;
    } else {
      hl = -hl | 0;
      hh = ~hh;
    }
  }
  out[0] = hh;
  out[1] = hl;
}

function outIsMinValue(): boolean {
  return out[0] === -0x80000000 && out[1] === 0;
}

/** x mod n for integers 0 <= x < 2^53, 1 <= n: a division instead of fmod. */
function modExact(x: number, n: number): number {
  const r = x - Math.floor(x / n) * n; // q * n <= x + n stays exact; the quotient may be off by one
  return r < 0 ? r + n : r >= n ? r - n : r;
}

function checkLong(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${name} must be a safe integer (a Java long in the safe range), got ${value}`);
  }
}

/** Remainder of the 64-bit magnitude (outHi, outLo) by n, 1 <= n <= 2^37. */
function limbsMod(n: number): number {
  const hi = (out[0] as number) >>> 0;
  const lo = (out[1] as number) >>> 0;
  const r = modExact(hi, n);
  if (n <= MOD_ONE_STEP_LIMIT) return modExact(r * TWO_POW_32 + lo, n);
  const r1 = modExact(r * 65536 + (lo >>> 16), n);
  return modExact(r1 * 65536 + (lo & 0xffff), n);
}

/** The hash in (out) as an exact bigint. */
function limbsBigInt(): bigint {
  const magnitude = (BigInt((out[0] as number) >>> 0) << 32n) | BigInt((out[1] as number) >>> 0);
  return outIsMinValue() ? -magnitude : magnitude;
}

/**
 * YCSB's `Utils.fnvhash64(value)` as an exact `bigint` (a Java long: non-negative, except
 * -2^63 for the one input whose hash is Long.MIN_VALUE). Convenience off the hot path; use
 * `fnvhash64Mod` or `fnvhash64Decimal` per operation.
 */
export function fnvhash64(value: number): bigint {
  checkLong(value, "fnvhash64 value");
  hashLimbs(value);
  return limbsBigInt();
}

/**
 * `fnvhash64(value) % n` with Java's `%` (the sign of the dividend), as ScrambledZipfianGenerator
 * uses it: in [0, n) except for the hash Long.MIN_VALUE, which gives a remainder in (-n, 0].
 * n is a positive safe integer. No BigInt unless n > 2^37.
 */
export function fnvhash64Mod(value: number, n: number): number {
  if (!(n >= 1 && Number.isSafeInteger(n))) {
    throw new RangeError(`fnvhash64Mod modulus must be a positive safe integer, got ${n}`);
  }
  checkLong(value, "fnvhash64Mod value");
  hashLimbs(value);
  if (n > MOD_FAST_LIMIT) return Number(limbsBigInt() % BigInt(n)); // bigint % keeps Java's sign
  const r = limbsMod(n);
  return r !== 0 && outIsMinValue() ? -r : r;
}

/** Decimal of the magnitude (outHi, outLo) < 2^64, like Long.toString without the sign. */
function limbsDecimal(): string {
  const outHi = (out[0] as number) >>> 0;
  const outLo = (out[1] as number) >>> 0;
  // Divide the 64-bit value by 10^9 in 16-bit steps; every intermediate stays below 2^46.
  const hiQ = Math.floor(outHi / BILLION);
  let rem = outHi - hiQ * BILLION;
  let t = rem * 65536 + (outLo >>> 16);
  const q1 = Math.floor(t / BILLION);
  rem = t - q1 * BILLION;
  t = rem * 65536 + (outLo & 0xffff);
  const q2 = Math.floor(t / BILLION);
  rem = t - q2 * BILLION;
  const quotient = hiQ * TWO_POW_32 + q1 * 65536 + q2; // < 2^64 / 10^9 < 2^35: exact
  if (quotient === 0) return String(rem);
  return String(quotient) + String(rem).padStart(9, "0");
}

/** `Long.toString(fnvhash64(value))`: the exact decimal, computed without BigInt. */
export function fnvhash64Decimal(value: number): string {
  checkLong(value, "fnvhash64Decimal value");
  hashLimbs(value);
  const digits = limbsDecimal();
  return outIsMinValue() ? `-${digits}` : digits;
}

/**
 * YCSB's `CoreWorkload.buildKeyName(keynum, zeropadding, orderedinserts)`: "user" followed by the
 * decimal of `keynum` (ordered inserts) or of `fnvhash64(keynum)` (hashed, YCSB's default), left
 * padded with '0' to `zeroPadding` characters (YCSB pads the whole decimal, sign included).
 */
export function ycsbKeyName(keynum: number, orderedInserts: boolean, zeroPadding = 1): string {
  let value: string;
  if (orderedInserts) {
    checkLong(keynum, "keynum");
    value = String(keynum);
  } else {
    value = fnvhash64Decimal(keynum);
  }
  const fill = zeroPadding - value.length;
  return fill > 0 ? `user${"0".repeat(fill)}${value}` : `user${value}`;
}
