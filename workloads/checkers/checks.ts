// Register checks weaker than linearizability, each naming the anomalies it finds: lost writes,
// stale reads, and per process read-your-writes and monotonic reads. They identify the write a read
// saw by its value (register-writes.ts), so they need unique values per key, and are unknown
// otherwise. A value no write in the history wrote (or null) is the register's initial value, older
// than every write. Write W "precedes" write V when W completed before V was invoked; `info` writes
// never complete, so they precede nothing.

import type { Checker, CheckOptions, Verdict } from "./checker.js";
import type { History, Operation, OperationSummary } from "./history.js";
import { summarizeOperation } from "./history.js";
import { linearizable } from "./linearizable.js";
import {
  type KeyOperations,
  type Origin,
  originOf,
  type RegisterWrites,
  registerWrites,
} from "./register-writes.js";

/** A verdict lists at most this many anomalies (and counts them all). */
const REPORTED_ANOMALIES = 20;

export interface AnomaliesVerdict extends Verdict {
  /** What the check looked at: acknowledged writes for lost_writes, reads for the others. */
  readonly checked: number;
  readonly count: number;
  readonly anomalies: readonly object[];
}

class Anomalies {
  count = 0;
  readonly reported: object[] = [];

  add(anomaly: () => object): void {
    if (this.count++ < REPORTED_ANOMALIES) this.reported.push(anomaly());
  }

  verdict(checked: number): AnomaliesVerdict {
    return { valid: this.count === 0, checked, count: this.count, anomalies: this.reported };
  }
}

/** Runs `check` when every key's written values are unique, else gives unknown with why. */
function withUniqueWrites(
  check: (keys: readonly KeyOperations[], history: History, options: CheckOptions) => AnomaliesVerdict,
): Checker {
  return (history, options) => {
    const writes: RegisterWrites = registerWrites(history);
    if (!writes.unique) return { valid: "unknown", reason: writes.problem };
    return check(writes.keys, history, options);
  };
}

function isAcknowledgedWrite(operation: Operation): boolean {
  return operation.type === "ok" && (operation.f === "write" || operation.f === "cas");
}

/**
 * lost_writes: an acknowledged write W (ok write or cas) is lost when something observed the key
 * after W completed (a read invoked after W's completion, or the final state in
 * `options.final_state`) and none of those observations shows W or a write W might precede, i.e.
 * every one of them returned a value whose write precedes W, or the initial value. A write with no
 * observation after it is not judged.
 */
export const lostWrites: Checker = withUniqueWrites((keys, _history, options) => {
  const anomalies = new Anomalies();
  let checked = 0;
  for (const entry of keys) {
    const { reads } = entry;
    const hasFinal = options.final_state?.has(entry.key) === true;
    const final: Origin | null = hasFinal ? originOf(entry, options.final_state?.get(entry.key)) : null;
    // newestAfter[i]: the latest completion among the writes that reads i.. (and the final state) saw.
    const newestAfter = new Float64Array(reads.length + 1);
    newestAfter[reads.length] = final === null ? -1 : final.completeIndex;
    for (let i = reads.length - 1; i >= 0; i--) {
      const seen = originOf(entry, (reads[i] as Operation).value).completeIndex;
      newestAfter[i] = Math.max(seen, newestAfter[i + 1] as number);
    }
    for (const write of entry.writes) {
      if (!isAcknowledgedWrite(write)) continue;
      checked++;
      const first = firstInvokedAfter(reads, write.completeIndex as number);
      if (first === reads.length && final === null) continue;
      if ((newestAfter[first] as number) > write.invokeIndex) continue;
      const lastRead = reads[reads.length - 1];
      anomalies.add(() => ({
        key: entry.key,
        write: summarizeOperation(write),
        // What the key showed last: the final state when given, else the last read.
        last_observed:
          final !== null || lastRead === undefined
            ? { value: options.final_state?.get(entry.key) ?? null, index: null }
            : { value: lastRead.value, index: lastRead.invokeIndex },
      }));
    }
  }
  return anomalies.verdict(checked);
});

/**
 * stale_reads: an `ok` read R is stale when some acknowledged write W completed before R was
 * invoked and the value R returned was written by a write that precedes W (or is the initial value).
 */
export const staleReads: Checker = withUniqueWrites((keys) => {
  const anomalies = new Anomalies();
  let checked = 0;
  for (const entry of keys) {
    const acknowledged = entry.writes
      .filter(isAcknowledgedWrite)
      .sort((a, b) => (a.completeIndex as number) - (b.completeIndex as number));
    // latest[i]: of acknowledged writes 0..i (by completion), the one invoked last.
    const latest: Operation[] = [];
    for (const write of acknowledged) {
      const before = latest[latest.length - 1];
      latest.push(before !== undefined && before.invokeIndex > write.invokeIndex ? before : write);
    }
    const completions = acknowledged.map((write) => write.completeIndex as number);
    for (const read of entry.reads) {
      checked++;
      const completedBefore = countBelow(completions, read.invokeIndex);
      if (completedBefore === 0) continue;
      const newer = latest[completedBefore - 1] as Operation;
      const origin = originOf(entry, read.value);
      if (origin.completeIndex < newer.invokeIndex) {
        anomalies.add(() => ({
          key: entry.key,
          read: summarizeOperation(read),
          read_from: writeSummary(origin),
          newer_write: summarizeOperation(newer),
        }));
      }
    }
  }
  return anomalies.verdict(checked);
});

/**
 * read_your_writes: an `ok` read R by process P is a violation when P had an acknowledged write W
 * to the key before R, and the value R returned was written by a write that precedes W (or is the
 * initial value).
 */
export const readYourWrites: Checker = withUniqueWrites((keys, history) => {
  const anomalies = new Anomalies();
  const entries = new Map(keys.map((entry) => [entry.key, entry]));
  const ownLast = new ProcessKeyMap<Operation>();
  let checked = 0;
  for (const operation of history.operations) {
    const entry = entries.get(operation.key);
    if (entry === undefined) continue;
    if (isAcknowledgedWrite(operation)) {
      ownLast.set(operation.process, operation.key, operation);
    } else if (operation.f === "read" && operation.type === "ok") {
      checked++;
      const own = ownLast.get(operation.process, operation.key);
      if (own === undefined) continue;
      const origin = originOf(entry, operation.value);
      if (origin.completeIndex < own.invokeIndex) {
        anomalies.add(() => ({
          key: operation.key,
          process: operation.process,
          read: summarizeOperation(operation),
          read_from: writeSummary(origin),
          own_write: summarizeOperation(own),
        }));
      }
    }
  }
  return anomalies.verdict(checked);
});

/**
 * monotonic_reads: an `ok` read R by process P is a violation when an earlier read by P of the key
 * returned the value of write V, and R returned the value of a write that precedes V (or the
 * initial value after V's).
 */
export const monotonicReads: Checker = withUniqueWrites((keys, history) => {
  const anomalies = new Anomalies();
  const entries = new Map(keys.map((entry) => [entry.key, entry]));
  // Per process and key: the earlier read whose write was invoked last, and that write.
  const newestSeen = new ProcessKeyMap<{ read: Operation; origin: Origin }>();
  let checked = 0;
  for (const operation of history.operations) {
    if (operation.f !== "read" || operation.type !== "ok") continue;
    const entry = entries.get(operation.key) as KeyOperations;
    checked++;
    const origin = originOf(entry, operation.value);
    const earlier = newestSeen.get(operation.process, operation.key);
    if (earlier !== undefined && origin.completeIndex < earlier.origin.invokeIndex) {
      anomalies.add(() => ({
        key: operation.key,
        process: operation.process,
        read: summarizeOperation(operation),
        read_from: writeSummary(origin),
        earlier_read: summarizeOperation(earlier.read),
        earlier_read_from: writeSummary(earlier.origin),
      }));
    }
    if (earlier === undefined || origin.invokeIndex > earlier.origin.invokeIndex) {
      newestSeen.set(operation.process, operation.key, { read: operation, origin });
    }
  }
  return anomalies.verdict(checked);
});

/** Every register check by name, as a run's verdict lists them. */
export const registerChecks: Readonly<Record<string, Checker>> = {
  linearizable,
  lost_writes: lostWrites,
  stale_reads: staleReads,
  read_your_writes: readYourWrites,
  monotonic_reads: monotonicReads,
};

/** The write a read saw, or null for the initial value. */
function writeSummary(origin: Origin): OperationSummary | null {
  return origin.write === null ? null : summarizeOperation(origin.write);
}

/** The position of the first read invoked after `index` (reads are in invoke order). */
function firstInvokedAfter(reads: readonly Operation[], index: number): number {
  let low = 0;
  let high = reads.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((reads[middle] as Operation).invokeIndex > index) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** How many of the sorted `values` are below `bound`. */
function countBelow(values: readonly number[], bound: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] as number) < bound) low = middle + 1;
    else high = middle;
  }
  return low;
}

class ProcessKeyMap<T> {
  private readonly byProcess = new Map<number, Map<string | null, T>>();

  get(process: number, key: string | null): T | undefined {
    return this.byProcess.get(process)?.get(key);
  }

  set(process: number, key: string | null, value: T): void {
    let byKey = this.byProcess.get(process);
    if (byKey === undefined) {
      byKey = new Map();
      this.byProcess.set(process, byKey);
    }
    byKey.set(key, value);
  }
}
