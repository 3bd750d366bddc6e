import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MinHeap } from "../../sim/min-heap.js";

describe("MinHeap", () => {
  it("pops by key, equal keys in insertion order, whatever the pushes (fixed seed)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (keys) => {
        const heap = new MinHeap<number>();
        for (const [i, key] of keys.entries()) heap.push(key, i);
        const expected = keys.map((key, i) => [key, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        const popped: (readonly [number, number])[] = [];
        while (heap.size > 0) {
          const key = heap.peekKey();
          popped.push([key, heap.pop() as number]);
        }
        expect(popped).toEqual(expected);
        expect(heap.peekKey()).toBe(Number.POSITIVE_INFINITY);
        expect(heap.pop()).toBeUndefined();
      }),
      { seed: 15, numRuns: 200 },
    );
  });
});
