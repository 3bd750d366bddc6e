import { describe, expect, it } from "vitest";
import type { FinalPhase } from "../../../workloads/final-phase.js";
import type { CompletedOperation } from "../../../workloads/observer.js";
import { ScenarioRun } from "../../../workloads/runner.js";
import { loadScenario } from "../../../workloads/scenario/load.js";

const CLUSTER = `
duration: 4s
warmup: 1s
cluster: { replicas: 3, replication: { mode: async, failover: { detect_after: 300ms } } }
network: { latency: { dist: constant, value: 200us } }
workload: { preset: a, records: 200, rate: 500/s, clients: 8, timeout: 300ms }
final_reads: { enabled: true, settle: 2s }
`;

function run(yaml: string, seed = 1) {
  const ops: CompletedOperation[] = [];
  const engineEvents_us: number[] = [];
  const keys = new Set<string>();
  const scenario = loadScenario(`name: t\n${yaml}`).resolved;
  const r = new ScenarioRun(scenario, {
    seed,
    observer: {
      onOperation(op) {
        ops.push(op);
        if (op.op !== "scan") keys.add(op.key);
      },
      onEngineEvent(_event, time_us) {
        engineEvents_us.push(time_us);
      },
    },
  });
  const result = r.runToEnd();
  return { run: r, ops, engineEvents_us, result, keys: [...keys] };
}

/** Per key, the values the replicas returned, in node order. */
function valuesByKey(phase: FinalPhase): Map<string, (number | null)[]> {
  const byKey = new Map<string, (number | null)[]>();
  for (const read of phase.reads) {
    if (read.target.op === "txn") continue;
    const values = byKey.get(read.target.key) ?? [];
    values.push(read.value);
    byKey.set(read.target.key, values);
  }
  return byKey;
}

describe("the final phase (Jepsen's final reads)", () => {
  it("ends every fault, then reads every key from every replica: a real read each node serves from what it holds", () => {
    // The clients cut off until a heal that never comes, and a follower crashed for good: the final
    // generator ends both (the reads go out from the client host).
    const { run: r, keys } = run(
      `${CLUSTER}faults:
  schedule:
    - { at: 3s, kind: partition, isolate: client }
    - { at: 3500ms, kind: crash, target: shard0/n1 }
`,
    );
    const n1 = r.hosts.nodes[1] as number;
    expect([r.cluster.roleOf(n1), r.sim.isBlocked(r.hosts.client, 0)]).toEqual(["down", true]);
    const phase = r.finalPhase(keys);
    expect(phase.reads_from_us).toBe(phase.healed_us + 2_000_000);
    expect(phase.reads).toHaveLength(keys.length * 3);
    expect(phase.reads.every((read) => read.result === "ok")).toBe(true);
    expect(phase.reads.every((read) => read.sent_us >= phase.reads_from_us)).toBe(true);
    // Key by key, each replica in turn: n0, n1, n2.
    expect(phase.reads.slice(0, 3).map((read) => read.node)).toEqual(r.hosts.nodes);
    // The restarted node and the healed one caught up: every replica holds the same value, its table's.
    for (const [key, values] of valuesByKey(phase)) {
      expect(new Set(values).size, key).toBe(1);
      expect(values[0]).toBe(r.cluster.valueOn(r.hosts.nodes[0] as number, key));
    }
  });

  it("changes none of the run's figures: the same operations, events and trace hash as without it", () => {
    const faults = `faults:\n  schedule:\n    - { at: 2s, kind: partition, isolate: leader, for: 1s }\n`;
    const off = run(`${CLUSTER.replace("enabled: true", "enabled: false")}${faults}`);
    const on = run(`${CLUSTER}${faults}`);
    const phase = on.run.finalPhase(on.keys);
    expect(on.result).toEqual(off.result);
    expect(on.ops).toEqual(off.ops);
    // The observer hears nothing of it (the isolated old leader rejoined during it: a role change).
    expect(on.engineEvents_us).toEqual(off.engineEvents_us);
    expect(phase.end_us).toBeGreaterThan(on.result.virtual_us);
    // What the metrics read stays as the run ended.
    expect([on.run.state.now_us(), on.run.state.events()]).toEqual([on.result.virtual_us, on.result.events]);
    expect(on.run.state.faults).toEqual(off.run.faultLog);
  });

  it("is deterministic: the same seed reads the same values at the same times", () => {
    const a = run(CLUSTER, 5);
    const b = run(CLUSTER, 5);
    expect(a.run.finalPhase(a.keys)).toEqual(b.run.finalPhase(b.keys));
  });

  it("gives up on a replica that never answers after three tries: its value stays unknown", () => {
    const { run: r, keys } = run(CLUSTER);
    // Down through the final reads: crashed as they begin, after the final generator ended the faults.
    const n2 = r.hosts.nodes[2] as number;
    r.sim.at(r.sim.now_us + 2_000_000, () => r.sim.crash(n2));
    const phase = r.finalPhase(keys.slice(0, 2));
    const fromN2 = phase.reads.filter((read) => read.node === n2);
    expect(fromN2).toHaveLength(2);
    for (const read of fromN2) {
      expect(read).toMatchObject({ result: "fail", value: null, error: "timeout" });
      expect(read.completed_us - read.sent_us).toBe(300_000); // the last of three tries
    }
    expect(phase.reads.filter((read) => read.node !== n2).every((read) => read.result === "ok")).toBe(true);
  });

  it.each([
    ["transaction", "txn"],
    ["read_then_write", "read_all"],
  ])("reads a bank's every balance at once from each replica (transfer: %s, a %s)", (transfer, op) => {
    const { run: r } = run(`
duration: 2s
cluster: { replicas: 3 }
network: { latency: { dist: constant, value: 200us } }
workload: { type: bank, bank: { accounts: 5, initial_balance: 10, transfer: ${transfer} }, rate: 200/s, clients: 1 }
final_reads: { enabled: true, settle: 1s }
`);
    const phase = r.finalPhase([]);
    expect(phase.reads).toHaveLength(3);
    for (const read of phase.reads) {
      expect(read.target.op).toBe(op);
      expect(read.records).toHaveLength(5);
      expect(read.records?.reduce((sum, record) => sum + record.value, 0)).toBe(50);
    }
  });
});
