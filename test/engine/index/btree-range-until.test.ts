import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BPlusTree } from "../../../engine/index/btree.js";

describe("BPlusTree.rangeUntil and leafPageCount", () => {
  it("rangeUntil visits what range does, up to the entry whose visit returned false", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(4, 5, 8),
        fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { maxLength: 200, size: "max" }),
        fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
        fc.boolean(),
        fc.integer({ min: 1, max: 60 }),
        (fanout, keys, lo, hi, reverse, stopAt) => {
          const tree = new BPlusTree<number, number>({ fanout });
          for (const key of keys) tree.set(key, key * 2);
          const all: number[] = [];
          tree.range({ lo, hi, reverse }, (key) => {
            all.push(key);
          });
          const fullPages = tree.lastPagesRead;
          const visited: number[] = [];
          const n = tree.rangeUntil({ lo, hi, reverse }, (key) => {
            visited.push(key);
            return visited.length < stopAt;
          });
          expect(visited).toEqual(all.slice(0, stopAt));
          expect(n).toBe(visited.length);
          // Stopping early reads what a range limited to the same entries reads.
          tree.range({ lo, hi, reverse, limit: Math.max(1, visited.length) }, () => {});
          const limitedPages = tree.lastPagesRead;
          tree.rangeUntil({ lo, hi, reverse }, () => undefined);
          expect(tree.lastPagesRead).toBe(fullPages);
          tree.rangeUntil({ lo, hi, reverse }, (key) => {
            return key !== visited[visited.length - 1];
          });
          if (visited.length > 0) expect(tree.lastPagesRead).toBe(limitedPages);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("leafPageCount follows splits and merges, and a full scan reads height - 1 + leaves pages", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(4, 5, 8),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 300 })), { maxLength: 400, size: "max" }),
        (fanout, ops) => {
          const tree = new BPlusTree<number, number>({ fanout });
          for (const [insert, key] of ops) {
            if (insert) tree.set(key, key);
            else tree.delete(key);
            tree.checkInvariants();
            expect(tree.leafPageCount).toBe(tree.leafKeys().length);
          }
          tree.range({}, () => {});
          expect(tree.lastPagesRead).toBe(tree.height - 1 + tree.leafPageCount);
        },
      ),
      { numRuns: 100 },
    );
  });
});
