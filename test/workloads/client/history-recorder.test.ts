import { describe, expect, it } from "vitest";
import { parseHistoryJsonl } from "../../../workloads/checkers/history.js";
import { HistoryRecorder } from "../../../workloads/client/history-recorder.js";
import { registerHistory } from "../../../workloads/generators/plugin.js";
import type { CompletedOperation } from "../../../workloads/observer.js";
import { ScenarioRun } from "../../../workloads/runner.js";
import { loadScenario } from "../../../workloads/scenario/load.js";

// 3 replicas, a leader crash and a partition: ok, fail and info operations, about 5,000 of them (more
// than one chunk of history.jsonl).
const SCENARIO = `
name: recorder
duration: 2s
warmup: 500ms
cluster: { replicas: 3, replication: { failover: { detect_after: 200ms } } }
network: { latency: { dist: lognormal, median: 300us, p99: 3ms } }
workload: { records: 300, rate: 2000/s, clients: 16, timeout: 150ms }
faults:
  schedule:
    - { at: 800ms, kind: partition, isolate: follower, for: 400ms }
    - { at: 1200ms, kind: crash, target: leader, restart_after: 500ms }
`;

function recordedRun(): {
  recorder: HistoryRecorder;
  operations: CompletedOperation[];
  names: (n: number) => string;
} {
  const operations: CompletedOperation[] = [];
  let recorder: HistoryRecorder | null = null;
  const run = new ScenarioRun(loadScenario(SCENARIO).resolved, {
    seed: 3,
    observer: {
      onOperation(op) {
        operations.push(op);
        recorder?.onOperation(op);
      },
    },
  });
  const names = (node: number) => run.nodeNames.get(node) ?? `host${node}`;
  recorder = new HistoryRecorder(names, run.plugin.history);
  run.runToEnd();
  return { recorder, operations, names };
}

/**
 * The recorder's history.jsonl as it was made before it streamed (one string, from event objects
 * sorted by one comparator): the oracle the chunked output must equal byte for byte.
 */
function singleStringJsonl(
  operations: readonly CompletedOperation[],
  nodeName: (n: number) => string,
): string {
  const kept = operations.filter((op) => op.op !== "scan" && op.process >= 0);
  const events: { time: number; seq: number; i: number; complete: boolean }[] = [];
  kept.forEach((op, i) => {
    events.push({ time: op.sent_us, seq: 2 * i, i, complete: false });
    events.push({ time: op.completed_us, seq: 2 * i + 1, i, complete: true });
  });
  events.sort(
    (a, b) =>
      a.time - b.time ||
      (a.i === b.i ? a.seq - b.seq : Number(b.complete) - Number(a.complete) || a.seq - b.seq),
  );
  const lines = events.map((e, index) => {
    const op = kept[e.i] as CompletedOperation;
    const write = op.op !== "read";
    const value = !write && op.value === 0 ? null : op.value;
    const event: Record<string, unknown> = {
      index,
      time: e.time,
      process: op.process,
      type: e.complete ? op.result : "invoke",
      f: write ? "write" : "read",
      key: op.key,
      value: !write && !e.complete ? null : value,
    };
    if (e.complete && op.node >= 0) event.node = nodeName(op.node);
    return JSON.stringify(event);
  });
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

describe("HistoryRecorder", () => {
  const { recorder, operations, names } = recordedRun();

  it("writes history.jsonl in chunks equal to the single string it used to build", () => {
    const chunks = [...recorder.jsonlChunks()];
    expect(chunks.length).toBeGreaterThan(1);
    const expected = singleStringJsonl(operations, names);
    expect(new Set(operations.map((op) => op.result))).toEqual(new Set(["ok", "fail", "info"]));
    expect(chunks.join("")).toBe(expected);
  });

  it("gives the checkers the History that parsing its history.jsonl gives", () => {
    const jsonl = [...recorder.jsonlChunks()].join("");
    expect(recorder.toHistory("h")).toEqual(parseHistoryJsonl(jsonl, "h"));
  });

  it("puts an operation that completes at the instant it was invoked right after its invoke", () => {
    const at = (op: Partial<CompletedOperation>): CompletedOperation =>
      ({ op: "update", result: "fail", key: "k", value: 7, node: -1, ...op }) as CompletedOperation;
    const instant = new HistoryRecorder(() => "n", registerHistory);
    instant.onOperation(at({ process: 0, sent_us: 5, completed_us: 10, result: "ok" }));
    instant.onOperation(at({ process: 1, sent_us: 10, completed_us: 10 }));
    instant.onOperation(at({ process: 2, sent_us: 10, completed_us: 12, result: "ok" }));
    const lines = [...instant.jsonlChunks()].join("").trimEnd().split("\n");
    const events = lines.map((line) => JSON.parse(line) as { process: number; type: string });
    expect(events.map((e) => `${e.process} ${e.type}`)).toEqual([
      "0 invoke",
      "0 ok", // completions first at one instant
      "1 invoke",
      "1 fail",
      "2 invoke",
      "2 ok",
    ]);
  });

  it("records the final reads last, as reads of a process of their own naming the replica asked", () => {
    const at = (op: Partial<CompletedOperation>): CompletedOperation =>
      ({ op: "update", result: "ok", key: "k", value: 7, node: 0, ...op }) as CompletedOperation;
    const h = new HistoryRecorder((node) => `n${node}`, registerHistory);
    h.onOperation(at({ process: 0, sent_us: 5, completed_us: 10 }));
    h.onOperation(at({ process: 4, sent_us: 12, completed_us: 20, result: "info" }));
    const target = { op: "read" as const, key: "k", scan_length: 0, nodes: [0, 1] };
    const read = { target, records: null, error: null, result: "ok" as const };
    const process = h.recordFinalReads([
      { ...read, node: 0, sent_us: 30, completed_us: 31, value: 7 },
      { ...read, node: 1, sent_us: 31, completed_us: 40, value: null, result: "fail", error: "timeout" },
    ]);
    expect(process).toBe(5);
    const events = [...h.jsonlChunks()]
      .join("")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.slice(4)).toEqual([
      { index: 4, time: 30, process: 5, type: "invoke", f: "read", key: "k", value: null },
      { index: 5, time: 31, process: 5, type: "ok", f: "read", key: "k", value: 7, node: "n0" },
      { index: 6, time: 31, process: 5, type: "invoke", f: "read", key: "k", value: null },
      { index: 7, time: 40, process: 5, type: "fail", f: "read", key: "k", value: null, node: "n1" },
    ]);
  });
});
