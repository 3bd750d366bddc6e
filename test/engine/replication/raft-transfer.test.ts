// Raft leadership transfer (engine/replication/leader-transfer.ts, raft.ts; dissertation 3.10): the
// leader parks writes, brings the target up to date, sends it TimeoutNow; the target is elected at
// once. Safe under load, waits for a lagging target, and gives up after an election timeout when
// the target is gone. (Its write outage against a failover's: test/cli/raft-leader-transfer-scenario.test.ts.)

import { describe, expect, it } from "vitest";
import { executeRun } from "../../../cli/execute.js";
import { readScenarioFile } from "../../../cli/scenario-file.js";
import { addShard, builtInProtocol } from "../../../engine/cluster.js";
import type { EngineEvent } from "../../../engine/events.js";
import type { TransferLeadership } from "../../../engine/replication/leader-transfer.js";
import type { Report } from "../../../reports/report-schema.js";
import { Simulation } from "../../../sim/simulation.js";

const SCENARIO = "scenarios/raft-leader-transfer.yaml";

async function report(overrides: string[], seed = 1): Promise<Report> {
  const scenario = readScenarioFile(SCENARIO, overrides);
  return (await executeRun(scenario, seed, { metrics: false, files: "failed" })).report;
}

function verdicts(r: Report): Record<string, boolean | "unknown"> {
  return Object.fromEntries(Object.entries(r.checks).map(([name, check]) => [name, check.valid]));
}

/** The scenario's two transfers (10 s, 20 s) without its crash, in a run of 24 s. */
const TRANSFERS_ONLY = [
  "duration=19s",
  "faults.schedule=[]",
  "checks=[linearizable,lost_writes,stale_reads]",
];
/** One transfer, to shard0/n2 at 10 s, in a run of 15 s. */
const ONE_TRANSFER = [
  ...TRANSFERS_ONLY,
  "duration=10s",
  "changes=[{at: 10s, kind: transfer_leader, shard: 0, to: 2}]",
];

describe("raft leadership transfer", () => {
  it("keeps every check under load, read_index and lease, seeds 1..5", async () => {
    for (const reads of ["read_index", "lease"])
      for (const seed of [1, 2, 3, 4, 5]) {
        const r = await report([...TRANSFERS_ONLY, `cluster.replication.read_consistency=${reads}`], seed);
        const what = `${reads}, seed ${seed}`;
        expect(verdicts(r), what).toEqual({ linearizable: true, lost_writes: true, stale_reads: true });
        expect(
          r.replication?.leader_transfers?.map((t) => [t.from, t.to, t.done]),
          what,
        ).toEqual([
          ["shard0/n0", "shard0/n2", true],
          ["shard0/n2", "shard0/n0", true],
        ]);
        expect(r.replication?.lost_writes, what).toBe(0);
      }
  }, 600_000);

  it("waits for a lagging target: TimeoutNow goes once it holds the leader's whole log", async () => {
    // shard0/n2 is cut off from 5 s to 10.3 s: the transfer asked at 10 s can only finish after (and
    // before it would be aborted, at 11 s: the leader probes it every 2 ticks, 0.4 s, then catches it up).
    const r = await report([
      ...ONE_TRANSFER,
      "faults.schedule=[{at: 5s, kind: partition, isolate: shard0/n2, nodes_only: true, for: 5.3s}]",
    ]);
    const [transfer] = r.replication?.leader_transfers ?? [];
    expect(transfer).toMatchObject({ from: "shard0/n0", to: "shard0/n2", done: true, term: 2 });
    expect(transfer?.at_s).toBeGreaterThan(10.3);
    expect(transfer?.at_s).toBeLessThan(11);
    expect(verdicts(r)).toEqual({ linearizable: true, lost_writes: true, stale_reads: true });
  }, 300_000);

  it("gives up after an election timeout when the target crashed: the leader goes on serving", async () => {
    const r = await report([
      ...ONE_TRANSFER,
      "faults.schedule=[{at: 9.9s, kind: crash, target: shard0/n2, restart_after: 5s}]",
    ]);
    const transfers = r.replication?.leader_transfers ?? [];
    expect(transfers.map((t) => [t.from, t.to, t.done, t.term])).toEqual([
      ["shard0/n0", "shard0/n2", false, 1],
    ]);
    expect(transfers[0]?.at_s).toBeGreaterThanOrEqual(11);
    expect(transfers[0]?.at_s).toBeLessThan(11.3);
    expect(r.replication?.failovers).toEqual([]);
    expect(r.replication?.leaders_at_end).toEqual(["shard0/n0"]);
    // Writes went on after the abort: the parked ones served, the new ones acknowledged.
    expect(r.ops.update?.ok).toBeGreaterThan(0.99 * (r.ops.update?.count ?? 0));
    expect(verdicts(r)).toEqual({ linearizable: true, lost_writes: true, stale_reads: true });
  }, 300_000);

  it("is started by a transfer_leadership message from any host, which replicas that do not lead ignore", () => {
    const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 500 } });
    const events: { time_us: number; event: EngineEvent }[] = [];
    const shard = addShard(sim, {
      replicas: 3,
      protocol: builtInProtocol("raft"),
      load: { count: 10, key: (n) => `k${n}`, value: 0 },
      events: (event) => events.push({ time_us: sim.now_us, event }),
    });
    const [n0, n1] = shard.nodes as number[];
    // An operator host that asks every replica, at 3 s, to hand leadership to shard0/n1.
    sim.addHost("operator", () => ({
      onStart: (ctx) => ctx.setTimer(3_000_000, 0),
      onMessage: () => {},
      onTimer: (ctx) => {
        const ask: TransferLeadership = { kind: "transfer_leadership", digest: 0, to: n1 as number };
        for (const node of shard.nodes) ctx.send(node, ask);
      },
    }));
    sim.run({ until_us: 5_000_000 });
    const transfers = events.flatMap(({ time_us, event }) =>
      event.type === "leader_transfer" ? [{ time_us, ...event }] : [],
    );
    expect(transfers).toEqual([expect.objectContaining({ node: n1, from: n0, to: n1, done: true, term: 2 })]);
    expect(transfers[0]?.time_us).toBeLessThan(3_010_000);
    const leaders = events.flatMap(({ event }) =>
      event.type === "role" && event.role === "leader" ? [[event.node, event.term]] : [],
    );
    expect(leaders).toEqual([
      [n0, 1],
      [n1, 2],
    ]);
  }, 120_000);
});
