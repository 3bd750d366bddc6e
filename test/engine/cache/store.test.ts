import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CacheStore, LFU_MAX_FREQUENCY } from "../../../engine/cache/store.js";

function store(options: Partial<ConstructorParameters<typeof CacheStore>[0]> = {}) {
  return new CacheStore(
    { capacity: 3, eviction: "lru", ttl_us: 0, lease_ttl_us: 1000, ...options },
    { evictions: 0, expired: 0 },
  );
}

describe("CacheStore", () => {
  it("LRU evicts the least recently used entry and reports it", () => {
    const cache = store();
    const evicted: string[] = [];
    cache.onEvict = (key) => evicted.push(key);
    cache.set("a", 1, 0);
    cache.set("b", 2, 0);
    cache.set("c", 3, 0);
    expect(cache.get("a", 0)).toBe(1); // a is used: b is now the oldest
    cache.set("d", 4, 0);
    expect(evicted).toEqual(["b"]);
    expect(cache.get("b", 0)).toBeUndefined();
    expect(cache.counters.evictions).toBe(1);
    expect(cache.size).toBe(3);
  });

  it("LFU evicts the least frequently used entry, the least recently used among equals", () => {
    const cache = store({ eviction: "lfu" });
    cache.set("a", 1, 0);
    cache.set("b", 2, 0);
    cache.set("c", 3, 0);
    cache.get("a", 0);
    cache.get("a", 0);
    cache.get("c", 0);
    cache.set("d", 4, 0); // b: used once (its set)
    expect(cache.get("b", 0)).toBeUndefined();
    cache.set("e", 5, 0); // d: once; c: twice; a: three times
    expect(cache.get("d", 0)).toBeUndefined();
    expect([cache.get("a", 0), cache.get("c", 0), cache.get("e", 0)]).toEqual([1, 3, 5]);
  });

  it("LFU frequencies saturate, so finding the victim stays bounded", () => {
    const cache = store({ eviction: "lfu", capacity: 2 });
    cache.set("hot", 1, 0);
    for (let i = 0; i < 3 * LFU_MAX_FREQUENCY; i++) cache.get("hot", 0);
    cache.set("x", 2, 0);
    cache.set("y", 3, 0);
    expect(cache.get("hot", 0)).toBe(1);
    expect(cache.get("x", 0)).toBeUndefined();
  });

  it("an entry past its ttl is a miss, counted as expired", () => {
    const cache = store({ ttl_us: 100 });
    cache.set("a", 1, 1000);
    expect(cache.get("a", 1099)).toBe(1);
    expect(cache.get("a", 1100)).toBeUndefined();
    expect(cache.counters.expired).toBe(1);
    expect(cache.size).toBe(0);
  });

  it("a database read's fill never replaces an entry set since (a newer write's)", () => {
    const cache = store({ ttl_us: 100 });
    expect(cache.fill("a", 1, 0)).toBe(true);
    cache.set("a", 2, 10); // a write-through or write-behind write
    expect(cache.fill("a", 1, 20)).toBe(false);
    expect(cache.get("a", 20)).toBe(2);
    expect(cache.fill("a", 3, 110)).toBe(true); // the entry had expired
  });

  it("leases: one live per key; a voided lease's set is refused; an expired one makes way for the next reader", () => {
    const cache = store();
    const first = cache.lease("k", 0);
    expect(first).toBeGreaterThan(0);
    expect(cache.lease("k", 10)).toBe(0); // another reader must wait
    cache.voidLease("k"); // a writer deleted the key
    expect(cache.redeem("k", first)).toBe(false);
    const second = cache.lease("k", 20);
    expect(cache.lease("k", 1019)).toBe(0);
    const third = cache.lease("k", 1020); // the second expired unused
    expect(third).toBeGreaterThan(second);
    expect(cache.redeem("k", second)).toBe(false);
    expect(cache.redeem("k", third)).toBe(true);
    expect(cache.redeem("k", third)).toBe(false); // used up
  });

  it("holds at most its capacity and returns the last value set for a key it holds (fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("lru" as const, "lfu" as const),
        fc.array(fc.tuple(fc.constantFrom("get", "set", "delete"), fc.integer({ min: 0, max: 9 })), {
          maxLength: 300,
        }),
        (eviction, steps) => {
          const cache = store({ eviction, capacity: 4 });
          const last = new Map<string, number>();
          let value = 0;
          for (const [op, n] of steps) {
            const key = `k${n}`;
            if (op === "set") {
              cache.set(key, ++value, 0);
              last.set(key, value);
            } else if (op === "delete") cache.delete(key);
            else {
              const got = cache.get(key, 0);
              if (got !== undefined) expect(got).toBe(last.get(key));
            }
            expect(cache.size).toBeLessThanOrEqual(4);
          }
        },
      ),
      { seed: 15, numRuns: 200 },
    );
  });
});
