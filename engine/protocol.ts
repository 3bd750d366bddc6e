// Messages between clients and database nodes.

import type { HostId, Message } from "../sim/host.js";
import type { AccessKind } from "./query/planner.js";
import type { Query, QueryKind } from "./query/query.js";
import type { ShardMap } from "./sharding/shard-map.js";

/**
 * `transfer` moves `value` from the record `key` to the record `to_key` in one atomic write (a bank
 * transaction: both balances or neither); `read_all` returns up to `scan_length` records from the
 * first key on, with their values (a bank's read of every balance).
 *
 * A reshard's coordinator sends more: `export` examines up to `scan_length` records from `key` on
 * and returns those that move away from this shard (`next_key`: where to go on; `value`: how many
 * of the examined rows the shard owned in the settled map);
 * `export_log` returns the moving records written since log position `min_lsn` (and in `lsn` the
 * log's end); `ingest` writes `records` (every field of each) on the destination's leader; after
 * the cut-over, `purge` deletes the rows among up to `scan_length` from `key` on that the shard no
 * longer owns (`next_key`: where to go on); `split_point` returns in `next_key` the median key the
 * shard owns (where a range split divides it).
 *
 * `query` runs `query` on the node's query database (engine/query/): a read (select, get) on any
 * replica the routing picks, a write (insert, update, delete, batch) on the leader only, logged as
 * its row changes. `template` names the workload's query template (for the report).
 */
export type RequestOp =
  | "read"
  | "update"
  | "insert"
  | "scan"
  | "transfer"
  | "read_all"
  | "query"
  | "export"
  | "export_log"
  | "ingest"
  | "purge"
  | "split_point";

export interface Request extends Message {
  readonly kind: "req";
  /** Unique per client host; echoed in the response. */
  readonly id: number;
  readonly op: RequestOp;
  readonly key: string;
  /** Field written by an update (-1 when not applicable). */
  readonly field: number;
  /** Rows a scan returns at most. */
  readonly scan_length: number;
  /**
   * Value an update/insert writes (YCSB: unique per write, so a read identifies the write it saw;
   * bank: a balance); for a transfer, the amount.
   */
  readonly value: number;
  /** A transfer's destination record ("" otherwise). */
  readonly to_key: string;
  /** ingest: the records to write. */
  readonly records?: readonly RecordValue[];
  /** Read-your-writes: a replica serves the read only once it has applied this log position (0: any). */
  readonly min_lsn: number;
  /** Only the leader may serve it (writes, and reads with read_from: leader). */
  readonly require_leader: boolean;
  /** op `query`: the query (the dispatcher always sets it: null for other ops). */
  readonly query?: Query | null;
  /** op `query`: its template's name ("" for other ops). */
  readonly template?: string;
}

/** A query that writes (insert, update, delete, batch): served by the leader and logged. */
export function isWriteQuery(query: Query | null | undefined): boolean {
  return query != null && query.kind !== "select" && query.kind !== "get";
}

/** What a node did to serve a `query` request: its plan and what it cost. */
export interface QueryOutcome {
  readonly kind: QueryKind;
  /** EXPLAIN without estimates: the same for every instance of a template served by one plan. */
  readonly shape: string;
  /** How rows were found (null for inserts and batches, which find none). */
  readonly access: AccessKind | null;
  /** The secondary index the access path used (null: the table's own tree, or none). */
  readonly index: string | null;
  /** A secondary index held every column the query needed (no table lookup). */
  readonly covering: boolean;
  /** The plan fetches rows from the table through a secondary index (one descent per row). */
  readonly table_lookup: boolean;
  /** Result rows of a read, rows written by a write. */
  readonly rows_returned: number;
  readonly rows_examined: number;
  readonly rows_sorted: number;
  /** Pages read and written, secondary index maintenance included (write amplification). */
  readonly pages_read: number;
  readonly pages_written: number;
}

export type ResponseStatus =
  | "ok"
  | "not_found"
  | "duplicate_key"
  | "overloaded"
  | "not_leader"
  /** A transfer larger than the source's balance: nothing was written. */
  | "insufficient_funds"
  /** The key belongs to another shard; `shard_map` says which. */
  | "wrong_shard";

export interface RecordValue {
  readonly key: string;
  readonly value: number;
}

export interface Response extends Message {
  readonly kind: "resp";
  readonly id: number;
  readonly status: ResponseStatus;
  /** For reads: the value of the last write the record saw (null when absent); writes: the value written. */
  readonly value: number | null;
  /**
   * read_all, export, export_log, and scans on a sharded cluster: the records and their values, in
   * key order (null for other requests).
   */
  readonly records: readonly RecordValue[] | null;
  /** export, purge: the key to continue from (null: the table is done); split_point: the median. */
  readonly next_key: string | null;
  /** On a sharded cluster: the current shard map (with wrong_shard, and on scans). */
  readonly shard_map: ShardMap | undefined;
  /** Rows examined (scans) or touched. */
  readonly rows: number;
  readonly pages_read: number;
  readonly pages_written: number;
  /** Time the request waited in the node's queue before its CPU work started. */
  readonly queue_us: number;
  /** CPU time the node spent on it (service-time model). */
  readonly service_us: number;
  /** Time a write waited for durability and replication after its CPU work (0 for reads). */
  readonly sync_us: number;
  /** Log position of a write (0 for reads): the client's read-your-writes token. */
  readonly lsn: number;
  /** The replication term of the node that answered. */
  readonly term: number;
  /** With not_leader: the node this one believes leads (-1: unknown). */
  readonly leader_hint: HostId;
  /** op `query` served: its plan and cost (null otherwise, and when refused). */
  readonly query: QueryOutcome | null;
}

/** The answer to a request that was not served (refused, or rejected): nothing read or written. */
export function unserved(req: Request, status: ResponseStatus, term: number, leader_hint: HostId): Response {
  return {
    kind: "resp",
    digest: req.id >>> 0,
    id: req.id,
    status,
    value: null,
    rows: 0,
    pages_read: 0,
    pages_written: 0,
    queue_us: 0,
    service_us: 0,
    sync_us: 0,
    lsn: 0,
    term,
    leader_hint,
    records: null,
    next_key: null,
    shard_map: undefined,
    query: null,
  };
}
