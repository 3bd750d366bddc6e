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

describe("clients in several regions", () => {
  const SEVERAL = TOPOLOGY.replace("clients: r2", "clients: [r1, r2, r3]").replace(
    "clients: 8",
    "clients: 9",
  );

  it("sends each region's operations from its own client host, at its own distance from the leader", () => {
    const { ops, run } = runWith(SEVERAL);
    expect(run.hosts.clients.map((id) => run.sim.nameOf(id))).toEqual([
      "client@r1",
      "client@r2",
      "client@r3",
    ]);
    const updates = (region: string) => ops.filter((op) => op.op === "update" && op.client_region === region);
    // The leader n0 sits in r1: r2's writes cross 10 ms each way, r3's 20 ms.
    for (const [region, least_us, most_us] of [
      ["r1", 0, 10_000],
      ["r2", 20_000, 40_000],
      ["r3", 40_000, 60_000],
    ] as const) {
      const latencies = updates(region).map((op) => op.latency_us);
      expect(latencies.length).toBeGreaterThan(100);
      expect(Math.min(...latencies)).toBeGreaterThanOrEqual(least_us);
      expect(Math.min(...latencies)).toBeLessThan(most_us);
    }
    // Nearest reads stay in each region: its own replica.
    for (const [region, node] of [
      ["r1", "shard0/n0"],
      ["r2", "shard0/n1"],
      ["r3", "shard0/n2"],
    ]) {
      const reads = ops.filter((op) => op.op === "read" && op.client_region === region);
      expect(new Set(reads.map((op) => run.nodeNames.get(op.node)))).toEqual(new Set([node]));
    }
  });

  it("keeps processes and written values unique across client hosts, and splits the load evenly", () => {
    const { ops } = runWith(SEVERAL);
    const processes = new Map<number, string>();
    for (const op of ops) {
      expect(processes.get(op.process) ?? op.client_region).toBe(op.client_region);
      processes.set(op.process, op.client_region as string);
    }
    const values = ops.filter((op) => op.op === "update").map((op) => op.value);
    expect(new Set(values).size).toBe(values.length);
    for (const region of ["r1", "r2", "r3"]) {
      const share = ops.filter((op) => op.client_region === region).length / ops.length;
      expect(share).toBeGreaterThan(0.28);
      expect(share).toBeLessThan(0.39);
    }
  });

  it("is deterministic; one region listed is the run `clients: <region>` gives", () => {
    const trace = (yaml: string) => runWith(yaml).run.result().trace_hash;
    expect(trace(SEVERAL)).toBe(trace(SEVERAL));
    expect(trace(TOPOLOGY.replace("clients: r2", "clients: [r2]"))).toBe(trace(TOPOLOGY));
  });

  it("region_partition keeps each client host on its own region's side", () => {
    const { run } = runWith(`${SEVERAL}
faults: { schedule: [{ at: 2s, kind: region_partition, region: r1, for: 2s }] }`);
    expect(run.faultLog[0]?.detail).toEqual({
      place: "r1",
      groups: [
        ["shard0/n0", "client@r1"],
        ["shard0/n1", "shard0/n2", "client@r2", "client@r3"],
      ],
    });
  });
});
