// The register model of the linearizability checker: one key's operations encoded as integers for the
// search. Register states are value ids (0 = empty); each operation has the state it requires (or
// any) and the state it leaves (or unchanged):
//   read -> v      requires v, leaves it unchanged      (only `ok` reads: others observed nothing)
//   write(v)       requires any, leaves v
//   cas(e, v)      requires e, leaves v                 (`ok` cas; a `fail`ed one never took effect)
// `fail` operations are dropped. `info` ones are kept as operations that may take effect at any time
// after their invoke, or never.

import { describeValue, type Operation, valueKey } from "./history.js";

export const EMPTY = 0;
export const ANY_STATE = -1;
export const UNCHANGED = -1;

/** Value ids: JSON values compared by content; null (and an absent value) is the empty register. */
export class RegisterValues {
  private readonly ids = new Map<unknown, number>();
  private readonly byId: unknown[] = [null];

  id(value: unknown): number {
    if (value === null || value === undefined) return EMPTY;
    const key = valueKey(value);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.byId.length;
      this.ids.set(key, id);
      this.byId.push(value);
    }
    return id;
  }

  value(id: number): unknown {
    return this.byId[id];
  }
}

/** One key's operations, numbered for the search: completed (`ok`) ones by completion, then `info` ones by invoke. */
export interface RegisterPartition {
  readonly key: string | null;
  readonly operations: readonly Operation[];
  readonly completedCount: number;
  readonly requires: Int32Array;
  readonly leaves: Int32Array;
  /** For an `info` operation, the previous `info` one (by invoke) with the same effect, else -1. */
  readonly twin: Int32Array;
}

/**
 * Splits the history per key (P-compositionality: a history of independent registers is
 * linearizable if and only if each register's is), smallest partition first.
 */
export function registerPartitions(
  operations: readonly Operation[],
  values: RegisterValues,
): RegisterPartition[] {
  const byKey = new Map<string | null, Operation[]>();
  for (const operation of operations) {
    if (!takesPart(operation)) continue;
    let list = byKey.get(operation.key);
    if (list === undefined) {
      list = [];
      byKey.set(operation.key, list);
    }
    list.push(operation);
  }
  const partitions = [...byKey].map(([key, list]) => encodePartition(key, list, values));
  return partitions.sort((a, b) => a.operations.length - b.operations.length);
}

function takesPart(operation: Operation): boolean {
  if (operation.f !== "read" && operation.f !== "write" && operation.f !== "cas") {
    throw new Error(
      `the register model knows read, write and cas, not f "${operation.f}" (the operation at index ${operation.invokeIndex})` +
        (operation.f === "transfer" ? "; a bank history is checked with the bank model" : "") +
        (operation.f === "txn"
          ? "; a transaction history is checked with the list-append or rw-register model"
          : ""),
    );
  }
  if (operation.type === "fail") return false;
  return operation.f !== "read" || operation.type === "ok";
}

function encodePartition(
  key: string | null,
  list: readonly Operation[],
  values: RegisterValues,
): RegisterPartition {
  const completed = list
    .filter((operation) => operation.type === "ok")
    .sort((a, b) => (a.completeIndex as number) - (b.completeIndex as number));
  const observed = observedValues(list, values);
  // An `info` write whose value nothing ever observes can be left out: in any linearization that
  // applies it, only writes (which overwrite it) and no-op `info` operations can follow before the
  // register is observed again, so dropping it (and those no-ops) leaves a linearization.
  const pending = list.filter(
    (operation) => operation.type === "info" && observed.has(values.id(written(operation))),
  );
  const ordered = [...completed, ...pending];
  const requires = new Int32Array(ordered.length);
  const leaves = new Int32Array(ordered.length);
  ordered.forEach((operation, id) => {
    if (operation.f === "read") {
      requires[id] = values.id(operation.value);
      leaves[id] = UNCHANGED;
    } else if (operation.f === "write") {
      requires[id] = ANY_STATE;
      leaves[id] = values.id(operation.value);
    } else {
      const [expected, next] = operation.value as [unknown, unknown];
      requires[id] = values.id(expected);
      leaves[id] = values.id(next);
    }
  });
  const twin = new Int32Array(ordered.length).fill(-1);
  const lastByEffect = new Map<string, number>();
  for (let id = completed.length; id < ordered.length; id++) {
    const effect = `${requires[id]} ${leaves[id]}`;
    twin[id] = lastByEffect.get(effect) ?? -1;
    lastByEffect.set(effect, id);
  }
  return { key, operations: ordered, completedCount: completed.length, requires, leaves, twin };
}

/** Value ids some operation depends on: what `ok` reads returned and what each cas expected. */
function observedValues(list: readonly Operation[], values: RegisterValues): Set<number> {
  const observed = new Set<number>();
  for (const operation of list) {
    if (operation.f === "read") observed.add(values.id(operation.value));
    else if (operation.f === "cas") observed.add(values.id((operation.value as [unknown, unknown])[0]));
  }
  return observed;
}

/** The value a write or cas leaves in the register. */
function written(operation: Operation): unknown {
  return operation.f === "cas" ? (operation.value as [unknown, unknown])[1] : operation.value;
}

/** "read -> 3", "write(3)", "cas(3, 4)", with " (info)" for an operation of unknown outcome. */
export function describeRegisterOperation(operation: Pick<Operation, "f" | "type" | "value">): string {
  let text: string;
  if (operation.f === "read") text = `read -> ${describeValue(operation.value)}`;
  else if (operation.f === "cas") {
    const [expected, next] = operation.value as [unknown, unknown];
    text = `cas(${describeValue(expected)}, ${describeValue(next)})`;
  } else text = `${operation.f}(${describeValue(operation.value)})`;
  return operation.type === "info" ? `${text} (info)` : text;
}
