// Collecting anomalies (the first few of each type, and a count of all), naming transactions in
// explanations, and the lost-update search both data models share.

import { summarizeOperation } from "../history.js";
import { INITIAL, type Version } from "./graph.js";
import type { Element, MicroOp, Transaction } from "./history.js";

/** Anomalies kept per type (all are counted): a broken history may have millions. */
export const MAX_REPORTED = 20;

export interface Anomaly {
  /** The anomaly in words, naming transactions as `T<index of its invoke>`. */
  readonly why: string;
  readonly [detail: string]: unknown;
}

export class AnomalySink {
  readonly found = new Map<string, Anomaly[]>();
  readonly counts = new Map<string, number>();

  add(type: string, anomaly: Anomaly): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    const list = this.found.get(type) ?? [];
    if (list.length < MAX_REPORTED) list.push(anomaly);
    this.found.set(type, list);
  }
}

/** A transaction's name in explanations. */
export function nameOf(txn: Transaction): string {
  return `T${txn.operation.invokeIndex}`;
}

/** A transaction as anomalies report it: the history's operation fields. */
export function summarize(txn: Transaction): object {
  const { f: _f, key: _key, ...summary } = summarizeOperation(txn.operation);
  return { name: nameOf(txn), ...summary, value: txn.mops.map((mop) => [mop.f, mop.key, mop.value]) };
}

export function describeVersion(version: Version | readonly Element[] | null): string {
  if (version === INITIAL || version === null) return "nil";
  return JSON.stringify(version);
}

/**
 * Lost update: two committed transactions read the same version of a key and both wrote the key
 * (each wrote over what it read; one update is lost whatever the order). `versionRead` gives the
 * version a read observed (list-append: its last element), or undefined when it observed nothing.
 */
export function findLostUpdates(
  transactions: readonly Transaction[],
  writeFunction: "append" | "w",
  versionRead: (mop: MicroOp) => Version,
  sink: AnomalySink,
): void {
  const byVersion = new Map<string, Map<Version, Transaction[]>>();
  for (const txn of transactions) {
    if (txn.operation.type !== "ok") continue;
    const read = new Map<string, MicroOp>();
    const written = new Set<string>();
    for (const mop of txn.mops) {
      if (mop.f === "r") {
        if (!read.has(mop.key) && !written.has(mop.key)) read.set(mop.key, mop);
        continue;
      }
      if (mop.f !== writeFunction || written.has(mop.key)) continue;
      written.add(mop.key);
      const readMop = read.get(mop.key);
      if (readMop === undefined) continue;
      const versions = byVersion.get(mop.key) ?? new Map<Version, Transaction[]>();
      byVersion.set(mop.key, versions);
      const version = versionRead(readMop);
      const txns = versions.get(version) ?? [];
      versions.set(version, txns);
      txns.push(txn);
    }
  }
  for (const [key, versions] of byVersion) {
    for (const [version, txns] of versions) {
      if (txns.length < 2) continue;
      sink.add("lost-update", {
        key,
        value: describeVersion(version),
        txns: txns.map(summarize),
        why: `${txns.map(nameOf).join(" and ")} each read key ${JSON.stringify(key)} at version ${describeVersion(version)} and then wrote it: one update is lost whatever order they committed in`,
      });
    }
  }
}
