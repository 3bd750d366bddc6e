// Consistency models and the anomalies each forbids, after Elle's elle.consistency-model (its
// models' implications and directly proscribed anomalies, expanded): docs/transactions.md has the
// table. Names are Elle's, so its users read them as they know them.

import { PROCESS, REALTIME } from "./graph.js";

/** The anomalies found by a cycle search, in the order searched: the most severe first (Elle's). */
export const BASE_CYCLE_TYPES = ["G0", "G1c", "G-single-item", "G-nonadjacent-item", "G2-item"] as const;
export type BaseCycleType = (typeof BASE_CYCLE_TYPES)[number];

/** Anomalies found without a cycle: in one transaction, one read or one key. */
export const NON_CYCLE_TYPES = [
  "G1a",
  "G1b",
  "internal",
  "future-read",
  "dirty-update",
  "duplicate-elements",
  "incompatible-order",
  "lost-update",
] as const;

export const CONSISTENCY_MODELS = [
  "read-committed",
  "repeatable-read",
  "snapshot-isolation",
  "serializable",
  "strict-serializable",
  "strong-session-snapshot-isolation",
  "strong-session-serializable",
] as const;
export type ConsistencyModel = (typeof CONSISTENCY_MODELS)[number];

export interface ModelRules {
  /** Every anomaly type that makes a history invalid under the model. */
  readonly forbidden: ReadonlySet<string>;
  /** Cycle types to search for, in search order. */
  readonly cycleTypes: readonly string[];
  /** The order edges of its `-process` or `-realtime` variants (0: none). */
  readonly variantEdge: number;
  /** True when every cycle of the model's graph is forbidden (else a search left incomplete is unknown). */
  readonly everyCycleForbidden: boolean;
}

const READ_COMMITTED = [
  "G0",
  "G1a",
  "G1b",
  "G1c",
  "dirty-update",
  "duplicate-elements",
  "incompatible-order",
  "future-read",
];
const ITEM_CYCLES_WITH_RW = ["G-single-item", "G-nonadjacent-item"];

const FORBIDDEN: Readonly<Record<ConsistencyModel, readonly string[]>> = {
  "read-committed": READ_COMMITTED,
  "repeatable-read": [...READ_COMMITTED, ...ITEM_CYCLES_WITH_RW, "G2-item", "lost-update"],
  "snapshot-isolation": [...READ_COMMITTED, "internal", ...ITEM_CYCLES_WITH_RW, "lost-update"],
  serializable: [...READ_COMMITTED, "internal", ...ITEM_CYCLES_WITH_RW, "G2-item", "lost-update"],
  "strict-serializable": [
    ...READ_COMMITTED,
    "internal",
    ...ITEM_CYCLES_WITH_RW,
    "G2-item",
    "lost-update",
    ...BASE_CYCLE_TYPES.map((type) => `${type}-realtime`),
  ],
  "strong-session-snapshot-isolation": [
    ...READ_COMMITTED,
    "internal",
    ...ITEM_CYCLES_WITH_RW,
    "lost-update",
    ...["G0", "G1c", ...ITEM_CYCLES_WITH_RW].map((type) => `${type}-process`),
  ],
  "strong-session-serializable": [
    ...READ_COMMITTED,
    "internal",
    ...ITEM_CYCLES_WITH_RW,
    "G2-item",
    "lost-update",
    ...BASE_CYCLE_TYPES.map((type) => `${type}-process`),
  ],
};

export function modelRules(model: ConsistencyModel): ModelRules {
  const forbidden = new Set(FORBIDDEN[model]);
  const variantEdge =
    model === "strict-serializable" ? REALTIME : model.startsWith("strong-session") ? PROCESS : 0;
  const cycleTypes = [
    ...BASE_CYCLE_TYPES,
    ...BASE_CYCLE_TYPES.map((type) => `${type}-process`),
    ...BASE_CYCLE_TYPES.map((type) => `${type}-realtime`),
  ].filter((type) => forbidden.has(type));
  const everyCycleForbidden = !model.includes("snapshot-isolation");
  return { forbidden, cycleTypes, variantEdge, everyCycleForbidden };
}

/**
 * What a found cycle type implies (Elle's implied-anomalies among cycle types, closed): having found
 * one, the search skips these in the same component, as Elle does.
 */
export function impliedCycleTypes(type: string): Set<string> {
  const implied = new Set<string>();
  const pending = [type];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const other of DIRECTLY_IMPLIED[next] ?? []) {
      if (!implied.has(other)) {
        implied.add(other);
        pending.push(other);
      }
    }
  }
  return implied;
}

const DIRECTLY_IMPLIED: Readonly<Record<string, readonly string[]>> = {
  G0: ["G1c", "G0-process"],
  "G0-process": ["G1c-process", "G0-realtime"],
  "G0-realtime": ["G1c-realtime"],
  G1c: ["G1c-process"],
  "G1c-process": ["G1c-realtime"],
  "G-single-item": ["G-single-item-process", "G-nonadjacent-item"],
  "G-single-item-process": ["G-single-item-realtime", "G-nonadjacent-item-process"],
  "G-single-item-realtime": ["G-nonadjacent-item-realtime"],
  "G-nonadjacent-item": ["G2-item", "G-nonadjacent-item-process"],
  "G-nonadjacent-item-process": ["G2-item-process", "G-nonadjacent-item-realtime"],
  "G-nonadjacent-item-realtime": ["G2-item-realtime"],
  "G2-item": ["G2-item-process"],
  "G2-item-process": ["G2-item-realtime"],
};
