// The `workload.pool` field of a scenario: each client host's connection pool per database node
// (engine/sharding/connection-pool.ts). Optional without a default: without it requests go out at
// once, each logical client its own connection, and connections are not modelled.

import { z } from "zod";
import { duration } from "../../engine/settings/durations.js";
import { integer, us } from "../../engine/settings/fields.js";
import type { PoolSettings } from "../../engine/sharding/connection-pool.js";
import { DRIVER_MAX_CLIENTS } from "./driver.js";

export const poolSchema = z
  .strictObject({
    size: integer(1, DRIVER_MAX_CLIENTS)
      .default(10)
      .describe(
        "Connections to each node at most (HikariCP's default); opened as requests need them, kept open.",
      ),
    max_wait: duration("positive")
      .default("1s")
      .describe(
        "How long a request waits for a free connection before it fails `pool_timeout` (never sent: a " +
          "definite failure).",
      ),
  })
  .describe(
    "A connection pool per database node on the client host; requests wait in order for a free " +
      "connection, and `pool_wait_us` reports the wait. Absent: no pool, connections not modelled " +
      "(see `cluster.node.connections`). With `routing: proxy` the pool holds connections to the router; " +
      "the router's own requests to the nodes are not pooled.",
  );

export type PoolDoc = z.output<typeof poolSchema>;

export function resolvePool(pool: PoolDoc | undefined): PoolSettings | null {
  return pool === undefined ? null : { size: pool.size, max_wait_us: us(pool.max_wait) };
}
