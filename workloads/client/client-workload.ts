// What the client driver asks of a workload: the next operation, and the requests it is made of. An
// operation is one request (a YCSB read), or several in sequence (YCSB's read-modify-write; a bank
// transfer done as reads, then writes, without a transaction); the driver sends them, follows
// redirects and timeouts, and records the outcome.

import type { InsertSpec, RequestSpec, Response, UpdateSpec } from "../../engine/protocol.js";
import type { HostId } from "../../sim/host.js";
import type { OpName, OpResult, QueryData } from "../observer.js";

export interface ClientOperation {
  readonly kind: OpName;
  /** The record the operation is about, as the history names it ("" when it has none). */
  readonly key: string;
}

/** An update or insert whose value is null: the driver stamps a value unique to the write. */
type ValueFromDriver<S> = Omit<S, "value"> & { readonly value: number | null };

/** One request of an operation, as the dispatcher sends it (engine/protocol.ts). */
export type RequestPlan =
  | Exclude<RequestSpec, UpdateSpec | InsertSpec>
  | ValueFromDriver<UpdateSpec>
  | ValueFromDriver<InsertSpec>;

/** After an `ok` answer: the next request, `null` when the operation is complete, or a failure. */
export type NextStep = RequestPlan | null | { readonly fail: string };

/** When and where a request was answered, or an operation ended (node -1: none answered). */
export interface Answered {
  readonly result: OpResult;
  readonly completed_us: number;
  readonly node: HostId;
}

export interface ClientWorkload<Op extends ClientOperation> {
  /** Whether every write writes a value unique to it (a read then names the write it saw). */
  readonly uniqueWrites: boolean;
  /** The next operation, created at virtual time `now_us` (its intended start). */
  next(now_us: number): Op;
  first(op: Op): RequestPlan;
  /** Called after an `ok` answer to the operation's request number `step` (0-based). */
  after(op: Op, step: number, response: Response, answered: Answered): NextStep;
  /** Called once as the operation ends, whatever its outcome. */
  finished(op: Op): void;
  /**
   * What the workload's history recording needs of the operation beyond its generic fields (a
   * bank's transfer or balances, a read-modify-write's read): CompletedOperation.detail.
   */
  detail?(op: Op, ended: Answered): unknown;
  /** A domain workload's query: its template, the query, what the node did (undefined for others). */
  queryData?(op: Op): QueryData;
  /**
   * After attempt `attempt` (0: the first) of `op` definitely failed with `error`: the operation to
   * run again, as a new one, and the delay before it; null (or no method): no retry.
   */
  retry?(op: Op, error: string, attempt: number): { readonly op: Op; readonly after_us: number } | null;
  /**
   * The client gave up on `op` (a timeout): a request ending what it left open on the node (an
   * interactive transaction's abort, so its versions need not wait for the node's timeout), sent
   * without waiting for an answer; null (or no method): none.
   */
  abandoned?(op: Op): RequestPlan | null;
  /**
   * A request that writes nothing cannot make its operation take effect: when it times out, the
   * operation fails (a transaction's statement before its commit). Default false: `info`.
   */
  readonly readTimeoutsFail?: boolean;
}
