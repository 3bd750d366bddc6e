// A database node's client connections (scenario `cluster.node.connections`): modelled only for
// requests that arrive on one (clients with `workload.pool`: engine/sharding/connection-pool.ts);
// requests without a connection (no pool, the coordinator, a router host) pay none of this.
//
// A connection is opened by the first request that arrives on it: past `max` open connections that
// request is refused `too_many_connections` (PostgreSQL's "sorry, too many clients already"); else
// it pays `setup` once on the CPU (forking a backend, authentication). Connections stay open (a pool
// keeps them); a crash closes them all, and a pooled connection reopens on its next request.
//
// Every request on a connection pays `context_switch` of CPU per other request active at the node
// when it executes (queued, on the CPU, or waiting for its pages): PostgreSQL runs a process per
// connection, and the more of them are runnable the more the scheduler switches among them and the
// longer each snapshot takes (it scans every backend). So concurrency helps while requests wait for
// the disk, and hurts once it only adds runnable processes.

import { z } from "zod";
import { duration } from "../settings/durations.js";
import { integer, us } from "../settings/fields.js";

/** Connection ids a client host numbers its connections to one node with (< this). */
export const CONNECTION_IDS_PER_HOST = 1 << 16;

export const connectionsSchema = z
  .strictObject({
    max: integer(1, CONNECTION_IDS_PER_HOST - 1)
      .default(100)
      .describe(
        "Connections the node accepts (PostgreSQL's `max_connections` default); opening one more is " +
          "refused `too_many_connections`.",
      ),
    setup: duration("zero")
      .default("200us")
      .describe("CPU cost of opening a connection, paid by its first request (a backend's start)."),
    context_switch: duration("zero")
      .default("1us")
      .describe(
        "CPU cost added to each request per other request active at the node (queued, on the CPU or " +
          "reading its pages) when it executes: a process per connection thrashes as they grow.",
      ),
  })
  .describe(
    "Each node's client connections, modelled only for clients with `workload.pool` (absent: these " +
      "defaults). Without a pool, connections are not modelled: no limit, no per-connection cost.",
  );

export type ConnectionsDoc = z.output<typeof connectionsSchema>;

export interface ConnectionSettings {
  readonly max: number;
  readonly setup_us: number;
  readonly context_switch_us: number;
}

export function resolveConnections(doc: ConnectionsDoc | undefined): ConnectionSettings {
  const c = doc ?? connectionsSchema.parse({});
  return { max: c.max, setup_us: us(c.setup), context_switch_us: us(c.context_switch) };
}

/** What a node's connections did since the run began (on its storage: a crash does not reset them). */
export class ConnectionStats {
  /** Connections open now, and the most ever open at once. */
  open = 0;
  open_peak = 0;
  /** Connections opened, and openings refused (too_many_connections). */
  opened = 0;
  refused = 0;
  /** Requests active at the node (queued, on the CPU or reading pages): now, and the most at once. */
  active = 0;
  active_peak = 0;
}

/** The connections open at one node instance (a restart begins with none). */
export class ConnectionTable {
  private readonly settings: ConnectionSettings;
  private readonly stats: ConnectionStats;
  /** Open connections by (client host, connection id); true until its first request executed. */
  private readonly open = new Map<number, boolean>();

  constructor(settings: ConnectionSettings, stats: ConnectionStats) {
    this.settings = settings;
    this.stats = stats;
    stats.open = 0;
  }

  /** A request arrived on connection `conn` from `from`: false when opening it is refused. */
  admit(from: number, conn: number): boolean {
    const key = from * CONNECTION_IDS_PER_HOST + conn;
    if (this.open.has(key)) return true;
    const stats = this.stats;
    if (this.open.size >= this.settings.max) {
      stats.refused++;
      return false;
    }
    this.open.set(key, true);
    stats.opened++;
    stats.open = this.open.size;
    if (stats.open > stats.open_peak) stats.open_peak = stats.open;
    return true;
  }

  /** CPU a request on `conn` adds when it executes with `active` requests at the node (itself included). */
  cost_us(from: number, conn: number, active: number): number {
    const key = from * CONNECTION_IDS_PER_HOST + conn;
    const opening = this.open.get(key) === true;
    if (opening) this.open.set(key, false);
    return (opening ? this.settings.setup_us : 0) + this.settings.context_switch_us * Math.max(0, active - 1);
  }
}
