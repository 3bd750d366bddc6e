import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LinearHashIndex } from "../../../engine/query/hash-index.js";

type Command =
  | { kind: "insert"; key: string; id: string; value: number }
  | { kind: "remove"; id: string }
  | { kind: "replace"; id: string; value: number }
  | { kind: "lookup"; key: string };

const keyArb = fc.constantFrom("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "hot");
const idArb = fc.integer({ min: 0, max: 80 }).map((i) => `id${i}`);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("insert" as const), key: keyArb, id: idArb, value: fc.nat(99) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("remove" as const), id: idArb }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("replace" as const), id: idArb, value: fc.nat(99) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("lookup" as const), key: keyArb }) },
);

describe("LinearHashIndex against a Map", () => {
  it("holds the same entries under random inserts, removes, replaces and lookups", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(commandArb, { maxLength: 300, size: "max" }),
        (capacity, initial, commands) => {
          const index = new LinearHashIndex<number>({ bucket_capacity: capacity, initial_buckets: initial });
          const model = new Map<string, { key: string; value: number }>();
          for (const command of commands) {
            switch (command.kind) {
              case "insert":
                if (model.has(command.id)) {
                  expect(() => index.insert(command.key, command.id, command.value)).toThrow(
                    /already present/,
                  );
                } else {
                  index.insert(command.key, command.id, command.value);
                  model.set(command.id, { key: command.key, value: command.value });
                  expect(index.lastPagesWritten).toBeGreaterThanOrEqual(1);
                }
                break;
              case "remove":
                expect(index.remove(command.id)).toBe(model.delete(command.id));
                break;
              case "replace": {
                const entry = model.get(command.id);
                expect(index.replace(command.id, command.value)).toBe(entry !== undefined);
                if (entry !== undefined) entry.value = command.value;
                break;
              }
              case "lookup": {
                const got: [string, number][] = [];
                const n = index.lookup(command.key, (id, value) => got.push([id, value]));
                const want = [...model]
                  .filter(([, e]) => e.key === command.key)
                  .map(([id, e]) => [id, e.value]);
                expect(n).toBe(want.length);
                expect(got.sort()).toEqual(want.sort());
                expect(index.lastPagesRead).toBeGreaterThanOrEqual(1);
                expect(index.lastPagesWritten).toBe(0);
                break;
              }
            }
            index.checkInvariants();
            expect(index.size).toBe(model.size);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("LinearHashIndex pages and growth", () => {
  it("grows one bucket split at a time, keeping the load under max_load", () => {
    const index = new LinearHashIndex<number>({ bucket_capacity: 4, initial_buckets: 2, max_load: 0.75 });
    let splitWrites = 0;
    for (let i = 0; i < 1000; i++) {
      const splitsBefore = index.splits;
      index.insert(`key${i}`, `id${i}`, i);
      if (index.splits > splitsBefore) splitWrites++;
      expect(index.size).toBeLessThanOrEqual(0.75 * 4 * index.bucketCount);
    }
    index.checkInvariants();
    expect(index.bucketCount).toBe(2 + index.splits);
    expect(index.bucketCount).toBeGreaterThanOrEqual(1000 / 3);
    expect(splitWrites).toBe(index.splits);
  });

  it("charges a lookup every page of its bucket; a hot key makes a long overflow chain", () => {
    const index = new LinearHashIndex<number>({ bucket_capacity: 4, initial_buckets: 4 });
    for (let i = 0; i < 40; i++) index.insert("hot", `h${i}`, i);
    index.lookup("hot", () => {});
    // 40 equal keys share one bucket: at least 10 pages, whatever the splits did.
    expect(index.lastPagesRead).toBeGreaterThanOrEqual(10);
    expect(index.bucketPagesOf("hot")).toBe(index.lastPagesRead);
  });

  it("an insert writes its page, or two when it opens an overflow page; a split adds its pages", () => {
    const index = new LinearHashIndex<number>({ bucket_capacity: 2, initial_buckets: 1, max_load: 16 });
    index.insert("a", "1", 1);
    expect([index.lastPagesRead, index.lastPagesWritten]).toEqual([1, 1]);
    index.insert("a", "2", 2);
    expect([index.lastPagesRead, index.lastPagesWritten]).toEqual([1, 1]);
    index.insert("a", "3", 3); // a third entry: a new overflow page and its predecessor's link
    expect([index.lastPagesRead, index.lastPagesWritten]).toEqual([1, 2]);
    expect(index.pageCount).toBe(2);
    expect(index.remove("1")).toBe(true); // the last entry moves from page 2 into page 1
    expect([index.lastPagesRead, index.lastPagesWritten]).toEqual([1, 2]);
    expect(index.pageCount).toBe(1);

    const splitting = new LinearHashIndex<number>({ bucket_capacity: 2, initial_buckets: 1, max_load: 1 });
    splitting.insert("x", "1", 1);
    splitting.insert("y", "2", 2);
    expect(splitting.splits).toBe(0);
    splitting.insert("z", "3", 3); // 3 entries > 1 x 2 x 1 bucket: bucket 0 splits
    expect(splitting.splits).toBe(1);
    expect(splitting.bucketCount).toBe(2);
    // The insert's own page (a new overflow page: 2), then the split: its 2 pages read, the
    // halves' pages and the metapage written.
    expect(splitting.lastPagesRead).toBe(1 + 2);
    expect(splitting.lastPagesWritten).toBe(2 + 2 + 1);
    splitting.checkInvariants();
  });

  it("validates its options", () => {
    expect(() => new LinearHashIndex({ bucket_capacity: 0 })).toThrow(/bucket_capacity/);
    expect(() => new LinearHashIndex({ bucket_capacity: 4, initial_buckets: 0 })).toThrow(/initial_buckets/);
    expect(() => new LinearHashIndex({ bucket_capacity: 4, max_load: 0 })).toThrow(/max_load/);
  });
});
