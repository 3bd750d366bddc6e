// Messages between clients and database nodes.

import type { HostId, Message } from "../sim/host.js";
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
 */
export type RequestOp =
  | "read"
  | "update"
  | "insert"
  | "scan"
  | "transfer"
  | "read_all"
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
}
