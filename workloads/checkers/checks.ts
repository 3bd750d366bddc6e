// Register checks weaker than linearizability, each naming the anomalies it finds: lost writes,
// stale reads, and per process read-your-writes and monotonic reads. They identify the write a read
// saw by its value (register-writes.ts), so they need unique values per key, and are unknown
// otherwise. A value no write in the history wrote (or null) is the register's initial value, older
// than every write. Write W "precedes" write V when W completed before V was invoked; `info` writes
// never complete, so they precede nothing. A check with nothing to look at is unknown, never ok.

import type { Checker, CheckOptions, Validity, Verdict } from "./checker.js";
import { finalStates, type KeyFinalState, knownFinalState } from "./final-state.js";
import type { History, Operation, OperationSummary } from "./history.js";
import { summarizeOperation, valueKey } from "./history.js";
import { linearizable } from "./linearizable.js";
import {
  type KeyOperations,
  type Origin,
  originOf,
  type RegisterWrites,
  registerWrites,
  writtenValue,
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

  /** `what`: the plural noun of what was checked, for "nothing to check". */
  verdict(checked: number, what: string): AnomaliesVerdict {
    if (checked === 0 && this.count === 0) {
      return { valid: "unknown", reason: `nothing to check (0 ${what})`, checked, count: 0, anomalies: [] };
    }
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

export interface LostWritesVerdict extends AnomaliesVerdict {
  /** Acknowledged writes whose key's final value was written before them. */
  readonly lost: number;
  /** Acknowledged writes that only some replicas hold at rest. */
  readonly divergent: number;
  /** Acknowledged writes whose key has no final value (no majority of the replicas agrees). */
  readonly unjudged: number;
  /** Keys on which the replicas disagree at rest. */
  readonly diverged_keys: number;
  readonly reason?: string;
}

/**
 * lost_writes, judged on the final state: Jepsen's final reads of every replica
 * (`options.final_reads`), else `options.final_state` (say, the final leader's values). An
 * acknowledged write W (ok write or cas) is
 * - divergent when the replicas disagree on its key at rest and some, not all, hold its value;
 * - lost when its key's final value (the one more than half of the replicas hold) was written by a
 *   write that precedes W, or is the initial value: W was discarded, or overwritten by an older write.
 * A write of a key without a final value that no replica holds cannot be judged: when nothing else
 * is found the verdict is then unknown, as it is without a final state.
 */
export const lostWrites: Checker = withUniqueWrites((keys, history, options): LostWritesVerdict => {
  const states = finalStateOf(history, options);
  const anomalies = new Anomalies();
  let checked = 0;
  let lost = 0;
  let divergent = 0;
  let unjudged = 0;
  for (const entry of keys) {
    const state = states?.get(entry.key);
    const holders = state?.diverged === true ? holdersByValue(state) : null;
    for (const write of entry.writes) {
      if (!isAcknowledgedWrite(write)) continue;
      checked++;
      if (state === undefined) {
        unjudged++;
        continue;
      }
      const heldBy = holders?.get(valueKey(writtenValue(write)));
      if (heldBy !== undefined) {
        divergent++;
        anomalies.add(() => ({
          kind: "divergent",
          key: entry.key,
          write: summarizeOperation(write),
          held_by: heldBy,
          replicas: Object.fromEntries(state.replicas),
        }));
        continue;
      }
      if (!state.majority) {
        unjudged++;
        continue;
      }
      const origin = originOf(entry, state.value);
      if (origin.completeIndex < write.invokeIndex) {
        lost++;
        options.on_lost_write?.(write);
        anomalies.add(() => ({
          kind: "lost",
          key: entry.key,
          write: summarizeOperation(write),
          final_value: state.value,
          final_written_by: writeSummary(origin),
        }));
      }
    }
  }
  let diverged_keys = 0;
  for (const state of states?.values() ?? []) if (state.diverged) diverged_keys++;
  const counts = { checked, count: lost + divergent, lost, divergent, unjudged, diverged_keys };
  const found = lostWritesReason(counts);
  let valid: Validity = true;
  if (counts.count > 0) valid = false;
  else if (states === null || unjudged > 0 || checked === 0) valid = "unknown";
  const reason =
    states === null
      ? "no final state to judge the acknowledged writes against (no final reads, no final leader's values)"
      : checked === 0
        ? "nothing to check (0 acknowledged writes)"
        : found;
  return { valid, ...(valid === true ? {} : { reason }), ...counts, anomalies: anomalies.reported };
});

/** One line: what lost_writes found (lost, divergent, unjudged), or that it found nothing. */
function lostWritesReason(counts: {
  checked: number;
  lost: number;
  divergent: number;
  unjudged: number;
  diverged_keys: number;
}): string {
  const parts: string[] = [];
  if (counts.lost > 0) parts.push(`${counts.lost} lost (their key's final value was written before them)`);
  if (counts.divergent > 0) {
    parts.push(
      `${counts.divergent} held by only some replicas (the replicas disagree at rest on ${counts.diverged_keys} keys)`,
    );
  }
  if (counts.unjudged > 0)
    parts.push(`${counts.unjudged} not judged (no majority of the replicas agrees on their key)`);
  if (parts.length === 0) return `none of ${counts.checked} acknowledged writes lost`;
  return `of ${counts.checked} acknowledged writes: ${parts.join("; ")}`;
}

/** Per key, the final state the options give: final reads, else the final values; null: none. */
function finalStateOf(history: History, options: CheckOptions): Map<string | null, KeyFinalState> | null {
  if (options.final_reads !== undefined) return finalStates(history, options.final_reads.process);
  if (options.final_state === undefined) return null;
  const states = new Map<string | null, KeyFinalState>();
  for (const [key, value] of options.final_state) states.set(key, knownFinalState(key, value));
  return states;
}

/** A diverged key's replicas by the value they hold (valueKey). */
function holdersByValue(state: KeyFinalState): Map<unknown, string[]> {
  const holders = new Map<unknown, string[]>();
  for (const [node, value] of state.replicas) {
    if (value === undefined) continue;
    const id = valueKey(value);
    const list = holders.get(id);
    if (list === undefined) holders.set(id, [node]);
    else list.push(node);
  }
  return holders;
}

/**
 * stale_reads: an `ok` read R is stale when it returned a value older than one known to be in
 * effect when R was invoked: the value of a write acknowledged before R was invoked, or a value
 * another read returned before R was invoked (that write took effect, acknowledged or not). Older:
 * R's value was written by a write that precedes that write, or is the initial value.
 */
export const staleReads: Checker = withUniqueWrites((keys) => {
  const anomalies = new Anomalies();
  let checked = 0;
  for (const entry of keys) {
    // Every point at which a write was known to be in effect: its acknowledgement, or the completion
    // of a read that returned its value; by time (completion index), with the newest write known so far.
    const known: { at: number; write: Origin; by: Operation }[] = [];
    for (const write of entry.writes) {
      if (isAcknowledgedWrite(write)) {
        known.push({
          at: write.completeIndex as number,
          write: originOf(entry, writtenValue(write)),
          by: write,
        });
      }
    }
    for (const read of entry.reads) {
      known.push({ at: read.completeIndex as number, write: originOf(entry, read.value), by: read });
    }
    known.sort((a, b) => a.at - b.at);
    // newest[i]: of known[0..i], the one whose write was invoked last.
    const newest: (typeof known)[number][] = [];
    for (const point of known) {
      const before = newest[newest.length - 1];
      newest.push(
        before !== undefined && before.write.invokeIndex >= point.write.invokeIndex ? before : point,
      );
    }
    const times = known.map((point) => point.at);
    for (const read of entry.reads) {
      checked++;
      const before = countBelow(times, read.invokeIndex);
      if (before === 0) continue;
      const newer = newest[before - 1] as (typeof known)[number];
      const origin = originOf(entry, read.value);
      if (origin.completeIndex < newer.write.invokeIndex) {
        anomalies.add(() => ({
          key: entry.key,
          read: summarizeOperation(read),
          read_from: writeSummary(origin),
          newer_write: writeSummary(newer.write),
          // How the newer write was known to be in effect: its acknowledgement, or a read of it.
          known_from: summarizeOperation(newer.by),
        }));
      }
    }
  }
  return anomalies.verdict(checked, "reads");
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
  return anomalies.verdict(checked, "reads");
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
  return anomalies.verdict(checked, "reads");
});

/** Every register check by name, as a run's verdict lists them (the names a scenario may give). */
export const registerChecks = {
  linearizable,
  lost_writes: lostWrites,
  stale_reads: staleReads,
  read_your_writes: readYourWrites,
  monotonic_reads: monotonicReads,
} as const satisfies Readonly<Record<string, Checker>>;
export type RegisterCheckName = keyof typeof registerChecks;
export const REGISTER_CHECK_NAMES = Object.keys(registerChecks) as [
  RegisterCheckName,
  ...RegisterCheckName[],
];

/** The write a read saw, or null for the initial value. */
function writeSummary(origin: Origin): OperationSummary | null {
  return origin.write === null ? null : summarizeOperation(origin.write);
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
