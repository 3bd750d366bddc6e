// What the connection gauges read of a run (reports/metrics/connection-metrics.ts): a node's
// connections and the client hosts' pools to it (summed), copied so a run's end can be kept as it was.

import type { ConnectionStats } from "../engine/node/connections.js";
import type { NodePoolState } from "../engine/sharding/connection-pool.js";

export interface ConnectionGauges {
  /** Requests active at the node: queued, on the CPU or reading their pages. */
  readonly active: number;
  /** Connections open at the node; the client hosts' pools to it: in use, idle, waiting requests. */
  readonly open: number;
  readonly pool_busy: number;
  readonly pool_idle: number;
  readonly pool_waiters: number;
}

export function connectionGauges(
  node: ConnectionStats,
  pools: readonly (NodePoolState | undefined)[],
): ConnectionGauges {
  let pool_busy = 0;
  let pool_idle = 0;
  let pool_waiters = 0;
  for (const pool of pools) {
    if (pool === undefined) continue;
    pool_busy += pool.busy;
    pool_idle += pool.open - pool.busy;
    pool_waiters += pool.waiters;
  }
  return { active: node.active, open: node.open, pool_busy, pool_idle, pool_waiters };
}
