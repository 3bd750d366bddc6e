import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkLinearizable } from "../../../workloads/checkers/linearizable.js";
import { HistoryRecorder } from "../../../workloads/client/history-recorder.js";
import type { CompletedOperation } from "../../../workloads/observer.js";
import { ScenarioRun } from "../../../workloads/runner.js";
import { loadScenario } from "../../../workloads/scenario/load.js";

/**
 * Runs a scenario at a seed; returns its operations, its role changes and whether its history is
 * linearizable.
 */
function run(text: string, seed: number, overrides: string[] = [], setup?: (run: ScenarioRun) => void) {
  const { resolved } = loadScenario(text, { overrides });
  const ops: CompletedOperation[] = [];
  const roles: { time_us: number; node: number; role: string }[] = [];
  let history: HistoryRecorder | null = null;
  const scenarioRun = new ScenarioRun(resolved, {
    seed,
    observer: {
      onOperation: (op) => {
        ops.push(op);
        history?.onOperation(op);
      },
      onEngineEvent: (event, time_us) => {
        if (event.type === "role") roles.push({ time_us, node: event.node, role: event.role });
      },
    },
  });
  history = new HistoryRecorder(
    (node) => scenarioRun.nodeNames.get(node) ?? `host${node}`,
    scenarioRun.plugin.history,
  );
  setup?.(scenarioRun);
  scenarioRun.runToEnd();
  const verdict = checkLinearizable(history.toHistory("test"));
  return { run: scenarioRun, ops, roles, linearizable: verdict.valid, reason: verdict.reason };
}

const reads = (consistency: string) => [`cluster.replication.read_consistency=${consistency}`];

describe("read_consistency on the shipped sync failover scenario", () => {
  // The shipped scenario, its tail after the faults cut short (they end at 31 s).
  const shipped = readFileSync("scenarios/replication-sync-failover.yaml", "utf8");
  const shortened = ["duration=26s"];

  it("local is not linearizable at seed 1: a read saw a write the failover then lost", () => {
    const { linearizable, reason } = run(shipped, 1, [...shortened, ...reads("local")]);
    expect(linearizable).toBe(false);
    expect(reason).toContain("cannot be linearized");
  }, 120_000);

  for (const consistency of ["read_index", "lease"]) {
    it(`${consistency} is linearizable on seeds 1..10`, () => {
      for (let seed = 1; seed <= 10; seed++) {
        const { linearizable, reason } = run(shipped, seed, [...shortened, ...reads(consistency)]);
        expect(linearizable, `seed ${seed}: ${reason}`).toBe(true);
      }
    }, 600_000);
  }
});

/**
 * The old leader (n0) is cut off from its followers at 6 s, both ways, but not from the clients;
 * its clock is stepped back by `offset` at 6.05 s, within the lease it then holds. n1 and n2 elect a
 * leader, which acknowledges writes, and crash at 7.5 s: the clients come back to n0.
 */
const clockStep = (offset: string, mode = "sync") => `
name: lease-clock-step
duration: 8s
warmup: 2s
cluster:
  replicas: 3
  replication: { mode: ${mode}, read_consistency: lease, failover: { detect_after: 200ms } }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: b, records: 1000, rate: 2000/s, clients: 32, timeout: 200ms }
faults:
  schedule:
    - { at: 6s, kind: partition, one_way: { from: shard0/n0, to: followers }, for: 3s }
    - { at: 6s, kind: partition, one_way: { from: followers, to: shard0/n0 }, for: 3s }
    - { at: 6050ms, kind: clock_skew, target: shard0/n0, offset: "${offset}" }
    - { at: 7500ms, kind: crash, target: shard0/n1, restart_after: 2s }
    - { at: 7500ms, kind: crash, target: shard0/n2, restart_after: 2s }
`;

/** Reads the old leader n0 answered `ok` after the new leader had acknowledged writes. */
function readsByDeposedLeader(ops: CompletedOperation[], r: ScenarioRun): number {
  const n0 = r.hosts.nodes[0];
  const firstOtherWrite = Math.min(
    ...ops
      .filter((op) => op.op !== "read" && op.result === "ok" && op.node !== n0)
      .map((op) => op.completed_us),
  );
  return ops.filter(
    (op) => op.op === "read" && op.result === "ok" && op.node === n0 && op.completed_us > firstOtherWrite,
  ).length;
}

describe("lease and clock error (max_clock_error: 10ms, the default)", () => {
  it("a leader clock stepped back by 2 s, beyond the bound, serves stale reads: not linearizable", () => {
    const { linearizable, ops, run: r } = run(clockStep("-2s"), 1);
    expect(readsByDeposedLeader(ops, r)).toBeGreaterThan(0);
    expect(linearizable).toBe(false);
  }, 120_000);

  it("a step of 5 ms, within the bound: the old leader stops answering in time, linearizable", () => {
    const { linearizable, ops, run: r } = run(clockStep("-5ms"), 1);
    expect(readsByDeposedLeader(ops, r)).toBe(0);
    expect(linearizable).toBe(true);
  }, 120_000);

  it("read_index uses no clock: the 2 s step changes nothing", () => {
    const { linearizable, ops, run: r } = run(clockStep("-2s"), 1, reads("read_index"));
    expect(readsByDeposedLeader(ops, r)).toBe(0);
    expect(linearizable).toBe(true);
  }, 120_000);
});

describe("raft's lease and clock error (max_clock_error: 10ms, the default)", () => {
  it("a leader clock stepped back by 2 s, beyond the bound, serves stale reads: not linearizable", () => {
    const { linearizable, ops, run: r } = run(clockStep("-2s", "raft"), 1);
    expect(readsByDeposedLeader(ops, r)).toBeGreaterThan(0);
    expect(linearizable).toBe(false);
  }, 120_000);

  it("a step of 5 ms, within the bound: the old leader stops answering in time, linearizable", () => {
    const { linearizable, ops, run: r } = run(clockStep("-5ms", "raft"), 1);
    expect(readsByDeposedLeader(ops, r)).toBe(0);
    expect(linearizable).toBe(true);
  }, 120_000);
});

const SMALL = `
name: reads
duration: 10s
warmup: 1s
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: b, records: 500, rate: 1000/s, clients: 16, timeout: 1s }
`;

describe("confirmed reads on a leader-follower shard", () => {
  const cluster = (consistency: string) => [
    "cluster.replicas=3",
    "cluster.replication.mode=sync",
    `cluster.replication.read_consistency=${consistency}`,
  ];
  /** From 5 s on, messages from the followers to the leader are lost (the leader still sends). */
  const silenceFollowers = (r: ScenarioRun) => {
    const [leader, ...followers] = r.hosts.nodes as number[];
    r.sim.at(5_000_000, () => r.sim.partitionOneWay(followers, [leader as number]));
  };
  const okReadsAt = (ops: CompletedOperation[], from_us: number, to_us: number) =>
    ops.filter((op) => op.op === "read" && op.result === "ok" && op.sent_us >= from_us && op.sent_us < to_us)
      .length;

  it("local answers reads at the leader as long as it believes it leads; read_index none without a majority", () => {
    const local = run(SMALL, 1, cluster("local"), silenceFollowers);
    const readIndex = run(SMALL, 1, cluster("read_index"), silenceFollowers);
    // The leader steps down after detect_after (1 s) without replies.
    expect(okReadsAt(local.ops, 5_050_000, 5_900_000)).toBeGreaterThan(100);
    expect(okReadsAt(readIndex.ops, 5_050_000, 5_900_000)).toBe(0);
  }, 120_000);

  it("lease answers until its lease runs out (detect_after - 2 x max_clock_error), then none", () => {
    const lease = run(SMALL, 1, cluster("lease"), silenceFollowers);
    expect(okReadsAt(lease.ops, 5_050_000, 5_900_000)).toBeGreaterThan(100);
    expect(okReadsAt(lease.ops, 5_990_000, 6_500_000)).toBe(0);
  }, 120_000);

  it("lease: nodes that heard from their leader within detect_after refuse votes, so a follower cut off from it cannot depose it", () => {
    /** Times the first leader stepped down after one follower stopped hearing from it at 3 s. */
    const stepDowns = (consistency: string) => {
      const { roles } = run(SMALL, 1, cluster(consistency), (r) => {
        const [leader, , follower] = r.hosts.nodes as number[];
        r.sim.at(3_000_000, () => r.sim.partitionOneWay([leader as number], [follower as number]));
      });
      return roles.filter((change) => change.node === 0 && change.role === "follower" && change.time_us > 0);
    };
    // read_index: the cut-off follower's vote requests reach the leader, which steps down for their
    // newer term (there is no PreVote), again and again. lease: they are refused; n0 keeps leading.
    expect(stepDowns("read_index").length).toBeGreaterThan(1);
    expect(stepDowns("lease")).toEqual([]);
  }, 120_000);

  it("a new leader logs an entry of its term first, so reads resume after a failover without writes", () => {
    const { ops } = run(SMALL, 1, [...cluster("read_index"), "workload.preset=c"], (r) =>
      r.sim.at(4_000_000, () => r.sim.crash(r.hosts.nodes[0] as number)),
    );
    expect(okReadsAt(ops, 7_000_000, 10_000_000)).toBeGreaterThan(2000);
  }, 120_000);
});
