// Raft's append pipelining (engine/replication/log-shipper.ts, early-appends.ts): safe under the
// random nemesis, deterministic, and what it buys across regions. The window's bound is tested on
// the shipper itself (log-shipper.test.ts).

import { describe, expect, it } from "vitest";
import { executeRun } from "../../../cli/execute.js";
import { readScenarioFile } from "../../../cli/scenario-file.js";

async function report(path: string, overrides: string[], seed = 1) {
  return (await executeRun(readScenarioFile(path, overrides), seed, { metrics: false, files: "failed" }))
    .report;
}

describe("raft append pipelining", () => {
  it("keeps linearizable, lost_writes and liveness under the random nemesis, 5 replicas, seeds 1..5", async () => {
    const overrides = [
      "cluster.replication.mode=raft",
      "cluster.replicas=5",
      "cluster.replication.read_consistency=read_index",
      "checks=[linearizable,lost_writes,liveness]",
      "liveness={within: 3s}",
    ];
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = await report("scenarios/replication-random-nemesis.yaml", overrides, seed);
      const verdicts = Object.fromEntries(
        Object.entries(r.checks).map(([name, check]) => [name, check.valid]),
      );
      expect(verdicts, `seed ${seed}`).toEqual({ linearizable: true, lost_writes: true, liveness: true });
    }
  }, 600_000);

  it("gives the same trace for the same seed", async () => {
    const trace = async () => (await report("scenarios/raft-three-regions.yaml", [], 3)).trace_hash;
    expect(await trace()).toBe(await trace());
  }, 120_000);

  it("brings a write across regions down to the quorum's round trip: the append in flight no longer delays it", async () => {
    const p50 = async (window: number) =>
      (await report("scenarios/raft-three-regions.yaml", [`cluster.replication.append_window=${window}`])).ops
        .update?.latency_us.p50 ?? Number.NaN;
    const [pipelined, oneAtATime] = [await p50(16), await p50(1)];
    // The round trip to us-east is 62 ms; one append at a time adds, on average, half of one.
    expect(pipelined).toBeLessThan(70_000);
    expect(oneAtATime).toBeGreaterThan(80_000);
  }, 240_000);
});
