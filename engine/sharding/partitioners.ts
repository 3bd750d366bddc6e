// Which shard owns a key. Four strategies, each an immutable value (a reshard builds a new one):
// - hash: FNV-1a(key) mod N, the textbook `user_id % 4`; adding a shard moves most keys;
// - consistent: a hash ring with `vnodes` points per shard; a key belongs to the first point at or
//   after its hash; adding a shard moves only the keys its new points take (about 1/(N+1));
// - range: sorted lower bounds, each owned by one shard; a split divides one range at a key and
//   gives the upper part to another shard;
// - directory: a lookup table of keys placed explicitly (moved), over a hash placement for the rest.
// Shard ids are 0..N-1 for hash and consistent; range and directory may leave ids unused.

import { fnv1a32, mix32 } from "../../sim/hash.js";

export type StrategyName = "hash" | "consistent" | "range" | "directory";

export interface Partitioner {
  readonly strategy: StrategyName;
  /** Shard ids this partitioner can return, ascending. */
  readonly shardIds: readonly number[];
  shardOf(key: string): number;
  /**
   * The shards that may hold keys >= start, in the order a scan from `start` meets them: for range,
   * the owner of `start` and the ranges after it; for the others every shard (keys are spread).
   */
  scanShards(start: string): readonly number[];
}

/** FNV-1a over the UTF-16 code units of a string, 32 bits, with murmur3's avalanche finalizer. */
export function hash32(text: string): number {
  return mix32(fnv1a32(text));
}

function checkShards(shards: number): void {
  if (!(Number.isInteger(shards) && shards >= 1))
    throw new RangeError(`shards must be an integer >= 1, got ${shards}`);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export class HashPartitioner implements Partitioner {
  readonly strategy = "hash";
  readonly shardIds: readonly number[];
  readonly shards: number;

  constructor(shards: number) {
    checkShards(shards);
    this.shards = shards;
    this.shardIds = range(shards);
  }

  shardOf(key: string): number {
    return hash32(key) % this.shards;
  }

  scanShards(): readonly number[] {
    return this.shardIds;
  }
}

export class ConsistentPartitioner implements Partitioner {
  readonly strategy = "consistent";
  readonly shardIds: readonly number[];
  readonly shards: number;
  readonly vnodes: number;
  /** The ring: point positions ascending, and the shard owning each point. */
  private readonly points: Uint32Array;
  private readonly owners: Int32Array;

  constructor(shards: number, vnodes: number) {
    checkShards(shards);
    if (!(Number.isInteger(vnodes) && vnodes >= 1))
      throw new RangeError(`vnodes must be an integer >= 1, got ${vnodes}`);
    this.shards = shards;
    this.vnodes = vnodes;
    this.shardIds = range(shards);
    // A shard's points depend on its id and the point number only, so adding a shard keeps every
    // other point where it was.
    const ring: { position: number; shard: number }[] = [];
    for (let shard = 0; shard < shards; shard++) {
      for (let v = 0; v < vnodes; v++) ring.push({ position: hash32(`shard-${shard}-vnode-${v}`), shard });
    }
    ring.sort((a, b) => a.position - b.position || a.shard - b.shard);
    this.points = Uint32Array.from(ring, (point) => point.position);
    this.owners = Int32Array.from(ring, (point) => point.shard);
  }

  shardOf(key: string): number {
    const h = hash32(key);
    const points = this.points;
    let low = 0;
    let high = points.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((points[middle] as number) < h) low = middle + 1;
      else high = middle;
    }
    return this.owners[low === points.length ? 0 : low] as number;
  }

  scanShards(): readonly number[] {
    return this.shardIds;
  }
}

/** One range of a range partitioner: keys from `from` (inclusive) up to the next range's `from`. */
export interface KeyRange {
  readonly from: string;
  readonly shard: number;
}

export class RangePartitioner implements Partitioner {
  readonly strategy = "range";
  readonly shardIds: readonly number[];
  /** Ascending by `from`; the first starts at "" (every key). */
  readonly ranges: readonly KeyRange[];

  /** `boundaries`: ascending split keys; range i (from boundaries[i-1]) goes to shard i. */
  static fromBoundaries(boundaries: readonly string[]): RangePartitioner {
    for (let i = 1; i < boundaries.length; i++) {
      if (!((boundaries[i - 1] as string) < (boundaries[i] as string))) {
        throw new RangeError(
          `range boundaries must be strictly ascending: ${JSON.stringify(boundaries[i - 1])} then ${JSON.stringify(boundaries[i])}`,
        );
      }
    }
    if (boundaries[0] === "")
      throw new RangeError('a range boundary must not be "" (the first range starts there)');
    return new RangePartitioner([
      { from: "", shard: 0 },
      ...boundaries.map((from, i) => ({ from, shard: i + 1 })),
    ]);
  }

  /** N ranges holding equal numbers of the given keys (a pre-split table). */
  static evenlyOver(keys: readonly string[], shards: number): RangePartitioner {
    checkShards(shards);
    const sorted = [...new Set(keys)].sort();
    const boundaries: string[] = [];
    for (let i = 1; i < shards; i++) {
      const boundary = sorted[Math.floor((i * sorted.length) / shards)];
      if (boundary === undefined || boundary === "" || boundary <= (boundaries.at(-1) ?? "")) {
        throw new RangeError(`cannot cut ${sorted.length} distinct keys into ${shards} ranges`);
      }
      boundaries.push(boundary);
    }
    return RangePartitioner.fromBoundaries(boundaries);
  }

  constructor(ranges: readonly KeyRange[]) {
    if (ranges.length === 0 || ranges[0]?.from !== "")
      throw new RangeError('the first range must start at ""');
    this.ranges = ranges;
    this.shardIds = [...new Set(ranges.map((r) => r.shard))].sort((a, b) => a - b);
  }

  private rangeIndex(key: string): number {
    const ranges = this.ranges;
    let low = 0;
    let high = ranges.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((ranges[middle] as KeyRange).from <= key) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  shardOf(key: string): number {
    return (this.ranges[this.rangeIndex(key)] as KeyRange).shard;
  }

  scanShards(start: string): readonly number[] {
    const shards: number[] = [];
    for (let i = this.rangeIndex(start); i < this.ranges.length; i++) {
      const shard = (this.ranges[i] as KeyRange).shard;
      if (!shards.includes(shard)) shards.push(shard);
    }
    return shards;
  }

  /** The shard of the range holding `key`, and where that range ends (null: the last range). */
  rangeOf(key: string): { shard: number; until: string | null } {
    const i = this.rangeIndex(key);
    return { shard: (this.ranges[i] as KeyRange).shard, until: this.ranges[i + 1]?.from ?? null };
  }

  /** The range containing `at` split at `at`: keys from `at` on (up to the next range) go to `shard`. */
  split(at: string, shard: number): RangePartitioner {
    const i = this.rangeIndex(at);
    if ((this.ranges[i] as KeyRange).from === at)
      throw new RangeError(`${JSON.stringify(at)} already starts a range`);
    const ranges = [...this.ranges];
    ranges.splice(i + 1, 0, { from: at, shard });
    return new RangePartitioner(ranges);
  }
}

export class DirectoryPartitioner implements Partitioner {
  readonly strategy = "directory";
  readonly shardIds: readonly number[];
  /** Where keys not in the directory live. */
  readonly base: HashPartitioner;
  readonly entries: ReadonlyMap<string, number>;

  constructor(
    base: HashPartitioner,
    entries: ReadonlyMap<string, number> = new Map(),
    extraShards: readonly number[] = [],
  ) {
    this.base = base;
    this.entries = entries;
    this.shardIds = [...new Set([...base.shardIds, ...entries.values(), ...extraShards])].sort(
      (a, b) => a - b,
    );
  }

  shardOf(key: string): number {
    return this.entries.get(key) ?? this.base.shardOf(key);
  }

  scanShards(): readonly number[] {
    return this.shardIds;
  }

  /** The directory with `keys` placed on `shard`. */
  move(keys: Iterable<string>, shard: number): DirectoryPartitioner {
    const entries = new Map(this.entries);
    for (const key of keys) entries.set(key, shard);
    return new DirectoryPartitioner(this.base, entries, [...this.shardIds, shard]);
  }
}
