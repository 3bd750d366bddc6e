// Sets of operations, hash-consed: each distinct set gets one integer id, so the search's cache key
// (set of linearized operations, register state) is two integers however long the history is.
// A set is a bitset of 32-bit words arranged as a complete binary tree whose inner nodes are
// interned pairs of children: equal sets are the same id, and adding an element re-interns only
// the path from its word to the root (log2 of the word count). Up to 32 operations, the set is
// its one word. A bitset copy per cache entry would instead cost memory in the history's length.

import { PairTable } from "./pair-table.js";

export class LinearizedSets {
  /** The set of no operations. */
  readonly empty: number;
  /** Levels of inner nodes above the words (0: the set is one word). */
  private readonly depth: number;
  private readonly table: PairTable;
  /** Scratch: the inner nodes along the path `with` walks down, by level. */
  private readonly path: Int32Array;

  constructor(operationCount: number) {
    const words = Math.max(1, Math.ceil(operationCount / 32));
    let depth = 0;
    while (2 ** depth < words) depth++;
    this.depth = depth;
    this.table = new PairTable(operationCount * (depth + 1));
    this.path = new Int32Array(depth + 1);
    let empty = 0; // an empty word, then an inner node of two empty children, ...
    for (let level = 1; level <= depth; level++) empty = this.table.intern(empty, empty);
    this.empty = empty;
  }

  /** The id of `set` plus `element`. */
  with(set: number, element: number): number {
    const word = element >>> 5;
    let node = set;
    for (let level = this.depth; level >= 1; level--) {
      this.path[level] = node;
      node = ((word >>> (level - 1)) & 1) === 1 ? this.table.second(node) : this.table.first(node);
    }
    node = node | (1 << (element & 31));
    for (let level = 1; level <= this.depth; level++) {
      const parent = this.path[level] as number;
      node =
        ((word >>> (level - 1)) & 1) === 1
          ? this.table.intern(this.table.first(parent), node)
          : this.table.intern(node, this.table.second(parent));
    }
    return node;
  }
}
