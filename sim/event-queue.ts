// The pending-event set, ordered by (time_us, sequence): a radix heap over integer microseconds.
//
// A radix heap (Ahuja, Mehlhorn, Orlin & Tarjan) is a priority queue for monotone integer keys,
// which a discrete-event simulator has: no event is scheduled before the current time. Bucket 0
// holds the events at `last` (the current minimum); bucket i > 0 holds those whose time first
// differs from `last` at bit i - 1. Push appends to one bucket; when bucket 0 runs dry, the first
// non-empty bucket is redistributed around its minimum, and each event moves down a few buckets in
// its lifetime. Measured here it is about twice as fast as a binary heap at 10k pending events.
//
// Ties keep insertion order without comparing sequence numbers: events with equal times always sit
// in the same bucket, appends come in sequence order, and redistribution moves a bucket's events in
// order. So among equal times, bucket order is sequence order.
//
// Events live in slots of flat typed arrays (time, sequence, kind, target, two arguments); buckets
// hold slot numbers. No object is allocated per event.

export const EVENT_QUEUE_PENDING_MAX = 1 << 24;

/** Outcomes of `popUntil`. */
export const POPPED = 1;
export const EMPTY = 0;
export const LATER = 2;

const TWO_POW_32 = 4294967296;
/** Times are below 2^53, so bucket indexes stay below 54; 65 covers every 64-bit difference. */
const BUCKETS = 65;

export class EventQueue {
  private capacity: number;
  private times: Float64Array;
  private seqs: Float64Array;
  private kinds: Uint8Array;
  private targets: Int32Array;
  private argsA: Int32Array;
  private argsB: Float64Array;
  private freeSlots: Int32Array;
  private freeCount: number;
  private readonly buckets: Int32Array[] = [];
  private readonly lengths = new Int32Array(BUCKETS);
  /** Next unread position of bucket 0 (the only bucket consumed from the front). */
  private head0 = 0;
  private count = 0;
  private last = 0;
  private lastHigh = 0;
  private lastLow = 0;
  private nextSeq = 0;

  /** Fields of the event most recently taken by `popUntil`. */
  poppedTime_us = 0;
  poppedSeq = 0;
  poppedKind = 0;
  poppedTarget = 0;
  poppedA = 0;
  poppedB = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, initialCapacity);
    this.times = new Float64Array(this.capacity);
    this.seqs = new Float64Array(this.capacity);
    this.kinds = new Uint8Array(this.capacity);
    this.targets = new Int32Array(this.capacity);
    this.argsA = new Int32Array(this.capacity);
    this.argsB = new Float64Array(this.capacity);
    this.freeSlots = new Int32Array(this.capacity);
    for (let i = 0; i < this.capacity; i++) this.freeSlots[i] = this.capacity - 1 - i;
    this.freeCount = this.capacity;
    for (let i = 0; i < BUCKETS; i++) this.buckets.push(new Int32Array(16));
  }

  get size(): number {
    return this.count;
  }

  /** Adds an event at an integer time_us >= 0; returns its sequence number (increasing). */
  push(time_us: number, kind: number, target: number, a: number, b: number): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount] as number;
    const seq = this.nextSeq++;
    this.times[slot] = time_us;
    this.seqs[slot] = seq;
    this.kinds[slot] = kind;
    this.targets[slot] = target;
    this.argsA[slot] = a;
    this.argsB[slot] = b;
    // Only after the clock stopped short of the minimum (run until) can an event precede it.
    if (time_us < this.last) this.rebase(time_us);
    this.count++;
    this.append(time_us === this.last ? 0 : this.bucketOf(time_us), slot);
    return seq;
  }

  /**
   * Takes the earliest event into the `popped*` fields if its time is <= until_us: returns POPPED,
   * EMPTY, or LATER (the earliest event is after until_us and stays pending).
   */
  popUntil(until_us: number): number {
    if (!this.settle()) return EMPTY;
    if (this.last > until_us) return LATER;
    this.take();
    return POPPED;
  }

  private take(): void {
    const slot = (this.buckets[0] as Int32Array)[this.head0++] as number;
    this.poppedTime_us = this.times[slot] as number;
    this.poppedSeq = this.seqs[slot] as number;
    this.poppedKind = this.kinds[slot] as number;
    this.poppedTarget = this.targets[slot] as number;
    this.poppedA = this.argsA[slot] as number;
    this.poppedB = this.argsB[slot] as number;
    this.freeSlots[this.freeCount++] = slot;
    this.count--;
  }

  /** Bucket of a time relative to `last`: 1 + the index of the highest bit where they differ. */
  private bucketOf(time_us: number): number {
    if (time_us < TWO_POW_32 && this.lastHigh === 0) {
      const low = (time_us ^ this.lastLow) >>> 0;
      return low === 0 ? 0 : 32 - Math.clz32(low);
    }
    const high = Math.floor(time_us / TWO_POW_32);
    if (high !== this.lastHigh) return 64 - Math.clz32(high ^ this.lastHigh);
    const low = (time_us >>> 0) ^ this.lastLow;
    return low === 0 ? 0 : 32 - Math.clz32(low);
  }

  private append(bucket: number, slot: number): void {
    let items = this.buckets[bucket] as Int32Array;
    const n = this.lengths[bucket] as number;
    if (n === items.length) {
      const grown = new Int32Array(n * 2);
      grown.set(items);
      this.buckets[bucket] = grown;
      items = grown;
    }
    items[n] = slot;
    this.lengths[bucket] = n + 1;
  }

  private setLast(time_us: number): void {
    this.last = time_us;
    this.lastHigh = Math.floor(time_us / TWO_POW_32);
    this.lastLow = time_us >>> 0;
  }

  /** Makes bucket 0 hold the earliest events; false when nothing is pending. */
  private settle(): boolean {
    if (this.head0 < (this.lengths[0] as number)) return true;
    this.head0 = 0;
    this.lengths[0] = 0;
    if (this.count === 0) return false;
    let i = 1;
    while (this.lengths[i] === 0) i++;
    const items = this.buckets[i] as Int32Array;
    const n = this.lengths[i] as number;
    const times = this.times;
    let min = times[items[0] as number] as number;
    for (let k = 1; k < n; k++) {
      const t = times[items[k] as number] as number;
      if (t < min) min = t;
    }
    this.setLast(min);
    // Every event of bucket i lands in a lower bucket: this bucket is empty before any append.
    this.lengths[i] = 0;
    for (let k = 0; k < n; k++) {
      const slot = items[k] as number;
      const t = times[slot] as number;
      this.append(t === min ? 0 : this.bucketOf(t), slot);
    }
    return true;
  }

  /** Re-buckets every pending event around a new, earlier `last` (order among equal times kept). */
  private rebase(time_us: number): void {
    const pending: number[] = [];
    for (let b = 0; b < BUCKETS; b++) {
      const items = this.buckets[b] as Int32Array;
      for (let k = b === 0 ? this.head0 : 0; k < (this.lengths[b] as number); k++)
        pending.push(items[k] as number);
      this.lengths[b] = 0;
    }
    this.head0 = 0;
    this.setLast(time_us);
    for (const slot of pending) {
      const t = this.times[slot] as number;
      this.append(t === time_us ? 0 : this.bucketOf(t), slot);
    }
  }

  private grow(): void {
    const old = this.capacity;
    const capacity = old * 2;
    if (capacity > EVENT_QUEUE_PENDING_MAX) {
      throw new RangeError(`event queue: more than ${EVENT_QUEUE_PENDING_MAX} pending events`);
    }
    this.times = copyInto(new Float64Array(capacity), this.times);
    this.seqs = copyInto(new Float64Array(capacity), this.seqs);
    this.kinds = copyInto(new Uint8Array(capacity), this.kinds);
    this.targets = copyInto(new Int32Array(capacity), this.targets);
    this.argsA = copyInto(new Int32Array(capacity), this.argsA);
    this.argsB = copyInto(new Float64Array(capacity), this.argsB);
    this.freeSlots = new Int32Array(capacity);
    for (let i = 0; i < capacity - old; i++) this.freeSlots[i] = capacity - 1 - i;
    this.freeCount = capacity - old;
    this.capacity = capacity;
  }
}

function copyInto<T extends Int32Array | Float64Array | Uint8Array>(target: T, source: T): T {
  (target as Int32Array).set(source as Int32Array);
  return target;
}
