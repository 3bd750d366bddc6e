import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BPlusTree, type Comparator } from "../../../engine/index/btree.js";

// ---------------------------------------------------------------------------------------------
// The model: a sorted array of entries, searched linearly. Slow and obviously right.

const nativeCompare = <K>(a: K, b: K): number => (a < b ? -1 : a > b ? 1 : 0);

class SortedModel<K, V> {
  readonly rows: [K, V][] = [];
  private readonly compare: Comparator<K>;

  constructor(compare: Comparator<K>) {
    this.compare = compare;
  }

  get(key: K): V | undefined {
    return this.rows.find(([k]) => this.compare(k, key) === 0)?.[1];
  }

  set(key: K, value: V): boolean {
    const i = this.rows.findIndex(([k]) => this.compare(k, key) >= 0);
    const at = i === -1 ? this.rows.length : i;
    const row = this.rows[at];
    if (row !== undefined && this.compare(row[0], key) === 0) {
      row[1] = value;
      return false;
    }
    this.rows.splice(at, 0, [key, value]);
    return true;
  }

  delete(key: K): boolean {
    const i = this.rows.findIndex(([k]) => this.compare(k, key) === 0);
    if (i === -1) return false;
    this.rows.splice(i, 1);
    return true;
  }

  range(b: RangeCommand<K>): [K, V][] {
    const inRange = this.rows.filter(([k]) => {
      if (b.lo !== undefined) {
        const order = this.compare(k, b.lo);
        if (order < 0 || (order === 0 && !b.loInclusive)) return false;
      }
      if (b.hi !== undefined) {
        const order = this.compare(k, b.hi);
        if (order > 0 || (order === 0 && !b.hiInclusive)) return false;
      }
      return true;
    });
    if (b.reverse) inRange.reverse();
    return inRange.slice(0, b.limit ?? inRange.length);
  }
}

// ---------------------------------------------------------------------------------------------
// Commands, run against the tree and the model side by side.

interface RangeCommand<K> {
  kind: "range";
  lo: K | undefined;
  loInclusive: boolean;
  hi: K | undefined;
  hiInclusive: boolean;
  reverse: boolean;
  limit: number | undefined;
}

type Command<K> =
  | { kind: "set"; key: K; value: number }
  | { kind: "delete"; key: K }
  | { kind: "get"; key: K }
  | { kind: "scan"; start: K; limit: number }
  | RangeCommand<K>
  | { kind: "minmax" };

function commandArb<K>(keyArb: fc.Arbitrary<K>): fc.Arbitrary<Command<K>> {
  const optionalKey = fc.option(keyArb, { nil: undefined });
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ kind: fc.constant("set" as const), key: keyArb, value: fc.nat(1000) }),
    },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("delete" as const), key: keyArb }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("get" as const), key: keyArb }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("scan" as const), start: keyArb, limit: fc.nat(40) }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("range" as const),
        lo: optionalKey,
        loInclusive: fc.boolean(),
        hi: optionalKey,
        hiInclusive: fc.boolean(),
        reverse: fc.boolean(),
        limit: fc.option(fc.nat(40), { nil: undefined }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "minmax" as const }) },
  );
}

function collect<K, V>(
  run: (visit: (key: K, value: V) => void) => number,
): { rows: [K, V][]; count: number } {
  const rows: [K, V][] = [];
  const count = run((key, value) => {
    rows.push([key, value]);
  });
  return { rows, count };
}

function runAgainstModel<K>(
  fanout: number,
  compare: Comparator<K> | undefined,
  commands: Command<K>[],
): void {
  const tree = new BPlusTree<K, number>(compare === undefined ? { fanout } : { fanout, compare });
  const model = new SortedModel<K, number>(compare ?? nativeCompare);
  for (const [step, command] of commands.entries()) {
    const where = `step ${step}: ${JSON.stringify(command)}`;
    switch (command.kind) {
      case "set":
        expect(tree.set(command.key, command.value), where).toBe(model.set(command.key, command.value));
        break;
      case "delete":
        expect(tree.delete(command.key), where).toBe(model.delete(command.key));
        break;
      case "get":
        expect(tree.get(command.key), where).toBe(model.get(command.key));
        expect(tree.has(command.key), where).toBe(model.get(command.key) !== undefined);
        break;
      case "scan": {
        const got = collect<K, number>((visit) => tree.scan(command.start, command.limit, visit));
        const expected = model.range({
          kind: "range",
          lo: command.start,
          loInclusive: true,
          hi: undefined,
          hiInclusive: true,
          reverse: false,
          limit: command.limit,
        });
        expect(got.rows, where).toEqual(expected);
        expect(got.count, where).toBe(expected.length);
        break;
      }
      case "range": {
        const got = collect<K, number>((visit) => tree.range(command, visit));
        const expected = model.range(command);
        expect(got.rows, where).toEqual(expected);
        expect(got.count, where).toBe(expected.length);
        break;
      }
      case "minmax":
        expect(tree.minKey(), where).toEqual(model.rows[0]?.[0]);
        expect(tree.maxKey(), where).toEqual(model.rows[model.rows.length - 1]?.[0]);
        break;
    }
    tree.checkInvariants();
    expect(tree.size, where).toBe(model.rows.length);
  }
  expect([...tree.entries()]).toEqual(model.rows);
}

const smallFanoutArb = fc.constantFrom(4, 5, 8);
const numberKeyArb = fc.integer({ min: -20, max: 120 });
// Few letters, short strings: plenty of collisions, and prefixes ("a" < "aa" < "ab").
const stringKeyArb = fc.string({ unit: fc.constantFrom("a", "b", "c", "d"), maxLength: 4 });

describe("BPlusTree against a sorted-array model", () => {
  it("number keys, random commands", () => {
    fc.assert(
      fc.property(
        smallFanoutArb,
        fc.array(commandArb(numberKeyArb), { maxLength: 300, size: "max" }),
        (fanout, commands) => {
          runAgainstModel(fanout, undefined, commands);
        },
      ),
      { numRuns: 120 },
    );
  });

  it("string keys, random commands", () => {
    fc.assert(
      fc.property(
        smallFanoutArb,
        fc.array(commandArb(stringKeyArb), { maxLength: 300, size: "max" }),
        (fanout, commands) => {
          runAgainstModel(fanout, undefined, commands);
        },
      ),
      { numRuns: 120 },
    );
  });

  it("composite keys with a custom comparator", () => {
    const compareComposite: Comparator<readonly [string, number]> = (a, b) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
    const keyArb = fc.tuple(fc.constantFrom("eu", "us", "asia"), fc.integer({ min: 0, max: 40 }));
    fc.assert(
      fc.property(
        smallFanoutArb,
        fc.array(commandArb(keyArb), { maxLength: 250, size: "max" }),
        (fanout, commands) => {
          runAgainstModel(fanout, compareComposite, commands);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a reversing comparator orders keys descending", () => {
    const descending: Comparator<number> = (a, b) => b - a;
    fc.assert(
      fc.property(
        smallFanoutArb,
        fc.array(commandArb(numberKeyArb), { maxLength: 250, size: "max" }),
        (fanout, commands) => {
          runAgainstModel(fanout, descending, commands);
        },
      ),
      { numRuns: 60 },
    );
    const tree = new BPlusTree<number, string>({ fanout: 4, compare: descending });
    for (const key of [3, 10, 1, 7, 5, 2, 9]) tree.set(key, `v${key}`);
    expect([...tree.entries()].map(([k]) => k)).toEqual([10, 9, 7, 5, 3, 2, 1]);
    expect(tree.minKey()).toBe(10);
    expect(tree.maxKey()).toBe(1);
  });

  it("fills and empties the tree in random orders, splitting and merging at every level", () => {
    const keys = Array.from({ length: 300 }, (_, i) => i);
    const permutation = fc.shuffledSubarray(keys, { minLength: keys.length, maxLength: keys.length });
    fc.assert(
      fc.property(smallFanoutArb, permutation, permutation, (fanout, insertOrder, deleteOrder) => {
        const tree = new BPlusTree<number, number>({ fanout });
        let heightMax = 0;
        for (const key of insertOrder) {
          expect(tree.set(key, key * 2)).toBe(true);
          tree.checkInvariants();
          heightMax = Math.max(heightMax, tree.height);
        }
        expect(heightMax).toBeGreaterThanOrEqual(3);
        expect([...tree.entries()].map(([k]) => k)).toEqual(keys);
        for (const [i, key] of deleteOrder.entries()) {
          expect(tree.get(key)).toBe(key * 2);
          expect(tree.delete(key)).toBe(true);
          expect(tree.delete(key)).toBe(false);
          tree.checkInvariants();
          expect(tree.size).toBe(keys.length - i - 1);
        }
        expect(tree.height).toBe(1);
        expect(tree.pageCount).toBe(1);
        expect(tree.minKey()).toBeUndefined();
        expect(tree.maxKey()).toBeUndefined();
      }),
      { numRuns: 30 },
    );
  });
});

describe("BPlusTree page accounting", () => {
  function filledTree(fanout: number, keys: readonly number[]): BPlusTree<number, number> {
    const tree = new BPlusTree<number, number>({ fanout });
    for (const key of keys) tree.set(key, key);
    return tree;
  }

  it("a point get or has reads exactly `height` pages and writes none", () => {
    const tree = filledTree(
      4,
      Array.from({ length: 500 }, (_, i) => (i * 7919) % 500),
    );
    expect(tree.height).toBeGreaterThanOrEqual(4);
    for (let key = -5; key < 510; key++) {
      tree.get(key);
      expect(tree.lastPagesRead).toBe(tree.height);
      expect(tree.lastPagesWritten).toBe(0);
      tree.has(key);
      expect(tree.lastPagesRead).toBe(tree.height);
    }
    expect(filledTree(64, [1, 2, 3]).height).toBe(1);
  });

  it("a scan over n entries spanning k leaves reads height + k - 1 pages", () => {
    fc.assert(
      fc.property(
        smallFanoutArb,
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 200, size: "max" }),
        fc.nat(),
        fc.integer({ min: 1, max: 60 }),
        fc.boolean(),
        (fanout, keys, startPick, limit, reverse) => {
          const tree = filledTree(fanout, keys);
          const leaves = tree.leafKeys();
          expect(leaves.flat()).toEqual([...tree.entries()].map(([k]) => k));
          const start = keys[startPick % keys.length] as number;
          const visited: number[] = [];
          const visit = (key: number) => {
            visited.push(key);
          };
          if (reverse) tree.range({ hi: start, reverse: true, limit }, visit);
          else tree.scan(start, limit, visit);
          const leavesSpanned = leaves.filter((leaf) => leaf.some((key) => visited.includes(key))).length;
          const inBounds = keys.filter((key) => (reverse ? key <= start : key >= start)).length;
          expect(visited.length).toBe(Math.min(limit, inBounds));
          expect(tree.lastPagesRead).toBe(tree.height + leavesSpanned - 1);
          expect(tree.lastPagesWritten).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a full forward or reverse range reads every leaf once", () => {
    const tree = filledTree(
      5,
      Array.from({ length: 400 }, (_, i) => i),
    );
    const leafCount = tree.leafKeys().length;
    expect(tree.range({}, () => {})).toBe(400);
    expect(tree.lastPagesRead).toBe(tree.height + leafCount - 1);
    expect(tree.range({ reverse: true }, () => {})).toBe(400);
    expect(tree.lastPagesRead).toBe(tree.height + leafCount - 1);
  });

  it("a bounded range reads only the leaves between its bounds", () => {
    const tree = filledTree(
      5,
      Array.from({ length: 300 }, (_, i) => i),
    );
    const leaves = tree.leafKeys();
    const leafOf = new Map<number, number>();
    for (const [i, leaf] of leaves.entries()) for (const key of leaf) leafOf.set(key, i);
    for (let lo = 0; lo < 300; lo += 7) {
      for (let hi = lo; hi < 300; hi += 11) {
        const loLeaf = leafOf.get(lo) as number;
        const hiLeaf = leafOf.get(hi) as number;
        // A scan only knows it is done once it has seen a key past its bound: when the bound is
        // the edge key of its leaf, that takes one more leaf (if there is one).
        const hiIsLeafEnd = leaves[hiLeaf]?.at(-1) === hi && hiLeaf < leaves.length - 1;
        const loIsLeafStart = leaves[loLeaf]?.[0] === lo && loLeaf > 0;
        expect(tree.range({ lo, hi }, () => {})).toBe(hi - lo + 1);
        expect(tree.lastPagesRead, `forward ${lo}..${hi}`).toBe(
          tree.height + hiLeaf - loLeaf + (hiIsLeafEnd ? 1 : 0),
        );
        expect(tree.range({ lo, hi, reverse: true }, () => {})).toBe(hi - lo + 1);
        expect(tree.lastPagesRead, `reverse ${hi}..${lo}`).toBe(
          tree.height + hiLeaf - loLeaf + (loIsLeafStart ? 1 : 0),
        );
      }
    }
  });

  it("an insert writes 1 page plus 2 per split; splitting inserts write more than others", () => {
    fc.assert(
      fc.property(
        smallFanoutArb,
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300, size: "max" }),
        (fanout, keys) => {
          const tree = new BPlusTree<number, number>({ fanout });
          for (const key of keys) {
            const pagesBefore = tree.pageCount;
            const heightBefore = tree.height;
            const isNew = tree.set(key, key);
            expect(tree.lastPagesRead).toBe(heightBefore);
            // Each split adds one page; a root split adds a second one, the new root.
            const splits = tree.pageCount - pagesBefore - (tree.height - heightBefore);
            expect(tree.lastPagesWritten).toBe(1 + 2 * splits);
            if (!isNew) expect(splits).toBe(0);
          }
        },
      ),
      { numRuns: 60 },
    );
    // A fanout-4 leaf takes 4 keys; the fifth splits it (leaf, new sibling, new root).
    const tree = new BPlusTree<number, number>({ fanout: 4 });
    for (const key of [1, 2, 3, 4]) {
      tree.set(key, key);
      expect(tree.lastPagesWritten).toBe(1);
    }
    tree.set(5, 5);
    expect(tree.lastPagesWritten).toBe(3);
    expect(tree.height).toBe(2);
    expect(tree.pageCount).toBe(3);
    tree.set(5, 50);
    expect(tree.lastPagesWritten).toBe(1);
  });

  it("a delete writes 1 page plus 2 per borrow or merge, and reads each sibling it consults", () => {
    fc.assert(
      fc.property(
        smallFanoutArb,
        fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { minLength: 50, maxLength: 250, size: "max" }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300, size: "max" }),
        (fanout, keys, deletes) => {
          const tree = filledTree(fanout, keys);
          let rebalances = 0;
          for (const key of deletes) {
            const pagesBefore = tree.pageCount;
            const heightBefore = tree.height;
            const existed = tree.delete(key);
            if (!existed) {
              expect(tree.lastPagesWritten).toBe(0);
              expect(tree.lastPagesRead).toBe(heightBefore);
              continue;
            }
            const steps = (tree.lastPagesWritten - 1) / 2;
            expect(Number.isInteger(steps)).toBe(true);
            rebalances += steps;
            // Each merge frees one page; a root collapse frees one more and lowers the height.
            const merges = pagesBefore - tree.pageCount - (heightBefore - tree.height);
            expect(steps).toBeGreaterThanOrEqual(merges);
            const siblingReads = tree.lastPagesRead - heightBefore;
            expect(siblingReads).toBeGreaterThanOrEqual(steps);
            expect(siblingReads).toBeLessThanOrEqual(2 * steps);
          }
          if (deletes.length >= 200) expect(rebalances).toBeGreaterThan(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("minKey and maxKey read one root-to-leaf path; counters reset per operation", () => {
    const tree = filledTree(
      4,
      Array.from({ length: 100 }, (_, i) => i),
    );
    tree.set(1000, 1);
    expect(tree.lastPagesWritten).toBeGreaterThan(0);
    expect(tree.minKey()).toBe(0);
    expect(tree.lastPagesRead).toBe(tree.height);
    expect(tree.lastPagesWritten).toBe(0);
    expect(tree.maxKey()).toBe(1000);
    expect(tree.lastPagesRead).toBe(tree.height);
  });
});

describe("BPlusTree options and guards", () => {
  it("validates fanout", () => {
    for (const fanout of [3, 1025, 0, -4, 4.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new BPlusTree({ fanout }), `fanout ${fanout}`).toThrow(RangeError);
      expect(() => new BPlusTree({ fanout }), `fanout ${fanout}`).toThrow(/fanout/);
    }
    expect(new BPlusTree({ fanout: 4 }).fanout).toBe(4);
    expect(new BPlusTree({ fanout: 1024 }).fanout).toBe(1024);
    expect(new BPlusTree().fanout).toBe(64);
  });

  it("orders default string keys by code unit, like `<`", () => {
    const tree = new BPlusTree<string, number>({ fanout: 4 });
    const keys = ["user9", "user10", "User", "user100", "user", "user6284781860667377211", "é", "z"];
    for (const [i, key] of keys.entries()) tree.set(key, i);
    expect([...tree.entries()].map(([k]) => k)).toEqual([...keys].sort());
    tree.checkInvariants();
  });

  it("rejects NaN keys under the default order", () => {
    const tree = new BPlusTree<number, number>();
    expect(() => tree.set(Number.NaN, 1)).toThrow(RangeError);
    expect(tree.size).toBe(0);
  });

  it("rejects bad limits and a visitor that mutates the tree", () => {
    const tree = new BPlusTree<number, number>({ fanout: 4 });
    for (let i = 0; i < 20; i++) tree.set(i, i);
    expect(() => tree.scan(0, -1, () => {})).toThrow(RangeError);
    expect(() => tree.range({ limit: 1.5 }, () => {})).toThrow(RangeError);
    expect(tree.scan(0, 0, () => {})).toBe(0);
    expect(() => tree.scan(0, 10, (key) => tree.delete(key + 1))).toThrow(/modified/);
    // Replacing a value in place is not a structural change.
    expect(tree.scan(0, 5, (key) => tree.set(key, -key))).toBe(5);
    expect(tree.get(4)).toBe(-4);
  });

  it("range with empty or inverted bounds visits nothing", () => {
    const tree = new BPlusTree<number, number>({ fanout: 4 });
    for (let i = 0; i < 50; i += 2) tree.set(i, i);
    const none = () => {
      throw new Error("must not visit");
    };
    expect(tree.range({ lo: 30, hi: 10 }, none)).toBe(0);
    expect(tree.range({ lo: 30, hi: 10, reverse: true }, none)).toBe(0);
    expect(tree.range({ lo: 10, hi: 10, loInclusive: false }, none)).toBe(0);
    expect(tree.range({ lo: 11, hi: 11 }, none)).toBe(0);
    expect(new BPlusTree<number, number>().range({ reverse: true }, none)).toBe(0);
  });
});

describe("checkInvariants detects corruption", () => {
  interface Leaf {
    keys: number[];
    values: number[];
    prev: Leaf | null;
    next: Leaf | null;
  }
  interface Internals {
    head: Leaf;
    count: number;
  }
  function corruptible(): { tree: BPlusTree<number, number>; internals: Internals } {
    const tree = new BPlusTree<number, number>({ fanout: 4 });
    for (let i = 0; i < 40; i++) tree.set(i, i);
    tree.checkInvariants();
    return { tree, internals: tree as unknown as Internals };
  }

  it("keys out of order within a leaf", () => {
    const { tree, internals } = corruptible();
    internals.head.keys.reverse();
    expect(() => tree.checkInvariants()).toThrow(/out of order/);
  });

  it("a key outside its separators", () => {
    const { tree, internals } = corruptible();
    const second = internals.head.next as Leaf;
    second.keys[second.keys.length - 1] = 1000;
    expect(() => tree.checkInvariants()).toThrow(/separator/);
  });

  it("an under-full leaf", () => {
    const { tree, internals } = corruptible();
    const second = internals.head.next as Leaf;
    second.keys.length = 1;
    second.values.length = 1;
    expect(() => tree.checkInvariants()).toThrow(/minimum/);
  });

  it("a broken back link", () => {
    const { tree, internals } = corruptible();
    const second = internals.head.next as Leaf;
    (second.next as Leaf).prev = internals.head;
    expect(() => tree.checkInvariants()).toThrow(/prev link/);
  });

  it("a size that does not match the leaves", () => {
    const { tree, internals } = corruptible();
    internals.count++;
    expect(() => tree.checkInvariants()).toThrow(/size/);
  });
});
