// YCSB's operations as the client driver sends them: one request each, except read-modify-write,
// which is a read and then an update of the same key (two requests, as YCSB's client does). A
// read-modify-write's detail is its read (RmwRead), which its history records as an operation of
// its own.

import { type Response, valueRead } from "../../../engine/protocol.js";
import type { Answered, ClientWorkload, NextStep, RequestPlan } from "../../client/client-workload.js";
import type { OpResult } from "../../observer.js";
import type { YcsbOperation, YcsbWorkload } from "./core-workload.js";

/**
 * The read of a read-modify-write: `ok` with what it returned (then the update was sent as it
 * completed), or `fail`/`info` with null (then no update was sent).
 */
export interface RmwRead {
  readonly result: OpResult;
  readonly value: number | null;
  readonly completed_us: number;
  /** The node it went to, as the operation's `node`. */
  readonly node: number;
}

export class YcsbClientWorkload implements ClientWorkload<YcsbOperation> {
  readonly uniqueWrites = true;
  private readonly ycsb: YcsbWorkload;
  /** Read-modify-writes whose read was answered `ok`, until they end. */
  private readonly rmwReads = new Map<YcsbOperation, RmwRead>();

  constructor(ycsb: YcsbWorkload) {
    this.ycsb = ycsb;
  }

  next(_now_us: number): YcsbOperation {
    return this.ycsb.nextOperation();
  }

  first(op: YcsbOperation): RequestPlan {
    return request(op, op.kind === "rmw" ? "read" : op.kind);
  }

  after(op: YcsbOperation, step: number, response: Response, answered: Answered): NextStep {
    if (op.kind !== "rmw" || step !== 0) return null;
    this.rmwReads.set(op, { ...answered, value: valueRead(response) });
    return request(op, "update");
  }

  finished(op: YcsbOperation): void {
    if (op.kind === "insert") this.ycsb.acknowledgeInsert(op.keynum); // as YCSB: whatever the outcome
  }

  /** A read-modify-write's read; one that was not answered `ok` ended it (no update was sent). */
  detail(op: YcsbOperation, ended: Answered): RmwRead | undefined {
    if (op.kind !== "rmw") return undefined;
    const read = this.rmwReads.get(op);
    if (read === undefined) return { ...ended, value: null };
    this.rmwReads.delete(op);
    return read;
  }
}

/** The request of one of YCSB's operations; an update or insert writes the driver's unique value. */
function request(op: YcsbOperation, kind: Exclude<YcsbOperation["kind"], "rmw">): RequestPlan {
  switch (kind) {
    case "read":
      return { op: "read", key: op.key };
    case "update":
      return { op: "update", key: op.key, field: op.field, value: null };
    case "insert":
      return { op: "insert", key: op.key, value: null };
    case "scan":
      return { op: "scan", key: op.key, scan_length: op.scanLength, until: "" };
  }
}
