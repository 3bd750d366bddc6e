// Faults on the same time axis as what they cause: what is in force (partitions, crashes, pauses,
// skews, degraded links, disk faults), which nodes are up, corrupt log entries found and repaired,
// and the clients' latency, throughput and errors.

import { METRICS as M } from "../reports/metrics/catalogue.js";
import type { AnnotationSpec, DashboardSpec } from "./layout.js";
import { increase, maxBy, quantile, rate, sel, sumBy } from "./promql.js";

/** Each fault as it fires, as an annotation on every panel (the overview shows them too). */
export const faultAnnotation: AnnotationSpec = {
  name: "Faults",
  expr: `${sumBy(M.faults, ["kind"], increase(sel(M.faults)))} > 0`,
  title: "{{kind}}",
  tagKeys: "kind",
  color: "red",
};

export const faults: DashboardSpec = {
  uid: "dbsim-faults",
  title: "dbsim / Faults",
  description:
    "The faults a dbsim run injected, and the clients' latency, throughput and errors around them.",
  annotations: [faultAnnotation],
  rows: [
    {
      title: "Faults",
      panels: [
        {
          kind: "timeseries",
          title: "Faults in force by kind",
          description:
            "Faults fired and not yet over: a crash lasts until its restart, a partition until it ends or a heal.",
          unit: "short",
          stack: true,
          steps: true,
          queries: [{ expr: sumBy(M.faultsActive, ["kind"], sel(M.faultsActive)), legend: "{{kind}}" }],
        },
        {
          kind: "timeseries",
          title: "Partitions in force",
          description: "Network partitions in force.",
          unit: "short",
          steps: true,
          queries: [{ expr: maxBy(M.partitionActive, [], sel(M.partitionActive)), legend: "partitions" }],
        },
        {
          kind: "state",
          title: "Nodes up",
          description: "Whether each database node is running (a crash takes it down until its restart).",
          states: [
            { value: 0, text: "down", color: "red" },
            { value: 1, text: "up", color: "green" },
          ],
          queries: [{ expr: sumBy(M.nodeUp, ["node"], sel(M.nodeUp)), legend: "{{node}}" }],
        },
        {
          kind: "timeseries",
          title: "Faults fired",
          description: "Faults fired per rate interval, by kind.",
          unit: "short",
          stack: true,
          queries: [{ expr: sumBy(M.faults, ["kind"], increase(sel(M.faults))), legend: "{{kind}}" }],
        },
        {
          kind: "timeseries",
          title: "Disk: corrupt log entries found and repaired",
          description:
            "Per rate interval, by node: log entries whose checksum failed (a disk_corruption or torn_write fault), and entries a node dropped for them and got back from its leader. Only runs with disk faults have these series.",
          unit: "short",
          queries: [
            {
              expr: sumBy(M.diskCorruptions, ["node"], increase(sel(M.diskCorruptions))),
              legend: "corrupt {{node}}",
            },
            {
              expr: sumBy(M.diskRepaired, ["node"], increase(sel(M.diskRepaired))),
              legend: "repaired {{node}}",
            },
          ],
        },
      ],
    },
    {
      title: "What the clients saw",
      panels: [
        {
          kind: "timeseries",
          title: "Latency p99 (all operations)",
          description: "99th percentile latency of ok operations.",
          unit: "s",
          queries: [{ expr: quantile(M.opLatency, 0.99, []), legend: "p99" }],
        },
        {
          kind: "timeseries",
          title: "Throughput",
          description: "ok operations completed per second.",
          unit: "ops",
          queries: [{ expr: sumBy(M.ops, [], rate(sel(M.ops, { result: "ok" }))), legend: "ok" }],
        },
        {
          kind: "timeseries",
          title: "Failed and unknown operations by reason",
          description: "Operations per second that failed or timed out, by reason.",
          unit: "ops",
          stack: true,
          queries: [{ expr: sumBy(M.opErrors, ["reason"], rate(sel(M.opErrors))), legend: "{{reason}}" }],
        },
      ],
    },
  ],
};
