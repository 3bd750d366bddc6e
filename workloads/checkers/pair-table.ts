// An insert-only hash table of pairs of 32-bit integers, each pair given a dense id in insertion order.
// The linearizability search keeps millions of small keys; flat typed arrays with open addressing
// keep them without an object per entry.

export class PairTable {
  private firsts: Int32Array<ArrayBuffer>;
  private seconds: Int32Array<ArrayBuffer>;
  /** Open-addressing slots holding id + 1 (0 = empty); at most half full. */
  private slots: Int32Array<ArrayBuffer>;
  private count = 0;

  /** `expected` sizes the first allocation (the table grows as needed): many small searches stay small. */
  constructor(expected = 16) {
    let capacity = 16;
    while (capacity < expected) capacity *= 2;
    this.firsts = new Int32Array(capacity);
    this.seconds = new Int32Array(capacity);
    this.slots = new Int32Array(capacity * 2);
  }

  get size(): number {
    return this.count;
  }

  first(id: number): number {
    return this.firsts[id] as number;
  }

  second(id: number): number {
    return this.seconds[id] as number;
  }

  /** The id of (a, b), added if absent. */
  intern(a: number, b: number): number {
    const mask = this.slots.length - 1;
    let slot = hashPair(a, b) & mask;
    for (let probe = 0; probe <= mask; probe++) {
      const held = this.slots[slot] as number;
      if (held === 0) return this.add(a, b, slot);
      const id = held - 1;
      if (this.firsts[id] === a && this.seconds[id] === b) return id;
      slot = (slot + 1) & mask;
    }
    throw new Error("PairTable: no free slot (the load factor invariant is broken)");
  }

  private add(a: number, b: number, slot: number): number {
    const id = this.count++;
    if (id === this.firsts.length) {
      this.firsts = grow(this.firsts);
      this.seconds = grow(this.seconds);
    }
    this.firsts[id] = a;
    this.seconds[id] = b;
    this.slots[slot] = id + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = hashPair(this.firsts[id] as number, this.seconds[id] as number) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask; // ends: the table is at most half full
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

function grow(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(array.length * 2);
  grown.set(array);
  return grown;
}

/** Mixes both integers into 32 well-spread bits (murmur3's finalizer over a multiplicative combine). */
function hashPair(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
