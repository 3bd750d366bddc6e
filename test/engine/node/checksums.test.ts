// Checksummed log entries (engine/node/log.ts, cluster.node.disk.checksums) on a 3-replica Raft
// shard: a corrupt or torn entry is found and taken out of the log, never applied or shipped; with
// checksums off it is read as data (its write dropped wherever it is applied).

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../../engine/events.js";
import { ScenarioRun } from "../../../workloads/runner.js";
import { loadScenario } from "../../../workloads/scenario/load.js";

function raft(checksums: boolean, setup: (run: ScenarioRun) => void) {
  const { resolved } = loadScenario(`name: checksums
warmup: 0s
duration: 5s
cluster:
  replicas: 3
  replication: { mode: raft, read_consistency: read_index, failover: { detect_after: 1s } }
  node: { fsync_policy: always, disk: { checksums: ${checksums} } }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { mix: { update: 1 }, records: 2000, rate: 2000/s, clients: 32, timeout: 1s }`);
  const events: EngineEvent[] = [];
  const run = new ScenarioRun(resolved, {
    seed: 1,
    observer: { onOperation: () => {}, onEngineEvent: (event) => events.push(event) },
  });
  setup(run);
  run.runToEnd();
  run.settle(2_000_000);
  const recordsOn = (node: number) => {
    const out = new Map<string, number>();
    run.cluster.recordsOn(node, 0, (key, value) => out.set(key, value));
    return out;
  };
  return { run, events, recordsOn };
}

/**
 * A follower is down from 0.5 s to 3 s; at 2 s, 50 of the leader's entries it will need are
 * corrupted (every 20th from the follower's end on).
 */
function corruptWhatALaggingFollowerNeeds(run: ScenarioRun): void {
  const [leader, , follower] = run.hosts.nodes as number[];
  run.sim.at(500_000, () => run.sim.crash(follower as number));
  run.sim.at(2_000_000, () => {
    const from = run.sim.disk(follower as number).length;
    for (let i = 0; i < 50; i++) run.sim.disk(leader as number).corruptAt(from + 20 * i);
  });
  run.sim.at(3_000_000, () => run.sim.restart(follower as number));
}

describe("checksums", () => {
  it("never ship a corrupt entry: the leader drops it (its data holds it), the follower converges", () => {
    const { run, events, recordsOn } = raft(true, corruptWhatALaggingFollowerNeeds);
    const [leader, , follower] = run.hosts.nodes as number[];
    const found = events.filter((e) => e.type === "corruption");
    expect(found).toEqual([expect.objectContaining({ node: leader, corrupt: 50 })]);
    expect(events.some((e) => e.type === "snapshot" && e.node === follower)).toBe(true);
    expect(recordsOn(follower as number)).toEqual(recordsOn(leader as number));
  }, 120_000);

  it("off: the leader ships the corrupt entries as data, and the follower's data differs", () => {
    const { run, events, recordsOn } = raft(false, corruptWhatALaggingFollowerNeeds);
    const [leader, , follower] = run.hosts.nodes as number[];
    expect(events.some((e) => e.type === "corruption")).toBe(false);
    expect(recordsOn(follower as number)).not.toEqual(recordsOn(leader as number));
  }, 120_000);

  it("cut a torn entry out on restart, and the replicas converge", () => {
    const { run, events, recordsOn } = raft(true, (run) => {
      const leader = run.hosts.nodes[0] as number;
      run.sim.at(2_000_000, () => expect(run.sim.crash(leader, true)).toBeGreaterThan(0));
      run.sim.at(3_000_000, () => run.sim.restart(leader));
    });
    const [leader, n1, n2] = run.hosts.nodes as number[];
    expect(events.filter((e) => e.type === "corruption")).toEqual([
      { type: "corruption", node: leader, corrupt: 1, dropped: 1 },
    ]);
    expect(recordsOn(leader as number)).toEqual(recordsOn(n1 as number));
    expect(recordsOn(n2 as number)).toEqual(recordsOn(n1 as number));
  }, 120_000);
});
