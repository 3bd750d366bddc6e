// The pending-event set: a binary min-heap ordered by (time_us, sequence), in flat typed arrays.
//
// Layout: `keys` interleaves each heap position's time and sequence ([t0, s0, t1, s1, ...]) so a
// comparison touches one cache line; `heapSlot` maps a heap position to the slot holding the event's
// payload (kind, target, two arguments), read only on push and pop. No object is allocated per
// event (measured: an object-per-event heap is ~4x slower at 100k pending events).
//
// Pop is lazy: it reads the root and marks it stale; a push that follows (the common case: an event
// handler schedules a successor) replaces the root and sifts down once, instead of a sift-down for
// the pop and a sift-up for the push.

export const EVENT_QUEUE_MAX_PENDING = 1 << 24;

export class EventQueue {
  private capacity: number;
  /** Heap positions in use, including a stale root. */
  private count = 0;
  private staleRoot = false;
  private keys: Float64Array;
  private heapSlot: Int32Array;
  private kinds: Uint8Array;
  private targets: Int32Array;
  private argsA: Int32Array;
  private argsB: Float64Array;
  private freeSlots: Int32Array;
  private freeCount: number;
  private nextSeq = 0;

  /** Fields of the event most recently returned by `pop()`. */
  poppedTimeUs = 0;
  poppedSeq = 0;
  poppedKind = 0;
  poppedTarget = 0;
  poppedA = 0;
  poppedB = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, initialCapacity);
    this.keys = new Float64Array(2 * this.capacity);
    this.heapSlot = new Int32Array(this.capacity);
    this.kinds = new Uint8Array(this.capacity);
    this.targets = new Int32Array(this.capacity);
    this.argsA = new Int32Array(this.capacity);
    this.argsB = new Float64Array(this.capacity);
    this.freeSlots = new Int32Array(this.capacity);
    for (let i = 0; i < this.capacity; i++) this.freeSlots[i] = this.capacity - 1 - i;
    this.freeCount = this.capacity;
  }

  get size(): number {
    return this.staleRoot ? this.count - 1 : this.count;
  }

  /** Time of the earliest pending event; Infinity when empty. */
  peekTimeUs(): number {
    if (this.staleRoot) this.removeStaleRoot();
    return this.count === 0 ? Number.POSITIVE_INFINITY : (this.keys[0] as number);
  }

  /** Adds an event; returns its sequence number (unique, increasing in insertion order). */
  push(time_us: number, kind: number, target: number, a: number, b: number): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount] as number;
    const seq = this.nextSeq++;
    this.kinds[slot] = kind;
    this.targets[slot] = target;
    this.argsA[slot] = a;
    this.argsB[slot] = b;
    if (this.staleRoot) {
      this.staleRoot = false;
      this.siftDown(0, time_us, seq, slot);
      return seq;
    }
    // Sift up. Every pending event has a smaller sequence, so an equal time stops the climb.
    const keys = this.keys;
    const slots = this.heapSlot;
    let hole = this.count++;
    while (hole > 0) {
      const parent = (hole - 1) >> 1;
      const parentTime = keys[2 * parent] as number;
      if (parentTime <= time_us) break;
      keys[2 * hole] = parentTime;
      keys[2 * hole + 1] = keys[2 * parent + 1] as number;
      slots[hole] = slots[parent] as number;
      hole = parent;
    }
    keys[2 * hole] = time_us;
    keys[2 * hole + 1] = seq;
    slots[hole] = slot;
    return seq;
  }

  /** Takes the earliest event into the `popped*` fields; returns false when empty. */
  pop(): boolean {
    if (this.staleRoot) this.removeStaleRoot();
    if (this.count === 0) return false;
    const slot = this.heapSlot[0] as number;
    this.poppedTimeUs = this.keys[0] as number;
    this.poppedSeq = this.keys[1] as number;
    this.poppedKind = this.kinds[slot] as number;
    this.poppedTarget = this.targets[slot] as number;
    this.poppedA = this.argsA[slot] as number;
    this.poppedB = this.argsB[slot] as number;
    this.freeSlots[this.freeCount++] = slot;
    this.staleRoot = true;
    return true;
  }

  private removeStaleRoot(): void {
    this.staleRoot = false;
    const last = --this.count;
    if (last > 0) {
      this.siftDown(
        0,
        this.keys[2 * last] as number,
        this.keys[2 * last + 1] as number,
        this.heapSlot[last] as number,
      );
    }
  }

  /** Places (time, seq, slot) at `hole` or below. */
  private siftDown(start: number, time_us: number, seq: number, slot: number): void {
    const keys = this.keys;
    const slots = this.heapSlot;
    const n = this.count;
    let hole = start;
    for (;;) {
      let child = 2 * hole + 1;
      if (child >= n) break;
      let childTime = keys[2 * child] as number;
      let childSeq = keys[2 * child + 1] as number;
      if (child + 1 < n) {
        const rightTime = keys[2 * child + 2] as number;
        const rightSeq = keys[2 * child + 3] as number;
        if (rightTime < childTime || (rightTime === childTime && rightSeq < childSeq)) {
          child++;
          childTime = rightTime;
          childSeq = rightSeq;
        }
      }
      if (time_us < childTime || (time_us === childTime && seq < childSeq)) break;
      keys[2 * hole] = childTime;
      keys[2 * hole + 1] = childSeq;
      slots[hole] = slots[child] as number;
      hole = child;
    }
    keys[2 * hole] = time_us;
    keys[2 * hole + 1] = seq;
    slots[hole] = slot;
  }

  private grow(): void {
    const old = this.capacity;
    const capacity = old * 2;
    if (capacity > EVENT_QUEUE_MAX_PENDING) {
      throw new RangeError(`event queue: more than ${EVENT_QUEUE_MAX_PENDING} pending events`);
    }
    this.keys = copyInto(new Float64Array(2 * capacity), this.keys);
    this.heapSlot = copyInto(new Int32Array(capacity), this.heapSlot);
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
