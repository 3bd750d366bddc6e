// When each fault the injector fired was in force, from its log as it stood when the clients
// stopped (the liveness check's input). A record ends at its `end_s`; a crash also ends once every
// node it crashed has been restarted by a `restart` fault (which does not mark the crash ended).
// Records that did nothing (a target that resolved to nothing, with a note), heals and restarts are
// no fault in force. A fault still in force when the clients stopped has no end.

import type { FaultSpan } from "../checkers/liveness.js";
import type { FaultRecord } from "./injector.js";

const US_PER_S = 1_000_000;

export function faultSpans(log: readonly FaultRecord[]): FaultSpan[] {
  const spans: FaultSpan[] = [];
  log.forEach((record, i) => {
    if (record.kind === "heal" || record.kind === "restart" || record.detail?.note !== undefined) return;
    const end_s = record.end_s ?? (record.kind === "crash" ? restartedBy(log, i) : null);
    spans.push({ start_us: toUs(record.at_s), end_us: end_s === null ? null : toUs(end_s) });
  });
  return spans;
}

/** When a later `restart` record has brought back every node crash `i` took down; null: never. */
function restartedBy(log: readonly FaultRecord[], i: number): number | null {
  const down = new Set((log[i] as FaultRecord).targets);
  for (let j = i + 1; j < log.length && down.size > 0; j++) {
    const record = log[j] as FaultRecord;
    if (record.kind !== "restart") continue;
    for (const target of record.targets) {
      if (down.delete(target) && down.size === 0) return record.at_s;
    }
  }
  return null;
}

function toUs(s: number): number {
  return Math.round(s * US_PER_S);
}
