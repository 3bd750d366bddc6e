// Elle's rw-register inference, restricted to what reads and writes alone show (Elle can add process
// and real-time orders of versions; this checker does not). Every write of a key has a unique value,
// so a value read names its writer: wr from that writer. Version order, where it can be inferred:
// the initial nil comes before every version; and a transaction that read a key (externally: before
// writing it) and then wrote it ordered what it read before what it wrote. From those: ww from the
// writer of the version read to the transaction that wrote over it, rw from the version's other
// readers to it, and rw from every reader of the initial nil to every writer of the key.

import { type AnomalySink, describeVersion, findLostUpdates, nameOf, summarize } from "./anomalies.js";
import { type DependencyGraph, INITIAL, RW, type Version, WR, WW } from "./graph.js";
import type { Element, MicroOp, Transaction } from "./history.js";

interface KeyIndex {
  /** Every write of the key: value → its transaction (any outcome). */
  readonly writer: Map<Element, Transaction>;
  /** Values a transaction wrote and then overwrote itself. */
  readonly intermediate: Set<Element>;
  /** Committed external readers by the version they read. */
  readonly readers: Map<Version, Transaction[]>;
  /** Transactions (ok or info) whose last write of the key is theirs: its versions. */
  readonly finalWriters: Transaction[];
  /** [version read, version written, the transaction]: what writes-follow-reads orders. */
  readonly ordered: [Element, Element, Transaction][];
}

export function analyzeRwRegister(
  transactions: readonly Transaction[],
  graph: DependencyGraph,
  sink: AnomalySink,
): void {
  const keys = new Map<string, KeyIndex>();
  const index = (key: string): KeyIndex => {
    let entry = keys.get(key);
    if (entry === undefined) {
      entry = {
        writer: new Map(),
        intermediate: new Set(),
        readers: new Map(),
        finalWriters: [],
        ordered: [],
      };
      keys.set(key, entry);
    }
    return entry;
  };
  for (const txn of transactions) indexWrites(txn, index);
  for (const txn of transactions) {
    if (txn.operation.type === "ok") {
      checkInternal(txn, sink);
      indexReads(txn, index, graph, sink);
    }
  }
  for (const [key, entry] of keys) {
    for (const writer of entry.finalWriters) {
      const value = finalWrite(writer, key) as Element;
      for (const reader of entry.readers.get(INITIAL) ?? [])
        graph.add(reader.id, writer.id, RW, key, INITIAL, value);
    }
    for (const [read, written, txn] of entry.ordered) {
      const before = committedWriter(entry, read);
      if (before !== undefined) graph.add(before.id, txn.id, WW, key, read, written);
      for (const reader of entry.readers.get(read) ?? [])
        graph.add(reader.id, txn.id, RW, key, read, written);
    }
  }
  findLostUpdates(transactions, "w", (mop) => (mop.value as Element | null) ?? INITIAL, sink);
}

function committedWriter(entry: KeyIndex, value: Element): Transaction | undefined {
  const writer = entry.writer.get(value);
  return writer === undefined || writer.operation.type === "fail" || entry.intermediate.has(value)
    ? undefined
    : writer;
}

function finalWrite(txn: Transaction, key: string): Element | undefined {
  let value: Element | undefined;
  for (const mop of txn.mops) if (mop.f === "w" && mop.key === key) value = mop.value;
  return value;
}

function indexWrites(txn: Transaction, index: (key: string) => KeyIndex): void {
  const last = new Map<string, Element>();
  for (const mop of txn.mops) {
    if (mop.f !== "w") continue;
    const entry = index(mop.key);
    const other = entry.writer.get(mop.value);
    if (other !== undefined) {
      throw new Error(
        `rw-register needs unique writes: ${nameOf(other)}${other === txn ? " twice" : ` and ${nameOf(txn)}`} wrote ${JSON.stringify(mop.value)} to key ${JSON.stringify(mop.key)}`,
      );
    }
    entry.writer.set(mop.value, txn);
    const previous = last.get(mop.key);
    if (previous !== undefined) entry.intermediate.add(previous);
    last.set(mop.key, mop.value);
  }
  if (txn.operation.type === "fail") return;
  for (const key of last.keys()) index(key).finalWriters.push(txn);
}

/** A committed transaction's external reads: G1a, G1b, wr edges, readers, writes-follow-reads. */
function indexReads(
  txn: Transaction,
  index: (key: string) => KeyIndex,
  graph: DependencyGraph,
  sink: AnomalySink,
): void {
  const touched = new Set<string>();
  const externalRead = new Map<string, MicroOp>();
  for (const mop of txn.mops) {
    if (touched.has(mop.key)) continue;
    touched.add(mop.key);
    if (mop.f === "r") externalRead.set(mop.key, mop);
  }
  for (const [key, mop] of externalRead) {
    const entry = index(key);
    const value = mop.value as Element | null;
    const version: Version = value ?? INITIAL;
    const readers = entry.readers.get(version) ?? [];
    entry.readers.set(version, readers);
    readers.push(txn);
    const written = finalWrite(txn, key);
    if (value !== null && written !== undefined) entry.ordered.push([value, written, txn]);
    if (value === null) continue;
    const writer = entry.writer.get(value);
    if (writer === undefined || writer === txn) continue;
    const read = `${nameOf(txn)} read key ${JSON.stringify(key)} = ${JSON.stringify(value)}`;
    if (writer.operation.type === "fail") {
      sink.add("G1a", {
        op: summarize(txn),
        mop: ["r", key, value],
        writer: summarize(writer),
        why: `${read}, which the aborted ${nameOf(writer)} wrote`,
      });
    } else if (entry.intermediate.has(value)) {
      sink.add("G1b", {
        op: summarize(txn),
        mop: ["r", key, value],
        writer: summarize(writer),
        why: `${read}, which ${nameOf(writer)} wrote and then overwrote itself: an intermediate state`,
      });
    } else graph.add(writer.id, txn.id, WR, key, value);
  }
}

/** A read must show the transaction's own last read or write of the key. */
function checkInternal(txn: Transaction, sink: AnomalySink): void {
  const state = new Map<string, Element | null>();
  for (const mop of txn.mops) {
    const value = mop.value as Element | null;
    if (mop.f === "r" && state.has(mop.key) && state.get(mop.key) !== value) {
      const expected = state.get(mop.key) ?? null;
      sink.add("internal", {
        op: summarize(txn),
        mop: ["r", mop.key, value],
        expected,
        why: `${nameOf(txn)} read key ${JSON.stringify(mop.key)} = ${JSON.stringify(value)}, but its own last read or write of it says ${JSON.stringify(expected)}`,
      });
      return;
    }
    state.set(mop.key, value);
  }
}

/** The words for a ww, wr or rw edge of an rw-register graph. */
export function explainRwRegisterEdge(graph: DependencyGraph, edge: number, a: string, b: string): string {
  const key = JSON.stringify(graph.key(edge));
  const value = describeVersion(graph.value(edge));
  const next = describeVersion(graph.nextValue(edge));
  switch (graph.type(edge)) {
    case WW:
      return `${b} read ${key} = ${value}, which ${a} wrote, and then wrote ${key} = ${next}`;
    case WR:
      return `${b} read ${key} = ${value}, which ${a} wrote`;
    default:
      return graph.value(edge) === INITIAL
        ? `${a} read the initial (nil) state of ${key}, which ${b} overwrote with ${next}`
        : `${a} read ${key} = ${value}, which ${b} overwrote with ${next} (${b} read ${value} before writing)`;
  }
}
