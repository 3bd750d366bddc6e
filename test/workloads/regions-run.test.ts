// A topology through whole runs: each link's delay comes from where its hosts sit, `nearest` reads
// go to the replicas closest to the clients, and zone_outage, region_outage and region_partition
// act on the nodes of their place.

import { describe, expect, it } from "vitest";
import type { CompletedOperation } from "../../workloads/observer.js";
import { ScenarioRun } from "../../workloads/runner.js";
import { loadScenario } from "../../workloads/scenario/load.js";

function runWith(yaml: string) {
  const ops: CompletedOperation[] = [];
  const scenario = loadScenario(`name: t\n${yaml}`).resolved;
  const run = new ScenarioRun(scenario, { seed: 1, observer: { onOperation: (op) => ops.push(op) } });
  run.runToEnd();
  return { ops: ops.filter((op) => op.measured && op.result === "ok"), run };
}

// Three replicas, one per region, constant delays: a zone 1 ms away, regions 10, 20 and 30 ms apart.
const TOPOLOGY = `
duration: 5s
warmup: 1s
cluster: { replicas: 3, replication: { mode: async, read_from: nearest }, node: { service_time: 10us } }
network: { latency: { dist: constant, value: 100us } }
topology:
  regions: [{ name: r1 }, { name: r2 }, { name: r3 }]
  clients: r2
  latency:
    matrix: null
    zone: { dist: constant, value: 1ms }
    between:
      - { regions: [r1, r2], latency: { dist: constant, value: 10ms } }
      - { regions: [r1, r3], latency: { dist: constant, value: 20ms } }
      - { regions: [r2, r3], latency: { dist: constant, value: 30ms } }
workload: { preset: a, records: 1000, rate: 200/s, clients: 8, timeout: 1s }
`;

describe("a topology in a run", () => {
  it("delays each message by where its hosts sit: writes to r1's leader cross 10 ms each way", () => {
    const { ops, run } = runWith(TOPOLOGY);
    const names = run.nodeNames;
    const updates = ops.filter((op) => op.op === "update");
    expect(updates.length).toBeGreaterThan(400);
    for (const op of updates) {
      expect(names.get(op.node)).toBe("shard0/n0");
      expect(op.latency_us).toBeGreaterThanOrEqual(20_000);
    }
  });

  it("sends nearest reads to the replica in the clients' region, a zone away", () => {
    const { ops, run } = runWith(TOPOLOGY);
    const reads = ops.filter((op) => op.op === "read");
    expect(reads.length).toBeGreaterThan(400);
    for (const op of reads) expect(run.nodeNames.get(op.node)).toBe("shard0/n1");
    const sorted = reads.map((op) => op.latency_us).sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(3_000);
  });

  it("zone_outage crashes the zone's nodes only, and restarts them after `for`", () => {
    const { run } = runWith(`${TOPOLOGY.replace("clients: r2", "clients: r2\n  placement: zones")}
faults: { schedule: [{ at: 2s, kind: zone_outage, region: r1, zone: b, for: 1s }] }`);
    expect(run.faultLog).toEqual([
      { at_s: 2, kind: "zone_outage", targets: ["shard0/n1"], for_s: 1, detail: { place: "r1/b" }, end_s: 3 },
    ]);
  });

  it("region_outage of a region without a node up is recorded with a note and no effect", () => {
    const { run } = runWith(`${TOPOLOGY}
faults:
  schedule:
    - { at: 2s, kind: region_outage, region: r3 }
    - { at: 3s, kind: region_outage, region: r3, for: 1s }`);
    expect(run.faultLog.map((record) => [record.kind, record.targets, record.detail])).toEqual([
      ["region_outage", ["shard0/n2"], { place: "r3" }],
      ["region_outage", [], { place: "r3", note: "no node in r3 is up" }],
    ]);
  });

  it("region_partition cuts a region's nodes off, the client on its own region's side, until `for` ends", () => {
    const { run } = runWith(`${TOPOLOGY}
faults: { schedule: [{ at: 2s, kind: region_partition, region: r1, for: 2s }] }`);
    const [record] = run.faultLog;
    expect(record).toMatchObject({ at_s: 2, kind: "region_partition", targets: ["shard0/n0"], end_s: 4 });
    expect(record?.detail).toEqual({
      place: "r1",
      groups: [["shard0/n0"], ["shard0/n1", "shard0/n2", "client"]],
    });
  });
});
