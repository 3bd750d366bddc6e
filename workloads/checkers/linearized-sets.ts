// Sets of operations, hash-consed: each distinct set gets one integer id, so the search's cache key
// (set of linearized operations, register state) is two integers however long the history is.
// A non-empty set is stored as (the set without its largest element, its largest element); adding
// an element re-links only the elements larger than it. The search numbers operations so that the
// ones it adds are almost always the largest (completed operations in return order), which keeps
// this cheap; a bitset copy per cache entry would cost memory in the history's length instead.

import { PairTable } from "./pair-table.js";

export const EMPTY_SET = 0;

export class LinearizedSets {
  private readonly table: PairTable;
  /** Scratch for the elements re-linked by `with`; a set holds each operation at most once. */
  private readonly larger: Int32Array;

  constructor(operationCount: number) {
    this.larger = new Int32Array(operationCount);
    this.table = new PairTable(operationCount);
  }

  /** The id of `set` plus `element`, which it does not hold. */
  with(set: number, element: number): number {
    let rest = set;
    let count = 0;
    while (rest !== EMPTY_SET && this.largest(rest) > element) {
      this.larger[count++] = this.largest(rest);
      rest = this.table.first(rest - 1);
    }
    rest = this.table.intern(rest, element) + 1;
    while (count > 0) rest = this.table.intern(rest, this.larger[--count] as number) + 1;
    return rest;
  }

  private largest(set: number): number {
    return this.table.second(set - 1);
  }
}
