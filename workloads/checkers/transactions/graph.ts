// The dependency graph of a transaction history: one node per transaction, one edge per reason one
// transaction must precede another. Edges are kept in typed columns (a 100,000-transaction history
// has about a million), each with the key and values that explain it; `seal` indexes them by source.

import type { Element, Transaction } from "./history.js";

/** Edge types, as bits (a search's allowed types are a mask). */
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;

export type EdgeType = typeof WW | typeof WR | typeof RW | typeof PROCESS | typeof REALTIME;

export const EDGE_NAMES: Readonly<Record<EdgeType, string>> = {
  [WW]: "ww",
  [WR]: "wr",
  [RW]: "rw",
  [PROCESS]: "process",
  [REALTIME]: "realtime",
};

/** The initial state of a key (before any write): a version with no writer. */
export const INITIAL = Symbol("initial");
export type Version = Element | typeof INITIAL;

export class DependencyGraph {
  readonly nodes: number;
  private from = new Int32Array(1024);
  private to = new Int32Array(1024);
  private types = new Uint8Array(1024);
  private readonly keys: (string | null)[] = [];
  /** ww, rw: the version before and the version written; wr: the version read. */
  private readonly values: Version[] = [];
  private readonly nextValues: Version[] = [];
  private count = 0;
  /** After seal: out-edges of node n are edgeIds[offsets[n]..offsets[n+1]). */
  private offsets: Int32Array | null = null;
  private edgeIds: Int32Array | null = null;

  constructor(nodes: number) {
    this.nodes = nodes;
  }

  get edges(): number {
    return this.count;
  }

  /** Adds the edge from → to (never a self edge: a transaction does not depend on itself). */
  add(
    from: number,
    to: number,
    type: EdgeType,
    key: string | null = null,
    value: Version = INITIAL,
    next: Version = INITIAL,
  ): void {
    if (from === to) return;
    if (this.offsets !== null) throw new Error("DependencyGraph: add after seal");
    if (this.count === this.from.length) this.grow();
    this.from[this.count] = from;
    this.to[this.count] = to;
    this.types[this.count] = type;
    this.keys.push(key);
    this.values.push(value);
    this.nextValues.push(next);
    this.count++;
  }

  /**
   * Indexes the edges by source (a counting sort), keeping one edge per pair of transactions: the
   * first of ww, wr, rw, process, realtime, as Elle explains a pair by its first relationship (so a
   * cycle's step through a pair that is both rw and realtime counts as rw). No edge may be added after.
   */
  seal(): void {
    const offsets = new Int32Array(this.nodes + 1);
    for (let e = 0; e < this.count; e++) {
      const slot = (this.from[e] as number) + 1;
      offsets[slot] = (offsets[slot] as number) + 1;
    }
    for (let n = 0; n < this.nodes; n++) offsets[n + 1] = (offsets[n + 1] as number) + (offsets[n] as number);
    const fill = offsets.slice(0, this.nodes);
    const sorted = new Int32Array(this.count);
    for (let e = 0; e < this.count; e++) {
      const node = this.from[e] as number;
      const slot = fill[node] as number;
      sorted[slot] = e;
      fill[node] = slot + 1;
    }
    // Compact each node's edges to the first type per target (types are bits in that order).
    const kept = new Int32Array(this.count);
    const best = new Map<number, number>();
    let size = 0;
    for (let n = 0; n < this.nodes; n++) {
      const start = offsets[n] as number;
      const end = offsets[n + 1] as number;
      best.clear();
      for (let i = start; i < end; i++) {
        const edge = sorted[i] as number;
        const target = this.to[edge] as number;
        const other = best.get(target);
        if (other === undefined || (this.types[edge] as number) < (this.types[other] as number))
          best.set(target, edge);
      }
      offsets[n] = size;
      for (const edge of best.values()) kept[size++] = edge;
    }
    offsets[this.nodes] = size;
    this.offsets = offsets;
    this.edgeIds = kept.subarray(0, size);
  }

  /** The ids of node's out-edges (after seal). */
  outEdges(node: number): Int32Array {
    const offsets = this.offsets as Int32Array;
    return (this.edgeIds as Int32Array).subarray(offsets[node], offsets[node + 1]);
  }

  source(edge: number): number {
    return this.from[edge] as number;
  }
  target(edge: number): number {
    return this.to[edge] as number;
  }
  type(edge: number): EdgeType {
    return this.types[edge] as EdgeType;
  }
  key(edge: number): string | null {
    return this.keys[edge] as string | null;
  }
  value(edge: number): Version {
    return this.values[edge] as Version;
  }
  nextValue(edge: number): Version {
    return this.nextValues[edge] as Version;
  }

  private grow(): void {
    const size = this.from.length * 2;
    const from = new Int32Array(size);
    from.set(this.from);
    const to = new Int32Array(size);
    to.set(this.to);
    const types = new Uint8Array(size);
    types.set(this.types);
    this.from = from;
    this.to = to;
    this.types = types;
  }
}

/** Per process, each committed transaction precedes the process's next transaction. */
export function addProcessEdges(graph: DependencyGraph, transactions: readonly Transaction[]): void {
  const last = new Map<number, Transaction>();
  for (const txn of transactions) {
    if (txn.operation.type === "fail") continue;
    const previous = last.get(txn.operation.process);
    // An info transaction may take effect any time after its invoke: it precedes nothing.
    if (previous !== undefined && previous.operation.type === "ok") graph.add(previous.id, txn.id, PROCESS);
    last.set(txn.operation.process, txn);
  }
}

/**
 * Real-time order: a transaction that completed before another was invoked precedes it. Not every
 * pair (that is quadratic): as Elle does, each invoke links from the frontier, the transactions
 * completed so far that no later-completed one follows; a completion removes from the frontier the
 * transactions that precede it (they now reach what follows through it) and joins it. The frontier
 * holds about as many transactions as run concurrently, so the edges are linear in the history.
 */
export function addRealtimeEdges(graph: DependencyGraph, transactions: readonly Transaction[]): void {
  const live = transactions.filter((txn) => txn.operation.type !== "fail");
  // Completions in event order; invokes are in event order already.
  const completions = live
    .filter((txn) => txn.operation.type === "ok")
    .sort((a, b) => (a.operation.completeIndex as number) - (b.operation.completeIndex as number));
  let frontier: Transaction[] = [];
  const predecessors = new Map<number, Transaction[]>();
  let next = 0;
  for (const txn of live) {
    const invoked = txn.operation.invokeIndex;
    for (; next < completions.length; next++) {
      const done = completions[next] as Transaction;
      if ((done.operation.completeIndex as number) > invoked) break;
      const before = new Set(predecessors.get(done.id) ?? []);
      predecessors.delete(done.id);
      frontier = frontier.filter((other) => !before.has(other));
      frontier.push(done);
    }
    for (const earlier of frontier) graph.add(earlier.id, txn.id, REALTIME);
    if (txn.operation.type === "ok") predecessors.set(txn.id, frontier.slice());
  }
}
