// The engine's B+tree (engine/index/btree.ts) against `sorted-btree` (npm, v2.1.0; a benchmark-only
// devDependency), on the same keys in the same order, at the same node size (64 keys per node,
// the engine's default page fan-out):
// - inserts: every key, in a random order, into an empty tree;
// - point gets: every key, in another random order, GET_PASSES times over (for a steadier figure);
// - range scans: 100 consecutive entries in key order from a random existing key, visiting each.
// Figures are operations per wall second; the ratio is engine / sorted-btree (>= 1: the engine's
// tree is at least as fast). The engine's tree also does its page accounting (lastPagesRead,
// lastPagesWritten) on every call, which sorted-btree does not.
//
// Two key kinds: integers (the native `<` path of both trees) and YCSB-style strings
// ("user" + a number, as the engine's table uses).

import sortedBtreeModule from "sorted-btree";
import { BPlusTree } from "../engine/index/btree.js";
import { Rng } from "../sim/rng.js";

export const BTREE_BENCH_NODE_SIZE = 64;
export const BTREE_BENCH_SCAN_LENGTH = 100;
const GET_PASSES = 3;

export interface TreeFigures {
  inserts_per_s: number;
  gets_per_s: number;
  scans_per_s: number;
}

export interface BtreeBenchResult {
  keys: number;
  key_kind: "int" | "string";
  node_size: number;
  scan_length: number;
  engine: TreeFigures;
  sorted_btree: TreeFigures;
  /** engine / sorted-btree, per operation. */
  ratio: TreeFigures;
  /** Checksums of what each tree visited: equal when both trees saw the same entries. */
  checksum_engine: number;
  checksum_sorted_btree: number;
}

type Key = number | string;

// sorted-btree is CommonJS: under Node's ESM loader its default import is module.exports (whose
// `default` is the class); a CommonJS-interop loader (tsx from a CommonJS file) gives the class.
const SortedBTree = (sortedBtreeModule.default ?? sortedBtreeModule) as typeof sortedBtreeModule.default;

function shuffled<T>(items: T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i] as T;
    out[i] = out[j] as T;
    out[j] = t;
  }
  return out;
}

function keysOf(kind: "int" | "string", count: number, rng: Rng): Key[] {
  // Distinct keys spread over a wider range than their count, in a random order.
  const picks = new Set<number>();
  while (picks.size < count) picks.add(rng.int(count * 16));
  const numbers = shuffled([...picks], rng);
  return kind === "int" ? numbers : numbers.map((n) => `user${n}`);
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

interface Workload {
  inserts: Key[];
  gets: Key[];
  scanStarts: Key[];
}

function runEngine(w: Workload): { figures: TreeFigures; checksum: number } {
  const tree = new BPlusTree<Key, number>({ fanout: BTREE_BENCH_NODE_SIZE });
  let t = process.hrtime.bigint();
  for (let i = 0; i < w.inserts.length; i++) tree.set(w.inserts[i] as Key, i);
  const insertS = seconds(t);
  let checksum = 0;
  t = process.hrtime.bigint();
  for (let pass = 0; pass < GET_PASSES; pass++) {
    for (let i = 0; i < w.gets.length; i++) checksum += tree.get(w.gets[i] as Key) as number;
  }
  const getS = seconds(t);
  let sum = 0;
  const visit = (_key: Key, value: number): void => {
    sum += value;
  };
  t = process.hrtime.bigint();
  for (let i = 0; i < w.scanStarts.length; i++)
    tree.scan(w.scanStarts[i] as Key, BTREE_BENCH_SCAN_LENGTH, visit);
  const scanS = seconds(t);
  return {
    figures: {
      inserts_per_s: w.inserts.length / insertS,
      gets_per_s: (GET_PASSES * w.gets.length) / getS,
      scans_per_s: w.scanStarts.length / scanS,
    },
    checksum: (checksum + sum) % 1_000_000_007,
  };
}

function runSortedBTree(w: Workload): { figures: TreeFigures; checksum: number } {
  const tree = new SortedBTree<Key, number>(undefined, undefined, BTREE_BENCH_NODE_SIZE);
  const high = typeof w.inserts[0] === "number" ? Number.POSITIVE_INFINITY : "\uffff";
  let t = process.hrtime.bigint();
  for (let i = 0; i < w.inserts.length; i++) tree.set(w.inserts[i] as Key, i);
  const insertS = seconds(t);
  let checksum = 0;
  t = process.hrtime.bigint();
  for (let pass = 0; pass < GET_PASSES; pass++) {
    for (let i = 0; i < w.gets.length; i++) checksum += tree.get(w.gets[i] as Key) as number;
  }
  const getS = seconds(t);
  let sum = 0;
  const last = BTREE_BENCH_SCAN_LENGTH - 1;
  // sorted-btree stops a scan when its callback returns {break: R}; its typings omit that.
  const onFound = ((_key: Key, value: number, counter: number) => {
    sum += value;
    return counter >= last ? { break: counter } : undefined;
  }) as (key: Key, value: number, counter: number) => void;
  t = process.hrtime.bigint();
  for (let i = 0; i < w.scanStarts.length; i++) tree.forRange(w.scanStarts[i] as Key, high, true, onFound);
  const scanS = seconds(t);
  return {
    figures: {
      inserts_per_s: w.inserts.length / insertS,
      gets_per_s: (GET_PASSES * w.gets.length) / getS,
      scans_per_s: w.scanStarts.length / scanS,
    },
    checksum: (checksum + sum) % 1_000_000_007,
  };
}

/**
 * One run of both trees over the same keys (a fresh tree each). `engineFirst` (default true)
 * decides which runs first: alternate it across repetitions so that neither always inherits the
 * other's garbage.
 */
export function btreeVsSortedBTree(options: {
  keys: number;
  scans: number;
  kind: "int" | "string";
  seed?: number;
  engineFirst?: boolean;
}): BtreeBenchResult {
  const rng = Rng.fromSeed(options.seed ?? 1).split(`btree-bench-${options.kind}`);
  const inserts = keysOf(options.kind, options.keys, rng);
  const gets = shuffled(inserts, rng);
  const scanStarts = Array.from({ length: options.scans }, () => inserts[rng.int(inserts.length)] as Key);
  const workload = { inserts, gets, scanStarts };
  let engine: ReturnType<typeof runEngine>;
  let sorted: ReturnType<typeof runSortedBTree>;
  if (options.engineFirst ?? true) {
    engine = runEngine(workload);
    sorted = runSortedBTree(workload);
  } else {
    sorted = runSortedBTree(workload);
    engine = runEngine(workload);
  }
  return {
    keys: options.keys,
    key_kind: options.kind,
    node_size: BTREE_BENCH_NODE_SIZE,
    scan_length: BTREE_BENCH_SCAN_LENGTH,
    engine: engine.figures,
    sorted_btree: sorted.figures,
    ratio: {
      inserts_per_s: engine.figures.inserts_per_s / sorted.figures.inserts_per_s,
      gets_per_s: engine.figures.gets_per_s / sorted.figures.gets_per_s,
      scans_per_s: engine.figures.scans_per_s / sorted.figures.scans_per_s,
    },
    checksum_engine: engine.checksum,
    checksum_sorted_btree: sorted.checksum,
  };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function medianFigures(runs: TreeFigures[]): TreeFigures {
  return {
    inserts_per_s: medianOf(runs.map((r) => r.inserts_per_s)),
    gets_per_s: medianOf(runs.map((r) => r.gets_per_s)),
    scans_per_s: medianOf(runs.map((r) => r.scans_per_s)),
  };
}

/** Medians over runs (each figure on its own); the ratio is of the medians. */
export function summarizeBtreeRuns(
  runs: BtreeBenchResult[],
): Omit<BtreeBenchResult, "checksum_engine" | "checksum_sorted_btree"> {
  const first = runs[0];
  if (first === undefined) throw new Error("summarizeBtreeRuns: no runs");
  for (const r of runs) {
    if (r.checksum_engine !== r.checksum_sorted_btree) {
      throw new Error(
        `btree bench: the trees visited different entries (${r.checksum_engine} vs ${r.checksum_sorted_btree})`,
      );
    }
  }
  const engine = medianFigures(runs.map((r) => r.engine));
  const sorted = medianFigures(runs.map((r) => r.sorted_btree));
  return {
    keys: first.keys,
    key_kind: first.key_kind,
    node_size: first.node_size,
    scan_length: first.scan_length,
    engine,
    sorted_btree: sorted,
    ratio: {
      inserts_per_s: engine.inserts_per_s / sorted.inserts_per_s,
      gets_per_s: engine.gets_per_s / sorted.gets_per_s,
      scans_per_s: engine.scans_per_s / sorted.scans_per_s,
    },
  };
}
