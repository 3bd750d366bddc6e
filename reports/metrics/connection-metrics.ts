// The connection gauges (docs/metrics.md): each node's requests active at it (its queue depth, with
// or without a pool) and, with `workload.pool`, its open connections and the client host's pool to
// it. Registered by RunMetrics; they read the run through the RunView, as every metric does.

import { Gauge, type Registry } from "prom-client";
import type { ConnectionGauges } from "../../workloads/connection-gauges.js";
import { METRICS as m, metricOptions } from "./catalogue.js";

export function registerConnectionMetrics(
  registers: Registry[],
  nodes: ReadonlyMap<number, { readonly name: string }>,
  /** Null without a pool: connections are not modelled. */
  connections: (node: number) => ConnectionGauges | null,
  activeRequests: (node: number) => number,
): void {
  new Gauge({
    ...metricOptions(m.nodeActiveRequests),
    labelNames: m.nodeActiveRequests.labels,
    registers,
    collect() {
      this.reset();
      for (const [id, node] of nodes) this.set({ node: node.name }, activeRequests(id));
    },
  });
  new Gauge({
    ...metricOptions(m.nodeConnections),
    labelNames: m.nodeConnections.labels,
    registers,
    collect() {
      this.reset();
      for (const [id, node] of nodes) {
        const c = connections(id);
        if (c === null) continue;
        // With a pool every request holds a connection: the active ones are those with a request.
        const active = Math.min(c.active, c.open);
        this.set({ node: node.name, state: "active" }, active);
        this.set({ node: node.name, state: "idle" }, c.open - active);
      }
    },
  });
  new Gauge({
    ...metricOptions(m.poolConnections),
    labelNames: m.poolConnections.labels,
    registers,
    collect() {
      this.reset();
      for (const [id, node] of nodes) {
        const c = connections(id);
        if (c === null) continue;
        this.set({ node: node.name, state: "busy" }, c.pool_busy);
        this.set({ node: node.name, state: "idle" }, c.pool_idle);
      }
    },
  });
  new Gauge({
    ...metricOptions(m.poolWaiters),
    labelNames: m.poolWaiters.labels,
    registers,
    collect() {
      this.reset();
      for (const [id, node] of nodes) {
        const c = connections(id);
        if (c !== null) this.set({ node: node.name }, c.pool_waiters);
      }
    },
  });
}
