// When each fault the injector fired was in force, from its log as it stood when the clients
// stopped (the liveness check's input). A record ends at its `end_s` (a crash's once every node it
// took down is up again, by its own restart or by `restart` faults). Records that did nothing (a
// target that resolved to nothing, with a note), heals and restarts are no fault in force. A fault
// still in force when the clients stopped has no end.

import type { FaultSpan } from "../checkers/liveness.js";
import type { FaultRecord } from "./injector.js";

const US_PER_S = 1_000_000;

export function faultSpans(log: readonly FaultRecord[]): FaultSpan[] {
  return log
    .filter((r) => r.kind !== "heal" && r.kind !== "restart" && r.detail?.note === undefined)
    .map((r) => ({ start_us: toUs(r.at_s), end_us: r.end_s === undefined ? null : toUs(r.end_s) }));
}

function toUs(s: number): number {
  return Math.round(s * US_PER_S);
}
