// A completed operation for the observers' tests: an ok measured read of 100 µs, with `fields` laid over it.

import type { CompletedOperation } from "../../workloads/observer.js";

export function completedOperation(fields: Partial<CompletedOperation> = {}): CompletedOperation {
  return {
    op: "read",
    result: "ok",
    process: 0,
    key: "k",
    intended_us: 0,
    sent_us: 0,
    completed_us: 0,
    latency_us: 100,
    queue_us: 0,
    service_us: 0,
    sync_us: 0,
    disk_us: 0,
    pages_hit: 0,
    pages_missed: 0,
    pool_wait_us: 0,
    value: null,
    node: 0,
    shard: 0,
    term: 1,
    measured: true,
    error: null,
    ...fields,
  };
}
