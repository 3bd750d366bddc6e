// The simulator itself: virtual time, events and messages per second, the bytes the network
// carries by message kind, and the events an operation costs. Backfilled, "per second" is per virtual second; scraped live, per wall second.

import { METRICS as M } from "../reports/metrics/catalogue.js";
import type { DashboardSpec } from "./layout.js";
import { maxBy, rate, sel, sumBy } from "./promql.js";

export const simulator: DashboardSpec = {
  uid: "dbsim-simulator",
  title: "dbsim / Simulator",
  description:
    "The deterministic simulator: virtual time and event rates (per virtual second when backfilled, per wall second when scraped live).",
  rows: [
    {
      title: "Simulator",
      panels: [
        {
          kind: "timeseries",
          title: "Virtual time",
          description: "Virtual time simulated so far.",
          unit: "s",
          queries: [
            { expr: maxBy(M.simVirtualSeconds, [], sel(M.simVirtualSeconds)), legend: "virtual time" },
          ],
        },
        {
          kind: "timeseries",
          title: "Events per second",
          description:
            "Simulator events executed per second (timers, message deliveries, host starts, faults).",
          unit: "suffix:events/s",
          queries: [{ expr: sumBy(M.simEvents, [], rate(sel(M.simEvents))), legend: "events" }],
        },
        {
          kind: "timeseries",
          title: "Messages per second",
          description: "Messages sent per second through the simulated network.",
          unit: "suffix:msg/s",
          queries: [{ expr: sumBy(M.messages, [], rate(sel(M.messages))), legend: "messages" }],
        },
        {
          kind: "timeseries",
          title: "Network bytes per second by kind",
          description:
            "Bytes sent per second through the simulated network, by message kind (req, resp, append, snapshot, ...): each message sized from what it carries.",
          unit: "Bps",
          queries: [{ expr: sumBy(M.networkBytes, ["kind"], rate(sel(M.networkBytes))), legend: "{{kind}}" }],
        },
        {
          kind: "timeseries",
          title: "Events per operation",
          description: "Simulator events per completed operation: what an operation costs the simulation.",
          unit: "short",
          queries: [
            {
              expr: `${sumBy(M.simEvents, [], rate(sel(M.simEvents)))} / ${sumBy(M.ops, [], rate(sel(M.ops)))}`,
              legend: "events per operation",
            },
          ],
        },
      ],
    },
  ],
};
