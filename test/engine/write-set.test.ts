import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WriteSet } from "../../engine/write-set.js";

describe("a set of write values", () => {
  it("answers as a Set of the same values would, including what one holds that another lacks", () => {
    const values = fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 300 });
    fc.assert(
      fc.property(values, values, (a, b) => {
        const setA = new WriteSet(8);
        const setB = new WriteSet(8);
        for (const v of a) setA.add(v);
        for (const v of b) setB.add(v);
        const plainB = new Set(b);
        expect(setA.countMissingFrom(setB)).toBe(new Set(a.filter((v) => !plainB.has(v))).size);
        const union = setB.copy();
        union.addAll(setA);
        for (const v of [...a, ...b]) expect(union.has(v)).toBe(true);
        expect(union.countMissingFrom(setB)).toBe(setA.countMissingFrom(setB));
        expect(setA.has(200_001)).toBe(false);
      }),
      { seed: 20261206, numRuns: 200 },
    );
  });

  it("ignores what is not a write's number", () => {
    const set = new WriteSet();
    for (const v of [-1, 0.5, Number.NaN, 2 ** 40]) set.add(v);
    expect(set.countMissingFrom(new WriteSet())).toBe(0);
  });
});
