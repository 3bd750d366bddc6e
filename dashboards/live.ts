// Wall-clock progress of a run or sweep, scraped from `dbsim run|sweep --metrics-port`.

import { METRICS as M } from "../reports/metrics/catalogue.js";
import type { DashboardSpec } from "./layout.js";
import { maxBy, rate, sel, sumBy } from "./promql.js";

export const live: DashboardSpec = {
  uid: "dbsim-live",
  title: "dbsim / Live progress",
  description:
    "Progress of a dbsim run or sweep in wall-clock time, from a Prometheus scraping --metrics-port (the seeds panels fill in for sweeps).",
  rows: [
    {
      title: "Progress",
      panels: [
        {
          kind: "timeseries",
          title: "Progress",
          description: "Share of the run's virtual time simulated; for a sweep, share of its seeds done.",
          unit: "percentunit",
          min: 0,
          queries: [
            {
              expr:
                `${maxBy(M.runProgress, [], sel(M.runProgress))} or ` +
                `(${sumBy(M.sweepSeedsDone, [], sel(M.sweepSeedsDone))} / ${maxBy(M.sweepSeeds, [], sel(M.sweepSeeds))})`,
              legend: "progress",
            },
          ],
        },
        {
          kind: "timeseries",
          title: "Events per wall second",
          description:
            "Simulator events executed per second of wall-clock time (summed over a sweep's workers).",
          unit: "suffix:events/s",
          queries: [
            {
              expr: sumBy(M.simEventsPerWallSecond, [], sel(M.simEventsPerWallSecond)),
              legend: "events per wall second",
            },
          ],
        },
        {
          kind: "timeseries",
          title: "Seeds done by result",
          description: "A sweep's seeds finished: pass, fail (a check found a violation), unknown, crashed.",
          unit: "short",
          stack: true,
          steps: true,
          queries: [
            { expr: sumBy(M.sweepSeedsDone, ["result"], sel(M.sweepSeedsDone)), legend: "{{result}}" },
          ],
        },
        {
          kind: "timeseries",
          title: "Operations per wall second",
          description: "ok operations completed per second of wall-clock time (all of a sweep's runs).",
          unit: "ops",
          queries: [{ expr: sumBy(M.ops, ["op"], rate(sel(M.ops, { result: "ok" }))), legend: "{{op}}" }],
        },
      ],
    },
  ],
};
