// The engine's primary index: an in-memory B+tree whose nodes stand for disk pages.
//
// Shape: inner pages hold `keys` (separators) and `children` (keys.length + 1 of them); leaf pages
// hold parallel `keys` and `values` arrays and are doubly linked (`prev`/`next`) in key order.
// Separator keys[i] divides children[i] (keys < keys[i]) from children[i + 1] (keys >= keys[i]).
// Deleting a leaf's first key leaves the old separator in place: it is still a correct bound.
// Every page holds at most `fanout` keys and, except the root, at least floor(fanout / 2).
//
// Page accounting (what the cost model charges). Both counters are reset at the start of every
// get, has, set, delete, scan, range, minKey and maxKey call:
// - get / has: read `height` pages (the root-to-leaf path); write 0.
// - set: read `height` (as it was before the call); write 1 (the leaf) plus 2 per split: the new
//   sibling and the parent (for a root split, the new root). A leaf split under a parent with room
//   writes 3 pages; a replaced value writes 1.
// - delete: read `height`, plus each sibling consulted when a page falls under half full; write 0
//   when the key is absent, else 1 (the leaf) plus 2 per borrow or merge (the sibling and the parent).
// - scan / range / rangeUntil: read the descent path (`height`) plus each further leaf stepped into.
// - minKey / maxKey: read `height` (the leftmost / rightmost path).
// Not charged: the neighbouring leaf whose back link changes when a leaf splits or merges (a split
// costs exactly 3 pages in the cost model), and entries(), leafKeys(), checkInvariants(), getters.
//
// Page identity (the buffer pool's view): once bound to its node's PageSpace (bindPages), every page
// has an id, and each operation records the pages it reads (the descent path, each leaf a scan steps
// into, each sibling a delete consults), writes (the leaf, the parents a split or rebalance changes,
// the sibling it borrows from or merges with) and creates (split pages, a new root). A scan from the
// first or the last key records the leftmost or rightmost path, which its `height` reads stand for.
// minKey and maxKey record nothing.

import type { PageSpace } from "./page-space.js";

export type Comparator<K> = (a: K, b: K) => number;

export interface BPlusTreeOptions<K> {
  /** Max keys per node (page). Default 64. Allowed 4..1024. */
  fanout?: number;
  /** Key order; default: JS `<` / `>` on the keys (strings and numbers), with a fast inline path. */
  compare?: Comparator<K>;
}

export interface RangeBounds<K> {
  lo?: K;
  /** Default true. */
  loInclusive?: boolean;
  hi?: K;
  /** Default true. */
  hiInclusive?: boolean;
  /** Visit in descending order (from `hi` down to `lo`). Default false. */
  reverse?: boolean;
  /** Max entries visited; a non-negative integer or Infinity (the default). */
  limit?: number;
}

export const BTREE_FANOUT_DEFAULT = 64;
export const BTREE_FANOUT_MIN = 4;
export const BTREE_FANOUT_MAX = 1024;
// Bounds the descent and rebalancing loops: with fanout >= 4 every non-root inner page has >= 3
// children, so a tree this tall would hold more than 3^62 keys.
const BTREE_HEIGHT_MAX = 64;

/** A page's id before its tree is bound to a node's PageSpace. */
const NO_ID = -1;

class LeafPage<K, V> {
  keys: K[];
  values: V[];
  prev: LeafPage<K, V> | null;
  next: LeafPage<K, V> | null;
  id: number;

  constructor(keys: K[], values: V[], id: number) {
    this.keys = keys;
    this.values = values;
    this.prev = null;
    this.next = null;
    this.id = id;
  }
}

class InnerPage<K, V> {
  keys: K[];
  children: Page<K, V>[];
  id: number;

  constructor(keys: K[], children: Page<K, V>[], id: number) {
    this.keys = keys;
    this.children = children;
    this.id = id;
  }
}

type Page<K, V> = LeafPage<K, V> | InnerPage<K, V>;

// The default order uses the JS relational operators, which order strings by UTF-16 code units and
// numbers numerically. Keys are typed as `number` here only so that TypeScript accepts `<`.
type NativeKey = number;

/** First index whose key is >= key (keys.length if none). */
function lowerBoundNative(keys: readonly unknown[], key: unknown): number {
  const k = key as NativeKey;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as NativeKey) < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key is > key (keys.length if none). */
function upperBoundNative(keys: readonly unknown[], key: unknown): number {
  const k = key as NativeKey;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (k < (keys[mid] as NativeKey)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function lowerBoundCompare<K>(keys: readonly K[], key: K, compare: Comparator<K>): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(keys[mid] as K, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBoundCompare<K>(keys: readonly K[], key: K, compare: Comparator<K>): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(key, keys[mid] as K) < 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// Manual shifting: faster than splice for page-sized arrays and allocates nothing.
function insertAt<T>(items: T[], index: number, item: T): void {
  let j = items.length;
  items.push(item);
  for (; j > index; j--) items[j] = items[j - 1] as T;
  items[index] = item;
}

function removeAt<T>(items: T[], index: number): void {
  const last = items.length - 1;
  for (let j = index; j < last; j++) items[j] = items[j + 1] as T;
  items.pop();
}

function appendAll<T>(target: T[], source: readonly T[]): void {
  for (let i = 0; i < source.length; i++) target.push(source[i] as T);
}

function validateLimit(limit: number, method: string): void {
  if (!(limit >= 0 && (Number.isInteger(limit) || limit === Number.POSITIVE_INFINITY))) {
    throw new RangeError(
      `BPlusTree.${method}: limit must be a non-negative integer or Infinity, got ${limit}`,
    );
  }
}

export class BPlusTree<K, V> {
  readonly fanout: number;
  /** Pages read by the most recent operation (see the accounting rules at the top of the file). */
  lastPagesRead = 0;
  /** Pages written by the most recent operation. */
  lastPagesWritten = 0;
  /** The id of the leaf the most recent get, has, set or delete reached (its row's page). */
  lastLeafId = NO_ID;

  private readonly compare: Comparator<K> | undefined;
  private readonly minKeys: number;
  private root: Page<K, V>;
  private head: LeafPage<K, V>;
  private tail: LeafPage<K, V>;
  private levels = 1;
  private count = 0;
  private pages = 1;
  private leafPages = 1;
  // Bumped on every structural change, so that a scan notices its visitor mutating the tree.
  private version = 0;
  // The descent path of the current set/delete, reused so that writes allocate nothing.
  private readonly pathPages: InnerPage<K, V>[] = [];
  private readonly pathIndexes: number[] = [];
  /** Where page ids come from and touches are recorded (null: not bound to a node). */
  private space: PageSpace | null = null;

  constructor(options: BPlusTreeOptions<K> = {}) {
    const fanout = options.fanout ?? BTREE_FANOUT_DEFAULT;
    if (!Number.isInteger(fanout) || fanout < BTREE_FANOUT_MIN || fanout > BTREE_FANOUT_MAX) {
      throw new RangeError(
        `BPlusTree: options.fanout must be an integer in ${BTREE_FANOUT_MIN}..${BTREE_FANOUT_MAX}, got ${fanout}`,
      );
    }
    this.fanout = fanout;
    this.minKeys = fanout >>> 1;
    this.compare = options.compare;
    const leaf = new LeafPage<K, V>([], [], NO_ID);
    this.root = leaf;
    this.head = leaf;
    this.tail = leaf;
  }

  get size(): number {
    return this.count;
  }

  /** Levels of pages; 1 for a tree that is a single leaf. */
  get height(): number {
    return this.levels;
  }

  /** Pages (nodes) currently allocated. */
  get pageCount(): number {
    return this.pages;
  }

  /** Leaf pages currently allocated (what a full scan steps through). */
  get leafPageCount(): number {
    return this.leafPages;
  }

  /** Gives every page an id from `space` (root first, depth first) and records touches there from now on. */
  bindPages(space: PageSpace): void {
    if (this.space !== null) throw new Error("BPlusTree: already bound to a page space");
    this.space = space;
    this.forEachPage((page) => {
      page.id = space.allocate();
    });
  }

  /** Hands every page's id back to its space and stops recording (the tree leaves its node). */
  unbindPages(): void {
    const space = this.space;
    if (space === null) return;
    this.forEachPage((page) => {
      space.release(page.id);
      page.id = NO_ID;
    });
    this.space = null;
  }

  private forEachPage(visit: (page: Page<K, V>) => void): void {
    const stack: Page<K, V>[] = [this.root];
    for (let page = stack.pop(); page !== undefined; page = stack.pop()) {
      visit(page);
      if (page instanceof InnerPage)
        for (let i = page.children.length - 1; i >= 0; i--) stack.push(page.children[i] as Page<K, V>);
    }
  }

  /**
   * Records the leaf the last get, has, set or delete reached as written: a value stored beside the
   * tree (a table's row) changed in that leaf's page.
   */
  writeLastLeaf(): void {
    this.space?.write(this.lastLeafId);
  }

  /** A new page's id (NO_ID unbound), recorded as created. */
  private newPageId(): number {
    const space = this.space;
    if (space === null) return NO_ID;
    const id = space.allocate();
    space.create(id);
    return id;
  }

  private freePage(page: Page<K, V>): void {
    this.space?.release(page.id);
  }

  get(key: K): V | undefined {
    this.lastPagesRead = this.levels;
    this.lastPagesWritten = 0;
    if (this.compare === undefined) return this.getNative(key);
    const leaf = this.findLeaf(key, false);
    this.lastLeafId = leaf.id;
    const keys = leaf.keys;
    const i = this.lowerBound(keys, key);
    return i < keys.length && this.equalAt(keys, i, key) ? leaf.values[i] : undefined;
  }

  /**
   * `get` under the default order (the hot path): the descent and the leaf search inlined, each
   * binary search stopping at an equal key.
   */
  private getNative(key: K): V | undefined {
    const k = key as NativeKey;
    const space = this.space;
    let page = this.root;
    for (let level = this.levels; level > 1; level--) {
      const inner = page as InnerPage<K, V>;
      if (space !== null) space.read(inner.id);
      const keys = inner.keys as unknown as NativeKey[];
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const separator = keys[mid] as NativeKey;
        if (k < separator) hi = mid;
        else if (k === separator) {
          lo = mid + 1; // separators are distinct: the key lives in the next child
          break;
        } else lo = mid + 1;
      }
      page = inner.children[lo] as Page<K, V>;
    }
    const leaf = page as LeafPage<K, V>;
    if (space !== null) space.read(leaf.id);
    this.lastLeafId = leaf.id;
    const keys = leaf.keys as unknown as NativeKey[];
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const probe = keys[mid] as NativeKey;
      if (probe < k) lo = mid + 1;
      else if (probe === k) return leaf.values[mid];
      else hi = mid;
    }
    return undefined;
  }

  has(key: K): boolean {
    this.lastPagesRead = this.levels;
    this.lastPagesWritten = 0;
    const leaf = this.findLeaf(key, false);
    this.lastLeafId = leaf.id;
    const keys = leaf.keys;
    const i = this.lowerBound(keys, key);
    return i < keys.length && this.equalAt(keys, i, key);
  }

  /** Inserts or replaces; returns true when the key was new. */
  set(key: K, value: V): boolean {
    if (this.compare === undefined && Number.isNaN(key)) {
      throw new RangeError("BPlusTree.set: NaN has no place in the default key order");
    }
    const height = this.levels;
    this.lastPagesRead = height;
    this.lastPagesWritten = 1;
    const leaf = this.descendRecordingPath(key);
    this.space?.write(leaf.id);
    const keys = leaf.keys;
    const i = this.lowerBound(keys, key);
    if (i < keys.length && this.equalAt(keys, i, key)) {
      leaf.values[i] = value;
      return false;
    }
    insertAt(keys, i, key);
    insertAt(leaf.values, i, value);
    this.count++;
    this.version++;
    if (keys.length > this.fanout) this.splitUpward(leaf, height - 1);
    return true;
  }

  /** Returns true if the key existed. Rebalances (borrow/merge) so pages stay at least half full. */
  delete(key: K): boolean {
    const height = this.levels;
    this.lastPagesRead = height;
    this.lastPagesWritten = 0;
    const leaf = this.descendRecordingPath(key);
    const keys = leaf.keys;
    const i = this.lowerBound(keys, key);
    if (i >= keys.length || !this.equalAt(keys, i, key)) return false;
    removeAt(keys, i);
    removeAt(leaf.values, i);
    this.count--;
    this.version++;
    this.lastPagesWritten = 1;
    this.space?.write(leaf.id);
    // Walk up while the page at `level` is under-full; level 0 is the root, which may be.
    let page: Page<K, V> = leaf;
    for (let level = height - 1; level > 0 && page.keys.length < this.minKeys; level--) {
      const parent = this.pathPages[level - 1] as InnerPage<K, V>;
      this.rebalance(parent, this.pathIndexes[level - 1] as number, page);
      page = parent;
    }
    const root = this.root;
    if (root instanceof InnerPage && root.keys.length === 0) {
      // The root's last two children merged: the survivor becomes the root.
      this.root = root.children[0] as Page<K, V>;
      this.levels--;
      this.pages--;
      this.freePage(root);
    }
    return true;
  }

  /** Visits up to `limit` entries in ascending order from the first key >= start; returns the count. */
  scan(start: K, limit: number, visit: (key: K, value: V) => void): number {
    this.lastPagesRead = 0;
    this.lastPagesWritten = 0;
    validateLimit(limit, "scan");
    if (limit === 0) return 0;
    return this.scanForward(start, true, undefined, true, limit, visit, false);
  }

  /** General range: bounds optional (inclusive by default), ascending or descending, limit. */
  range(bounds: RangeBounds<K>, visit: (key: K, value: V) => void): number {
    this.lastPagesRead = 0;
    this.lastPagesWritten = 0;
    const limit = bounds.limit ?? Number.POSITIVE_INFINITY;
    validateLimit(limit, "range");
    if (limit === 0) return 0;
    const loInclusive = bounds.loInclusive ?? true;
    const hiInclusive = bounds.hiInclusive ?? true;
    return bounds.reverse === true
      ? this.scanBackward(bounds.lo, loInclusive, bounds.hi, hiInclusive, limit, visit, false)
      : this.scanForward(bounds.lo, loInclusive, bounds.hi, hiInclusive, limit, visit, false);
  }

  /**
   * As `range`, but the visitor decides when to stop: returning `false` ends the scan after that
   * entry (any other return value continues). Returns the number of entries visited, the one that
   * stopped the scan included. Pages are charged as by `range`, up to the leaf where it stopped.
   */
  rangeUntil(bounds: RangeBounds<K>, visit: (key: K, value: V) => boolean | undefined): number {
    this.lastPagesRead = 0;
    this.lastPagesWritten = 0;
    const limit = bounds.limit ?? Number.POSITIVE_INFINITY;
    validateLimit(limit, "rangeUntil");
    if (limit === 0) return 0;
    const loInclusive = bounds.loInclusive ?? true;
    const hiInclusive = bounds.hiInclusive ?? true;
    return bounds.reverse === true
      ? this.scanBackward(bounds.lo, loInclusive, bounds.hi, hiInclusive, limit, visit, true)
      : this.scanForward(bounds.lo, loInclusive, bounds.hi, hiInclusive, limit, visit, true);
  }

  /** All entries in order (for tests and debugging; not charged). */
  *entries(): IterableIterator<[K, V]> {
    const version = this.version;
    let leaf: LeafPage<K, V> | null = this.head;
    for (let steps = 0; leaf !== null; steps++) {
      if (steps > this.pages) throw new Error("BPlusTree.entries: leaf chain longer than the page count");
      for (let i = 0; i < leaf.keys.length; i++) {
        yield [leaf.keys[i] as K, leaf.values[i] as V];
        if (this.version !== version) throw new Error("BPlusTree.entries: tree modified during iteration");
      }
      leaf = leaf.next;
    }
  }

  /** Keys of each leaf, left to right (for tests and debugging; not charged). */
  leafKeys(): K[][] {
    const result: K[][] = [];
    let leaf: LeafPage<K, V> | null = this.head;
    for (let steps = 0; leaf !== null && steps <= this.pages; steps++) {
      result.push(leaf.keys.slice());
      leaf = leaf.next;
    }
    return result;
  }

  minKey(): K | undefined {
    this.lastPagesRead = this.levels;
    this.lastPagesWritten = 0;
    return this.head.keys[0];
  }

  maxKey(): K | undefined {
    this.lastPagesRead = this.levels;
    this.lastPagesWritten = 0;
    const keys = this.tail.keys;
    return keys[keys.length - 1];
  }

  /**
   * Throws an Error describing the first broken invariant: key order within and across pages, page
   * fill bounds, all leaves at the same depth, leaf links (both directions), separators, counts.
   */
  checkInvariants(): void {
    const leaves: LeafPage<K, V>[] = [];
    let pagesSeen = 0;
    let entriesSeen = 0;
    const checkPage = (
      page: Page<K, V>,
      depth: number,
      lo: K | undefined,
      hi: K | undefined,
      path: string,
    ) => {
      pagesSeen++;
      if (pagesSeen > this.pages)
        throw new Error(`BPlusTree: more pages reachable than pageCount ${this.pages}`);
      if (depth > this.levels)
        throw new Error(`BPlusTree: page ${path} at depth ${depth} > height ${this.levels}`);
      const keys = page.keys;
      const n = keys.length;
      if (n > this.fanout) throw new Error(`BPlusTree: page ${path} holds ${n} keys > fanout ${this.fanout}`);
      if (depth > 1 && n < this.minKeys) {
        throw new Error(`BPlusTree: page ${path} holds ${n} keys < minimum ${this.minKeys}`);
      }
      for (let i = 1; i < n; i++) {
        if (this.compareKeys(keys[i - 1] as K, keys[i] as K) >= 0) {
          throw new Error(`BPlusTree: page ${path} keys out of order at index ${i}: ${String(keys[i])}`);
        }
      }
      if (n > 0 && lo !== undefined && this.compareKeys(keys[0] as K, lo) < 0) {
        throw new Error(`BPlusTree: page ${path} key ${String(keys[0])} below its separator ${String(lo)}`);
      }
      if (n > 0 && hi !== undefined && this.compareKeys(keys[n - 1] as K, hi) >= 0) {
        throw new Error(
          `BPlusTree: page ${path} key ${String(keys[n - 1])} not below its separator ${String(hi)}`,
        );
      }
      if (page instanceof LeafPage) {
        if (depth !== this.levels)
          throw new Error(`BPlusTree: leaf ${path} at depth ${depth}, height ${this.levels}`);
        if (page.values.length !== n)
          throw new Error(`BPlusTree: leaf ${path} has ${n} keys, ${page.values.length} values`);
        leaves.push(page);
        entriesSeen += n;
        return;
      }
      if (depth === this.levels) throw new Error(`BPlusTree: inner page ${path} at leaf depth ${depth}`);
      if (page.children.length !== n + 1) {
        throw new Error(`BPlusTree: inner page ${path} has ${n} keys, ${page.children.length} children`);
      }
      if (n === 0) throw new Error(`BPlusTree: inner page ${path} has a single child`);
      for (let i = 0; i <= n; i++) {
        const childLo = i === 0 ? lo : keys[i - 1];
        const childHi = i === n ? hi : keys[i];
        checkPage(page.children[i] as Page<K, V>, depth + 1, childLo, childHi, `${path}/${i}`);
      }
    };
    checkPage(this.root, 1, undefined, undefined, "root");
    if (pagesSeen !== this.pages)
      throw new Error(`BPlusTree: ${pagesSeen} pages reachable, pageCount ${this.pages}`);
    if (entriesSeen !== this.count)
      throw new Error(`BPlusTree: ${entriesSeen} entries in leaves, size ${this.count}`);
    if (leaves.length !== this.leafPages)
      throw new Error(`BPlusTree: ${leaves.length} leaves reachable, leafPageCount ${this.leafPages}`);
    if (leaves[0] !== this.head) throw new Error("BPlusTree: head is not the leftmost leaf");
    if (leaves[leaves.length - 1] !== this.tail) throw new Error("BPlusTree: tail is not the rightmost leaf");
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i] as LeafPage<K, V>;
      if (leaf.prev !== (leaves[i - 1] ?? null)) throw new Error(`BPlusTree: leaf ${i} prev link broken`);
      if (leaf.next !== (leaves[i + 1] ?? null)) throw new Error(`BPlusTree: leaf ${i} next link broken`);
    }
  }

  private compareKeys(a: K, b: K): number {
    const compare = this.compare;
    if (compare !== undefined) return compare(a, b);
    return (a as NativeKey) < (b as NativeKey) ? -1 : (a as NativeKey) > (b as NativeKey) ? 1 : 0;
  }

  private lowerBound(keys: readonly K[], key: K): number {
    const compare = this.compare;
    return compare === undefined ? lowerBoundNative(keys, key) : lowerBoundCompare(keys, key, compare);
  }

  private upperBound(keys: readonly K[], key: K): number {
    const compare = this.compare;
    return compare === undefined ? upperBoundNative(keys, key) : upperBoundCompare(keys, key, compare);
  }

  /** Given keys[i] >= key (from lowerBound), whether keys[i] equals key. */
  private equalAt(keys: readonly K[], i: number, key: K): boolean {
    const compare = this.compare;
    return compare === undefined
      ? !((key as NativeKey) < (keys[i] as NativeKey))
      : compare(key, keys[i] as K) >= 0;
  }

  /**
   * The leaf whose key range holds `key`. With `towardLess`, a key equal to a separator goes left,
   * to the leaf holding the keys just below it (for descending scans with an exclusive upper bound).
   */
  private findLeaf(key: K, towardLess: boolean): LeafPage<K, V> {
    const space = this.space;
    let page = this.root;
    for (let level = 1; level < this.levels; level++) {
      const inner = page as InnerPage<K, V>;
      if (space !== null) space.read(inner.id);
      const i = towardLess ? this.lowerBound(inner.keys, key) : this.upperBound(inner.keys, key);
      page = inner.children[i] as Page<K, V>;
    }
    if (space !== null) space.read(page.id);
    return page as LeafPage<K, V>;
  }

  /** The first (or last) leaf, its path from the root recorded as read. */
  private edgeLeaf(last: boolean): LeafPage<K, V> {
    const space = this.space;
    if (space !== null) {
      let page = this.root;
      for (let level = 1; level < this.levels; level++) {
        space.read(page.id);
        const children = (page as InnerPage<K, V>).children;
        page = children[last ? children.length - 1 : 0] as Page<K, V>;
      }
      space.read(page.id);
    }
    return last ? this.tail : this.head;
  }

  private descendRecordingPath(key: K): LeafPage<K, V> {
    const pathPages = this.pathPages;
    const pathIndexes = this.pathIndexes;
    const space = this.space;
    let page = this.root;
    for (let level = 0; level < this.levels - 1; level++) {
      const inner = page as InnerPage<K, V>;
      if (space !== null) space.read(inner.id);
      const i = this.upperBound(inner.keys, key);
      pathPages[level] = inner;
      pathIndexes[level] = i;
      page = inner.children[i] as Page<K, V>;
    }
    if (space !== null) space.read(page.id);
    this.lastLeafId = page.id;
    return page as LeafPage<K, V>;
  }

  /** Splits the over-full leaf at `leafLevel` (0 = root) and any ancestors that overflow in turn. */
  private splitUpward(leaf: LeafPage<K, V>, leafLevel: number): void {
    const keys = leaf.keys;
    const mid = keys.length >>> 1;
    const right = new LeafPage<K, V>(keys.splice(mid), leaf.values.splice(mid), this.newPageId());
    right.prev = leaf;
    right.next = leaf.next;
    if (leaf.next === null) this.tail = right;
    else leaf.next.prev = right;
    leaf.next = right;
    this.pages++;
    this.leafPages++;
    this.lastPagesWritten += 2; // the new sibling and the parent

    let separator = right.keys[0] as K;
    let newPage: Page<K, V> = right;
    for (let level = leafLevel - 1; level >= 0; level--) {
      const parent = this.pathPages[level] as InnerPage<K, V>;
      const index = this.pathIndexes[level] as number;
      this.space?.write(parent.id);
      insertAt(parent.keys, index, separator);
      insertAt(parent.children, index + 1, newPage);
      if (parent.keys.length <= this.fanout) return;
      // The middle key moves up; the halves keep floor(fanout / 2) keys or more.
      const middle = parent.keys.length >>> 1;
      separator = parent.keys[middle] as K;
      newPage = new InnerPage<K, V>(
        parent.keys.splice(middle + 1),
        parent.children.splice(middle + 1),
        this.newPageId(),
      );
      parent.keys.length = middle;
      this.pages++;
      this.lastPagesWritten += 2;
    }
    if (this.levels >= BTREE_HEIGHT_MAX)
      throw new Error(`BPlusTree: height would exceed ${BTREE_HEIGHT_MAX}`);
    this.root = new InnerPage<K, V>([separator], [this.root, newPage], this.newPageId());
    this.levels++;
    this.pages++;
  }

  /** Restores `page` (children[index] of `parent`, one key under the minimum) by borrow or merge. */
  private rebalance(parent: InnerPage<K, V>, index: number, page: Page<K, V>): void {
    const minKeys = this.minKeys;
    if (page.keys.length !== minKeys - 1) {
      throw new Error(`BPlusTree: rebalancing a page with ${page.keys.length} keys, expected ${minKeys - 1}`);
    }
    this.lastPagesWritten += 2; // the sibling and the parent
    const space = this.space;
    space?.write(parent.id);
    const left = index > 0 ? parent.children[index - 1] : undefined;
    if (left !== undefined) {
      this.lastPagesRead++;
      space?.read(left.id);
      if (left.keys.length > minKeys) {
        space?.write(left.id);
        this.borrowFromLeft(parent, index, left, page);
        return;
      }
    }
    const right = index < parent.keys.length ? parent.children[index + 1] : undefined;
    if (right !== undefined) {
      this.lastPagesRead++;
      space?.read(right.id);
      if (right.keys.length > minKeys) {
        space?.write(right.id);
        this.borrowFromRight(parent, index, page, right);
        return;
      }
    }
    if (left !== undefined) {
      space?.write(left.id);
      this.merge(parent, index - 1, left, page);
    } else if (right !== undefined) {
      space?.write(right.id);
      this.merge(parent, index, page, right);
    } else throw new Error("BPlusTree: inner page with a single child");
  }

  private borrowFromLeft(parent: InnerPage<K, V>, index: number, left: Page<K, V>, page: Page<K, V>): void {
    if (page instanceof LeafPage) {
      const from = left as LeafPage<K, V>;
      page.keys.unshift(from.keys.pop() as K);
      page.values.unshift(from.values.pop() as V);
      parent.keys[index - 1] = page.keys[0] as K;
    } else {
      const from = left as InnerPage<K, V>;
      page.keys.unshift(parent.keys[index - 1] as K);
      page.children.unshift(from.children.pop() as Page<K, V>);
      parent.keys[index - 1] = from.keys.pop() as K;
    }
  }

  private borrowFromRight(parent: InnerPage<K, V>, index: number, page: Page<K, V>, right: Page<K, V>): void {
    if (page instanceof LeafPage) {
      const from = right as LeafPage<K, V>;
      page.keys.push(from.keys.shift() as K);
      page.values.push(from.values.shift() as V);
      parent.keys[index] = from.keys[0] as K;
    } else {
      const from = right as InnerPage<K, V>;
      page.keys.push(parent.keys[index] as K);
      page.children.push(from.children.shift() as Page<K, V>);
      parent.keys[index] = from.keys.shift() as K;
    }
  }

  /** Moves everything of `right` into `left` (children separatorIndex and +1 of parent); frees `right`. */
  private merge(parent: InnerPage<K, V>, separatorIndex: number, left: Page<K, V>, right: Page<K, V>): void {
    if (left instanceof LeafPage) {
      const from = right as LeafPage<K, V>;
      appendAll(left.keys, from.keys);
      appendAll(left.values, from.values);
      left.next = from.next;
      if (from.next === null) this.tail = left;
      else from.next.prev = left;
      this.leafPages--;
    } else {
      const from = right as InnerPage<K, V>;
      left.keys.push(parent.keys[separatorIndex] as K);
      appendAll(left.keys, from.keys);
      appendAll(left.children, from.children);
    }
    removeAt(parent.keys, separatorIndex);
    removeAt(parent.children, separatorIndex + 1);
    this.pages--;
    this.freePage(right);
  }

  private scanForward(
    lo: K | undefined,
    loInclusive: boolean,
    hi: K | undefined,
    hiInclusive: boolean,
    limit: number,
    visit: (key: K, value: V) => unknown,
    until: boolean,
  ): number {
    this.lastPagesRead = this.levels;
    let leaf: LeafPage<K, V>;
    let i: number;
    if (lo === undefined) {
      leaf = this.edgeLeaf(false);
      i = 0;
    } else {
      leaf = this.findLeaf(lo, false);
      i = loInclusive ? this.lowerBound(leaf.keys, lo) : this.upperBound(leaf.keys, lo);
    }
    const version = this.version;
    let visited = 0;
    for (let steps = 0; steps <= this.pages; steps++) {
      const keys = leaf.keys;
      const values = leaf.values;
      let end = keys.length;
      let lastLeaf = false;
      // One comparison per leaf decides whether the upper bound cuts into it.
      if (hi !== undefined && end > 0) {
        const order = this.compareKeys(keys[end - 1] as K, hi);
        if (order > 0 || (order === 0 && !hiInclusive)) {
          end = hiInclusive ? this.upperBound(keys, hi) : this.lowerBound(keys, hi);
          lastLeaf = true;
        }
      }
      for (; i < end && visited < limit; i++) {
        const go = visit(keys[i] as K, values[i] as V);
        visited++;
        if (this.version !== version) throw new Error("BPlusTree: tree modified by a scan's visitor");
        if (until && go === false) return visited;
      }
      if (visited >= limit || lastLeaf || leaf.next === null) return visited;
      leaf = leaf.next;
      i = 0;
      this.lastPagesRead++;
      this.space?.read(leaf.id);
    }
    throw new Error("BPlusTree: leaf chain longer than the page count");
  }

  private scanBackward(
    lo: K | undefined,
    loInclusive: boolean,
    hi: K | undefined,
    hiInclusive: boolean,
    limit: number,
    visit: (key: K, value: V) => unknown,
    until: boolean,
  ): number {
    this.lastPagesRead = this.levels;
    let leaf: LeafPage<K, V>;
    let i: number;
    if (hi === undefined) {
      leaf = this.edgeLeaf(true);
      i = leaf.keys.length - 1;
    } else {
      leaf = this.findLeaf(hi, !hiInclusive);
      i = (hiInclusive ? this.upperBound(leaf.keys, hi) : this.lowerBound(leaf.keys, hi)) - 1;
    }
    const version = this.version;
    let visited = 0;
    for (let steps = 0; steps <= this.pages; steps++) {
      const keys = leaf.keys;
      const values = leaf.values;
      let stop = -1; // exclusive
      let firstLeaf = false;
      if (lo !== undefined && keys.length > 0) {
        const order = this.compareKeys(keys[0] as K, lo);
        if (order < 0 || (order === 0 && !loInclusive)) {
          stop = (loInclusive ? this.lowerBound(keys, lo) : this.upperBound(keys, lo)) - 1;
          firstLeaf = true;
        }
      }
      for (; i > stop && visited < limit; i--) {
        const go = visit(keys[i] as K, values[i] as V);
        visited++;
        if (this.version !== version) throw new Error("BPlusTree: tree modified by a scan's visitor");
        if (until && go === false) return visited;
      }
      if (visited >= limit || firstLeaf || leaf.prev === null) return visited;
      leaf = leaf.prev;
      i = leaf.keys.length - 1;
      this.lastPagesRead++;
      this.space?.read(leaf.id);
    }
    throw new Error("BPlusTree: leaf chain longer than the page count");
  }
}
