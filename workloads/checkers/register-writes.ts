// Which write produced each value a read returned, per key. dbsim writes a unique value per write, so
// a read identifies its write; the checks built on this (checks.ts) need that, and report unknown
// when a key's written values repeat. Times are history indices (events are in real-time order).

import { describeValue, type History, type Operation, valueKey } from "./history.js";

/** Where a value a read returned came from, as the real-time bounds of its write. */
export interface Origin {
  /** The write, or null for the register's initial value (empty, or written before the history). */
  readonly write: Operation | null;
  /** -1 for the initial value. */
  readonly invokeIndex: number;
  /** Infinity for an `info` write (it may take effect at any later time); -1 for the initial value. */
  readonly completeIndex: number;
}

export const INITIAL: Origin = { write: null, invokeIndex: -1, completeIndex: -1 };

/**
 * The register operations of one key, in invoke order: writes (`write`, and `cas` whose new value
 * is the write) that may have taken effect, and `ok` reads.
 */
export interface KeyOperations {
  readonly key: string | null;
  readonly writes: Operation[];
  readonly reads: Operation[];
  /** By written value (valueKey). */
  readonly origins: Map<unknown, Origin>;
}

export type RegisterWrites =
  | { readonly unique: true; readonly keys: readonly KeyOperations[] }
  | { readonly unique: false; readonly problem: string };

export function registerWrites(history: History): RegisterWrites {
  const byKey = new Map<string | null, KeyOperations>();
  for (const operation of history.operations) {
    if (operation.type === "fail") continue;
    const isRead = operation.f === "read";
    if (!(isRead && operation.type === "ok") && operation.f !== "write" && operation.f !== "cas") continue;
    let entry = byKey.get(operation.key);
    if (entry === undefined) {
      entry = { key: operation.key, writes: [], reads: [], origins: new Map() };
      byKey.set(operation.key, entry);
    }
    if (isRead) {
      entry.reads.push(operation);
      continue;
    }
    const value = writtenValue(operation);
    const key = valueKey(value);
    const earlier = entry.origins.get(key);
    if (earlier !== undefined) {
      return {
        unique: false,
        problem:
          `key ${describeValue(operation.key)}: value ${describeValue(value)} is written at index ` +
          `${earlier.invokeIndex} and at index ${operation.invokeIndex}, so a read of it names no single write`,
      };
    }
    entry.writes.push(operation);
    entry.origins.set(key, {
      write: operation,
      invokeIndex: operation.invokeIndex,
      completeIndex: operation.type === "ok" ? (operation.completeIndex as number) : Infinity,
    });
  }
  return { unique: true, keys: [...byKey.values()] };
}

/** The write of the value a read returned; a value no write in the history wrote is the initial one. */
export function originOf(entry: KeyOperations, value: unknown): Origin {
  if (value === null || value === undefined) return INITIAL;
  return entry.origins.get(valueKey(value)) ?? INITIAL;
}

export function writtenValue(operation: Operation): unknown {
  return operation.f === "cas" ? (operation.value as [unknown, unknown])[1] : operation.value;
}
