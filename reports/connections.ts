// report.json `connections`: what the clients' connection pools and the nodes' connections did over
// the whole run (absent without `workload.pool`).

import type { ScenarioRun } from "../workloads/runner.js";
import { formatUs } from "./compare.js";
import type { ConnectionsReport } from "./connections-schema.js";
import type { Report } from "./report-schema.js";

/** The run's connections as they stand (call it as the run ends); undefined without a pool. */
export function connectionsReport(run: ScenarioRun): ConnectionsReport | undefined {
  const { pools } = run;
  const pool = run.scenario.workload.pool;
  if (pools.length === 0 || pool === null) return undefined;
  const pool_timeouts = pools.reduce((sum, hostPools) => sum + hostPools.timeouts, 0);
  const report: ConnectionsReport = { pool_size: pool.size, pool_timeouts, nodes: {} };
  for (const { id, name } of run.cluster.nodes) {
    const stats = run.cluster.connectionsOn(id);
    // Summed over the client hosts (one per client region).
    const toNode = pools.map((hostPools) => hostPools.nodes.get(id));
    report.nodes[name] = {
      max_connections: run.scenario.cluster.node.connections.max,
      opened: stats.opened,
      refused: stats.refused,
      open_peak: stats.open_peak,
      active_peak: stats.active_peak,
      pool_open: toNode.reduce((sum, state) => sum + (state?.open ?? 0), 0),
      pool_waiters_peak: toNode.reduce((sum, state) => sum + (state?.waiters_peak ?? 0), 0),
    };
  }
  return report;
}

/** The summary's line: the pool's waits and timeouts, each node's connections at their peak. */
export function connectionLines(report: Report): string[] {
  const c = report.connections;
  if (c === undefined) return [];
  const wait = report.ops.all?.pool_wait_us;
  const nodes = Object.entries(c.nodes).map(
    ([node, n]) =>
      `${node} ${n.open_peak}/${n.max_connections} open at peak, ${n.active_peak} requests active at peak, ` +
      `${n.refused} refused`,
  );
  return [
    `connections: pool ${c.pool_size} per node, wait p50/p99 ${formatUs(wait?.p50 ?? 0)}/${formatUs(wait?.p99 ?? 0)}, ` +
      `${c.pool_timeouts} pool timeouts; ${nodes.join(", ")}`,
  ];
}
