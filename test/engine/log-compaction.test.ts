// Logs are compacted past LOG_WINDOW entries, so a run of any length holds a bounded log; the
// writes compaction drops still count as held (lost-write accounting), and a follower that falls
// behind what its leader holds catches up from a snapshot of the leader's state.

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../engine/events.js";
import { LOG_WINDOW, logWrites } from "../../engine/node/log.js";
import { ReplicationRecorder } from "../../reports/replication.js";
import type { CompletedOperation } from "../../workloads/observer.js";
import { ScenarioRun } from "../../workloads/runner.js";
import { loadScenario } from "../../workloads/scenario/load.js";

/** Updates only, fast enough to write more than LOG_WINDOW entries in a few virtual seconds. */
function run(yaml: string, setup?: (run: ScenarioRun) => void) {
  const { resolved } = loadScenario(
    `name: compaction
warmup: 0s
network: { latency: { dist: constant, value: 200us } }
workload: { mix: { update: 1 }, records: 2000, rate: 10000/s, clients: 64, timeout: 1s }
${yaml}`,
  );
  const ops: CompletedOperation[] = [];
  const events: EngineEvent[] = [];
  let recorder: ReplicationRecorder | null = null;
  const r = new ScenarioRun(resolved, {
    seed: 1,
    observer: {
      onOperation: (op) => {
        ops.push(op);
        recorder?.onOperation(op);
      },
      onEngineEvent: (event, time_us) => {
        if (event.type !== "lag") events.push(event);
        recorder?.onEngineEvent(event, time_us);
      },
    },
  });
  recorder = new ReplicationRecorder(r.nodeNames);
  setup?.(r);
  r.runToEnd();
  const replication = recorder.finish(
    { mode: resolved.cluster.replication.mode, replicas: resolved.cluster.replicas },
    { surviving: r.survivingWrites(), leaders: r.cluster.leaders() },
  );
  return { run: r, ops, events, replication };
}

/** Every key's version on two nodes. */
function versions(r: ScenarioRun, node: number): Map<string, number> {
  const out = new Map<string, number>();
  r.cluster.recordsOn(node, 0, (key, value) => out.set(key, value));
  return out;
}

const ackedWrites = (ops: CompletedOperation[]) =>
  ops.filter((op) => op.result === "ok" && op.op === "update" && op.value !== null);

describe("log compaction", () => {
  it("holds at most a window of the log however long the run, and still counts compacted writes as held", () => {
    const { run: r, ops, replication } = run("duration: 14s\ncluster: { replicas: 1 }");
    const disk = r.sim.disk(r.hosts.nodes[0] as number);
    const acked = ackedWrites(ops);
    expect(acked.length).toBeGreaterThan(LOG_WINDOW + 10_000);
    expect(disk.length - disk.firstPosition).toBeLessThanOrEqual(LOG_WINDOW + 4096);
    expect(disk.firstPosition).toBeGreaterThan(0);
    const held = logWrites(disk);
    expect(acked.filter((op) => !held.has(op.value as number))).toHaveLength(0);
    expect(replication.lost_writes).toBe(0);
  });

  it("catches a follower up from a snapshot when its leader no longer holds what it lacks", () => {
    const {
      run: r,
      events,
      replication,
      ops,
    } = run("duration: 16s\ncluster: { replicas: 3, replication: { mode: async } }", (run) => {
      const follower = run.hosts.nodes[2] as number;
      run.sim.at(1_000_000, () => run.sim.crash(follower));
      run.sim.at(14_000_000, () => run.sim.restart(follower));
    });
    const [leader, , follower] = r.hosts.nodes as number[];
    expect(r.cluster.roleOf(leader as number)).toBe("leader");
    const installed = events.filter((e) => e.type === "snapshot");
    expect(installed.map((e) => e.node)).toEqual([follower]);
    expect(replication.snapshots_installed).toBe(1);
    expect(replication.lost_writes).toBe(0);
    r.settle(2_000_000);
    expect(versions(r, follower as number)).toEqual(versions(r, leader as number));
    // The follower's history of writes is its leader's: every acknowledged write is held there too.
    const held = logWrites(r.sim.disk(follower as number));
    expect(ackedWrites(ops).filter((op) => !held.has(op.value as number))).toHaveLength(0);
  });

  it("replaces a deposed leader's divergent log, longer than the window, by a snapshot", () => {
    // The leader and its clients are cut off from the followers for 30 s; with a 20 s lease it
    // accepts writes for 20 s (200,000 entries the others never see), then a follower takes over.
    const {
      run: r,
      events,
      replication,
    } = run(
      "duration: 40s\ncluster: { replicas: 3, replication: { mode: async, failover: { detect_after: 20s } } }",
      (run) => {
        const [old, ...followers] = run.hosts.nodes as number[];
        run.sim.at(2_000_000, () => run.sim.partition([[old as number, run.hosts.client], followers]));
        run.sim.at(32_000_000, () => run.sim.heal());
      },
    );
    const old = r.hosts.nodes[0] as number;
    expect(replication.truncated_entries).toBe(0); // nothing below the window can be truncated: a snapshot replaces it
    expect(events.some((e) => e.type === "snapshot" && e.node === old)).toBe(true);
    expect(replication.lost_writes).toBeGreaterThan(100_000); // async: what the old leader acknowledged alone is gone
    r.settle(2_000_000);
    const leader = r.cluster.leaders()[0] as number;
    expect(leader).not.toBe(old);
    expect(versions(r, old)).toEqual(versions(r, leader));
  });
});
