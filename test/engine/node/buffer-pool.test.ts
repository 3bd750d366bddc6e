import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BufferPool } from "../../../engine/node/buffer-pool.js";

/** Looks `page` up and admits it on a miss; returns whether it was a hit. */
function touch(pool: BufferPool, page: number): boolean {
  if (pool.lookup(page) >= 0) return true;
  pool.admit(page);
  return false;
}

describe("BufferPool, lru", () => {
  it("evicts the least recently used page", () => {
    const pool = new BufferPool(3, "lru");
    for (const page of [1, 2, 3]) touch(pool, page);
    expect(touch(pool, 1)).toBe(true); // 2 is now the least recently used
    expect(touch(pool, 4)).toBe(false);
    expect(pool.evictedPage).toBe(2);
    expect(touch(pool, 2)).toBe(false);
    expect(pool.evictedPage).toBe(3);
    expect([1, 4, 2].every((page) => pool.lookup(page) >= 0)).toBe(true);
    expect(pool.size).toBe(3);
  });

  it("says whether a victim was dirty, and a new frame starts clean", () => {
    const pool = new BufferPool(1, "lru");
    const frame = pool.admit(7);
    pool.dirty[frame] = 1;
    const next = pool.admit(8);
    expect([pool.evictedPage, pool.evictedDirty]).toEqual([7, true]);
    expect(pool.dirty[next]).toBe(0);
    pool.admit(9);
    expect([pool.evictedPage, pool.evictedDirty]).toEqual([8, false]);
  });

  it("is empty after clear (a crash)", () => {
    const pool = new BufferPool(4, "lru");
    for (const page of [1, 2, 3]) touch(pool, page);
    pool.clear();
    expect(pool.size).toBe(0);
    expect(pool.lookup(1)).toBe(-1);
    expect(touch(pool, 5)).toBe(false);
    expect(pool.evictedPage).toBe(-1);
  });

  it("hits and misses exactly as a reference LRU, whatever the sequence (fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }),
        (capacity, pages) => {
          const pool = new BufferPool(capacity, "lru");
          const model = new Map<number, true>(); // insertion order: least recently used first
          for (const page of pages) {
            const expected = model.has(page);
            model.delete(page);
            model.set(page, true);
            if (model.size > capacity) model.delete(model.keys().next().value as number);
            expect(touch(pool, page)).toBe(expected);
          }
          expect(pool.size).toBe(model.size);
        },
      ),
      { seed: 15, numRuns: 200 },
    );
  });
});

describe("BufferPool, clock", () => {
  it("gives a page used since the hand last passed a second chance", () => {
    const pool = new BufferPool(3, "clock");
    for (const page of [1, 2, 3]) touch(pool, page);
    // Every bit is set: the hand clears them all and comes back to page 1.
    expect(touch(pool, 4)).toBe(false);
    expect(pool.evictedPage).toBe(1);
    expect(touch(pool, 2)).toBe(true); // referenced again: survives the next sweep
    expect(touch(pool, 5)).toBe(false);
    expect(pool.evictedPage).toBe(3);
    expect([2, 4, 5].every((page) => pool.lookup(page) >= 0)).toBe(true);
  });

  it("keeps a hot page through a stream of pages used once", () => {
    const pool = new BufferPool(4, "clock");
    let hits = 0;
    for (let i = 0; i < 100; i++) {
      if (touch(pool, 0)) hits++;
      touch(pool, 100 + i);
    }
    // Lost once at most: when every bit is set, the first sweep clears them all and takes the hand's frame.
    expect(hits).toBeGreaterThanOrEqual(98);
  });
});
