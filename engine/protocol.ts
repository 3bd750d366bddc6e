// Messages between clients and a database node.

import type { Message } from "../sim/host.js";

export type RequestOp = "read" | "update" | "insert" | "scan";

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
  /** Value an update/insert writes: unique per write, so a read identifies the write it saw. */
  readonly value: number;
}

export type ResponseStatus = "ok" | "not_found" | "duplicate_key" | "overloaded";

export interface Response extends Message {
  readonly kind: "resp";
  readonly id: number;
  readonly status: ResponseStatus;
  /** For reads: the value of the last write the record saw (null when absent); writes: the value written. */
  readonly value: number | null;
  /** Rows examined (scans) or touched. */
  readonly rows: number;
  readonly pages_read: number;
  readonly pages_written: number;
  /** Time the request waited in the node's queue before its CPU work started. */
  readonly queue_us: number;
  /** CPU time the node spent on it (service-time model). */
  readonly service_us: number;
  /** Time a write waited for its fsync (0 for reads and when the policy does not wait). */
  readonly sync_us: number;
}
