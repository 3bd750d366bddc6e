// Raft (`cluster.replication.mode: raft`, engine/replication/raft.ts): majority commit, elections
// with PreVote and CheckQuorum, reads through the leader, snapshots for a far-behind follower.

import { describe, expect, it } from "vitest";
import { executeRun } from "../../../cli/execute.js";
import { readScenarioFile } from "../../../cli/scenario-file.js";
import type { EngineEvent } from "../../../engine/events.js";
import { logWrites } from "../../../engine/node/log.js";
import type { CompletedOperation } from "../../../workloads/observer.js";
import { ScenarioRun } from "../../../workloads/runner.js";
import { loadScenario } from "../../../workloads/scenario/load.js";

const SCENARIO = "scenarios/raft-failover.yaml";

async function verdicts(overrides: string[], seed: number) {
  const { report } = await executeRun(readScenarioFile(SCENARIO, overrides), seed, { metrics: false });
  return Object.fromEntries(Object.entries(report.checks).map(([name, result]) => [name, result.valid]));
}

/** A 3-replica Raft shard under YCSB-A at 2000/s for `duration`, with faults set by `setup`. */
function run(
  duration: string,
  setup: (run: ScenarioRun) => void,
  { mode = "raft", workload = "{ preset: a, records: 2000, rate: 2000/s, clients: 32, timeout: 1s }" } = {},
) {
  const { resolved } = loadScenario(`name: raft
warmup: 0s
duration: ${duration}
cluster:
  replicas: 3
  replication: { mode: ${mode}, read_consistency: read_index, failover: { detect_after: 1s } }
  node: { fsync_policy: always }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: ${workload}`);
  const ops: CompletedOperation[] = [];
  const events: { time_us: number; event: EngineEvent }[] = [];
  const r = new ScenarioRun(resolved, {
    seed: 1,
    observer: {
      onOperation: (op) => ops.push(op),
      onEngineEvent: (event, time_us) => {
        if (event.type !== "lag") events.push({ time_us, event });
      },
    },
  });
  setup(r);
  r.runToEnd();
  const roles = events.flatMap(({ time_us, event }) =>
    event.type === "role" ? [{ time_us, ...event }] : [],
  );
  return { run: r, ops, events, roles };
}

describe("raft", () => {
  it("ships nothing for a write that finishes after its leader stepped down (two leaders in one term, seed 2)", async () => {
    // The random nemesis paused the leader of term 4 mid-write; resumed, it stepped down to term 5
    // and its write's CPU work then ended: it used to ship the entry as term 5's "leader".
    const overrides = [
      "cluster.replication.mode=raft",
      "cluster.replicas=5",
      "cluster.replication.read_consistency=lease",
      "faults.random.skew_max=10ms",
      "checks=[linearizable,lost_writes,liveness]",
      "liveness={within: 3s}",
    ];
    const scenario = readScenarioFile("scenarios/replication-random-nemesis.yaml", overrides);
    const { report } = await executeRun(scenario, 2, { metrics: false, files: "failed" });
    expect(Object.values(report.checks).map((check) => check.valid)).toEqual([true, true, true]);
  }, 120_000);

  it("keeps 3 and 5 replicas linearizable, losing no acknowledged write, through a minority partition, a leader crash and an isolated follower", async () => {
    for (const replicas of [3, 5]) {
      for (const seed of [1, 2, 3]) {
        const result = await verdicts([`cluster.replicas=${replicas}`], seed);
        expect(result, `${replicas} replicas, seed ${seed}`).toEqual({
          linearizable: true,
          lost_writes: true,
          stale_reads: true,
          liveness: true,
        });
      }
    }
  }, 600_000);

  it("commits nothing on a minority: a leader cut off with it acknowledges no write from then on", () => {
    const {
      run: r,
      ops,
      roles,
    } = run("12s", (run) => {
      const [leader, a, b] = run.hosts.nodes as number[];
      run.sim.at(4_000_000, () =>
        run.sim.partition([[leader as number, run.hosts.client, a as number], [b as number]]),
      );
      run.sim.at(5_000_000, () => run.sim.crash(a as number));
      run.sim.at(10_000_000, () => run.sim.heal());
    });
    const leader = r.hosts.nodes[0] as number;
    // Alone with the clients from 5 s (its one follower crashed), it acknowledges nothing after the
    // writes in flight then, and steps down within detect_after (CheckQuorum).
    const late = ops.filter((op) => op.op !== "read" && op.result === "ok" && op.node === leader);
    expect(late.filter((op) => op.sent_us > 5_100_000 && op.completed_us < 10_000_000)).toEqual([]);
    const stepDown = roles.find((e) => e.node === leader && e.role === "follower" && e.time_us > 5_000_000);
    expect(stepDown?.time_us).toBeLessThan(5_000_000 + 1_000_000 + 200_000 + 1);
  }, 120_000);

  it("is not disrupted by a follower cut off and rejoining (PreVote): no election, the term stays", () => {
    const isolate = (run: ScenarioRun) => {
      const follower = run.hosts.nodes[2] as number;
      run.sim.at(3_000_000, () => {
        const others = run.hosts.nodes.filter((n) => n !== follower);
        const cut = run.sim.partition([[follower], [...others, run.hosts.client]]);
        run.sim.at(8_000_000, () => run.sim.repair(cut));
      });
    };
    const raft = run("12s", isolate);
    expect(raft.roles.filter((e) => e.role !== "follower")).toEqual([
      expect.objectContaining({ node: raft.run.hosts.nodes[0], role: "leader", term: 1 }),
    ]);
    expect(raft.run.cluster.leaders()).toEqual([raft.run.hosts.nodes[0]]);
    // Leader-follower bumps its term in each election it starts cut off, and deposes the leader.
    const sync = run("12s", isolate, { mode: "sync" });
    expect(sync.roles.filter((e) => e.role === "leader").length).toBeGreaterThan(1);
  }, 120_000);

  it("catches a follower up from a snapshot once its leader compacted what it lacks", () => {
    const {
      run: r,
      events,
      ops,
    } = run(
      "18s",
      (run) => {
        const follower = run.hosts.nodes[2] as number;
        run.sim.at(500_000, () => run.sim.crash(follower));
        run.sim.at(15_000_000, () => run.sim.restart(follower));
      },
      { workload: "{ mix: { update: 1 }, records: 2000, rate: 10000/s, clients: 64, timeout: 1s }" },
    );
    const [leader, , follower] = r.hosts.nodes as number[];
    const installed = events.filter(({ event }) => event.type === "snapshot").map(({ event }) => event);
    expect(installed).toEqual([expect.objectContaining({ node: follower })]);
    r.settle(2_000_000);
    const on = (node: number) => {
      const out = new Map<string, number>();
      r.cluster.recordsOn(node, 0, (key, value) => out.set(key, value));
      return out;
    };
    expect(on(follower as number)).toEqual(on(leader as number));
    // Its history of writes is its leader's: every acknowledged write is held there too.
    const held = logWrites(r.sim.disk(follower as number));
    const acked = ops.filter((op) => op.result === "ok" && op.op === "update" && op.value !== null);
    expect(acked.length).toBeGreaterThan(100_000);
    expect(acked.filter((op) => !held.has(op.value as number))).toEqual([]);
  }, 120_000);

  it("is deterministic: the same seed gives the same trace hash", async () => {
    const trace = async () =>
      (await executeRun(readScenarioFile(SCENARIO, []), 4, { metrics: false })).report.trace_hash;
    expect(await trace()).toBe(await trace());
  }, 120_000);
});
