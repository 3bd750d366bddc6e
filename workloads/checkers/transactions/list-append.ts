// Elle's list-append inference. Every append's element is unique, so each element names its writer,
// and a read of a list shows a prefix of the key's version order: the longest read is that order
// (every other read must be its prefix, else incompatible-order). From it: ww between the writers of
// consecutive elements, wr from the writer of a read's last element to the reader, rw from a reader
// to the writer of the element after what it saw. An append no read shows came after the last
// element read (ww from its writer, rw from that version's readers). Also the anomalies one
// transaction, read or key shows: G1a, G1b, internal, future-read, dirty-update, duplicate-elements.

import { type AnomalySink, describeVersion, findLostUpdates, nameOf, summarize } from "./anomalies.js";
import { type DependencyGraph, INITIAL, RW, type Version, WR, WW } from "./graph.js";
import type { Element, MicroOp, Transaction } from "./history.js";

interface KeyIndex {
  /** Every append of the key: element → its transaction (any outcome). */
  readonly writer: Map<Element, Transaction>;
  /** Elements a transaction appended and then appended to the key again after. */
  readonly intermediate: Set<Element>;
  /** The longest list read by a committed transaction. */
  longest: readonly Element[];
  incompatible: boolean;
  /** Committed readers by the last element they saw (INITIAL: an empty list). */
  readonly readers: Map<Version, Transaction[]>;
}

type ListRead = Extract<MicroOp, { f: "r" }> & { readonly value: readonly Element[] | null };

export function analyzeListAppend(
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
        longest: [],
        incompatible: false,
        readers: new Map(),
      };
      keys.set(key, entry);
    }
    return entry;
  };
  for (const txn of transactions) indexAppends(txn, index);
  for (const txn of transactions) {
    if (txn.operation.type !== "ok") continue;
    checkInternal(txn, sink);
    for (const mop of txn.mops) if (mop.f === "r") indexRead(txn, mop as ListRead, index(mop.key), sink);
  }
  for (const txn of transactions) {
    if (txn.operation.type !== "ok") continue;
    for (const mop of txn.mops)
      if (mop.f === "r") checkRead(txn, mop as ListRead, index(mop.key), graph, sink);
  }
  for (const [key, entry] of keys) {
    addVersionOrderEdges(key, entry, graph);
    checkDirtyUpdate(key, entry, sink);
  }
  findLostUpdates(transactions, "append", (mop) => lastElement(mop as ListRead), sink);
}

function indexAppends(txn: Transaction, index: (key: string) => KeyIndex): void {
  const lastAppend = new Map<string, Element>();
  for (const mop of txn.mops) {
    if (mop.f !== "append") continue;
    const entry = index(mop.key);
    const other = entry.writer.get(mop.value);
    if (other !== undefined && other !== txn) {
      throw new Error(
        `list-append needs unique appends: ${nameOf(other)} and ${nameOf(txn)} both appended ${JSON.stringify(mop.value)} to key ${JSON.stringify(mop.key)}`,
      );
    }
    entry.writer.set(mop.value, txn);
    const previous = lastAppend.get(mop.key);
    if (previous !== undefined) entry.intermediate.add(previous);
    lastAppend.set(mop.key, mop.value);
  }
}

function lastElement(mop: ListRead): Version {
  const list = mop.value ?? [];
  return list.length === 0 ? INITIAL : (list[list.length - 1] as Element);
}

/** Records a committed read: its version among the key's readers, the longest list, duplicates. */
function indexRead(txn: Transaction, mop: ListRead, entry: KeyIndex, sink: AnomalySink): void {
  const list = mop.value ?? [];
  const last = lastElement(mop);
  const readers = entry.readers.get(last) ?? [];
  entry.readers.set(last, readers);
  if (readers[readers.length - 1] !== txn) readers.push(txn);
  if (new Set(list).size !== list.length) {
    const counts = new Map<Element, number>();
    for (const element of list) counts.set(element, (counts.get(element) ?? 0) + 1);
    const duplicates = [...counts].filter(([, count]) => count > 1);
    sink.add("duplicate-elements", {
      op: summarize(txn),
      mop: [mop.f, mop.key, list],
      duplicates: Object.fromEntries(duplicates.map(([element, count]) => [String(element), count])),
      why: `${nameOf(txn)} read key ${JSON.stringify(mop.key)} = ${JSON.stringify(list)}, with ${duplicates.map(([element, count]) => `${JSON.stringify(element)} ${count} times`).join(", ")}: each element is appended once`,
    });
  }
  if (entry.incompatible) return;
  const [shorter, longer] =
    list.length < entry.longest.length ? [list, entry.longest] : [entry.longest, list];
  if (!isPrefix(shorter, longer)) {
    entry.incompatible = true;
    sink.add("incompatible-order", {
      key: mop.key,
      values: [shorter, longer],
      why: `key ${JSON.stringify(mop.key)} was read as ${JSON.stringify(shorter)} and as ${JSON.stringify(longer)}: neither is a prefix of the other, so no one order of appends explains both`,
    });
    return;
  }
  entry.longest = longer;
}

function isPrefix(shorter: readonly Element[], longer: readonly Element[]): boolean {
  for (let i = 0; i < shorter.length; i++) if (shorter[i] !== longer[i]) return false;
  return true;
}

/** G1a, G1b and the wr edge of one committed read. */
function checkRead(
  txn: Transaction,
  mop: ListRead,
  entry: KeyIndex,
  graph: DependencyGraph,
  sink: AnomalySink,
): void {
  const list = mop.value ?? [];
  for (const element of list) {
    const writer = entry.writer.get(element);
    if (writer?.operation.type !== "fail") continue;
    sink.add("G1a", {
      op: summarize(txn),
      mop: [mop.f, mop.key, list],
      writer: summarize(writer),
      element,
      why: `${nameOf(txn)} read key ${JSON.stringify(mop.key)} = ${JSON.stringify(list)}, with ${JSON.stringify(element)}, which the aborted ${nameOf(writer)} appended`,
    });
  }
  if (list.length === 0) return;
  const last = list[list.length - 1] as Element;
  const writer = entry.writer.get(last);
  if (writer === undefined || writer === txn) return;
  if (entry.intermediate.has(last)) {
    sink.add("G1b", {
      op: summarize(txn),
      mop: [mop.f, mop.key, list],
      writer: summarize(writer),
      element: last,
      why: `${nameOf(txn)} read key ${JSON.stringify(mop.key)} = ${JSON.stringify(list)}, ending in ${JSON.stringify(last)}, which ${nameOf(writer)} appended and then appended to again: an intermediate state`,
    });
  }
  if (writer.operation.type !== "fail") graph.add(writer.id, txn.id, WR, mop.key, last);
}

/** ww and rw edges from the key's version order (the longest read), and for appends never read. */
function addVersionOrderEdges(key: string, entry: KeyIndex, graph: DependencyGraph): void {
  const order = [...new Set(entry.longest)];
  const committed = (element: Version): Transaction | undefined => {
    if (element === INITIAL) return undefined;
    const writer = entry.writer.get(element);
    return writer === undefined || writer.operation.type === "fail" ? undefined : writer;
  };
  const link = (previous: Version, element: Element): void => {
    const writer = committed(element);
    if (writer === undefined) return;
    const before = committed(previous);
    if (before !== undefined) graph.add(before.id, writer.id, WW, key, previous, element);
    for (const reader of entry.readers.get(previous) ?? [])
      graph.add(reader.id, writer.id, RW, key, previous, element);
  };
  order.forEach((element, i) => {
    link(i === 0 ? INITIAL : (order[i - 1] as Element), element);
  });
  const read = new Set(order);
  const lastRead: Version = order.length === 0 ? INITIAL : (order[order.length - 1] as Element);
  const unread = new Set<Transaction>();
  for (const [element, writer] of entry.writer) {
    if (read.has(element) || writer.operation.type === "fail" || unread.has(writer)) continue;
    // One edge per transaction is enough: its appends never read all come after the last read.
    unread.add(writer);
    link(lastRead, element);
  }
}

/**
 * Dirty update: in a key's version order, a committed append right after aborted ones (appends of
 * unknown outcome between them aside), as Elle walks it.
 */
function checkDirtyUpdate(key: string, entry: KeyIndex, sink: AnomalySink): void {
  let since: Transaction | null = null; // null: the initial state, committed
  let values: Element[] = [];
  for (const element of new Set(entry.longest)) {
    const writer = entry.writer.get(element);
    if (writer === undefined) continue;
    values.push(element);
    const sinceType = since === null ? "ok" : since.operation.type;
    const type = writer.operation.type;
    if (type === "info" || (type === "fail" && sinceType === "fail")) continue;
    if (type === "ok" && since !== null && sinceType === "fail") {
      sink.add("dirty-update", {
        key,
        values,
        txns: [summarize(since), "...", summarize(writer)],
        why: `${nameOf(writer)} appended ${JSON.stringify(element)} to key ${JSON.stringify(key)} after ${JSON.stringify(values.slice(0, -1))}, from the aborted ${nameOf(since)} on: a committed write on top of aborted state`,
      });
    }
    since = writer;
    values = [element];
  }
}

/** Internal consistency (a read must show the transaction's own earlier reads and appends) and future reads. */
function checkInternal(txn: Transaction, sink: AnomalySink): void {
  if (!touchesAKeyTwice(txn.mops)) return; // most transactions: nothing to compare
  // Per key, what a read must show: a whole list, or (after an append to an unread key) a suffix.
  const expected = new Map<string, { list: Element[]; whole: boolean }>();
  const seen = new Map<string, Map<Element, MicroOp>>();
  // Elle reports the first of each in a transaction.
  let futureReported = false;
  let internalReported = false;
  for (const mop of txn.mops) {
    if (mop.f === "append") {
      const readIt = seen.get(mop.key)?.get(mop.value);
      if (readIt !== undefined && !futureReported) {
        futureReported = true;
        sink.add("future-read", {
          op: summarize(txn),
          mop: [readIt.f, readIt.key, readIt.value],
          element: mop.value,
          why: `${nameOf(txn)} read ${JSON.stringify(mop.value)} in key ${JSON.stringify(mop.key)} before it appended it itself`,
        });
      }
      const state = expected.get(mop.key) ?? { list: [], whole: false };
      expected.set(mop.key, { list: [...state.list, mop.value], whole: state.whole });
      continue;
    }
    const list = [...((mop as ListRead).value ?? [])];
    const state = expected.get(mop.key);
    if (state !== undefined && !internalReported && !matches(list, state)) {
      internalReported = true;
      const shown = state.whole
        ? JSON.stringify(state.list)
        : `[..., ${state.list.map((e) => JSON.stringify(e)).join(", ")}]`;
      sink.add("internal", {
        op: summarize(txn),
        mop: [mop.f, mop.key, list],
        expected: state.whole ? state.list : ["...", ...state.list],
        why: `${nameOf(txn)} read key ${JSON.stringify(mop.key)} = ${JSON.stringify(list)}, but its own earlier reads and appends say ${shown}`,
      });
    }
    expected.set(mop.key, { list, whole: true });
    const elements = seen.get(mop.key) ?? new Map<Element, MicroOp>();
    seen.set(mop.key, elements);
    for (const element of list) if (!elements.has(element)) elements.set(element, mop);
  }
}

function touchesAKeyTwice(mops: readonly MicroOp[]): boolean {
  const keys = new Set<string>();
  for (const mop of mops) {
    if (keys.has(mop.key)) return true;
    keys.add(mop.key);
  }
  return false;
}

function matches(list: readonly Element[], state: { list: readonly Element[]; whole: boolean }): boolean {
  if (state.whole) return list.length === state.list.length && isPrefix(state.list, list);
  const offset = list.length - state.list.length;
  return offset >= 0 && state.list.every((element, i) => list[offset + i] === element);
}

/** The words for a ww, wr or rw edge of a list-append graph. */
export function explainListAppendEdge(graph: DependencyGraph, edge: number, a: string, b: string): string {
  const key = JSON.stringify(graph.key(edge));
  const value = graph.value(edge);
  const next = describeVersion(graph.nextValue(edge));
  switch (graph.type(edge)) {
    case WW:
      return `${b} appended ${next} after ${a} appended ${describeVersion(value)} to ${key}`;
    case WR:
      return `${b} observed ${a}'s append of ${describeVersion(value)} to ${key}`;
    default:
      return value === INITIAL
        ? `${a} observed the initial (nil) state of ${key}, which ${b} created by appending ${next}`
        : `${a} did not observe ${b}'s append of ${next} to ${key}`;
  }
}
