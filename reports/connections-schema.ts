// report.json `connections` (present only when the clients have a connection pool, `workload.pool`):
// its zod schema, composed into report-schema.ts.

import { z } from "zod";

const count = z.number().int().nonnegative();

export const connectionsReportSchema = z
  .object({
    pool_size: count.describe("`workload.pool.size`: the client host's connections to each node at most."),
    pool_timeouts: count.describe(
      "Requests that waited `workload.pool.max_wait` for a connection and failed `pool_timeout`.",
    ),
    nodes: z
      .record(
        z.string(),
        z
          .object({
            max_connections: count.describe("`cluster.node.connections.max`."),
            opened: count.describe("Connections the node opened (a restart closes them; they reopen)."),
            refused: count.describe("Connections refused `too_many_connections`."),
            open_peak: count.describe("The most connections open at once."),
            active_peak: count.describe(
              "The most requests active at once (queued, on the CPU or reading pages).",
            ),
            pool_open: count.describe("Connections the client host's pool holds to the node at the end."),
            pool_waiters_peak: count.describe(
              "The most requests waiting at once for a connection to the node.",
            ),
          })
          .strict(),
      )
      .describe("Per database node."),
  })
  .strict()
  .optional()
  .describe(
    "Client connections over the whole run, warmup included (pooled connections opened then stay open); " +
      "absent without `workload.pool`. Pool waits per operation are in `ops.<op>.pool_wait_us`.",
  );

export type ConnectionsReport = NonNullable<z.output<typeof connectionsReportSchema>>;
