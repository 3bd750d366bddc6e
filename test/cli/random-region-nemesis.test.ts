// Raft, 5 replicas spread over three regions (scenarios/multi-region-raft.yaml without its scheduled
// outage), under a random nemesis that also draws zone outages, region outages and region
// partitions: linearizable, lost_writes and liveness pass on seeds 1..5, and every region fault
// drawn heals within the run.

import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import { readScenarioFile } from "../../cli/scenario-file.js";

const OVERRIDES = [
  "faults={schedule: [], random: {every: 5s, for: {min: 1s, max: 5s}, skew_max: 10ms, " +
    "region_weights: {zone_outage: 1, region_outage: 1, region_partition: 1}}}",
  "checks=[linearizable,lost_writes,liveness]",
  // Quiet periods of 3 s between faults a few seconds apart, and enough of them to judge.
  "liveness={within: 3s}",
  "duration=90s",
];
const REGION_KINDS = ["zone_outage", "region_outage", "region_partition"];

describe("Raft over three regions under random region faults", () => {
  it("passes linearizable, lost_writes and liveness on seeds 1..5", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const scenario = readScenarioFile("scenarios/multi-region-raft.yaml", OVERRIDES);
      const { report } = await executeRun(scenario, seed, { metrics: false, files: "failed" });
      const verdicts = Object.fromEntries(Object.entries(report.checks).map(([name, c]) => [name, c.valid]));
      expect(verdicts, `seed ${seed}`).toEqual({ linearizable: true, lost_writes: true, liveness: true });
      const regional = report.faults.filter((fault) => REGION_KINDS.includes(fault.kind));
      expect(regional.length, `seed ${seed}`).toBeGreaterThan(0);
      for (const fault of regional) {
        expect(fault.detail).toMatchObject({ random: true });
        // Healed by the nemesis within the clients' run (5 s warmup + 90 s), like its other faults.
        if (fault.targets.length > 0) expect(fault.end_s, `seed ${seed}`).toBeLessThanOrEqual(95);
      }
    }
  }, 600_000);
});
