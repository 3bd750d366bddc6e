// Where ranges' voters start on physical nodes: distinct nodes per range, replicas and leaders spread.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { placeRanges } from "../../../engine/ranges/placement.js";

function spread(counts: readonly number[]): number {
  return Math.max(...counts) - Math.min(...counts);
}

describe("placeRanges", () => {
  it("balanced: each range on distinct nodes; replicas and leaders per node differ by at most one", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 9 }),
        (ranges, nodes, wanted) => {
          const replicas = Math.min(wanted, nodes);
          const placed = placeRanges(ranges, nodes, replicas, "balanced");
          const perNode = new Array<number>(nodes).fill(0);
          const leaders = new Array<number>(nodes).fill(0);
          expect(placed).toHaveLength(ranges);
          for (const voters of placed) {
            expect(new Set(voters).size).toBe(replicas);
            for (const node of voters) {
              expect(node).toBeGreaterThanOrEqual(0);
              expect(node).toBeLessThan(nodes);
              perNode[node] = (perNode[node] as number) + 1;
            }
            leaders[voters[0] as number] = (leaders[voters[0] as number] as number) + 1;
          }
          expect(spread(perNode)).toBeLessThanOrEqual(1);
          expect(spread(leaders)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it("packed: every range on the first nodes, led from node0", () => {
    expect(placeRanges(3, 5, 3, "packed")).toEqual([
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });

  it("names the bound when replicas exceed nodes", () => {
    expect(() => placeRanges(2, 2, 3, "balanced")).toThrow(/replicas must be 1 .. nodes \(2\)/);
  });
});
