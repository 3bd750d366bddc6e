// A brute-force linearizability check of register histories, for cross-checking the real one on
// small histories: depth-first over every order the real-time constraints allow, remembering
// failed (linearized set, state) pairs. Same semantics: `fail` never took effect, `info` may take
// effect any time after its invoke or never, reads that are not `ok` observed nothing.

import type { History, Operation } from "../../../workloads/checkers/history.js";

export function referenceLinearizable(history: History): boolean {
  const byKey = new Map<string | null, Operation[]>();
  for (const operation of history.operations) {
    if (operation.type === "fail" || (operation.f === "read" && operation.type !== "ok")) continue;
    byKey.set(operation.key, [...(byKey.get(operation.key) ?? []), operation]);
  }
  return [...byKey.values()].every(registerLinearizable);
}

function registerLinearizable(operations: Operation[]): boolean {
  if (operations.length > 30) throw new Error("too many operations for the reference check");
  const failed = new Set<string>();
  const search = (done: number, state: string): boolean => {
    const mustDo = operations.every((operation, i) => operation.type !== "ok" || (done & (1 << i)) !== 0);
    if (mustDo) return true;
    const memo = `${done} ${state}`;
    if (failed.has(memo)) return false;
    for (let i = 0; i < operations.length; i++) {
      if (done & (1 << i)) continue;
      const operation = operations[i] as Operation;
      // Every completed operation that returned before this one's invoke must come first.
      const blocked = operations.some(
        (other, j) =>
          (done & (1 << j)) === 0 &&
          other.type === "ok" &&
          (other.completeIndex as number) < operation.invokeIndex,
      );
      if (blocked) continue;
      const next = step(operation, state);
      if (next !== null && search(done | (1 << i), next)) return true;
    }
    failed.add(memo);
    return false;
  };
  return search(0, "null");
}

function step(operation: Operation, state: string): string | null {
  if (operation.f === "read") return JSON.stringify(operation.value) === state ? state : null;
  if (operation.f === "write") return JSON.stringify(operation.value);
  const [expected, next] = operation.value as [unknown, unknown];
  return JSON.stringify(expected) === state ? JSON.stringify(next) : null;
}
