// What each operation is, written once: the node, the dispatcher and the client driver read this
// table instead of listing operations of their own.

import type { RequestOp, RequestSpec } from "./protocol.js";
import type { Query } from "./query/query.js";

export interface OperationTraits {
  /** It changes data: logged and replicated. A query writes when its query does (isWriteQuery). */
  readonly writes: boolean | "when its query writes" | "when it commits";
  /**
   * About one key (`key`): on a sharded cluster only the key's owner serves it (others answer
   * wrong_shard), and while the key's shard is frozen for a cut-over, its writes wait.
   */
  readonly keyed: boolean;
  /** Served by the shard's leader even though it writes nothing (the shard mover's reads). */
  readonly leader_read: boolean;
  /** The CPU is charged per row it examines (row_time), beside its pages. */
  readonly charged_per_row: boolean;
  /**
   * A client's read: a leader under read_index or lease answers it only once it is confirmed
   * (replication/read-confirmation.ts).
   */
  readonly client_read: boolean;
  /** The state machine that serves it (engine/state/). */
  readonly served_by: "key-value" | "query" | "transactions" | "shard mover";
}

const KV_READ = {
  writes: false,
  keyed: false,
  leader_read: false,
  charged_per_row: true,
  client_read: true,
  served_by: "key-value",
} as const;
const KV_WRITE = {
  writes: true,
  keyed: true,
  leader_read: false,
  charged_per_row: false,
  client_read: false,
  served_by: "key-value",
} as const;
const MOVER_READ = {
  writes: false,
  keyed: false,
  leader_read: true,
  charged_per_row: true,
  client_read: false,
  served_by: "shard mover",
} as const;
const MOVER_WRITE = { ...MOVER_READ, writes: true, leader_read: false } as const;

export const OPERATIONS: { readonly [Op in RequestOp]: OperationTraits } = {
  read: { ...KV_READ, keyed: true, charged_per_row: false },
  update: KV_WRITE,
  insert: KV_WRITE,
  scan: KV_READ,
  read_all: KV_READ,
  query: { ...KV_READ, writes: "when its query writes", served_by: "query" },
  // A transaction lives on the leader: every statement goes there; only a commit writes.
  txn: {
    ...KV_READ,
    writes: "when it commits",
    leader_read: true,
    charged_per_row: true, // row_time per micro-operation
    client_read: false,
    served_by: "transactions",
  },
  export: MOVER_READ,
  export_log: MOVER_READ,
  ingest: MOVER_WRITE,
  purge: MOVER_WRITE,
  split_point: MOVER_READ,
};

/** Whether the request changes data. */
export function isWrite(spec: RequestSpec): boolean {
  return writes(OPERATIONS[spec.op], spec);
}

/** Whether only the shard's leader serves the request: a write, or a read of the shard mover's. */
export function leaderOnly(spec: RequestSpec): boolean {
  const traits = OPERATIONS[spec.op];
  return traits.leader_read || writes(traits, spec);
}

function writes(traits: OperationTraits, spec: RequestSpec): boolean {
  if (traits.writes === true || traits.writes === false) return traits.writes;
  if (spec.op === "query") return isWriteQuery(spec.query);
  if (spec.op !== "txn") return false;
  return spec.commit || (spec.two_phase !== undefined && spec.two_phase.step !== "in_doubt");
}

/** A query that writes (insert, update, delete, batch): served by the leader and logged. */
function isWriteQuery(query: Query): boolean {
  return query.kind !== "select" && query.kind !== "get";
}
