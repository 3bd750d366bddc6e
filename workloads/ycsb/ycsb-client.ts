// YCSB's operations as the client driver sends them: one request each, except read-modify-write,
// which is a read and then an update of the same key (two requests, as YCSB's client does).

import type { ClientWorkload, NextStep, RequestPlan } from "../client-workload.js";
import type { YcsbOperation, YcsbWorkload } from "./core-workload.js";

export class YcsbClientWorkload implements ClientWorkload<YcsbOperation> {
  readonly uniqueWrites = true;
  private readonly ycsb: YcsbWorkload;

  constructor(ycsb: YcsbWorkload) {
    this.ycsb = ycsb;
  }

  next(_now_us: number): YcsbOperation {
    return this.ycsb.nextOperation();
  }

  first(op: YcsbOperation): RequestPlan {
    return request(op, op.kind === "rmw" ? "read" : op.kind);
  }

  after(op: YcsbOperation, step: number): NextStep {
    return op.kind === "rmw" && step === 0 ? request(op, "update") : null;
  }

  finished(op: YcsbOperation): void {
    if (op.kind === "insert") this.ycsb.acknowledgeInsert(op.keynum); // as YCSB: whatever the outcome
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
