// A set of write values (non-negative integers: the driver numbers writes 1, 2, 3, ...) as a growable
// bitset: one bit per value, so the writes of an hour-long run (tens of millions) take megabytes.
// Used to tell which acknowledged writes a log's history holds, long after the log was compacted.

const MAX_VALUE = 2 ** 31 - 1;

export class WriteSet {
  private words: Uint32Array;

  constructor(capacity_values = 1024) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(capacity_values / 32)));
  }

  add(value: number): void {
    if (!(Number.isInteger(value) && value >= 0 && value <= MAX_VALUE)) return; // not a write's number
    const word = value >>> 5;
    if (word >= this.words.length) this.grow(word + 1);
    this.words[word] = (this.words[word] as number) | (1 << (value & 31)); // stored as uint32
  }

  has(value: number): boolean {
    if (!(Number.isInteger(value) && value >= 0)) return false;
    const word = value >>> 5;
    return word < this.words.length && ((this.words[word] as number) & (1 << (value & 31))) !== 0;
  }

  /** Adds every value of `other`. */
  addAll(other: WriteSet): void {
    if (other.words.length > this.words.length) this.grow(other.words.length);
    const words = this.words;
    other.words.forEach((w, i) => {
      words[i] = ((words[i] as number) | w) >>> 0;
    });
  }

  /** How many values of this set `other` does not hold. */
  countMissingFrom(other: WriteSet): number {
    let missing = 0;
    this.words.forEach((w, i) => {
      missing += popcount((w & ~(other.words[i] ?? 0)) >>> 0);
    });
    return missing;
  }

  copy(): WriteSet {
    const copy = new WriteSet(0);
    copy.words = this.words.slice();
    return copy;
  }

  private grow(words: number): void {
    const grown = new Uint32Array(Math.max(words, this.words.length * 2));
    grown.set(this.words);
    this.words = grown;
  }
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}
