// What the connection gauges read of a run (reports/metrics/connection-metrics.ts): a node's
// connections and the client host's pool to it, copied so a run's end can be kept as it was.

import type { ConnectionStats } from "../engine/node/connections.js";
import type { NodePoolState } from "../engine/sharding/connection-pool.js";

export interface ConnectionGauges {
  /** Requests active at the node: queued, on the CPU or reading their pages. */
  readonly active: number;
  /** Connections open at the node; the client host's pool to it: in use, idle, waiting requests. */
  readonly open: number;
  readonly pool_busy: number;
  readonly pool_idle: number;
  readonly pool_waiters: number;
}

export function connectionGauges(node: ConnectionStats, pool: NodePoolState | undefined): ConnectionGauges {
  return {
    active: node.active,
    open: node.open,
    pool_busy: pool?.busy ?? 0,
    pool_idle: pool === undefined ? 0 : pool.open - pool.busy,
    pool_waiters: pool?.waiters ?? 0,
  };
}
