// The linearizability checker over a register model (read, write, cas), one register per key.
// Keys are checked independently (P-compositionality), smallest first, stopping at the first key
// that is not linearizable. The search is wgl.ts; this file partitions, keeps the time limit and
// explains a violation: the key, the operation that cannot be linearized, the last consistent
// point and the longest partial linearization found, with the register's value after each step.

import type { Checker, CheckOptions, Verdict } from "./checker.js";
import {
  describeValue,
  type History,
  type Operation,
  type OperationSummary,
  summarizeOperation,
} from "./history.js";
import {
  describeRegisterOperation,
  EMPTY,
  type RegisterPartition,
  RegisterValues,
  registerPartitions,
  UNCHANGED,
} from "./register-model.js";
import { type SearchClock, searchLinearization } from "./wgl.js";

/** A violation lists at most this many steps of the partial linearization: the last ones. */
const REPORTED_STEPS = 50;

export interface LinearizationStep {
  readonly operation: OperationSummary;
  /** The register's value after the operation. */
  readonly register: unknown;
}

export interface LinearizabilityViolation {
  readonly key: string | null;
  /** The completed operation that no order of the others lets come next. */
  readonly operation: OperationSummary;
  /** The register's value at the end of the longest partial linearization. */
  readonly register: unknown;
  /**
   * The last event of this key before the operation's completion: the history up to it has a
   * linearization (operations still in flight there may or may not be in it).
   */
  readonly last_consistent_index: number;
  /** The longest partial linearization found: its length and its last steps (`omitted` before them). */
  readonly linearization: {
    readonly length: number;
    readonly omitted: number;
    readonly steps: readonly LinearizationStep[];
  };
}

export interface LinearizableVerdict extends Verdict {
  /** Operations in the history, of every outcome. */
  readonly ops: number;
  readonly keys: number;
  /** Keys whose search finished. */
  readonly keys_checked: number;
  readonly violation?: LinearizabilityViolation;
  /** One line on why the verdict is false or unknown. */
  readonly reason?: string;
}

export function checkLinearizable(
  history: History,
  options: Pick<CheckOptions, "now_ms" | "timeout_ms"> = {},
): LinearizableVerdict {
  const clock = searchClock(options);
  const values = new RegisterValues();
  const partitions = registerPartitions(history.operations, values);
  const ops = history.operations.length;
  const keys = new Set(history.operations.map((operation) => operation.key)).size;
  // An empty history proves nothing (say, of a run whose clients never got through).
  if (ops === 0)
    return { valid: "unknown", ops, keys, keys_checked: 0, reason: "nothing to check (0 operations)" };
  let checked = 0;
  for (const partition of partitions) {
    const outcome =
      clock !== undefined && clock.now_ms() > clock.deadline_ms
        ? ({ kind: "timeout" } as const)
        : searchLinearization(partition, clock);
    if (outcome.kind === "timeout") {
      const reason = `time limit of ${options.timeout_ms} ms reached with ${checked} of ${plural(keys, "key")} checked`;
      return { valid: "unknown", ops, keys, keys_checked: checked, reason };
    }
    if (outcome.kind === "violation") {
      const violation = explainViolation(history, partition, values, outcome.longest, outcome.blocked);
      return {
        valid: false,
        ops,
        keys,
        keys_checked: checked,
        violation,
        reason: describeViolation(violation),
      };
    }
    checked++;
  }
  return { valid: true, ops, keys, keys_checked: checked };
}

export const linearizable: Checker = checkLinearizable;

function searchClock(options: Pick<CheckOptions, "now_ms" | "timeout_ms">): SearchClock | undefined {
  if (options.timeout_ms === undefined) return undefined;
  if (options.now_ms === undefined) throw new Error("a time limit (timeout_ms) needs a clock (now_ms)");
  return { now_ms: options.now_ms, deadline_ms: options.now_ms() + options.timeout_ms };
}

function explainViolation(
  history: History,
  partition: RegisterPartition,
  values: RegisterValues,
  longest: readonly number[],
  blocked: number,
): LinearizabilityViolation {
  let state = EMPTY;
  const states = longest.map((id) => {
    const left = partition.leaves[id] as number;
    if (left !== UNCHANGED) state = left;
    return state;
  });
  const omitted = Math.max(0, longest.length - REPORTED_STEPS);
  const steps = longest.slice(omitted).map((id, i) => ({
    operation: summarizeOperation(partition.operations[id] as Operation),
    register: values.value(states[omitted + i] as number),
  }));
  const operation = partition.operations[blocked] as Operation;
  const completed = operation.completeIndex as number;
  let lastConsistent = operation.invokeIndex;
  for (const other of history.operations) {
    if (other.key !== partition.key) continue;
    for (const index of [other.invokeIndex, other.completeIndex]) {
      if (index !== null && index < completed && index > lastConsistent) lastConsistent = index;
    }
  }
  return {
    key: partition.key,
    operation: summarizeOperation(operation),
    register: values.value(state),
    last_consistent_index: lastConsistent,
    linearization: { length: longest.length, omitted, steps },
  };
}

/** One line: what cannot be linearized, where, and what the register held. */
export function describeViolation(violation: LinearizabilityViolation): string {
  const { operation } = violation;
  const where = violation.key === null ? "" : `key ${describeValue(violation.key)}: `;
  const what = describeRegisterOperation(operation);
  return (
    `${where}${what} by process ${operation.process} (index ${operation.index}..${operation.complete_index}) ` +
    `cannot be linearized: after the longest consistent order found (${plural(violation.linearization.length, "op")}) ` +
    `the register holds ${describeValue(violation.register)}; the history is consistent up to index ${violation.last_consistent_index}`
  );
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
