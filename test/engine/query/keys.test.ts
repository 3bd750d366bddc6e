import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareValues, encodeTuple, encodeValue, prefixSuccessor } from "../../../engine/query/keys.js";
import type { Value } from "../../../engine/query/schema.js";

const sign = (x: number) => (x < 0 ? -1 : x > 0 ? 1 : 0);
const codeUnitOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Tuples compared column by column: what the encoded keys' code-unit order must reproduce. */
function compareTuples(a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareValues(a[i] as Value, b[i] as Value);
    if (c !== 0) return c;
  }
  return sign(a.length - b.length);
}

const numberArb = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1, -1, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_SAFE_INTEGER),
);
const stringArb = fc.oneof(
  fc.string({ unit: fc.constantFrom("\u0000", "\u0001", "a", "b", "\uffff"), maxLength: 5 }),
  fc.string({ unit: "binary", maxLength: 6 }),
);

describe("order-preserving key encoding", () => {
  it("numbers: code-unit order of the encodings is numeric order", () => {
    fc.assert(
      fc.property(numberArb, numberArb, (a, b) => {
        expect(sign(codeUnitOrder(encodeValue(a), encodeValue(b)))).toBe(compareValues(a, b));
        expect(encodeValue(a)).toHaveLength(4);
      }),
      { numRuns: 2000 },
    );
    expect(encodeValue(-0)).toBe(encodeValue(0));
  });

  it("strings and booleans keep their order", () => {
    fc.assert(
      fc.property(stringArb, stringArb, (a, b) => {
        expect(sign(codeUnitOrder(encodeValue(a), encodeValue(b)))).toBe(compareValues(a, b));
      }),
      { numRuns: 2000 },
    );
    expect(encodeValue(false) < encodeValue(true)).toBe(true);
  });

  it("tuples compare column by column, whatever follows a string (no bleeding between columns)", () => {
    const tupleArb = fc.tuple(stringArb, numberArb, stringArb, fc.boolean());
    fc.assert(
      fc.property(tupleArb, tupleArb, fc.integer({ min: 1, max: 4 }), (a, b, width) => {
        const x = a.slice(0, width);
        const y = b.slice(0, width);
        expect(sign(codeUnitOrder(encodeTuple(x), encodeTuple(y)))).toBe(compareTuples(x, y));
      }),
      { numRuns: 3000 },
    );
    // The classic trap: "a" + "\u0000..." must not sort after "a\u0000".
    expect(encodeTuple(["a", "\u0000"]) < encodeTuple(["a\u0000", ""])).toBe(true);
    expect(encodeTuple(["a", "z"]) < encodeTuple(["ab", ""])).toBe(true);
  });

  it("prefixSuccessor bounds every extension of a prefix and nothing else", () => {
    fc.assert(
      fc.property(stringArb, stringArb, stringArb, (prefix, rest, other) => {
        const next = prefixSuccessor(prefix);
        if (next === undefined) {
          expect(/^\uffff*$/.test(prefix)).toBe(true);
          return;
        }
        expect(prefix + rest < next).toBe(true);
        if (!other.startsWith(prefix) && other >= prefix) expect(other >= next).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(prefixSuccessor("ab")).toBe("ac");
    expect(prefixSuccessor("a\uffff")).toBe("b");
    expect(prefixSuccessor("\uffff")).toBeUndefined();
    expect(prefixSuccessor("")).toBeUndefined();
  });
});
