// The rebalancer (`cluster.rebalance`) through whole runs: it evens out a packed cluster, learns
// only from messages (a coordinator cut off plans nothing new), and one seed gives one trace.

import { describe, expect, it } from "vitest";
import { ScenarioRun } from "../../workloads/runner.js";
import { loadScenario } from "../../workloads/scenario/load.js";

const SLOW = 180_000;

function start(yaml: string, seed = 1): ScenarioRun {
  return new ScenarioRun(loadScenario(`name: t\n${yaml}`).resolved, {
    seed,
    observer: { onOperation: () => {} },
  });
}

const PACKED = `
duration: 30s
warmup: 1s
cluster:
  shards: 6
  replicas: 3
  nodes: 4
  range_placement: packed
  rebalance: { every: 500ms, dead_after: 2s }
  sharding: { strategy: range }
  replication: { mode: raft, failover: { detect_after: 500ms } }
workload: { preset: a, records: 600, rate: 300/s, clients: 8, timeout: 1s }
`;

/** Requests the coordinator sent to move a replica or transfer a lease, so far. */
function actionsSent(run: ScenarioRun): number {
  const kinds = run.sim.messagesByKind();
  return (kinds.get("move_replica") ?? 0) + (kinds.get("transfer_leadership") ?? 0);
}

describe("the rebalancer in a run", () => {
  it(
    "evens out replicas and leaseholders over the nodes of a packed cluster",
    () => {
      const run = start(PACKED);
      run.runToEnd();
      const spread = run.cluster.rangeSpread();
      // 18 replicas over 4 nodes: 4 or 5 each; 6 leaseholders: 1 or 2 each.
      for (const n of spread?.ranges ?? []) expect(n).toBeGreaterThanOrEqual(4);
      for (const n of spread?.leaseholders ?? []) expect(n).toBeGreaterThanOrEqual(1);
      expect(spread?.moves).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    "learns only from messages: cut off from every node, it does not up-replicate a crashed node",
    () => {
      const crash = `${PACKED}faults: { schedule: [{ at: 22s, kind: crash, target: node3, restart_after: 8s }] }`;
      const cutOff = start(crash);
      cutOff.advance(Number.MAX_SAFE_INTEGER, 21_000_000);
      const before = actionsSent(cutOff);
      cutOff.sim.isolate(cutOff.hosts.coordinator as number);
      cutOff.runToEnd();
      expect(actionsSent(cutOff)).toBe(before);
      // Told, it does: the same run without the cut moves node3's replicas off it.
      const told = start(crash);
      told.advance(Number.MAX_SAFE_INTEGER, 21_000_000);
      expect(actionsSent(told)).toBe(before);
      told.runToEnd();
      expect(actionsSent(told)).toBeGreaterThan(before);
      expect(told.cluster.rangeSpread()?.ranges[3]).toBe(0);
    },
    SLOW,
  );

  it(
    "the same seed gives the same trace hash",
    () => {
      const nemesis = `${PACKED}faults: { random: { every: 2s, for: { min: 200ms, max: 1s } } }`;
      const a = start(nemesis, 3).runToEnd();
      const b = start(nemesis, 3).runToEnd();
      expect(a.trace_hash).toBe(b.trace_hash);
      expect(a.events).toBe(b.events);
    },
    SLOW,
  );
});
