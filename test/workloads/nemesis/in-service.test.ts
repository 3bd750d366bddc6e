import { describe, expect, it } from "vitest";
import { ScenarioRun } from "../../../workloads/runner.js";
import { loadScenario } from "../../../workloads/scenario/load.js";

// 2 shards in use and a spare shard group (shard2) that the reshard at 7 s starts using, under a
// random nemesis firing about every 200 ms.
const SCENARIO = `
name: spare-group
duration: 12s
warmup: 1s
cluster:
  shards: 2
  replicas: 3
  sharding: { strategy: hash, max_shards: 3 }
network: { latency: { dist: lognormal, median: 300us, p99: 3ms } }
workload: { preset: a, records: 1000, rate: 500/s, clients: 16, timeout: 500ms }
changes:
  - { at: 7s, kind: reshard, shards: 3 }
faults:
  random: { every: 200ms, for: { min: 50ms, max: 200ms } }
`;

describe("fault targets on a sharded cluster", () => {
  it("resolve among the nodes in service: a spare shard group only once a change uses it", () => {
    const run = new ScenarioRun(loadScenario(SCENARIO).resolved, { seed: 1, observer: { onOperation() {} } });
    run.runToEnd();
    // What the fault hit: its targets, and the nodes a shuffle put in a partition's groups (an
    // isolated node is cut off from every other node, in service or not).
    const hosts = (record: (typeof run.faultLog)[number]) => [
      ...record.targets,
      ...(record.detail?.shape === "isolate" ? [] : ((record.detail?.groups ?? []) as string[][]).flat()),
    ];
    const before = run.faultLog.filter((record) => record.at_s < 7);
    const after = run.faultLog.filter((record) => record.at_s >= 7);
    expect(before.length).toBeGreaterThan(15);
    for (const record of before) {
      expect(
        hosts(record).filter((host) => host.startsWith("shard2/")),
        JSON.stringify(record),
      ).toEqual([]);
    }
    expect(after.some((record) => hosts(record).some((host) => host.startsWith("shard2/")))).toBe(true);
  });
});
