// A binary min-heap of items by a numeric key (a time); equal keys come out in insertion order.
// For the few items a host waits on at once (a node's requests waiting for disk reads); the
// simulator's own event queue is the radix heap in event-queue.ts.

export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: T[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  /** The smallest key (Infinity when empty). */
  peekKey(): number {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : (this.keys[0] as number);
  }

  push(key: number, item: T): void {
    let i = this.items.length;
    this.keys.push(key);
    this.seqs.push(this.seq++);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the item with the smallest key (the earliest pushed among equals). */
  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0] as T;
    this.swap(0, n - 1);
    this.keys.pop();
    this.seqs.pop();
    this.items.pop();
    const size = n - 1;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.less(right, left) ? right : left;
      if (!this.less(child, i)) break;
      this.swap(i, child);
      i = child;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a] as number;
    const kb = this.keys[b] as number;
    return ka < kb || (ka === kb && (this.seqs[a] as number) < (this.seqs[b] as number));
  }

  private swap(a: number, b: number): void {
    const keys = this.keys;
    const seqs = this.seqs;
    const items = this.items;
    const k = keys[a] as number;
    keys[a] = keys[b] as number;
    keys[b] = k;
    const s = seqs[a] as number;
    seqs[a] = seqs[b] as number;
    seqs[b] = s;
    const item = items[a] as T;
    items[a] = items[b] as T;
    items[b] = item;
  }
}
