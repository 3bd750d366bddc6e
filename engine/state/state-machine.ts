// A state machine owns part of a node's data and whatever reads or changes it. On the node serving a
// request it `execute`s it: a read answers from the data; a write computes its effect as a payload
// and logs it (applied at once, or left for the protocol to apply once committed). On every node,
// `apply` redoes a log entry's payload (a replica, a commit), returning what undoes it here, and
// `undo` reverts an applied entry that was lost (a crash's unsynced tail), truncated (a divergent
// suffix) or discarded (last-writer-wins). `snapshot`/`restore` copy the data whole (what a replica
// too far behind installs).
//
// key-value.ts (YCSB's records, the bank's accounts) and query-machine.ts (a domain workload's
// tables) own data; shard-mover.ts serves the coordinator's requests over the key-value data;
// node-state.ts puts a node's together.

import type { HostId } from "../../sim/host.js";
import type { Request, ServedResponse } from "../protocol.js";
import type { Payload, ReplicatedLog } from "../replication/protocol.js";

/** The node while it serves one request (one object per node, updated per request). */
export interface Execution {
  /** The node's clock when the request reached the CPU. */
  readonly now_us: number;
  /** How long it waited in the node's queue. */
  readonly queue_us: number;
  /** What the response carries of replication: the term, and the presumed leader. */
  readonly term: number;
  readonly leader_hint: HostId;
  /** The protocol applies entries as they are logged: a write applies its payload as it logs it. */
  readonly applies_at_once: boolean;
  readonly log: ReplicatedLog;
  /**
   * Logs a write's payload at the log's end, with what undoes it when it is applied already (null
   * when it is not: the protocol applies it once committed). Returns its log position.
   */
  append(payload: Payload, undo: unknown): number;
  /**
   * The request's CPU time, having touched `pages` B+tree pages and examined `rows` rows (rows
   * count for operations charged per row: operations.ts).
   */
  service_us(pages: number, rows: number): number;
}

/** Serves requests of some operations on the node (the shard mover, over the key-value data). */
export interface RequestExecutor<R extends Request> {
  execute(req: R, x: Execution): ServedResponse;
}

export interface StateMachine<R extends Request, P extends Payload, U, S> extends RequestExecutor<R> {
  /** Redoes a payload on this node's data; returns what undoes it here. */
  apply(payload: P): U;
  /** Reverts an applied payload (newest first when several are). */
  undo(payload: P, undo: U): void;
  /** An independent copy of the data. */
  snapshot(): S;
  /** Replaces the data by a copy of `state` (a snapshot may be installed twice). */
  restore(state: S): void;
}

/** The undo of an entry applied whose payload itself says how to revert it (or that wrote nothing). */
export const UNDONE_BY_PAYLOAD = true;
