// Raft membership changes (engine/replication/membership.ts, raft.ts): a replica added as a learner
// and promoted, a replica removed, the leader removed, a crash during a change; a learner never
// counts toward commit.

import { describe, expect, it } from "vitest";
import { executeRun } from "../../../cli/execute.js";
import { readScenarioFile } from "../../../cli/scenario-file.js";
import type { EngineEvent } from "../../../engine/events.js";
import type { CompletedOperation } from "../../../workloads/observer.js";
import { ScenarioRun } from "../../../workloads/runner.js";
import { loadScenario } from "../../../workloads/scenario/load.js";

const SCENARIO = "scenarios/raft-membership.yaml";

async function report(overrides: string[], seed: number) {
  return (await executeRun(readScenarioFile(SCENARIO, overrides), seed, { metrics: false })).report;
}

function validity(checks: Record<string, { valid: boolean | "unknown" }>) {
  return Object.fromEntries(Object.entries(checks).map(([name, result]) => [name, result.valid]));
}

/** A 3-replica Raft shard under YCSB-A with the given `changes`, faults set by `setup`. */
function run(duration: string, changes: string, setup: (run: ScenarioRun) => void) {
  const { resolved } = loadScenario(`name: raft-membership
warmup: 0s
duration: ${duration}
cluster:
  replicas: 3
  replication: { mode: raft, read_consistency: read_index, failover: { detect_after: 1s } }
  node: { fsync_policy: always }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: a, records: 2000, rate: 2000/s, clients: 32, timeout: 1s }
changes: ${changes}`);
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
  return { run: r, ops, events };
}

describe("raft membership", () => {
  it("adds then removes a replica under load, and survives a leader crash, at seeds 1..5", async () => {
    const overrides = [
      "faults.schedule=[{at: 25s, kind: crash, target: leader, restart_after: 2s}]",
      "checks=[linearizable,lost_writes,liveness]",
    ];
    for (const seed of [1, 2, 3, 4, 5]) {
      const result = await report(overrides, seed);
      expect(validity(result.checks), `seed ${seed}`).toEqual({
        linearizable: true,
        lost_writes: true,
        liveness: true,
      });
      // n3 added as a learner, promoted, n1 removed, then the leader (whichever it is) removed.
      const changes = result.replication.membership_changes ?? [];
      expect(changes.slice(0, 3).map((c) => [c.voters, c.learners])).toEqual([
        [["shard0/n0", "shard0/n1", "shard0/n2"], ["shard0/n3"]],
        [["shard0/n0", "shard0/n1", "shard0/n2", "shard0/n3"], []],
        [["shard0/n0", "shard0/n2", "shard0/n3"], []],
      ]);
      expect(changes[3]?.voters, `seed ${seed}`).toHaveLength(2);
    }
  }, 600_000);

  it("never counts a learner toward commit: a leader cut off with only its learner acknowledges nothing", () => {
    // From 9.9 s the leader and the spare n3 (with the clients) are cut off from the two other
    // voters. At 10 s n3 joins as a learner: that configuration cannot commit, so n3 stays a
    // learner. Counted, the learner would make a majority of two with the leader.
    const {
      run: r,
      ops,
      events,
    } = run("14s", "[{ at: 10s, kind: add_replica, shard: 0 }]", (run) => {
      const [leader, a, b, spare] = run.hosts.nodes as number[];
      run.sim.at(9_900_000, () => {
        const cut = run.sim.partition([
          [leader as number, spare as number, run.hosts.client],
          [a as number, b as number],
        ]);
        run.sim.at(13_000_000, () => run.sim.repair(cut));
      });
    });
    const leader = r.hosts.nodes[0] as number;
    const acked = ops.filter(
      (op) => op.op !== "read" && op.result === "ok" && op.node === leader && op.sent_us > 10_000_000,
    );
    expect(acked.filter((op) => op.completed_us < 13_000_000)).toEqual([]);
    // CheckQuorum does not count it either: the leader steps down within detect_after of the cut.
    const stepDown = events.find(
      ({ time_us, event }) =>
        event.type === "role" && event.node === leader && event.role === "follower" && time_us > 9_900_000,
    );
    expect(stepDown?.time_us).toBeLessThan(9_900_000 + 1_000_000 + 200_000 + 1);
  }, 120_000);

  it("removes the leader: it steps down once its removal commits and never campaigns again", () => {
    const { run: r, events } = run(
      "10s",
      "[{ at: 4s, kind: remove_replica, shard: 0, replica: leader }]",
      () => {},
    );
    const [n0, n1, n2] = r.hosts.nodes as number[];
    const removal = events.find(({ event }) => event.type === "membership");
    expect(removal?.event).toMatchObject({ node: n0, voters: [n1, n2], learners: [] });
    const removedAt = removal?.time_us as number;
    const roles = events.flatMap(({ time_us, event }) =>
      event.type === "role" ? [{ time_us, ...event }] : [],
    );
    // Its step-down is the first role change from n0, at the commit of its removal.
    expect(roles.find((e) => e.node === n0 && e.time_us > 0)).toMatchObject({
      role: "follower",
      time_us: removedAt,
    });
    expect(roles.filter((e) => e.node === n0 && e.time_us > removedAt && e.role !== "follower")).toEqual([]);
    const newLeader = roles.find((e) => e.role === "leader" && e.time_us > removedAt);
    expect([n1, n2]).toContain(newLeader?.node);
    expect(r.cluster.membersOf(0)).toEqual([n1, n2]);
    expect(
      r.cluster
        .nodeStates()
        .filter((node) => node.in_service)
        .map((node) => node.id),
    ).toEqual([n1, n2]);
  }, 120_000);

  it("survives a crash of the leader as it starts a change: the change is done once, by whichever leader", async () => {
    // The leader logs n1's removal on its first tick at or after 20 s (ticks: 200 ms) and crashes
    // right after, before a majority can hold the entry or just after: both ways end with n1 out.
    for (const at of ["20001ms", "20100ms"]) {
      const result = await report(
        [
          `faults.schedule=[{at: ${at}, kind: crash, target: leader, restart_after: 2s}]`,
          "checks=[linearizable,lost_writes,liveness]",
          "changes=[{at: 10s, kind: add_replica, shard: 0}, {at: 20s, kind: remove_replica, shard: 0, replica: 1}]",
        ],
        1,
      );
      expect(validity(result.checks), at).toEqual({ linearizable: true, lost_writes: true, liveness: true });
      const last = result.replication.membership_changes?.at(-1);
      expect(last?.voters, at).toEqual(["shard0/n0", "shard0/n2", "shard0/n3"]);
    }
  }, 300_000);

  it("gives the same trace for the same seed", async () => {
    const first = await report([], 3);
    const second = await report([], 3);
    expect(second.trace_hash).toBe(first.trace_hash);
    expect(second.replication.membership_changes).toEqual(first.replication.membership_changes);
  }, 120_000);
});
