import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LinearizedSets } from "../../../workloads/checkers/linearized-sets.js";
import { PairTable } from "../../../workloads/checkers/pair-table.js";

describe("PairTable", () => {
  it("gives each distinct pair a dense id in insertion order, past its first allocation", () => {
    const table = new PairTable(4);
    for (let i = 0; i < 5000; i++) expect(table.intern(i, -i)).toBe(i);
    for (let i = 0; i < 5000; i++) expect(table.intern(i, -i)).toBe(i);
    expect(table.size).toBe(5000);
    expect([table.first(4321), table.second(4321)]).toEqual([4321, -4321]);
    expect(table.intern(-1, 2 ** 31 - 1)).toBe(5000);
  });
});

describe("LinearizedSets", () => {
  it("gives equal sets the same id and different sets different ids, whatever the order (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.array(fc.nat(), { maxLength: 40 }), { minLength: 1, maxLength: 20 }),
        (operations, sequences) => {
          const sets = new LinearizedSets(operations);
          const ids = new Map<string, number>();
          for (const sequence of sequences) {
            const elements = [...new Set(sequence.map((n) => n % operations))];
            // Build the set twice: in the order given and in reverse.
            const build = (order: number[]) =>
              order.reduce((set, element) => sets.with(set, element), sets.empty);
            const id = build(elements);
            expect(build([...elements].reverse())).toBe(id);
            const name = [...elements].sort((a, b) => a - b).join(",");
            for (const [other, otherId] of ids) expect(otherId === id).toBe(other === name);
            ids.set(name, id);
          }
        },
      ),
    );
  });
});
