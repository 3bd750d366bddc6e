// Multi-leader across restarts: a restarted node catches up on its peers' writes and they get its
// own, so once every fault has ended and the cluster has settled every replica holds the same data.

import { describe, expect, it } from "vitest";
import type { FinalPhase } from "../../../workloads/final-phase.js";
import { ScenarioRun } from "../../../workloads/runner.js";
import { loadScenario } from "../../../workloads/scenario/load.js";

const CLUSTER = `
duration: 8s
warmup: 1s
cluster: { replicas: 3, replication: { mode: multi-leader, failover: { detect_after: 500ms } } }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: a, records: 300, rate: 800/s, clients: 16, timeout: 500ms }
final_reads: { enabled: true, settle: 3s }
`;

function run(faults: string, seed: number, overrides: string[] = []) {
  const keys = new Set<string>();
  /** The node that took each write, by its value. */
  const writer = new Map<number, number>();
  const scenario = loadScenario(`name: t\n${CLUSTER}${faults}`, { overrides }).resolved;
  const r = new ScenarioRun(scenario, {
    seed,
    observer: {
      onOperation(op) {
        if (op.op !== "scan") keys.add(op.key);
        if (op.op === "update" && op.value !== null && op.node !== null) writer.set(op.value, op.node);
      },
    },
  });
  const { trace_hash } = r.runToEnd();
  const phase = r.finalPhase([...keys]);
  return { run: r, phase, trace_hash, writer };
}

/** The keys whose final reads returned different values from different replicas. */
function divergedKeys(phase: FinalPhase): string[] {
  const values = new Map<string, Set<number | null>>();
  for (const read of phase.reads) {
    if (read.target.op === "txn") continue;
    const seen = values.get(read.target.key) ?? new Set();
    seen.add(read.value);
    values.set(read.target.key, seen);
  }
  return [...values].filter(([, seen]) => seen.size > 1).map(([key]) => key);
}

describe("multi-leader: a restarted node", () => {
  it("catches up and is caught up: after a crash under load, every replica holds the same data", () => {
    const { run: r, phase } = run(
      "faults:\n  schedule:\n    - { at: 3s, kind: crash, target: shard0/n1, restart_after: 1s }\n",
      1,
    );
    expect(phase.reads.every((read) => read.result === "ok")).toBe(true);
    expect(divergedKeys(phase)).toEqual([]);
    // Its table too, key by key, is its peers'.
    const [n0, n1, n2] = r.hosts.nodes as number[];
    for (const read of phase.reads) {
      if (read.target.op === "txn" || read.node !== n0) continue;
      const key = read.target.key;
      const on = (node: number | undefined) => r.cluster.valueOn(node as number, key);
      expect([on(n1), on(n2)], key).toEqual([on(n0), on(n0)]);
    }
  }, 120_000);

  it("restarted at once, while its previous life's messages are still in flight: converged", () => {
    const { phase } = run(
      "faults:\n  schedule:\n" +
        "    - { at: 3s, kind: crash, target: shard0/n0, restart_after: 0s }\n" +
        "    - { at: 3200ms, kind: crash, target: shard0/n2, restart_after: 1ms }\n",
      2,
    );
    expect(divergedKeys(phase)).toEqual([]);
  }, 120_000);

  it("fsync never: a crash takes its log back to the start, and its peers push it everything again", () => {
    // Its peers had dropped from memory the writes every replica held: they read them back from
    // their logs. (The node's own writes lost in the crash stay on its peers only.)
    const {
      run: r,
      phase,
      writer,
    } = run(
      "faults:\n  schedule:\n    - { at: 10s, kind: crash, target: shard0/n1, restart_after: 500ms }\n",
      1,
      ["duration=12s", "cluster.node.fsync_policy=never", "workload.records=5000"],
    );
    const [n0, n1, n2] = r.hosts.nodes as number[];
    let checked = 0;
    for (const read of phase.reads) {
      if (read.target.op === "txn" || read.node !== n0 || read.value === null) continue;
      if (writer.get(read.value) === n1) continue;
      const key = read.target.key;
      const on = (node: number | undefined) => r.cluster.valueOn(node as number, key);
      expect([on(n1), on(n2)], key).toEqual([read.value, read.value]);
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  }, 120_000);

  it("random crashes, partitions and pauses, seeds 1..5: converged at the end; the same seed, the same trace", () => {
    const nemesis =
      "faults:\n  random: { every: 700ms, kinds: [crash, partition, pause], for: { min: 100ms, max: 1500ms } }\n";
    for (let seed = 1; seed <= 5; seed++) {
      const first = run(nemesis, seed);
      const crashes = first.run.faultLog.filter(
        (fault) => fault.kind === "crash" && fault.targets.length > 0,
      );
      expect(crashes.length, `seed ${seed}`).toBeGreaterThan(0);
      expect(
        first.phase.reads.every((read) => read.result === "ok"),
        `seed ${seed}`,
      ).toBe(true);
      expect(divergedKeys(first.phase), `seed ${seed}`).toEqual([]);
      expect(run(nemesis, seed).trace_hash, `seed ${seed}`).toBe(first.trace_hash);
    }
  }, 600_000);
});
