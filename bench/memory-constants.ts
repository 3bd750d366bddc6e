// Measures the constants of workloads/scenario/memory.ts: the heap and typed-array bytes a run keeps
// per YCSB record and field, per domain row, per replica log entry, per history operation and per
// bank account in a history's reads. Each figure is the difference of the memory in use (heap,
// external and array buffers, after a full GC) between two sizes of the same scenario, divided by the
// difference in what grew, so the fixed costs cancel out.
//
//   node --expose-gc --import tsx bench/memory-constants.ts

import { HistoryRecorder } from "../workloads/client/history-recorder.js";
import { WORKLOAD_PLUGINS } from "../workloads/generators/plugins.js";
import { ScenarioRun } from "../workloads/runner.js";
import { loadScenario } from "../workloads/scenario/load.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");

/** What a measurement keeps alive until it has measured (then it is let go). */
const alive: unknown[] = [];

function inUse(): number {
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external + usage.arrayBuffers;
}

/** Memory held after building a run of `text` and running `events` events (the load happens at start). */
function held(text: string, events: number): number {
  const before = inUse();
  const run = new ScenarioRun(loadScenario(text).resolved, { seed: 1, observer: { onOperation() {} } });
  run.advance(events);
  alive.push(run);
  const bytes = inUse() - before;
  alive.length = 0;
  return bytes;
}

function perUnit(label: string, small: number, large: number, units: number): number {
  const bytes = (large - small) / units;
  console.log(`${label}: ${bytes.toFixed(1)} bytes`);
  return bytes;
}

const ycsb = (records: number, fields: number, replicas = 1) =>
  `{name: m, duration: 1s, cluster: {replicas: ${replicas}}, workload: {records: ${records}, field_count: ${fields}, rate: 1/s}}`;

// Per record (one replica), and per field of a record.
const r1 = perUnit("ycsb record, 1 field", held(ycsb(100_000, 1), 10), held(ycsb(400_000, 1), 10), 300_000);
const r100 = perUnit(
  "ycsb record, 100 fields",
  held(ycsb(100_000, 100), 10),
  held(ycsb(400_000, 100), 10),
  300_000,
);
console.log(
  `  => per field: ${((r100 - r1) / 99).toFixed(2)} bytes, per record besides: ${(r1 - (r100 - r1) / 99).toFixed(1)}`,
);
perUnit(
  "ycsb record, 10 fields, per replica of 3",
  held(ycsb(100_000, 10, 3), 10),
  held(ycsb(400_000, 10, 3), 10),
  900_000,
);

// Domain rows: the initial data at two scales (one replica).
const domains: [string, (scale: number) => string, (scale: number) => number][] = [
  [
    "ecommerce",
    (s) => `{name: m, workload: {type: ecommerce, ecommerce: {customers: ${s}}}}`,
    (s) => s + 200 + s * 10 * (1 + 2.5),
  ],
  [
    "social",
    (s) => `{name: m, workload: {type: social, social: {users: ${s}}}}`,
    (s) => s + s * 5 + s * 5 * 3,
  ],
  [
    "timeseries",
    (s) => `{name: m, workload: {type: timeseries, timeseries: {devices: ${s}}}}`,
    (s) => s * 1000,
  ],
];
for (const [type, text, rows] of domains) {
  perUnit(`${type} row`, held(text(1000), 10), held(text(4000), 10), rows(4000) - rows(1000));
}

// The open-loop backlog: a node far too slow for the rate, so the backlog fills to max_backlog.
const backlog = (max: number) =>
  `{name: m, duration: 2s, cluster: {node: {service_time: 100ms}}, workload: {records: 1000, rate: 200k/s, clients: 1, max_backlog: ${max}, timeout: 10s}}`;
perUnit("backlog entry", held(backlog(20_000), 300_000), held(backlog(100_000), 300_000), 80_000);

/** A run of `ops` operations at 5000/s with a history recorder; returns the memory held and the recorder. */
function recorded(text: (seconds: number) => string, seconds: number): { bytes: number; ops: number } {
  const before = inUse();
  const scenario = loadScenario(text(seconds)).resolved;
  const history = new HistoryRecorder((node) => `n${node}`, WORKLOAD_PLUGINS[scenario.workload.type].history);
  const run = new ScenarioRun(scenario, { seed: 1, observer: history });
  run.runToEnd();
  alive.push(run);
  const bytes = inUse() - before;
  alive.length = 0;
  return { bytes, ops: history.size };
}

// Replica logs: a write-only load on 3 replicas against a read-only one (the same operations).
const writes = (mix: string) => (s: number) =>
  `{name: m, duration: ${s}s, cluster: {replicas: 3}, workload: {records: 1000, rate: 5000/s, mix: {${mix}: 1}}}`;
// 20,000 and 80,000 writes: fewer than a log keeps (engine/node-base.ts LOG_WINDOW).
const w1 = recorded(writes("update"), 4);
const w2 = recorded(writes("update"), 16);
const q1 = recorded(writes("read"), 4);
const q2 = recorded(writes("read"), 16);
console.log(
  `replica log entry (per write per replica): ${((w2.bytes - w1.bytes - (q2.bytes - q1.bytes)) / (w2.ops - w1.ops) / 3).toFixed(1)} bytes`,
);

// A run with a history recorder, at two lengths: the recorder and whatever else the run keeps per
// operation. A bank read's balances come with it: their value object is the history's.
const ycsbRun = (s: number) => `{name: m, duration: ${s}s, workload: {records: 1000, rate: 5000/s}}`;
const bankRun = (s: number) =>
  `{name: m, duration: ${s}s, workload: {type: bank, rate: 2000/s, bank: {accounts: 1000}}}`;
for (const [label, text] of [
  ["ycsb", ycsbRun],
  ["bank, 1000 accounts, read_fraction 0.5", bankRun],
] as const) {
  const small = recorded(text, 20);
  const large = recorded(text, 80);
  const bytes = (large.bytes - small.bytes) / (large.ops - small.ops);
  console.log(`recorded run, ${label}: ${bytes.toFixed(1)} bytes per operation`);
}

// The History the checkers read, built from the recorder's columns.
const history = new HistoryRecorder((node) => `n${node}`, WORKLOAD_PLUGINS.ycsb.history);
new ScenarioRun(loadScenario(ycsbRun(80)).resolved, { seed: 1, observer: history }).runToEnd();
const before = inUse();
const parsed = history.toHistory("h");
console.log(
  `History, ycsb: ${((inUse() - before) / parsed.operations.length).toFixed(1)} bytes per operation`,
);
