// The shipped cache scenarios at seed 1: what their comments promise is what they print, with the
// problem and with its fix. Each runs 32 virtual seconds (a few seconds of wall time).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import type { Report } from "../../reports/report-schema.js";
import { loadScenario } from "../../workloads/scenario/load.js";

const SLOW = 180_000;

async function run(name: string, overrides: string[] = []) {
  const scenario = loadScenario(readFileSync(`scenarios/${name}.yaml`, "utf8"), { overrides });
  return executeRun(scenario, 1, { metrics: false, files: "failed" });
}

const cacheOf = (report: Report) => report.cache?.total;

describe("cache-aside-stale-race at seed 1", () => {
  it(
    "without leases a reader's late set serves stale values; with leases the set is refused and none are stale",
    async () => {
      const { report } = await run("cache-aside-stale-race");
      expect(report.checks.stale_reads).toMatchObject({ valid: false, count: 43 });
      // The stale reads are the cache's: the history records the cache host that answered them.
      const anomalies = report.checks.stale_reads?.anomalies as { read: { node: string } }[];
      expect(anomalies.every((a) => a.read.node.startsWith("cache"))).toBe(true);
      expect(cacheOf(report)).toMatchObject({ sets_refused: 0, lease_waits: 0 });

      const fixed = (await run("cache-aside-stale-race", ["cluster.cache.leases=true"])).report;
      expect(fixed.checks.stale_reads).toMatchObject({ valid: true, count: 0 });
      expect(cacheOf(fixed)).toMatchObject({ lease_waits: 601, sets_refused: 603 });
    },
    SLOW,
  );
});

describe("cache-stampede at seed 1", () => {
  it(
    "without leases each expiry of the hot key sends a herd to the database; with leases one reader",
    async () => {
      const herd = cacheOf((await run("cache-stampede")).report);
      expect(herd).toMatchObject({ misses: 3479, expired: 2871, lease_waits: 0 });
      const fixed = cacheOf((await run("cache-stampede", ["cluster.cache.leases=true"])).report);
      expect(fixed).toMatchObject({ misses: 2883, expired: 2883, lease_waits: 679 });

      const coalesced = cacheOf(
        (await run("cache-stampede", ["cluster.cache.strategy=read-through", "cluster.cache.leases=true"]))
          .report,
      );
      expect(coalesced?.database_reads).toBe(2887);
    },
    SLOW,
  );
});

describe("write-behind-crash at seed 1", () => {
  it(
    "a crash loses the dirty entries: acknowledged writes lost; write-through loses none",
    async () => {
      const { report } = await run("write-behind-crash");
      expect(report.faults[0]).toMatchObject({ kind: "crash", targets: ["cache0"] });
      expect(cacheOf(report)?.dirty_lost).toBe(206);
      expect(report.checks.lost_writes?.valid).toBe(false);
      expect(report.final_reads?.lost_writes).toMatchObject({ acknowledged: 32028, lost: 181 });
      expect(report.checks.stale_reads).toMatchObject({ valid: false, count: 196 });

      const fixed = (await run("write-behind-crash", ["cluster.cache.strategy=write-through"])).report;
      expect(cacheOf(fixed)?.dirty_lost).toBe(0);
      expect(fixed.final_reads?.lost_writes).toMatchObject({ lost: 0 });
      expect(fixed.checks.stale_reads?.valid).toBe(true);
    },
    SLOW,
  );
});
