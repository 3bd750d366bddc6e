// Sharding: how the load and the keys spread over the shards, the skew, and each change of the shard
// map (resharding in progress, keys moved) on the same time axis as the clients' latency, so the
// cost of a migration shows where it happens. With physical nodes (`cluster.nodes`, multi-raft),
// how ranges and their leaseholders spread over the nodes, each node's CPU, and replica moves.

import { METRICS as M } from "../reports/metrics/catalogue.js";
import { faultAnnotation } from "./faults.js";
import type { DashboardSpec } from "./layout.js";
import { increase, maxBy, quantile, rate, sel, sumBy } from "./promql.js";

const requestsPerShard = sumBy(M.shardOps, ["shard"], rate(sel(M.shardOps)));

export const sharding: DashboardSpec = {
  uid: "dbsim-sharding",
  title: "dbsim / Sharding",
  description:
    "Load and keys per shard, load skew, online resharding, and ranges and leaseholders per node of a sharded dbsim run.",
  annotations: [faultAnnotation],
  rows: [
    {
      title: "Load",
      panels: [
        {
          kind: "timeseries",
          title: "Requests per shard",
          description:
            "Requests routed to each shard per second (each part of a scatter-gather scan counts for its shard).",
          unit: "reqps",
          stack: true,
          queries: [{ expr: requestsPerShard, legend: "{{shard}}" }],
        },
        {
          kind: "timeseries",
          title: "Load skew",
          description:
            "The busiest shard's request rate over the mean of the shards': 1 is even; N (the shard count) is one shard taking everything.",
          unit: "short",
          queries: [{ expr: `max(${requestsPerShard}) / avg(${requestsPerShard})`, legend: "max / mean" }],
        },
        {
          kind: "timeseries",
          title: "Keys per shard",
          description:
            "Rows each shard's leader holds, as reported every second (during a reshard, copies in flight count too).",
          unit: "short",
          queries: [{ expr: maxBy(M.shardKeys, ["shard"], sel(M.shardKeys)), legend: "{{shard}}" }],
        },
      ],
    },
    {
      title: "Resharding",
      panels: [
        {
          kind: "timeseries",
          title: "Resharding in progress",
          description: "1 while a change of the shard map moves data.",
          unit: "short",
          steps: true,
          queries: [{ expr: maxBy(M.resharding, [], sel(M.resharding)), legend: "resharding" }],
        },
        {
          kind: "timeseries",
          title: "Keys moved",
          description:
            "Keys moved away from each source shard, per rate interval (counted at each cut-over).",
          unit: "short",
          queries: [
            {
              expr: sumBy(M.shardMovedKeys, ["shard"], increase(sel(M.shardMovedKeys))),
              legend: "from {{shard}}",
            },
          ],
        },
        {
          kind: "timeseries",
          title: "Latency p99 while data moves",
          description: "The clients' p99 latency over all operations, beside the migration above.",
          unit: "s",
          queries: [{ expr: quantile(M.opLatency, 0.99, []), legend: "p99" }],
        },
      ],
    },
    {
      title: "Ranges over nodes (cluster.nodes)",
      panels: [
        {
          kind: "timeseries",
          title: "Ranges per node",
          description:
            "Range replicas each physical node holds (voters and learners of each range's latest committed configuration).",
          unit: "short",
          steps: true,
          queries: [{ expr: maxBy(M.ranges, ["node"], sel(M.ranges)), legend: "{{node}}" }],
        },
        {
          kind: "timeseries",
          title: "Leaseholders per node",
          description:
            "Ranges each node leads: their reads and writes all run on its CPU, so a node holding many saturates.",
          unit: "short",
          steps: true,
          queries: [{ expr: maxBy(M.leaseholders, ["node"], sel(M.leaseholders)), legend: "{{node}}" }],
        },
        {
          kind: "timeseries",
          title: "CPU busy per node",
          description:
            "The share of time each node's CPU, shared by its range replicas, was busy (1: saturated).",
          unit: "percentunit",
          queries: [{ expr: sumBy(M.nodeCpuBusy, ["node"], rate(sel(M.nodeCpuBusy))), legend: "{{node}}" }],
        },
        {
          kind: "timeseries",
          title: "Replica moves and lease transfers",
          description:
            "Range replicas moved off a node (move_replica or the rebalancer) and leaderships transferred, per rate interval.",
          unit: "short",
          queries: [
            { expr: sumBy(M.rangeMoves, [], increase(sel(M.rangeMoves))), legend: "moves" },
            { expr: sumBy(M.leaseTransfers, [], increase(sel(M.leaseTransfers))), legend: "lease transfers" },
          ],
        },
      ],
    },
  ],
};
