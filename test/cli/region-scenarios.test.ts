// The region scenarios at seed 1: what their comments promise is what they report.
// - raft-three-regions: 5 replicas over us-west (2), us-east (2), eu-west (1), leader and clients in
//   us-west: a write waits for the quorum's round trip (us-east, 62 ms), not the farthest (136 ms).
// - raft-region-outage: a majority in us-west loses its writes for the whole outage of us-west;
//   spread over the regions, a new leader takes over within seconds.
// - raft-clients-three-regions: clients in all three regions, the leader in us-west: each region's
//   latency is its round trip to the leader on top of us-west's.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import type { Report } from "../../reports/report-schema.js";
import { loadScenario } from "../../workloads/scenario/load.js";

async function run(file: string, overrides: string[] = []): Promise<Report> {
  const scenario = loadScenario(readFileSync(file, "utf8"), { overrides });
  return (await executeRun(scenario, 1, { metrics: false, files: "failed" })).report;
}

const MS = 1000;

describe("raft-three-regions at seed 1", () => {
  it("acknowledges writes after about the quorum's round trip, below the farthest region's", async () => {
    const report = await run("scenarios/raft-three-regions.yaml");
    const update = report.ops.update?.latency_us;
    // Appends pipelined: a write waits for the quorum's round trip (62 ms) and a follower's fsync;
    // never for eu-west's 136 ms.
    expect(update?.p50).toBeGreaterThan(62 * MS);
    expect(update?.p50).toBeLessThan(70 * MS);
    expect(update?.p99).toBeLessThan(100 * MS);
    expect(report.ops.read?.latency_us.p50).toBeLessThan(5 * MS);
    expect(report.ops.all?.fail).toBe(0);
    expect(report.ops.all?.info).toBe(0);
  }, 120_000);

  it("writes within the region when every replica is there (placement zones)", async () => {
    const report = await run("scenarios/raft-three-regions.yaml", ["topology.placement=zones"]);
    expect(report.ops.update?.latency_us.p99).toBeLessThan(30 * MS);
  }, 120_000);
});

describe("raft-region-outage at seed 1", () => {
  it("stops writing for the whole outage with a majority in the lost region, not when spread", async () => {
    const majority = await run("scenarios/raft-region-outage.yaml");
    const spread = await run("scenarios/raft-region-outage.yaml", ["topology.placement=spread"]);
    const outage = (report: Report) => report.replication?.failovers[0]?.write_outage_s ?? Number.NaN;
    expect(majority.faults[0]?.kind).toBe("region_outage");
    expect(majority.faults[0]?.targets).toEqual(["shard0/n0", "shard0/n1", "shard0/n2"]);
    expect(spread.faults[0]?.targets).toEqual(["shard0/n0", "shard0/n3"]);
    // 20 s of outage: no majority until us-west is back; spread, an election in about 2 s.
    expect(outage(majority)).toBeGreaterThan(20);
    expect(outage(spread)).toBeLessThan(4);
    // In calm weather the majority in one region writes faster: its quorum is a zone away.
    const calm = (report: Report) => report.ops.update?.latency_us.p50 ?? Number.NaN;
    expect(calm(majority)).toBeLessThan(calm(spread));
  }, 180_000);
});

describe("raft-clients-three-regions at seed 1", () => {
  it("reports each client region's latency: its round trip to the leader on top of us-west's", async () => {
    const report = await run("scenarios/raft-clients-three-regions.yaml");
    const regions = report.client_regions ?? {};
    expect(Object.keys(regions)).toEqual(["us-west", "us-east", "eu-west"]);
    const p50 = (region: string, op: string) => regions[region]?.[op]?.latency_us.p50 ?? Number.NaN;
    expect(p50("us-west", "read")).toBeLessThan(5 * MS);
    // Round trips to the leader in us-west: us-east 62 ms, eu-west 136 ms.
    expect(p50("us-east", "read")).toBeGreaterThan(60 * MS);
    expect(p50("us-east", "read")).toBeLessThan(70 * MS);
    expect(p50("eu-west", "read")).toBeGreaterThan(130 * MS);
    expect(p50("eu-west", "read")).toBeLessThan(145 * MS);
    expect(p50("eu-west", "read")).toBeGreaterThan(p50("us-west", "update"));
    expect(p50("eu-west", "update") - p50("us-west", "update")).toBeGreaterThan(130 * MS);
    // A third of the clients in each region: a third of the operations each.
    for (const figures of Object.values(regions)) {
      expect(figures.all?.ok).toBeGreaterThan((report.ops.all?.ok ?? 0) / 4);
    }
    const sum = Object.values(regions).reduce((total, figures) => total + (figures.all?.ok ?? 0), 0);
    expect(sum).toBe(report.ops.all?.ok);
    expect(report.ops.all?.fail).toBe(0);
  }, 120_000);

  it("reads near every region's clients with read_from nearest", async () => {
    const report = await run("scenarios/raft-clients-three-regions.yaml", [
      "cluster.replication.read_from=nearest",
    ]);
    for (const figures of Object.values(report.client_regions ?? {})) {
      expect(figures.read?.latency_us.p50).toBeLessThan(5 * MS);
    }
  }, 120_000);
});
