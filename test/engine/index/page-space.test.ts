// Page identity: every page of a bound structure has an id in its node's page space, and each
// operation records the pages it reads, writes and creates, as its page counts say.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BPlusTree } from "../../../engine/index/btree.js";
import { PAGE_NEW, PAGE_READ, PAGE_WRITE, PageSpace } from "../../../engine/index/page-space.js";
import { LinearHashIndex } from "../../../engine/query/hash-index.js";
import { Table } from "../../../engine/table.js";

/** The touches recorded since the last clear, as [id, kind] pairs. */
function touches(space: PageSpace): [number, number][] {
  return Array.from({ length: space.length }, (_, i) => [space.ids[i] as number, space.kinds[i] as number]);
}

function tree(keys: number): BPlusTree<number, number> {
  const t = new BPlusTree<number, number>({ fanout: 4 });
  for (let k = 0; k < keys; k++) t.set(k, k);
  return t;
}

describe("a B+tree bound to a page space", () => {
  it("gives each page an id and records a get's descent, ending at the leaf it found", () => {
    const t = tree(100);
    const space = new PageSpace();
    t.bindPages(space);
    expect(space.pageCount).toBe(t.pageCount);
    space.clear();
    t.get(42);
    const read = touches(space);
    expect(read).toHaveLength(t.height);
    expect(read.every(([, kind]) => kind === PAGE_READ)).toBe(true);
    expect(new Set(read.map(([id]) => id)).size).toBe(t.height);
    expect(read.at(-1)?.[0]).toBe(t.lastLeafId);
  });

  it("records a set's leaf as written and the pages a split creates", () => {
    const t = tree(3); // one leaf, room for one more key
    const space = new PageSpace();
    t.bindPages(space);
    space.clear();
    t.set(3, 3);
    expect(touches(space).map(([, kind]) => kind)).toEqual([PAGE_READ, PAGE_WRITE]);
    space.clear();
    t.set(4, 4); // the leaf splits: a new sibling, and a new root above both
    expect(touches(space).filter(([, kind]) => kind === PAGE_NEW)).toHaveLength(2);
    expect(space.pageCount).toBe(t.pageCount);
  });

  it("records each leaf a scan steps into, and nothing once unbound", () => {
    const t = tree(100);
    const space = new PageSpace();
    t.bindPages(space);
    space.clear();
    t.range({}, () => {});
    expect(touches(space)).toHaveLength(t.height - 1 + t.leafPageCount);
    t.unbindPages();
    expect(space.pageCount).toBe(0);
    space.clear();
    t.get(1);
    expect(space.length).toBe(0);
  });

  it("keeps one live id per page through inserts and deletes (fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 200 })), { maxLength: 400 }),
        (ops) => {
          const t = tree(50);
          const space = new PageSpace();
          t.bindPages(space);
          for (const [insert, key] of ops) {
            if (insert) t.set(key, key);
            else t.delete(key);
          }
          expect(space.pageCount).toBe(t.pageCount);
          space.clear();
          t.range({}, () => {});
          const leaves = touches(space).slice(t.height - 1);
          expect(new Set(leaves.map(([id]) => id)).size).toBe(t.leafPageCount);
          expect(leaves.every(([id]) => id >= 0 && id < space.idLimit)).toBe(true);
        },
      ),
      { seed: 15, numRuns: 100 },
    );
  });
});

describe("a hash index bound to a page space", () => {
  it("has a metapage and each bucket's pages; a lookup reads every page of its bucket", () => {
    const index = new LinearHashIndex<number>({ bucket_capacity: 2, max_load: 4 });
    const space = new PageSpace();
    index.bindPages(space);
    for (let i = 0; i < 40; i++) index.insert(`k${i % 3}`, `id${i}`, i); // few keys: long chains
    expect(space.pageCount).toBe(index.pageCount + 1);
    space.clear();
    index.lookup("k1", () => {});
    expect(touches(space)).toHaveLength(index.bucketPagesOf("k1"));
    for (let i = 0; i < 40; i++) index.remove(`id${i}`);
    expect(space.pageCount).toBe(index.pageCount + 1);
  });
});

describe("a table", () => {
  it("records the leaf of the row it writes", () => {
    const table = new Table({ fieldCount: 2, fanout: 4 });
    for (let i = 0; i < 50; i++) table.insert(`k${String(i).padStart(2, "0")}`, 0);
    const space = new PageSpace();
    table.bindPages(space);
    space.clear();
    const row = table.find("k17");
    table.write(row, 0, 9);
    const recorded = touches(space);
    expect(recorded.at(-1)).toEqual([recorded.at(-2)?.[0], PAGE_WRITE]);
  });
});
