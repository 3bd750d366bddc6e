import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fnvhash64,
  fnvhash64Decimal,
  fnvhash64Mod,
  ycsbKeyName,
} from "../../../../workloads/generators/ycsb/fnv.js";

// Reference: YCSB's Utils.fnvhash64 transcribed with BigInt (Java long = signed 64-bit).
const MASK64 = (1n << 64n) - 1n;
function referenceFnvhash64(value: number): bigint {
  let val = BigInt.asUintN(64, BigInt(value));
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < 8; i++) {
    const octet = val & 0xffn;
    val >>= 8n;
    hash ^= octet;
    hash = (hash * 1099511628211n) & MASK64;
  }
  const signed = BigInt.asIntN(64, hash);
  // Java's Math.abs(long): -Long.MIN_VALUE overflows back to Long.MIN_VALUE.
  return signed < 0n ? BigInt.asIntN(64, -signed) : signed;
}
function javaRemainder(a: bigint, n: bigint): bigint {
  return a % n; // BigInt % truncates toward zero, like Java's %
}

const anyLong = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -1000, max: 100_000 }),
  fc.integer({ min: 0, max: 2 ** 32 + 10 }),
  fc.constantFrom(
    0,
    1,
    -1,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
  ),
);

describe("fnvhash64", () => {
  it("gives the key names YCSB's load phase prints", () => {
    // `INSERT usertable user6284781860667377211 ...` is the first record of every hashed YCSB load.
    expect(ycsbKeyName(0, false)).toBe("user6284781860667377211");
    expect(ycsbKeyName(1, false)).toBe("user8517097267634966620");
    expect(ycsbKeyName(2, false)).toBe("user1820151046732198393");
  });

  it("matches a BigInt transcription of YCSB's Utils.fnvhash64 on any safe integer", () => {
    fc.assert(
      fc.property(anyLong, (value) => {
        const expected = referenceFnvhash64(value);
        expect(fnvhash64(value)).toBe(expected);
        expect(fnvhash64Decimal(value)).toBe(expected.toString());
      }),
      { numRuns: 3000, seed: 20240601 },
    );
  });

  it("matches the reference on a dense run of small keynums", () => {
    for (let value = 0; value < 5000; value++) {
      expect(fnvhash64Decimal(value)).toBe(referenceFnvhash64(value).toString());
    }
  });

  it("computes fnvhash64 % n with Java's remainder for every modulus size", () => {
    const modulus = fc.oneof(
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: 1, max: 2 ** 21 }),
      fc.integer({ min: 2 ** 21, max: 2 ** 37 }),
      fc.integer({ min: 2 ** 37, max: Number.MAX_SAFE_INTEGER }),
    );
    fc.assert(
      fc.property(anyLong, modulus, (value, n) => {
        const expected = javaRemainder(referenceFnvhash64(value), BigInt(n));
        expect(fnvhash64Mod(value, n)).toBe(Number(expected));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it("rejects values that are not safe integers", () => {
    expect(() => fnvhash64(1.5)).toThrow(RangeError);
    expect(() => fnvhash64Decimal(2 ** 60)).toThrow(RangeError);
    expect(() => fnvhash64Mod(3, 0)).toThrow(RangeError);
    expect(() => fnvhash64Mod(3, 1.5)).toThrow(RangeError);
  });
});

describe("ycsbKeyName", () => {
  it("builds ordered keys with YCSB's zero padding", () => {
    expect(ycsbKeyName(7, true)).toBe("user7");
    expect(ycsbKeyName(7, true, 5)).toBe("user00007");
    expect(ycsbKeyName(123456, true, 3)).toBe("user123456");
  });

  it("pads hashed keys too", () => {
    const digits = referenceFnvhash64(5).toString();
    expect(ycsbKeyName(5, false, 25)).toBe(`user${"0".repeat(25 - digits.length)}${digits}`);
  });
});
