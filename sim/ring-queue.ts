// A bounded FIFO on a circular array: O(1) push and shift, no allocation once grown.

export class RingQueue<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;
  private readonly limit: number;

  constructor(limit: number, initialCapacity = 16) {
    if (!(Number.isInteger(limit) && limit >= 1))
      throw new RangeError(`RingQueue limit must be >= 1, got ${limit}`);
    this.limit = limit;
    this.items = new Array<T | undefined>(Math.max(1, Math.min(limit, initialCapacity)));
  }

  get size(): number {
    return this.count;
  }

  /** Appends; returns false (and drops nothing) when the queue is at its limit. */
  push(item: T): boolean {
    if (this.count >= this.limit) return false;
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = item;
    this.count++;
    return true;
  }

  /** The first item, left in place. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  private grow(): void {
    const capacity = Math.min(this.limit, this.items.length * 2);
    const items = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.count; i++) items[i] = this.items[(this.head + i) % this.items.length];
    this.items = items;
    this.head = 0;
  }
}
