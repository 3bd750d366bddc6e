import { describe, expect, it } from "vitest";
import { ReplicationRecorder } from "../../reports/replication.js";
import type { CompletedOperation } from "../../workloads/observer.js";
import { ScenarioRun } from "../../workloads/runner.js";
import { loadScenario } from "../../workloads/scenario/load.js";

// 2 shards x 5 replicas; each shard's leader crashes, shard0's at 3 s and shard1's at 7 s, while
// the other shard goes on acknowledging writes.
const SCENARIO = `
name: failover-per-shard
duration: 10s
warmup: 1s
cluster:
  shards: 2
  replicas: 5
  replication: { mode: semi-sync, failover: { detect_after: 500ms } }
network: { latency: { dist: lognormal, median: 300us, p99: 3ms } }
workload: { preset: a, records: 2000, rate: 1000/s, clients: 32, timeout: 500ms }
faults:
  schedule:
    - { at: 3s, kind: crash, target: shard0/n0, restart_after: 4s }
    - { at: 7s, kind: crash, target: shard1/n0, restart_after: 3s }
`;

const WRITES = new Set(["update", "insert", "rmw"]);

function recordedRun(overrides: string[] = []) {
  const { resolved } = loadScenario(SCENARIO, { overrides });
  const operations: CompletedOperation[] = [];
  let recorder: ReplicationRecorder | null = null;
  const run = new ScenarioRun(resolved, {
    seed: 1,
    observer: {
      onOperation(op) {
        operations.push(op);
        recorder?.onOperation(op);
      },
      onEngineEvent: (event, time_us) => recorder?.onEngineEvent(event, time_us),
    },
  });
  recorder = new ReplicationRecorder(run.nodeNames);
  run.runToEnd();
  const report = recorder.finish(
    { mode: resolved.cluster.replication.mode, replicas: resolved.cluster.replicas },
    { surviving: run.survivingWrites(), leaders: run.cluster.leaders() },
  );
  return { run, operations, report };
}

/**
 * The gap in the ok writes around `at_us` of `shard` (by the node that answered), or of the whole
 * cluster (shard null), from the history.
 */
function historyGap_s(
  run: ScenarioRun,
  operations: readonly CompletedOperation[],
  shard: number | null,
  at_us: number,
) {
  const ok = operations
    .filter((op) => WRITES.has(op.op) && op.result === "ok")
    .filter((op) => shard === null || run.nodeNames.get(op.node)?.startsWith(`shard${shard}/`))
    .map((op) => op.completed_us)
    .sort((a, b) => a - b);
  const before = ok.filter((t) => t < at_us).at(-1) as number;
  const after = ok.find((t) => t >= at_us) as number;
  return (after - before) / 1e6;
}

describe("ReplicationRecorder failovers", () => {
  const { run, operations, report } = recordedRun();

  it("measures each failover's write outage on its own shard's writes", () => {
    expect(report.failovers.map((f) => [f.shard, f.leader.slice(0, 7)])).toEqual([
      [0, "shard0/"],
      [1, "shard1/"],
    ]);
    for (const f of report.failovers) {
      const gap_s = historyGap_s(run, operations, f.shard, Math.round(f.at_s * 1e6));
      expect(gap_s).toBeGreaterThan(0.5); // at least detect_after: the shard had no leader
      expect(f.write_outage_s).toBeCloseTo(gap_s, 6);
      expect(f.writes_failed_or_timed_out).toBeGreaterThan(0);
    }
  });

  it("attributes every operation to the shard the client routed it to", () => {
    const routed = operations.filter((op) => op.process >= 0 && op.node >= 0);
    expect(routed.length).toBeGreaterThan(5000);
    for (const op of routed) {
      expect(run.nodeNames.get(op.node)?.startsWith(`shard${op.shard}/`), op.key).toBe(true);
    }
  });

  it("with routing: proxy, where clients do not see shards, measures it on the whole cluster's writes", () => {
    const proxied = recordedRun(["cluster.sharding.routing=proxy"]);
    expect(new Set(proxied.operations.map((op) => op.shard))).toEqual(new Set([-1]));
    expect(proxied.report.failovers.map((f) => f.shard)).toEqual([0, 1]);
    for (const f of proxied.report.failovers) {
      const gap_s = historyGap_s(proxied.run, proxied.operations, null, Math.round(f.at_s * 1e6));
      expect(f.write_outage_s).toBeCloseTo(gap_s, 6);
    }
  });
});

describe("the lag of each follower", () => {
  it("has a trend (the least-squares slope over time) and the last entry's lag: falling behind, or caught up", () => {
    const recorder = new ReplicationRecorder(
      new Map([
        [1, "shard0/n1"],
        [2, "shard0/n2"],
      ]),
    );
    for (let s = 1; s <= 10; s++) {
      // n1 falls 50 ms further behind each second; n2 was 1 s behind and catches up.
      recorder.onEngineEvent({ type: "lag", node: 1, lag_us: 50_000 * s }, s * 1_000_000);
      recorder.onEngineEvent({ type: "lag", node: 2, lag_us: s <= 5 ? 1_000_000 : 2_000 }, s * 1_000_000);
    }
    const { lag_us } = recorder.finish({ mode: "async", replicas: 3 }, { surviving: null, leaders: [] });
    expect(lag_us["shard0/n1"]).toMatchObject({ trend_us_per_s: 50_000, last: 500_000, samples: 10 });
    expect(lag_us["shard0/n2"]?.trend_us_per_s).toBeLessThan(0);
    expect(lag_us["shard0/n2"]?.last).toBe(2_000);
  });
});
