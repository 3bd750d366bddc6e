// What a run reports as it goes. workloads/ declares it; reports/ implements it (HDR histograms,
// metrics), and whoever starts a run wires the two. The runner never sees prom-client or HDR.

import type { EngineEvent } from "../engine/events.js";
import type { QueryOutcome } from "../engine/protocol.js";
import type { Query } from "../engine/query/query.js";
import { YCSB_OP_KINDS } from "./generators/ycsb/core-workload.js";

/**
 * Operation names, in report order: YCSB's read, update, insert, scan, rmw (read-modify-write), the
 * bank's transfer (a bank's read of every balance is a `read`), and a transaction (list-append).
 */
export const OP_NAMES = [...YCSB_OP_KINDS, "transfer", "txn"] as const;
export type OpName = (typeof OP_NAMES)[number];

/**
 * A domain workload's operation (one query): its template, the query sent, and how the node served
 * it (null when no `ok` answer came: a timeout, a rejection, duplicate_key).
 */
export interface QueryData {
  readonly template: string;
  readonly query: Query;
  readonly outcome: QueryOutcome | null;
}

/** Jepsen's outcomes: ok took effect; fail definitely did not; info is unknown (e.g. a timeout). */
export type OpResult = "ok" | "fail" | "info";

export interface CompletedOperation {
  readonly op: OpName;
  readonly result: OpResult;
  /** Jepsen-style process: a logical client; it gets a new number after an `info` outcome. */
  readonly process: number;
  readonly key: string;
  /** When the schedule intended the operation to start (open loop); the send time in closed loop. */
  readonly intended_us: number;
  /** When the client sent it (later than intended when every client was busy). */
  readonly sent_us: number;
  readonly completed_us: number;
  /** completed_us - intended_us: includes time waiting for a free client (no coordinated omission). */
  readonly latency_us: number;
  /**
   * Time queued at the node, CPU time at the node, time waiting for fsync, and time waiting for pages
   * read from disk (0 when unknown); summed over the operation's requests.
   */
  readonly queue_us: number;
  readonly service_us: number;
  readonly sync_us: number;
  readonly disk_us: number;
  /** Its requests' page lookups in the nodes' buffer pools: found in memory, read from disk. */
  readonly pages_hit: number;
  readonly pages_missed: number;
  /**
   * Time its requests waited on the client host for a pooled connection (`workload.pool`; 0 without
   * one): part of its latency, before any of queue_us.
   */
  readonly pool_wait_us: number;
  /** The region of the client host that sent it (null or absent without a topology). */
  readonly client_region?: string | null;
  /**
   * What a write wrote (unique per write) or what a read returned (null: nothing, or a missing key).
   * A read-modify-write's is its update's (null: no update was sent).
   */
  readonly value: number | null;
  /** The node that answered last (-1 when none did), and the replication term it answered in. */
  readonly node: number;
  readonly term: number;
  /**
   * The shard the operation's last request was routed to (-1: unknown, as with `routing: proxy`,
   * where the router host picks it).
   */
  readonly shard: number;
  /** True when the intended start lies in the measured phase (after warmup, before the end). */
  readonly measured: boolean;
  /** 0: a first attempt; n: the n-th retry of an operation that failed (its intended start is its own). */
  readonly attempt?: number;
  /**
   * Why it failed or is unknown: timeout, overloaded, not_found, duplicate_key, not_leader,
   * insufficient_funds, backlog_full, not_sent, pool_timeout, too_many_connections.
   */
  readonly error: string | null;
  /** A domain workload's query and its plan and cost (undefined for other workloads). */
  readonly query?: QueryData | undefined;
  /**
   * What the workload's own history recording reads (its plugin's `history`): a bank's transfer or
   * balances, a read-modify-write's read; undefined when it needs nothing more.
   */
  readonly detail?: unknown;
}

export interface Observer {
  onOperation(op: CompletedOperation): void;
  /** What the database reports (role changes, replication lag, conflicts), at virtual time_us. */
  onEngineEvent?(event: EngineEvent, time_us: number): void;
}
