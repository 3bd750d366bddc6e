// The overview: what the clients saw. Throughput and latency by operation (and by client region,
// with a topology), outcomes and errors,
// the latency distribution over time, the nodes' load and connections (with a pool), and the run's
// totals; faults as annotations.

import { METRICS as M } from "../reports/metrics/catalogue.js";
import { faultAnnotation } from "./faults.js";
import type { DashboardSpec } from "./layout.js";
import { maxBy, quantile, rate, sel, sumBy } from "./promql.js";

export const overview: DashboardSpec = {
  uid: "dbsim-overview",
  title: "dbsim / Overview",
  description: "Throughput, latency and errors of a dbsim run (or live sweep), as the clients saw them.",
  annotations: [faultAnnotation],
  rows: [
    {
      title: "Throughput and latency",
      panels: [
        {
          kind: "timeseries",
          title: "Throughput by operation",
          description:
            "ok operations completed per second (of virtual time when backfilled from metrics.om).",
          unit: "ops",
          queries: [{ expr: sumBy(M.ops, ["op"], rate(sel(M.ops, { result: "ok" }))), legend: "{{op}}" }],
        },
        {
          kind: "timeseries",
          title: "Operations by outcome",
          description:
            "Operations completed per second by outcome: ok took effect, fail did not, info is unknown (a timeout).",
          unit: "ops",
          stack: true,
          queries: [{ expr: sumBy(M.ops, ["result"], rate(sel(M.ops))), legend: "{{result}}" }],
        },
        {
          kind: "timeseries",
          title: "Latency p50 by operation",
          description: "Median latency of ok operations, from intended start to completion (open loop).",
          unit: "s",
          queries: [{ expr: quantile(M.opLatency, 0.5, ["op"]), legend: "{{op}}" }],
        },
        {
          kind: "timeseries",
          title: "Latency p99 by operation",
          description: "99th percentile latency of ok operations (histogram buckets from 10 µs to 10 s).",
          unit: "s",
          queries: [{ expr: quantile(M.opLatency, 0.99, ["op"]), legend: "{{op}}" }],
        },
        {
          kind: "timeseries",
          title: "Latency p99 by client region",
          description:
            "99th percentile latency of ok operations by the region of the client host that sent them, and " +
            "operation (runs with a topology only): a region far from the leader pays its round trip.",
          unit: "s",
          queries: [
            { expr: quantile(M.clientRegionLatency, 0.99, ["region", "op"]), legend: "{{region}} {{op}}" },
          ],
        },
        {
          kind: "heatmap",
          title: "Latency distribution (all operations)",
          description:
            "ok operations per second in each latency bucket: where the mass of the latency lies over time.",
          unit: "s",
          queries: [{ expr: `sum by (le) (${rate(sel(M.opLatency, {}, "bucket"))})`, legend: "{{le}}" }],
        },
        {
          kind: "timeseries",
          title: "Errors by reason",
          description:
            "Operations per second that failed or whose outcome is unknown, by reason (timeout, not_leader, overloaded, ...).",
          unit: "ops",
          stack: true,
          queries: [{ expr: sumBy(M.opErrors, ["reason"], rate(sel(M.opErrors))), legend: "{{reason}}" }],
        },
      ],
    },
    {
      title: "Load and connections",
      panels: [
        {
          kind: "timeseries",
          title: "Active requests and connections by node",
          description:
            "Requests active at each node (queued, on the CPU or reading pages: its queue depth) and, with " +
            "workload.pool, its open connections: active (carrying a request) and idle.",
          unit: "short",
          queries: [
            {
              expr: maxBy(M.nodeActiveRequests, ["node"], sel(M.nodeActiveRequests)),
              legend: "requests {{node}}",
            },
            {
              expr: maxBy(M.nodeConnections, ["node", "state"], sel(M.nodeConnections)),
              legend: "connections {{state}} {{node}}",
            },
          ],
        },
        {
          kind: "timeseries",
          title: "Client pool by node",
          description:
            "With workload.pool: the client host's connections to each node, busy (awaiting an answer) and " +
            "idle, and the requests waiting for one (their wait is part of the latency).",
          unit: "short",
          queries: [
            {
              expr: maxBy(M.poolConnections, ["node", "state"], sel(M.poolConnections)),
              legend: "{{state}} {{node}}",
            },
            { expr: maxBy(M.poolWaiters, ["node"], sel(M.poolWaiters)), legend: "waiting {{node}}" },
          ],
        },
      ],
    },
    {
      title: "Totals",
      panels: [
        {
          kind: "stat",
          title: "Operations completed",
          description: "Operations completed so far (warmup and drain included), by outcome.",
          unit: "short",
          queries: [{ expr: sumBy(M.ops, ["result"], sel(M.ops)), legend: "{{result}}" }],
        },
        {
          kind: "stat",
          title: "Check violations",
          description:
            "Checks that found a violation in the history (set when the run ends); none without checks.",
          unit: "short",
          thresholds: [
            { value: null, color: "green" },
            { value: 1, color: "red" },
          ],
          queries: [
            { expr: sumBy(M.checkViolations, ["check"], sel(M.checkViolations)), legend: "{{check}}" },
          ],
        },
      ],
    },
  ],
};
