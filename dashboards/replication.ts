// Replication: lag per follower and the entries each has yet to apply, who leads, failovers, the
// replication traffic, the writes conflict resolution or log truncation discarded, and each node's
// buffer pool and disk (a follower's applier reads its pages too), and the cache hosts (cluster.cache).

import { METRICS as M } from "../reports/metrics/catalogue.js";
import { faultAnnotation } from "./faults.js";
import type { DashboardSpec } from "./layout.js";
import { increase, maxBy, rate, sel, sumBy } from "./promql.js";

export const replication: DashboardSpec = {
  uid: "dbsim-replication",
  title: "dbsim / Replication",
  description: "Replication lag, roles, failovers and replication traffic of a dbsim run.",
  annotations: [faultAnnotation],
  rows: [
    {
      title: "Replicas",
      panels: [
        {
          kind: "timeseries",
          title: "Replication lag by follower",
          description:
            "Largest lag of the entries each follower applied in the sample interval (leader log time to apply time); 0 while it leads.",
          unit: "s",
          queries: [{ expr: maxBy(M.replicationLag, ["node"], sel(M.replicationLag)), legend: "{{node}}" }],
        },
        {
          kind: "timeseries",
          title: "Apply backlog by node",
          description:
            "Log entries each node holds but has not applied yet: a follower whose applier falls behind grows it (its lag follows).",
          unit: "short",
          queries: [{ expr: maxBy(M.applyBacklog, ["node"], sel(M.applyBacklog)), legend: "{{node}}" }],
        },
        {
          kind: "state",
          title: "Node state",
          description: "Each node: down, up (follower or candidate), or leader.",
          states: [
            { value: 0, text: "down", color: "red" },
            { value: 1, text: "follower", color: "blue" },
            { value: 2, text: "leader", color: "green" },
          ],
          queries: [
            {
              expr: `${sumBy(M.nodeUp, ["node"], sel(M.nodeUp))} + ${sumBy(M.nodeUp, ["node"], sel(M.nodeUp, { role: "leader" }))}`,
              legend: "{{node}}",
            },
          ],
        },
        {
          kind: "timeseries",
          title: "Nodes up by role",
          description:
            "Nodes running in each role: more than one leader is split brain (or multi-leader mode).",
          unit: "short",
          steps: true,
          queries: [{ expr: sumBy(M.nodeUp, ["role"], sel(M.nodeUp)), legend: "{{role}}" }],
        },
        {
          kind: "timeseries",
          title: "Failovers",
          description: "Promotions of a new leader after the initial one, by shard (cumulative).",
          unit: "short",
          steps: true,
          queries: [{ expr: sumBy(M.failovers, ["shard"], sel(M.failovers)), legend: "{{shard}}" }],
        },
      ],
    },
    {
      title: "Buffer pool and disk",
      panels: [
        {
          kind: "timeseries",
          title: "Buffer pool hit ratio by node",
          description:
            "Share of page lookups found in memory (requests and applied log entries), over the rate interval; the rest were read from disk.",
          unit: "percentunit",
          queries: [
            {
              expr:
                `${sumBy(M.bufferPoolRequests, ["node"], rate(sel(M.bufferPoolRequests, { result: "hit" })))} / ` +
                sumBy(M.bufferPoolRequests, ["node"], rate(sel(M.bufferPoolRequests))),
              legend: "{{node}}",
            },
          ],
        },
        {
          kind: "timeseries",
          title: "Disk operations by node and kind",
          description:
            "Page reads (misses), page writes (dirty pages evicted) and fsyncs of the log per second: they share each disk's IOPS.",
          unit: "iops",
          queries: [
            {
              expr: sumBy(M.diskOperations, ["node", "kind"], rate(sel(M.diskOperations))),
              legend: "{{node}} {{kind}}",
            },
          ],
        },
        {
          kind: "timeseries",
          title: "Buffer pool pages and evictions by node",
          description:
            "Pages each pool holds (it fills from empty after a start or a crash) and pages it evicted per second to make room.",
          unit: "short",
          queries: [
            { expr: maxBy(M.bufferPoolPages, ["node"], sel(M.bufferPoolPages)), legend: "pages {{node}}" },
            {
              expr: sumBy(M.bufferPoolEvictions, ["node"], rate(sel(M.bufferPoolEvictions))),
              legend: "evictions/s {{node}}",
            },
          ],
        },
      ],
    },
    {
      title: "Cache",
      panels: [
        {
          kind: "timeseries",
          title: "Cache hit ratio by node",
          description:
            "Share of cache reads answered from memory (runs with cluster.cache only), over the rate interval; a miss reads the database.",
          unit: "percentunit",
          queries: [
            {
              expr:
                `${sumBy(M.cacheRequests, ["node"], rate(sel(M.cacheRequests, { result: "hit" })))} / (` +
                `${sumBy(M.cacheRequests, ["node"], rate(sel(M.cacheRequests, { result: "hit" })))} + ` +
                `${sumBy(M.cacheRequests, ["node"], rate(sel(M.cacheRequests, { result: "miss" })))})`,
              legend: "{{node}}",
            },
          ],
        },
        {
          kind: "timeseries",
          title: "Cache requests by result",
          description:
            "Requests the cache hosts served per second: hits, misses, misses that waited for a lease, sets (refused: a write voided their lease), invalidations, writes.",
          unit: "reqps",
          queries: [
            { expr: sumBy(M.cacheRequests, ["result"], rate(sel(M.cacheRequests))), legend: "{{result}}" },
          ],
        },
        {
          kind: "timeseries",
          title: "Cache entries and evictions by node",
          description:
            "Entries each cache host holds (empty after a crash: a restart is cold), entries evicted per second, and dirty entries crashes lost (write-behind, cumulative).",
          unit: "short",
          queries: [
            { expr: maxBy(M.cacheEntries, ["node"], sel(M.cacheEntries)), legend: "entries {{node}}" },
            {
              expr: sumBy(M.cacheEvictions, ["node"], rate(sel(M.cacheEvictions))),
              legend: "evictions/s {{node}}",
            },
            {
              expr: sumBy(M.cacheDirtyLost, ["node"], sel(M.cacheDirtyLost)),
              legend: "dirty lost {{node}}",
            },
          ],
        },
      ],
    },
    {
      title: "Traffic and discarded writes",
      panels: [
        {
          kind: "timeseries",
          title: "Messages by kind",
          description:
            "Messages sent per second through the simulated network, by kind (req, resp, append, vote_request, ...).",
          unit: "suffix:msg/s",
          stack: true,
          queries: [{ expr: sumBy(M.messages, ["kind"], rate(sel(M.messages))), legend: "{{kind}}" }],
        },
        {
          kind: "timeseries",
          title: "Conflicts, truncated log entries and snapshots",
          description:
            "Writes discarded by last-writer-wins (multi-leader), log entries discarded by replicas that diverged from a new leader, and snapshots installed by replicas too far behind (or joining their range), per rate interval.",
          unit: "short",
          queries: [
            {
              expr: sumBy(M.replicationConflicts, ["node"], increase(sel(M.replicationConflicts))),
              legend: "conflicts {{node}}",
            },
            {
              expr: sumBy(M.replicationTruncated, ["node"], increase(sel(M.replicationTruncated))),
              legend: "truncated {{node}}",
            },
            {
              expr: sumBy(M.replicationSnapshots, ["node"], increase(sel(M.replicationSnapshots))),
              legend: "snapshots {{node}}",
            },
          ],
        },
      ],
    },
  ],
};
