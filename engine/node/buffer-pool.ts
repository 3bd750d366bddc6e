// A node's buffer pool: `capacity` page frames over the node's page space (index/page-space.ts),
// with a replacement policy. It only says which pages are in memory and which to evict; the node's
// page access (page-access.ts) reads missing pages from the disk and writes dirty victims back.
//
// Policies: `lru` evicts the least recently used page (an intrusive doubly linked list over typed
// arrays: O(1) per lookup); `clock` is the second-chance approximation PostgreSQL and most
// operating systems use (a reference bit per frame, a hand sweeping the frames: a page used since the
// hand last passed survives one more turn). Page ids are dense, so the page table is an array.
// Frames are allocated as pages come in, up to the capacity: a large pool over little data costs
// little memory.

export const BUFFER_POOL_POLICIES = ["lru", "clock"] as const;
export type BufferPoolPolicy = (typeof BUFFER_POOL_POLICIES)[number];

/** Most frames a pool may have (a pool of 8 KiB pages this large is 80 GiB). */
export const BUFFER_POOL_PAGES_MAX = 10_000_000;

const NONE = -1;

export class BufferPool {
  readonly capacity: number;
  private readonly clock: boolean;
  /** Page id -> frame (NONE: not in the pool). */
  private frameOf = new Int32Array(0).fill(NONE);
  /** Frame -> page id. */
  private pageOf: Int32Array;
  /** Per frame: modified since it was read (a dirty victim is written back). */
  dirty: Uint8Array;
  /** Per frame: when its page is in memory (a read in flight until then), in µs. */
  readyAt: Float64Array;
  /** Frames in use. */
  private used = 0;
  // lru: the list from the most recently used (head) to the least (tail).
  private prev: Int32Array;
  private next: Int32Array;
  private head = NONE;
  private tail = NONE;
  // clock: reference bits and the hand.
  private referenced: Uint8Array;
  private hand = 0;
  /** What the last `admit` evicted: its page (NONE: nothing) and whether it was dirty. */
  evictedPage = NONE;
  evictedDirty = false;

  constructor(capacity: number, policy: BufferPoolPolicy) {
    if (!(Number.isInteger(capacity) && capacity >= 1 && capacity <= BUFFER_POOL_PAGES_MAX))
      throw new RangeError(`buffer pool: capacity must be an integer in 1..${BUFFER_POOL_PAGES_MAX}`);
    this.capacity = capacity;
    this.clock = policy === "clock";
    const initial = Math.min(capacity, 1024);
    this.pageOf = new Int32Array(initial);
    this.dirty = new Uint8Array(initial);
    this.readyAt = new Float64Array(initial);
    this.prev = new Int32Array(this.clock ? 0 : initial);
    this.next = new Int32Array(this.clock ? 0 : initial);
    this.referenced = new Uint8Array(this.clock ? initial : 0);
  }

  /** Pages in the pool. */
  get size(): number {
    return this.used;
  }

  /** The frame holding `page`, noting the use; NONE when the page is not in the pool. */
  lookup(page: number): number {
    const frame = page < this.frameOf.length ? (this.frameOf[page] as number) : NONE;
    if (frame === NONE) return NONE;
    if (this.clock) this.referenced[frame] = 1;
    else if (frame !== this.head) {
      this.unlink(frame);
      this.pushFront(frame);
    }
    return frame;
  }

  /**
   * A frame for `page`, which is not in the pool: a free one, or the policy's victim's (its page,
   * and whether it was dirty, in evictedPage and evictedDirty). The frame starts clean, ready now.
   */
  admit(page: number): number {
    if (page >= this.frameOf.length) this.growPageTable(page + 1);
    let frame: number;
    this.evictedPage = NONE;
    this.evictedDirty = false;
    if (this.used < this.capacity) {
      frame = this.used++;
      if (frame === this.pageOf.length) this.growFrames();
    } else {
      frame = this.clock ? this.sweep() : this.tail;
      const victim = this.pageOf[frame] as number;
      this.frameOf[victim] = NONE;
      this.evictedPage = victim;
      this.evictedDirty = this.dirty[frame] === 1;
      if (!this.clock) this.unlink(frame);
    }
    this.pageOf[frame] = page;
    this.frameOf[page] = frame;
    this.dirty[frame] = 0;
    this.readyAt[frame] = 0;
    if (this.clock) this.referenced[frame] = 1;
    else this.pushFront(frame);
    return frame;
  }

  /** Empties the pool (a node's memory lost in a crash, or data replaced by a snapshot). */
  clear(): void {
    this.frameOf.fill(NONE);
    this.used = 0;
    this.head = NONE;
    this.tail = NONE;
    this.hand = 0;
  }

  /** The clock's victim: the first frame from the hand whose reference bit is clear. */
  private sweep(): number {
    const referenced = this.referenced;
    const frames = this.used;
    // Two turns at most: the first clears every bit it passes.
    for (let steps = 0; steps <= 2 * frames; steps++) {
      const frame = this.hand;
      this.hand = frame + 1 === frames ? 0 : frame + 1;
      if (referenced[frame] === 0) return frame;
      referenced[frame] = 0;
    }
    throw new Error("buffer pool: the clock found no victim");
  }

  private unlink(frame: number): void {
    const prev = this.prev[frame] as number;
    const next = this.next[frame] as number;
    if (prev === NONE) this.head = next;
    else this.next[prev] = next;
    if (next === NONE) this.tail = prev;
    else this.prev[next] = prev;
  }

  private pushFront(frame: number): void {
    this.prev[frame] = NONE;
    this.next[frame] = this.head;
    if (this.head === NONE) this.tail = frame;
    else this.prev[this.head] = frame;
    this.head = frame;
  }

  private growPageTable(limit: number): void {
    const table = new Int32Array(Math.max(limit, 2 * this.frameOf.length)).fill(NONE);
    table.set(this.frameOf);
    this.frameOf = table;
  }

  private growFrames(): void {
    const size = Math.min(this.capacity, 2 * this.pageOf.length);
    this.pageOf = grown(this.pageOf, new Int32Array(size));
    this.dirty = grown(this.dirty, new Uint8Array(size));
    this.readyAt = grown(this.readyAt, new Float64Array(size));
    if (this.clock) this.referenced = grown(this.referenced, new Uint8Array(size));
    else {
      this.prev = grown(this.prev, new Int32Array(size));
      this.next = grown(this.next, new Int32Array(size));
    }
  }
}

function grown<T extends Int32Array | Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
