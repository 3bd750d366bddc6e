// Messages between clients and database nodes: one request variant per operation, one response
// variant per operation, and the answer to a request a node did not serve. Which operations write,
// are keyed or go to the leader is in operations.ts.
//
// The client's operations: `read`, `update` (one field), `insert` (every field) and `scan` of a
// YCSB table; `read_all` returns up to `limit` records from `key` on with their values (a bank's
// read of every balance, without transactions); `query` runs a typed query on
// the node's query database (engine/query/): a read (select, get) on any replica the routing
// picks, a write (insert, update, delete, batch) on the leader only, logged as its row changes.
//
// `txn` runs a statement of a transaction (engine/txn/): its micro-operations (reads, appends,
// register writes) in the open transaction `txn` (0: it begins one), then, with `commit`, commits it
// (a one-shot transaction is one request: txn 0 and commit), or with `abort` ends it without
// effect. Served by the leader; a commit that wrote is logged as one entry. Its status is ok, or why
// the transaction aborted. With `two_phase` it is a step of two-phase commit from the router host
// (engine/sharding/txn-coordinator.ts): the statement's micro-operations then `prepare` (logged: a
// prepare record), a decision (`commit` or `abort` of the prepared transaction `gtid`, logged), or
// `in_doubt` (the transactions prepared here).
//
// The shard mover's (sharding/coordinator.ts): `export` examines up to `batch` rows from `from_key`
// on and returns those that move away from the shard; `export_log` returns the moving records
// written since log position `since_lsn`; `ingest` writes `records` (every field of each) on the
// destination's leader; after the cut-over `purge` deletes the rows among up to `batch` from
// `from_key` on that the shard no longer owns; `split_point` returns the median key the shard owns
// (where a range split divides it).

import type { HostId, Message } from "../sim/host.js";
import type { AccessKind } from "./query/planner.js";
import type { Query, QueryKind } from "./query/query.js";
import type { ShardMap } from "./sharding/shard-map.js";
import type { AbortReason, TxnMicroOp } from "./txn/transactions.js";

export interface RecordValue {
  readonly key: string;
  readonly value: number;
}

export interface ReadSpec {
  readonly op: "read";
  readonly key: string;
}
export interface UpdateSpec {
  readonly op: "update";
  readonly key: string;
  /** The field it writes (-1: every field). */
  readonly field: number;
  /** What it writes (YCSB: unique per write, so a read names the write it saw; bank: a balance). */
  readonly value: number;
}
export interface InsertSpec {
  readonly op: "insert";
  readonly key: string;
  /** What every field of the new record holds. */
  readonly value: number;
}
export interface ScanSpec {
  readonly op: "scan";
  /** The first key. */
  readonly key: string;
  /** Rows it returns at most. */
  readonly scan_length: number;
  /** The end of the key range it was sent for, exclusive ("": none; a range shard's end). */
  readonly until: string;
}
export interface ReadAllSpec {
  readonly op: "read_all";
  readonly key: string;
  readonly limit: number;
}
export interface QuerySpec {
  readonly op: "query";
  readonly query: Query;
  /** The workload's template it is an instance of (for the report). */
  readonly template: string;
}
export interface TxnSpec {
  readonly op: "txn";
  /** The open transaction it continues (0: it begins one). */
  readonly txn: number;
  /** Reads are sent with value null. */
  readonly mops: readonly TxnMicroOp[];
  /** Commit after these micro-operations. */
  readonly commit: boolean;
  /** End the open transaction without effect instead (no micro-operations; commit false). */
  readonly abort?: true;
  /** A step of two-phase commit (absent: a statement, committing in one phase with `commit`). */
  readonly two_phase?: TwoPhaseStep;
}

/** What a two-phase commit's coordinator asks a participant, for its transaction `gtid`. */
export interface TwoPhaseStep {
  readonly step: "prepare" | "commit" | "abort" | "in_doubt";
  readonly gtid: number;
}

export interface ExportSpec {
  readonly op: "export";
  readonly from_key: string;
  /** Rows it examines at most. */
  readonly batch: number;
}
export interface ExportLogSpec {
  readonly op: "export_log";
  readonly since_lsn: number;
}
export interface IngestSpec {
  readonly op: "ingest";
  readonly records: readonly RecordValue[];
}
export interface PurgeSpec {
  readonly op: "purge";
  readonly from_key: string;
  /** Rows it examines at most. */
  readonly batch: number;
}
export interface SplitPointSpec {
  readonly op: "split_point";
}

/** What a sender asks for: a request without the fields the dispatcher routes it with. */
export type RequestSpec =
  | ReadSpec
  | UpdateSpec
  | InsertSpec
  | ScanSpec
  | ReadAllSpec
  | QuerySpec
  | TxnSpec
  | ExportSpec
  | ExportLogSpec
  | IngestSpec
  | PurgeSpec
  | SplitPointSpec;

export type RequestOp = RequestSpec["op"];

interface Routing extends Message {
  readonly kind: "req";
  /** Unique per client host; echoed in the response. */
  readonly id: number;
  /** Only a replica whose log reaches this position may serve it (0: any): read-your-writes. */
  readonly min_lsn: number;
  /** Only the leader may serve it (writes, and reads with read_from: leader). */
  readonly require_leader: boolean;
  /** The pooled connection it travels on (its sender's id for it); absent without a pool. */
  readonly conn?: number;
}

export type Request = RequestSpec & Routing;

/** The request carrying `spec` (built field by field: a spread is slower, and requests are many). */
export function routed(
  spec: RequestSpec,
  digest: number,
  id: number,
  min_lsn: number,
  require_leader: boolean,
): Request {
  const kind = "req";
  switch (spec.op) {
    case "read":
      return { kind, digest, id, min_lsn, require_leader, op: spec.op, key: spec.key };
    case "update":
      return {
        kind,
        digest,
        id,
        min_lsn,
        require_leader,
        op: spec.op,
        key: spec.key,
        field: spec.field,
        value: spec.value,
      };
    case "insert":
      return { kind, digest, id, min_lsn, require_leader, op: spec.op, key: spec.key, value: spec.value };
    case "scan":
      return {
        kind,
        digest,
        id,
        min_lsn,
        require_leader,
        op: spec.op,
        key: spec.key,
        scan_length: spec.scan_length,
        until: spec.until,
      };
    case "read_all":
      return { kind, digest, id, min_lsn, require_leader, op: spec.op, key: spec.key, limit: spec.limit };
    case "query":
      return {
        kind,
        digest,
        id,
        min_lsn,
        require_leader,
        op: spec.op,
        query: spec.query,
        template: spec.template,
      };
    case "txn":
      return {
        kind,
        digest,
        id,
        min_lsn,
        require_leader,
        op: spec.op,
        txn: spec.txn,
        mops: spec.mops,
        commit: spec.commit,
        ...(spec.two_phase === undefined ? {} : { two_phase: spec.two_phase }),
        ...(spec.abort === true ? { abort: true } : {}),
      };
    case "export":
      return {
        kind,
        digest,
        id,
        min_lsn,
        require_leader,
        op: spec.op,
        from_key: spec.from_key,
        batch: spec.batch,
      };
    case "export_log":
      return { kind, digest, id, min_lsn, require_leader, op: spec.op, since_lsn: spec.since_lsn };
    case "ingest":
      return { kind, digest, id, min_lsn, require_leader, op: spec.op, records: spec.records };
    case "purge":
      return {
        kind,
        digest,
        id,
        min_lsn,
        require_leader,
        op: spec.op,
        from_key: spec.from_key,
        batch: spec.batch,
      };
    case "split_point":
      return { kind, digest, id, min_lsn, require_leader, op: spec.op };
  }
}
export type RequestOf<Op extends RequestOp> = Extract<Request, { readonly op: Op }>;

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

interface ResponseBase extends Message {
  readonly kind: "resp";
  readonly id: number;
  /** The replication term of the node that answered. */
  readonly term: number;
  /** The node this one believes leads (-1: unknown); what a client follows after not_leader. */
  readonly leader_hint: HostId;
  /** Time the request waited in the node's queue before its CPU work started. */
  readonly queue_us: number;
  /** CPU time the node spent on it (service-time model). */
  readonly service_us: number;
  /** Time a write waited for durability and replication after its CPU work (0 for reads). */
  readonly sync_us: number;
  /**
   * Time it waited for its pages to be read from disk (those missing from the node's buffer pool),
   * between its execution and its CPU work.
   */
  readonly disk_us: number;
  /** Its page lookups in the node's buffer pool: pages found in memory, and pages read from disk. */
  readonly pages_hit: number;
  readonly pages_missed: number;
  /** Rows examined or written. */
  readonly rows: number;
  readonly pages_read: number;
  readonly pages_written: number;
}

/** What a write response adds: where the write is in the log. */
interface Written {
  /** The log position of its (last) entry, 0 when it wrote nothing: the read-your-writes token. */
  readonly lsn: number;
}

/** Statuses of a request the node did not serve: nothing was read or written. */
export type RefusalStatus =
  | "overloaded"
  | "not_leader"
  /** The key belongs to another shard; `shard_map` says which. */
  | "wrong_shard"
  /** Its connection would have been one more than the node's `connections.max`. */
  | "too_many_connections"
  /** No pooled connection to the node came free within `workload.pool.max_wait` (never sent). */
  | "pool_timeout";

export interface RefusedResponse extends ResponseBase {
  readonly op: RequestOp;
  readonly status: RefusalStatus;
  /** With wrong_shard: the current shard map (undefined otherwise). */
  readonly shard_map: ShardMap | undefined;
}
export interface ReadResponse extends ResponseBase {
  readonly op: "read";
  readonly status: "ok" | "not_found";
  /** The value of the last write the record saw (null: absent). */
  readonly value: number | null;
}
export interface UpdateResponse extends ResponseBase, Written {
  readonly op: "update";
  readonly status: "ok" | "not_found";
}
export interface InsertResponse extends ResponseBase, Written {
  readonly op: "insert";
  readonly status: "ok" | "duplicate_key";
}
export interface ScanResponse extends ResponseBase {
  readonly op: "scan";
  readonly status: "ok";
  /** On a sharded cluster the rows the shard owns, in key order (null unsharded: rows are counted). */
  readonly records: readonly RecordValue[] | null;
  /** On a sharded cluster: the map the scan was answered under (a dispatcher planning under an older one replans). */
  readonly shard_map?: ShardMap;
}
export interface ReadAllResponse extends ResponseBase {
  readonly op: "read_all";
  readonly status: "ok";
  /** Every record examined, with its value, in key order. */
  readonly records: readonly RecordValue[];
}
export interface QueryResponse extends ResponseBase, Written {
  readonly op: "query";
  readonly status: "ok" | "not_found" | "duplicate_key";
  readonly outcome: QueryOutcome;
  /** Bytes of the result rows it carries (wire-size.ts rowValuesBytes; 0 for a write). */
  readonly result_bytes: number;
}
export interface TxnResponse extends ResponseBase, Written {
  readonly op: "txn";
  /** ok, or why the transaction aborted (it is over: nothing it wrote takes effect). */
  readonly status: "ok" | AbortReason;
  /** The open transaction's id (0 once it ended: committed or aborted). */
  readonly txn: number;
  /** Its micro-operations, each read with what it read (empty when it aborted). */
  readonly mops: readonly TxnMicroOp[];
  /** Answering `in_doubt`: the coordinator's ids of the transactions prepared here. */
  readonly in_doubt?: readonly number[];
}
export interface ExportResponse extends ResponseBase {
  readonly op: "export";
  readonly status: "ok";
  /** The moving rows among those examined, in key order. */
  readonly records: readonly RecordValue[];
  /** The key to continue from (null: the table is done). */
  readonly next_key: string | null;
  /** Rows examined that the shard owned in the settled map (the others are copies moving in). */
  readonly owned: number;
  /** The log position the data it read stands at (applied): where a catch-up after this copy starts. */
  readonly log_end: number;
}
export interface ExportLogResponse extends ResponseBase {
  readonly op: "export_log";
  readonly status: "ok";
  readonly records: readonly RecordValue[];
  /** The log position the records stand at (applied): where the next export_log starts. */
  readonly log_end: number;
  /**
   * The log's last position, applied or not: the writes logged before a freeze are all at or
   * before it (beyond log_end when applied only once committed: the final export waits for them).
   */
  readonly logged_lsn: number;
}
export interface IngestResponse extends ResponseBase, Written {
  readonly op: "ingest";
  readonly status: "ok";
}
export interface PurgeResponse extends ResponseBase, Written {
  readonly op: "purge";
  readonly status: "ok";
  /** The key to continue from (null: the table is done). */
  readonly next_key: string | null;
}
export interface SplitPointResponse extends ResponseBase {
  readonly op: "split_point";
  readonly status: "ok";
  /** The median of the keys the shard owns (null: it owns none). */
  readonly median: string | null;
}

export type ServedResponse =
  | ReadResponse
  | UpdateResponse
  | InsertResponse
  | ScanResponse
  | ReadAllResponse
  | QueryResponse
  | TxnResponse
  | ExportResponse
  | ExportLogResponse
  | IngestResponse
  | PurgeResponse
  | SplitPointResponse;

export type Response = ServedResponse | RefusedResponse;
export type ResponseOf<Op extends RequestOp> = Extract<ServedResponse, { readonly op: Op }>;

/** The served response of an `ok` answer to a request of `op` (a sender knows what it asked). */
export function okResponse<Op extends RequestOp>(response: Response, op: Op): ResponseOf<Op> {
  if (response.status !== "ok" || response.op !== op)
    throw new Error(`expected an ok ${op} response, got ${response.op} ${response.status}`);
  return response as ResponseOf<Op>;
}

/** The log position a response's write reached (0: it wrote nothing, or is no write's). */
export function writeLsn(response: Response): number {
  return "lsn" in response ? response.lsn : 0;
}

/** The value a response read (a `read`'s; null for every other response). */
export function valueRead(response: Response): number | null {
  return "value" in response ? response.value : null;
}

/** The digest a served response folds into the trace: its id and the value it carries, if any. */
export function responseDigest(id: number, value: number | null): number {
  return (Math.imul(id, 0x85ebca6b) ^ (value ?? -1)) >>> 0;
}

/** The value a request carries into its digest: what it writes (else 0). */
export function requestValue(spec: RequestSpec): number {
  switch (spec.op) {
    case "update":
    case "insert":
      return spec.value;
    default:
      return 0;
  }
}

/** The costs of an answer given without doing any work: nothing read, written, queued or served. */
export const NO_WORK = {
  rows: 0,
  pages_read: 0,
  pages_written: 0,
  queue_us: 0,
  service_us: 0,
  sync_us: 0,
  disk_us: 0,
  pages_hit: 0,
  pages_missed: 0,
} as const;

/** The answer to a request that was not served (refused, or rejected): nothing read or written. */
export function unserved(
  req: Request,
  status: RefusalStatus,
  term: number,
  leader_hint: HostId,
  shard_map?: ShardMap,
): RefusedResponse {
  return {
    kind: "resp",
    digest: req.id >>> 0,
    id: req.id,
    op: req.op,
    status,
    ...NO_WORK,
    term,
    leader_hint,
    shard_map,
  };
}
