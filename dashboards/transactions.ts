// Transactions (runs of a transaction workload): commits and aborts per second, the abort rate,
// aborts by reason and the commit latency, on one time axis, so contention shows as aborts rising
// while commits fall.

import { METRICS as M } from "../reports/metrics/catalogue.js";
import { faultAnnotation } from "./faults.js";
import type { DashboardSpec } from "./layout.js";
import { quantile, rate, sel, sumBy } from "./promql.js";

const perSecond = (result: string) => sumBy(M.txns, [], rate(sel(M.txns, { result })));

export const transactions: DashboardSpec = {
  uid: "dbsim-transactions",
  title: "dbsim / Transactions",
  description:
    "Commits, aborts by reason and commit latency of a transaction workload's run (list-append, smallbank).",
  annotations: [faultAnnotation],
  rows: [
    {
      title: "Transactions",
      panels: [
        {
          kind: "timeseries",
          title: "Transactions per second",
          description:
            "Committed, aborted (definitely not committed) and unknown (e.g. timed out) transactions per second.",
          unit: "suffix:txn/s",
          queries: [{ expr: sumBy(M.txns, ["result"], rate(sel(M.txns))), legend: "{{result}}" }],
        },
        {
          kind: "timeseries",
          title: "Abort rate",
          description: "Aborted / (committed + aborted) transactions over the rate interval.",
          unit: "percentunit",
          min: 0,
          queries: [
            {
              expr: `${perSecond("aborted")} / (${perSecond("committed")} + ${perSecond("aborted")})`,
              legend: "abort rate",
            },
          ],
        },
        {
          kind: "timeseries",
          title: "Aborts by reason",
          description:
            "Aborts per second: conflict (write-write), validation (a read went stale, serializable), timeout, unknown_txn.",
          unit: "suffix:txn/s",
          stack: true,
          queries: [{ expr: sumBy(M.txnAborts, ["reason"], rate(sel(M.txnAborts))), legend: "{{reason}}" }],
        },
        {
          kind: "timeseries",
          title: "Commit latency",
          description: "Committed transactions, first statement sent to the commit's ok: p50 and p99.",
          unit: "s",
          queries: [
            { expr: quantile(M.txnCommitLatency, 0.5, []), legend: "p50" },
            { expr: quantile(M.txnCommitLatency, 0.99, []), legend: "p99" },
          ],
        },
      ],
    },
  ],
};
