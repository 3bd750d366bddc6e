// A hash index as disk pages: linear hashing (Litwin 1980; PostgreSQL's hash indexes grow the same
// way, one bucket split at a time), buckets of fixed-capacity pages with overflow chains.
//
// API:
//   new LinearHashIndex<V>({ bucket_capacity, initial_buckets?, max_load? })
//   .insert(key, id, value)          add an entry; `id` is unique in the index (the row's primary key)
//   .remove(id): boolean             remove the entry of `id`
//   .replace(id, value): boolean     change the value stored with `id` (same key)
//   .lookup(key, visit): number      visit (id, value) of every entry whose key equals `key`
//   .lastPagesRead / .lastPagesWritten: pages of the most recent insert/remove/replace/lookup
//   .size, .bucketCount, .pageCount, .splits, .checkInvariants()
//
// Page model. A bucket is a primary page plus overflow pages: an n-entry bucket occupies
// max(1, ceil(n / bucket_capacity)) pages. Entries are hashed with FNV-1a + a murmur finalizer over
// the key's code units; equal keys always share a bucket, so a low-cardinality key makes long
// overflow chains (as in a real hash index) that splitting cannot shorten.
// - lookup: reads every page of the key's bucket (equal keys may sit on any of them);
// - insert: reads the bucket's pages (walking to the last one), writes the last page, or 2 pages
//   when it starts a new overflow page (the new page and its predecessor's link); when the index
//   then holds more than max_load x bucket_capacity x buckets entries, the next bucket in split
//   order is split: its pages are read and both halves' pages plus the metapage are written
//   (charged to the insert that triggered it);
// - remove: reads the pages up to the entry's, writes that page (the bucket's last entry moves into
//   the hole: one more page written when it sits on another page);
// - replace: reads the pages up to the entry's, writes 1.
// The index never shrinks (neither does PostgreSQL's).
//
// Page identity (bindPages, as the B+tree's: engine/index/page-space.ts): a metapage, and each
// bucket's pages in chain order; each operation records the pages it reads, writes and creates, as
// counted above (a split's moved half gets new pages, an emptied overflow page is released).

import { fnv1a32, mix32 } from "../../sim/hash.js";
import type { PageSpace } from "../index/page-space.js";

export interface LinearHashOptions {
  /** Entries per page (primary or overflow). At least 1. */
  bucket_capacity: number;
  /** Buckets before any split. Default 4. */
  initial_buckets?: number;
  /** Average entries per bucket page (of capacity) past which a bucket splits. Default 0.75. */
  max_load?: number;
}

interface HashEntry<V> {
  readonly key: string;
  readonly id: string;
  readonly hash: number;
  value: V;
  bucket: number;
  slot: number;
}

/** Buckets beyond which the index refuses to grow (memory guard). */
const HASH_BUCKETS_MAX = 1 << 26;

export function hashKey(key: string): number {
  return mix32(fnv1a32(key));
}

export class LinearHashIndex<V> {
  lastPagesRead = 0;
  lastPagesWritten = 0;
  readonly bucketCapacity: number;
  readonly maxLoad: number;
  private readonly initialBuckets: number;
  private readonly buckets: HashEntry<V>[][] = [];
  private readonly byId = new Map<string, HashEntry<V>>();
  /** Buckets addressed by `hash mod (initialBuckets * 2^level)` before the split pointer. */
  private level = 0;
  private nextSplit = 0;
  private pages = 0;
  private splitCount = 0;
  /** Bound to a node: where ids come from and touches go; each bucket's page ids; the metapage's. */
  private space: PageSpace | null = null;
  private readonly pageIds: number[][] = [];
  private metapageId = -1;

  constructor(options: LinearHashOptions) {
    const capacity = options.bucket_capacity;
    const initial = options.initial_buckets ?? 4;
    const maxLoad = options.max_load ?? 0.75;
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`LinearHashIndex: bucket_capacity must be a positive integer, got ${capacity}`);
    }
    if (!(Number.isInteger(initial) && initial >= 1 && initial <= 1 << 20)) {
      throw new RangeError(`LinearHashIndex: initial_buckets must be an integer in 1..2^20, got ${initial}`);
    }
    if (!(maxLoad > 0 && maxLoad <= 16)) {
      throw new RangeError(`LinearHashIndex: max_load must be in (0, 16], got ${maxLoad}`);
    }
    this.bucketCapacity = capacity;
    this.initialBuckets = initial;
    this.maxLoad = maxLoad;
    for (let i = 0; i < initial; i++) this.buckets.push([]);
    this.pages = initial;
  }

  get size(): number {
    return this.byId.size;
  }

  get bucketCount(): number {
    return this.buckets.length;
  }

  /** Primary and overflow pages of every bucket. */
  get pageCount(): number {
    return this.pages;
  }

  /** Bucket splits so far. */
  get splits(): number {
    return this.splitCount;
  }

  /** Pages of the bucket `key` hashes to (what a lookup of it reads). Not charged. */
  bucketPagesOf(key: string): number {
    return this.pagesOf((this.buckets[this.bucketOf(hashKey(key))] as HashEntry<V>[]).length);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Gives the metapage and every bucket's pages an id from `space`; records touches there from now on. */
  bindPages(space: PageSpace): void {
    if (this.space !== null) throw new Error("LinearHashIndex: already bound to a page space");
    this.space = space;
    this.metapageId = space.allocate();
    for (const bucket of this.buckets) {
      const ids: number[] = [];
      for (let p = this.pagesOf(bucket.length); p > 0; p--) ids.push(space.allocate());
      this.pageIds.push(ids);
    }
  }

  /** Hands every page's id back to its space and stops recording. */
  unbindPages(): void {
    const space = this.space;
    if (space === null) return;
    space.release(this.metapageId);
    for (const ids of this.pageIds) for (const id of ids) space.release(id);
    this.pageIds.length = 0;
    this.space = null;
  }

  insert(key: string, id: string, value: V): void {
    if (this.byId.has(id))
      throw new Error(`LinearHashIndex.insert: id ${JSON.stringify(id)} is already present`);
    const hash = hashKey(key);
    const bucketIndex = this.bucketOf(hash);
    const bucket = this.buckets[bucketIndex] as HashEntry<V>[];
    const pagesBefore = this.pagesOf(bucket.length);
    const entry: HashEntry<V> = { key, id, hash, value, bucket: bucketIndex, slot: bucket.length };
    bucket.push(entry);
    this.byId.set(id, entry);
    const pagesAfter = this.pagesOf(bucket.length);
    this.pages += pagesAfter - pagesBefore;
    this.lastPagesRead = pagesBefore;
    this.lastPagesWritten = pagesAfter > pagesBefore ? 2 : 1;
    const space = this.space;
    if (space !== null) {
      const ids = this.pageIds[bucketIndex] as number[];
      this.readPages(ids, pagesBefore);
      space.write(ids[pagesBefore - 1] as number);
      this.resizePages(ids, pagesAfter);
    }
    // Usually one split; more only when max_load x bucket_capacity < 1.
    while (this.byId.size > this.maxLoad * this.bucketCapacity * this.buckets.length && this.split()) {}
  }

  remove(id: string): boolean {
    const entry = this.byId.get(id);
    if (entry === undefined) {
      this.lastPagesRead = 0;
      this.lastPagesWritten = 0;
      return false;
    }
    const bucket = this.buckets[entry.bucket] as HashEntry<V>[];
    const pagesBefore = this.pagesOf(bucket.length);
    const page = Math.floor(entry.slot / this.bucketCapacity);
    const last = bucket.pop() as HashEntry<V>;
    if (last !== entry) {
      bucket[entry.slot] = last;
      last.slot = entry.slot;
    }
    this.byId.delete(id);
    this.pages += this.pagesOf(bucket.length) - pagesBefore;
    this.lastPagesRead = page + 1;
    const lastPage = Math.floor(bucket.length / this.bucketCapacity);
    this.lastPagesWritten = last !== entry && lastPage !== page ? 2 : 1;
    const space = this.space;
    if (space !== null) {
      const ids = this.pageIds[entry.bucket] as number[];
      this.readPages(ids, page + 1);
      space.write(ids[page] as number);
      if (this.lastPagesWritten === 2) space.write(ids[lastPage] as number);
      this.resizePages(ids, this.pagesOf(bucket.length));
    }
    return true;
  }

  replace(id: string, value: V): boolean {
    const entry = this.byId.get(id);
    if (entry === undefined) {
      this.lastPagesRead = 0;
      this.lastPagesWritten = 0;
      return false;
    }
    entry.value = value;
    const page = Math.floor(entry.slot / this.bucketCapacity);
    this.lastPagesRead = page + 1;
    this.lastPagesWritten = 1;
    if (this.space !== null) {
      const ids = this.pageIds[entry.bucket] as number[];
      this.readPages(ids, page + 1);
      this.space.write(ids[page] as number);
    }
    return true;
  }

  /** Visits every entry whose key equals `key`, in bucket order; returns how many. */
  lookup(key: string, visit: (id: string, value: V) => void): number {
    const bucketIndex = this.bucketOf(hashKey(key));
    const bucket = this.buckets[bucketIndex] as HashEntry<V>[];
    this.lastPagesRead = this.pagesOf(bucket.length);
    this.lastPagesWritten = 0;
    if (this.space !== null) this.readPages(this.pageIds[bucketIndex] as number[], this.lastPagesRead);
    let visited = 0;
    for (let i = 0; i < bucket.length; i++) {
      const entry = bucket[i] as HashEntry<V>;
      if (entry.key === key) {
        visit(entry.id, entry.value);
        visited++;
      }
    }
    return visited;
  }

  /** Every entry (for tests and rebuilding; not charged), bucket by bucket. */
  *entries(): IterableIterator<{ key: string; id: string; value: V }> {
    for (const bucket of this.buckets) for (const e of bucket) yield { key: e.key, id: e.id, value: e.value };
  }

  /** Throws on the first broken invariant: placement, slots, counts, page total, load. */
  checkInvariants(): void {
    let entries = 0;
    let pages = 0;
    for (let b = 0; b < this.buckets.length; b++) {
      const bucket = this.buckets[b] as HashEntry<V>[];
      pages += this.pagesOf(bucket.length);
      for (let slot = 0; slot < bucket.length; slot++) {
        const entry = bucket[slot] as HashEntry<V>;
        entries++;
        if (entry.bucket !== b || entry.slot !== slot) {
          throw new Error(
            `LinearHashIndex: entry ${entry.id} at ${b}/${slot} records ${entry.bucket}/${entry.slot}`,
          );
        }
        if (this.bucketOf(entry.hash) !== b)
          throw new Error(`LinearHashIndex: entry ${entry.id} in the wrong bucket ${b}`);
        if (this.byId.get(entry.id) !== entry)
          throw new Error(`LinearHashIndex: entry ${entry.id} not in the id map`);
      }
    }
    if (entries !== this.byId.size)
      throw new Error(`LinearHashIndex: ${entries} entries, size ${this.byId.size}`);
    if (pages !== this.pages) throw new Error(`LinearHashIndex: ${pages} pages, pageCount ${this.pages}`);
    if (this.buckets.length !== this.initialBuckets * 2 ** this.level + this.nextSplit) {
      throw new Error(
        `LinearHashIndex: ${this.buckets.length} buckets at level ${this.level}, split ${this.nextSplit}`,
      );
    }
    if (
      entries > this.maxLoad * this.bucketCapacity * this.buckets.length &&
      this.buckets.length < HASH_BUCKETS_MAX
    ) {
      throw new Error(
        `LinearHashIndex: ${entries} entries over the load limit of ${this.buckets.length} buckets`,
      );
    }
  }

  /** Records the first `count` pages of a bucket as read. */
  private readPages(ids: readonly number[], count: number): void {
    const space = this.space as PageSpace;
    for (let p = 0; p < count; p++) space.read(ids[p] as number);
  }

  /** Gives a bucket `count` pages: new ones created at the chain's end, emptied ones released. */
  private resizePages(ids: number[], count: number): void {
    const space = this.space as PageSpace;
    while (ids.length < count) {
      const id = space.allocate();
      space.create(id);
      ids.push(id);
    }
    while (ids.length > count) space.release(ids.pop() as number);
  }

  private pagesOf(entries: number): number {
    return entries <= this.bucketCapacity ? 1 : Math.ceil(entries / this.bucketCapacity);
  }

  private bucketOf(hash: number): number {
    const modulus = this.initialBuckets * 2 ** this.level;
    const b = hash % modulus;
    return b < this.nextSplit ? hash % (modulus * 2) : b;
  }

  /** Splits bucket `nextSplit` into itself and a new last bucket; charges its pages. */
  private split(): boolean {
    if (this.buckets.length >= HASH_BUCKETS_MAX) return false;
    const modulus = this.initialBuckets * 2 ** this.level;
    const from = this.nextSplit;
    const old = this.buckets[from] as HashEntry<V>[];
    const stay: HashEntry<V>[] = [];
    const moved: HashEntry<V>[] = [];
    const target = this.buckets.length;
    for (const entry of old) {
      if (entry.hash % (modulus * 2) === from) {
        entry.slot = stay.length;
        stay.push(entry);
      } else {
        entry.bucket = target;
        entry.slot = moved.length;
        moved.push(entry);
      }
    }
    this.buckets[from] = stay;
    this.buckets.push(moved);
    const before = this.pagesOf(old.length);
    const after = this.pagesOf(stay.length) + this.pagesOf(moved.length);
    this.pages += after - before;
    const space = this.space;
    if (space !== null) {
      const ids = this.pageIds[from] as number[];
      this.readPages(ids, ids.length);
      this.resizePages(ids, this.pagesOf(stay.length));
      for (const id of ids) space.write(id);
      const movedIds: number[] = [];
      this.resizePages(movedIds, this.pagesOf(moved.length));
      this.pageIds.push(movedIds);
      space.write(this.metapageId);
    }
    this.lastPagesRead += before;
    this.lastPagesWritten += after + 1; // both halves and the metapage
    this.splitCount++;
    this.nextSplit++;
    if (this.nextSplit === modulus) {
      this.level++;
      this.nextSplit = 0;
    }
    return true;
  }
}
