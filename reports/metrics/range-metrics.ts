// Multi-raft's metrics (catalogue: dbsim_ranges, dbsim_leaseholders, dbsim_range_moves_total,
// dbsim_lease_transfers_total, dbsim_node_cpu_busy_seconds_total), read from the cluster's spread of ranges over its physical
// nodes at each collection. Registered only in runs with `cluster.nodes`, so other runs' metrics
// stay as they were.

import { Counter, Gauge, type Registry } from "prom-client";
import { physicalNodeName } from "../../engine/ranges/placement.js";
import type { RangeSpread } from "../../engine/topology.js";
import { METRICS, metricOptions } from "./catalogue.js";

export function registerRangeMetrics(registry: Registry, spread: () => RangeSpread): void {
  const registers = [registry];
  const m = METRICS;
  const perNode = (values: readonly number[], set: (node: string, value: number) => void) =>
    values.forEach((value, i) => {
      set(physicalNodeName(i), value);
    });
  new Gauge({
    ...metricOptions(m.ranges),
    labelNames: m.ranges.labels,
    registers,
    collect() {
      this.reset();
      perNode(spread().ranges, (node, value) => this.set({ node }, value));
    },
  });
  new Gauge({
    ...metricOptions(m.leaseholders),
    labelNames: m.leaseholders.labels,
    registers,
    collect() {
      this.reset();
      perNode(spread().leaseholders, (node, value) => this.set({ node }, value));
    },
  });
  new Counter({
    ...metricOptions(m.rangeMoves),
    registers,
    collect() {
      this.reset();
      this.inc(spread().moves);
    },
  });
  new Counter({
    ...metricOptions(m.leaseTransfers),
    registers,
    collect() {
      this.reset();
      this.inc(spread().lease_transfers);
    },
  });
  new Counter({
    ...metricOptions(m.nodeCpuBusy),
    labelNames: m.nodeCpuBusy.labels,
    registers,
    collect() {
      this.reset();
      perNode(spread().cpu_busy_us, (node, value) => this.inc({ node }, value / 1e6));
    },
  });
}
