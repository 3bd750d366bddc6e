// The shard map: which shard owns each key, as an immutable, versioned snapshot. Outside a reshard it
// is one partitioner. During a reshard it holds the settled partitioner and the target, and moves
// ownership one source shard at a time: a key whose owner differs between the two belongs to the
// target's shard once its source shard has cut over, and to its old shard before. So every key has
// exactly one owner at every instant, and a source shard's keys change hands all at once.
//
// The config store holds the authoritative map. Database nodes read it directly (a strongly
// consistent metadata service, as ZooKeeper or a Raft group of config servers would be, modelled as
// instant); dispatchers (the clients' or the router host's) keep a cached snapshot that goes stale
// and is corrected by the `wrong_shard` answers that carry the current one, or by the
// coordinator's broadcast.

import type { Message } from "../../sim/host.js";
import type { Partitioner } from "./partitioners.js";

/** The coordinator tells nodes and dispatchers that the map changed (nodes read it from the store). */
export interface ShardMapNotice extends Message {
  readonly kind: "shard_map";
  readonly map: ShardMap;
}

export class ShardMap {
  readonly version: number;
  /** Counts the changes of ownership (cut-overs); freezes change the version only. */
  readonly epoch: number;
  readonly current: Partitioner;
  /** The partitioner a reshard moves to (null outside a reshard). */
  readonly target: Partitioner | null;
  /** Source shards whose moving keys now belong to the target's owner. */
  readonly cutOver: ReadonlySet<number>;
  /** Source shards whose writes to moving keys wait (the last catch-up before a cut-over). */
  readonly frozen: ReadonlySet<number>;

  constructor(
    version: number,
    current: Partitioner,
    target: Partitioner | null = null,
    cutOver: ReadonlySet<number> = new Set(),
    frozen: ReadonlySet<number> = new Set(),
    epoch = 0,
  ) {
    this.version = version;
    this.epoch = epoch;
    this.current = current;
    this.target = target;
    this.cutOver = cutOver;
    this.frozen = frozen;
  }

  ownerOf(key: string): number {
    const owner = this.current.shardOf(key);
    if (this.target === null || !this.cutOver.has(owner)) return owner;
    return this.target.shardOf(key);
  }

  /** Where the key goes when the reshard completes (its owner outside a reshard). */
  destinationOf(key: string): number {
    return (this.target ?? this.current).shardOf(key);
  }

  /** The key moves and its source's writes are frozen: a write to it must wait for the cut-over. */
  isFrozen(key: string): boolean {
    if (this.target === null || this.frozen.size === 0) return false;
    const owner = this.current.shardOf(key);
    return this.frozen.has(owner) && !this.cutOver.has(owner) && this.target.shardOf(key) !== owner;
  }

  /** Every shard that may own keys >= start, now or during the reshard. */
  scanShards(start: string): number[] {
    const shards = [...this.current.scanShards(start)];
    if (this.target !== null)
      for (const shard of this.target.scanShards(start)) if (!shards.includes(shard)) shards.push(shard);
    return shards;
  }

  /** Shards that own or may soon own keys. */
  get shardIds(): number[] {
    const ids = new Set(this.current.shardIds);
    if (this.target !== null) for (const id of this.target.shardIds) ids.add(id);
    return [...ids].sort((a, b) => a - b);
  }

  beginReshard(target: Partitioner): ShardMap {
    if (this.target !== null) throw new Error("a reshard is already in progress");
    return new ShardMap(this.version + 1, this.current, target, new Set(), new Set(), this.epoch);
  }

  freeze(source: number): ShardMap {
    return new ShardMap(
      this.version + 1,
      this.current,
      this.target,
      this.cutOver,
      new Set([...this.frozen, source]),
      this.epoch,
    );
  }

  unfreeze(source: number): ShardMap {
    const frozen = new Set(this.frozen);
    frozen.delete(source);
    return new ShardMap(this.version + 1, this.current, this.target, this.cutOver, frozen, this.epoch);
  }

  cutOverSource(source: number): ShardMap {
    const frozen = new Set(this.frozen);
    frozen.delete(source);
    return new ShardMap(
      this.version + 1,
      this.current,
      this.target,
      new Set([...this.cutOver, source]),
      frozen,
      this.epoch + 1,
    );
  }

  /** Ends the reshard: the target becomes the map. */
  settle(): ShardMap {
    if (this.target === null) throw new Error("no reshard to settle");
    return new ShardMap(this.version + 1, this.target, null, new Set(), new Set(), this.epoch + 1);
  }
}

/** The authoritative shard map; the coordinator changes it, nodes read it. */
export class ConfigStore {
  map: ShardMap;
  constructor(map: ShardMap) {
    this.map = map;
  }
}
