import { describe, expect, it } from "vitest";
import { registerChecks } from "../../../workloads/checkers/checks.js";
import { HistoryRecorder } from "../../../workloads/client/history-recorder.js";
import type { RmwRead } from "../../../workloads/generators/ycsb/ycsb-client.js";
import type { CompletedOperation } from "../../../workloads/observer.js";
import { ScenarioRun } from "../../../workloads/runner.js";
import { loadScenario } from "../../../workloads/scenario/load.js";

/** A read-modify-write's read: its detail (YcsbClientWorkload.detail). */
const readOf = (op: CompletedOperation) => op.detail as RmwRead | undefined;

// YCSB F (reads and read-modify-writes) on a few hot keys while the leader is paused, then crashed:
// many rmws time out during their read, and some during their update.
const SCENARIO = `
name: rmw-history
duration: 6s
warmup: 500ms
cluster: { replicas: 3, replication: { mode: sync, failover: { detect_after: 300ms } } }
network: { latency: { dist: lognormal, median: 300us, p99: 3ms } }
workload: { preset: f, records: 20, rate: 1000/s, clients: 16, timeout: 200ms }
faults:
  schedule:
    - { at: 1500ms, kind: pause, target: leader, for: 1s }
    - { at: 3500ms, kind: crash, target: leader, restart_after: 1s }
`;

interface HistoryEvent {
  process: number;
  type: string;
  f: string;
  key: string;
  value: number | null;
}

function recordedRun(): { operations: CompletedOperation[]; recorder: HistoryRecorder; run: ScenarioRun } {
  const operations: CompletedOperation[] = [];
  let recorder: HistoryRecorder | null = null;
  const run = new ScenarioRun(loadScenario(SCENARIO).resolved, {
    seed: 1,
    observer: {
      onOperation(op) {
        operations.push(op);
        recorder?.onOperation(op);
      },
    },
  });
  recorder = new HistoryRecorder((node) => run.nodeNames.get(node) ?? `host${node}`, run.plugin.history);
  run.runToEnd();
  return { operations, recorder, run };
}

describe("a read-modify-write in the history", () => {
  const { operations, recorder, run } = recordedRun();
  const events = [...recorder.jsonlChunks()]
    .join("")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as HistoryEvent);
  const rmws = operations.filter((op) => op.op === "rmw" && op.process >= 0);

  it("is a read, then a write of the value its update carried, only if the update was sent", () => {
    // The run has rmws that timed out in their read and in their update.
    const readTimedOut = rmws.filter((op) => readOf(op)?.result === "info");
    const updateTimedOut = rmws.filter((op) => readOf(op)?.result === "ok" && op.result === "info");
    expect(readTimedOut.length).toBeGreaterThan(1);
    expect(updateTimedOut.length).toBeGreaterThan(0);
    for (const op of readTimedOut) expect(op.value).toBeNull();
    for (const op of updateTimedOut) expect(op.value).toBeGreaterThan(0);
    // Every write the history holds carries a value; reads outnumber the plain reads by the rmws.
    const writes = events.filter((event) => event.f === "write");
    expect(writes.filter((event) => event.value === null)).toEqual([]);
    const sentUpdates = rmws.filter((op) => readOf(op)?.result === "ok").length;
    expect(writes.length / 2).toBe(sentUpdates);
    const reads = operations.filter((op) => op.op === "read" && op.process >= 0).length;
    expect(events.filter((event) => event.f === "read").length / 2).toBe(reads + rmws.length);
  });

  it("runs as its process's read, then its write at the read's completion", () => {
    const op = rmws.find((candidate) => readOf(candidate)?.result === "ok" && candidate.result === "ok");
    const read = op === undefined ? undefined : readOf(op);
    if (op === undefined || read === undefined) throw new Error("no rmw completed ok");
    const own = events.filter((event) => event.process === op.process && event.key === op.key);
    const at = own.findIndex((event) => event.f === "write" && event.value === op.value);
    expect(own.slice(at - 2, at + 2).map((event) => `${event.type} ${event.f}`)).toEqual([
      "invoke read",
      "ok read",
      "invoke write",
      "ok write",
    ]);
    expect(own[at - 1]?.value).toBe(read.value === 0 ? null : read.value);
  });

  it("lets the register checks decide", () => {
    const history = recorder.toHistory("rmw-history");
    // lost_writes judges on a final state: here the final leader's values.
    const final_state = run.cluster.leaderValues(recorder.touchedKeys) ?? undefined;
    expect(final_state).toBeDefined();
    for (const name of ["lost_writes", "read_your_writes", "monotonic_reads", "linearizable"] as const) {
      const check = registerChecks[name];
      expect({ name, valid: check(history, { final_state }).valid }).not.toEqual({ name, valid: "unknown" });
    }
  });
});
