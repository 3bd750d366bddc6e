// A cache host's memory: entries (key -> the value of the write it caches) bounded by a capacity,
// evicted by LRU or LFU, expiring after a TTL (virtual time: an expired entry is a miss), and the
// leases of Scaling Memcache at Facebook (NSDI 2013, §3.2.1): a miss may hand its reader a token,
// at most one live per key; deleting or updating the key voids it; a set with a void token is
// refused, so a reader that read the database before a write cannot put the old value back.
//
// Every operation is O(1): LRU is a Set in use order (re-inserted on use: the first is the victim);
// LFU keeps one such Set per frequency, frequencies saturating at LFU_MAX_FREQUENCY (as Redis's LFU
// counter does), so finding the least frequent bucket scans at most that many.

import type { CacheEviction } from "./settings.js";

/** LFU frequencies stop counting here: the victim search is bounded by it. */
export const LFU_MAX_FREQUENCY = 255;

interface Entry {
  value: number;
  /** When it expires (Infinity: never). */
  expires_us: number;
}

/** What the store did that its host counts. */
export interface StoreCounters {
  evictions: number;
  expired: number;
}

interface EvictionOrder {
  add(key: string): void;
  touch(key: string): void;
  remove(key: string): void;
  /** The entry that leaves next (undefined: empty). */
  victim(): string | undefined;
}

class LruOrder implements EvictionOrder {
  private readonly order = new Set<string>();
  add(key: string): void {
    this.order.add(key);
  }
  touch(key: string): void {
    this.order.delete(key);
    this.order.add(key);
  }
  remove(key: string): void {
    this.order.delete(key);
  }
  victim(): string | undefined {
    return this.order.values().next().value;
  }
}

class LfuOrder implements EvictionOrder {
  private readonly frequency = new Map<string, number>();
  /** By frequency: its keys, least recently used first. */
  private readonly buckets: Set<string>[] = [];
  private least = 1;

  add(key: string): void {
    this.frequency.set(key, 1);
    this.bucket(1).add(key);
    this.least = 1;
  }
  touch(key: string): void {
    const f = this.frequency.get(key) as number;
    const next = Math.min(f + 1, LFU_MAX_FREQUENCY);
    this.bucket(f).delete(key);
    this.bucket(next).add(key);
    this.frequency.set(key, next);
  }
  remove(key: string): void {
    const f = this.frequency.get(key);
    if (f === undefined) return;
    this.bucket(f).delete(key);
    this.frequency.delete(key);
  }
  victim(): string | undefined {
    if (this.frequency.size === 0) return undefined;
    while (this.bucket(this.least).size === 0) this.least++;
    return this.bucket(this.least).values().next().value;
  }
  private bucket(f: number): Set<string> {
    let bucket = this.buckets[f];
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets[f] = bucket;
    }
    return bucket;
  }
}

export class CacheStore {
  private readonly entries = new Map<string, Entry>();
  private readonly order: EvictionOrder;
  private readonly capacity: number;
  private readonly ttl_us: number;
  private readonly lease_ttl_us: number;
  /** Per key: its live lease's token and expiry. */
  private readonly leases = new Map<string, { token: number; expires_us: number }>();
  private tokens = 0;
  readonly counters: StoreCounters;
  /** Called with an entry evicted to make room (write-behind flushes a dirty one). */
  onEvict: (key: string, value: number) => void = () => {};

  constructor(
    options: { capacity: number; eviction: CacheEviction; ttl_us: number; lease_ttl_us: number },
    counters: StoreCounters,
  ) {
    this.capacity = options.capacity;
    this.ttl_us = options.ttl_us;
    this.lease_ttl_us = options.lease_ttl_us;
    this.order = options.eviction === "lru" ? new LruOrder() : new LfuOrder();
    this.counters = counters;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value cached for `key`, or undefined (absent or expired: a miss). */
  get(key: string, now_us: number): number | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (now_us >= entry.expires_us) {
      this.remove(key);
      this.counters.expired++;
      return undefined;
    }
    this.order.touch(key);
    return entry.value;
  }

  /** Caches `value` for `key` (replacing what it held), evicting to stay within the capacity. */
  set(key: string, value: number, now_us: number): void {
    const expires_us = this.ttl_us > 0 ? now_us + this.ttl_us : Number.POSITIVE_INFINITY;
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      entry.expires_us = expires_us;
      this.order.touch(key);
      return;
    }
    if (this.entries.size >= this.capacity) {
      const victim = this.order.victim() as string;
      const evicted = (this.entries.get(victim) as Entry).value;
      this.remove(victim);
      this.counters.evictions++;
      this.onEvict(victim, evicted);
    }
    this.entries.set(key, { value, expires_us });
    this.order.add(key);
  }

  /**
   * Caches what a database read returned unless the key holds an entry: one set since the read
   * began (a write-through or write-behind write) is newer than the read's value.
   */
  fill(key: string, value: number, now_us: number): boolean {
    const entry = this.entries.get(key);
    if (entry !== undefined && now_us < entry.expires_us) return false;
    this.set(key, value, now_us);
    return true;
  }

  delete(key: string): void {
    if (this.entries.has(key)) this.remove(key);
  }

  /** A new lease on `key` for a reader that missed, or 0 while another one is live. */
  lease(key: string, now_us: number): number {
    const live = this.leases.get(key);
    if (live !== undefined && now_us < live.expires_us) return 0;
    const token = ++this.tokens;
    this.leases.set(key, { token, expires_us: now_us + this.lease_ttl_us });
    return token;
  }

  /** Voids the key's lease (a write changed the key: a value read before it must not be set). */
  voidLease(key: string): void {
    this.leases.delete(key);
  }

  /**
   * Whether `token` is the key's lease, used up if so. A lease past its time still counts while no
   * other reader took a new one: it expires only so that waiting readers need not wait forever.
   */
  redeem(key: string, token: number): boolean {
    const live = this.leases.get(key);
    if (live === undefined || live.token !== token) return false;
    this.leases.delete(key);
    return true;
  }

  private remove(key: string): void {
    this.entries.delete(key);
    this.order.remove(key);
  }
}
