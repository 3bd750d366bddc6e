import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ConsistentPartitioner,
  DirectoryPartitioner,
  HashPartitioner,
  type Partitioner,
  RangePartitioner,
} from "../../../engine/sharding/partitioners.js";
import { ShardMap } from "../../../engine/sharding/shard-map.js";

const KEYS = Array.from({ length: 20_000 }, (_, i) => `user${(i * 2654435761) % 1_000_000_007}`);

function movedFraction(before: Partitioner, after: Partitioner): number {
  return KEYS.filter((key) => before.shardOf(key) !== after.shardOf(key)).length / KEYS.length;
}

const key = fc.string({ minLength: 1, maxLength: 24 });

describe("partitioners", () => {
  const partitioners: [string, Partitioner][] = [
    ["hash", new HashPartitioner(4)],
    ["consistent", new ConsistentPartitioner(4, 64)],
    ["range", RangePartitioner.fromBoundaries(["g", "n", "t"])],
    ["directory", new DirectoryPartitioner(new HashPartitioner(4)).move(["hot"], 3)],
  ];

  it.each(partitioners)("%s: every key has exactly one owner among its shards", (_name, partitioner) => {
    fc.assert(
      fc.property(key, (k) => {
        const owner = partitioner.shardOf(k);
        expect(partitioner.shardIds).toContain(owner);
        expect(partitioner.shardOf(k)).toBe(owner); // a function of the key alone
      }),
    );
  });

  it("hash mod N moves about 80% of the keys from 4 to 5 shards; a ring about 20%, all to the new shard", () => {
    expect(movedFraction(new HashPartitioner(4), new HashPartitioner(5))).toBeCloseTo(0.8, 1);
    const before = new ConsistentPartitioner(4, 128);
    const after = new ConsistentPartitioner(5, 128);
    const moved = movedFraction(before, after);
    expect(moved).toBeGreaterThan(0.14);
    expect(moved).toBeLessThan(0.26);
    for (const k of KEYS) if (before.shardOf(k) !== after.shardOf(k)) expect(after.shardOf(k)).toBe(4);
  });

  it("spreads keys: no shard far from its share under hash or a ring", () => {
    for (const partitioner of [new HashPartitioner(5), new ConsistentPartitioner(5, 128)]) {
      const counts = [0, 0, 0, 0, 0];
      for (const k of KEYS) counts[partitioner.shardOf(k)] = (counts[partitioner.shardOf(k)] ?? 0) + 1;
      for (const count of counts) expect(count / KEYS.length).toBeGreaterThan(0.12);
    }
  });

  it("range: boundaries start shards 1..N-1; a scan meets the ranges from its start on", () => {
    const range = RangePartitioner.fromBoundaries(["g", "n", "t"]);
    expect(["a", "g", "m", "n", "zz", ""].map((k) => range.shardOf(k))).toEqual([0, 1, 1, 2, 3, 0]);
    expect(range.scanShards("h")).toEqual([1, 2, 3]);
    expect(() => RangePartitioner.fromBoundaries(["n", "g"])).toThrow(/strictly ascending/);
  });

  it("range: evenly over the loaded keys, and a split moves only the upper part of one range", () => {
    const range = RangePartitioner.evenlyOver(KEYS, 4);
    const counts = [0, 0, 0, 0];
    for (const k of KEYS) counts[range.shardOf(k)] = (counts[range.shardOf(k)] ?? 0) + 1;
    expect(counts).toEqual([5000, 5000, 5000, 5000]);
    const median = [...KEYS].filter((k) => range.shardOf(k) === 2).sort()[2500] as string;
    const split = range.split(median, 4);
    for (const k of KEYS) {
      const moved = range.shardOf(k) !== split.shardOf(k);
      expect(moved).toBe(range.shardOf(k) === 2 && k >= median);
      if (moved) expect(split.shardOf(k)).toBe(4);
    }
    expect(movedFraction(range, split)).toBeCloseTo(0.125, 3);
  });

  it("directory: moved keys go where the directory says, the rest stay", () => {
    const base = new DirectoryPartitioner(new HashPartitioner(4));
    const moved = base.move(["user1", "user2"], 5);
    expect(moved.shardOf("user1")).toBe(5);
    expect(moved.shardIds).toContain(5);
    expect(movedFraction(base, moved)).toBe(0);
  });

  it("refuses 0 shards and 0 vnodes", () => {
    expect(() => new HashPartitioner(0)).toThrow(/shards/);
    expect(() => new ConsistentPartitioner(4, 0)).toThrow(/vnodes/);
  });
});

describe("shard map during a reshard", () => {
  it("every key is owned by exactly one shard before, during and after: its old owner until its source cuts over", () => {
    fc.assert(
      fc.property(
        fc.array(key, { minLength: 1, maxLength: 50 }),
        fc.subarray([0, 1, 2, 3]),
        (keys, cutOver) => {
          let map = new ShardMap(1, new HashPartitioner(4)).beginReshard(new HashPartitioner(5));
          for (const source of cutOver) map = map.freeze(source).cutOverSource(source);
          for (const k of keys) {
            const before = map.current.shardOf(k);
            const after = (map.target as Partitioner).shardOf(k);
            expect(map.ownerOf(k)).toBe(cutOver.includes(before) ? after : before);
            expect(map.isFrozen(k)).toBe(false);
          }
          const settled = [0, 1, 2, 3]
            .reduce((m, source) => (m.cutOver.has(source) ? m : m.cutOverSource(source)), map)
            .settle();
          for (const k of keys) expect(settled.ownerOf(k)).toBe(new HashPartitioner(5).shardOf(k));
        },
      ),
    );
  });

  it("a frozen source's moving keys are frozen; its staying keys are not", () => {
    const map = new ShardMap(1, new HashPartitioner(4)).beginReshard(new HashPartitioner(5)).freeze(2);
    for (const k of KEYS.slice(0, 2000)) {
      const moving = map.current.shardOf(k) === 2 && map.destinationOf(k) !== 2;
      expect(map.isFrozen(k)).toBe(moving);
    }
    expect(map.epoch).toBe(0);
    expect(map.cutOverSource(2).epoch).toBe(1);
  });
});
