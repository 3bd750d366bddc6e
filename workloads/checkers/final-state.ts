// The state the replicas converged to, from Jepsen's final reads: after the last fault ended and the
// cluster settled, every key was read from every replica by one process of its own (its reads are
// ordinary reads of the history, naming the replica they asked). Per key: what each replica holds,
// whether they disagree (divergence), and the value more than half of them hold, which is the
// final value the checks judge against (none without such a majority).

import { type History, valueKey } from "./history.js";

/** A key's final reads. */
export interface KeyFinalState {
  readonly key: string | null;
  /** Per replica read: what it holds (null: empty), or undefined when it never answered. */
  readonly replicas: ReadonlyMap<string, unknown>;
  /** Some replicas that answered hold different values. */
  readonly diverged: boolean;
  /** Whether more than half of the replicas read hold one value, and that value. */
  readonly majority: boolean;
  readonly value: unknown;
}

/**
 * Every key's final state from the reads of `process` (each replica's last `ok` read of the key
 * counts; a replica with none has not answered). Reads without a node count as one replica.
 */
export function finalStates(history: History, process: number): Map<string | null, KeyFinalState> {
  const byKey = new Map<string | null, Map<string, unknown>>();
  for (const operation of history.operations) {
    if (operation.process !== process || operation.f !== "read") continue;
    let replicas = byKey.get(operation.key);
    if (replicas === undefined) {
      replicas = new Map();
      byKey.set(operation.key, replicas);
    }
    const node = operation.node ?? "";
    if (operation.type === "ok") replicas.set(node, operation.value ?? null);
    else if (!replicas.has(node)) replicas.set(node, undefined);
  }
  const states = new Map<string | null, KeyFinalState>();
  for (const [key, replicas] of byKey) states.set(key, keyState(key, replicas));
  return states;
}

/** The final state of a key known without final reads (say, the final leader's): one replica. */
export function knownFinalState(key: string | null, value: unknown): KeyFinalState {
  return keyState(key, new Map([["", value ?? null]]));
}

function keyState(key: string | null, replicas: ReadonlyMap<string, unknown>): KeyFinalState {
  const counts = new Map<unknown, { value: unknown; count: number }>();
  for (const value of replicas.values()) {
    if (value === undefined) continue;
    const id = valueKey(value);
    const entry = counts.get(id);
    if (entry === undefined) counts.set(id, { value, count: 1 });
    else entry.count++;
  }
  let top: { value: unknown; count: number } | null = null;
  for (const entry of counts.values()) if (top === null || entry.count > top.count) top = entry;
  const majority = top !== null && 2 * top.count > replicas.size;
  return { key, replicas, diverged: counts.size > 1, majority, value: majority ? top?.value : undefined };
}
