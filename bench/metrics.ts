// node dist/bench/metrics.js [--runs N] [--json]
//
// The cost of metrics on a ycsb-a run: `scenarios/ycsb-a.yaml` run end to end in this process
// (executeRun, as `dbsim run` does, metrics.om rendered included) with metrics and with
// `--no-metrics`, alternating, after one warm-up of each. Reports the median events per wall second
// of each and the overhead, and the same per second of this process's CPU time (steadier than wall
// time on a shared machine). Same seed: both simulate the same events (same trace hash).

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { executeRun } from "../cli/execute.js";
import { loadScenario } from "../workloads/scenario/load.js";

const json = process.argv.includes("--json");
const runsFlag = process.argv.indexOf("--runs");
const runs = runsFlag < 0 ? 7 : Number(process.argv[runsFlag + 1]);
const root = resolve(fileURLToPath(import.meta.url), "../../..");
const text = readFileSync(resolve(root, "scenarios/ycsb-a.yaml"), "utf8");

async function once(
  metrics: boolean,
): Promise<{ wall_s: number; cpu_s: number; events: number; trace_hash: string }> {
  const scenario = loadScenario(text, { sourceName: "scenarios/ycsb-a.yaml" });
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const { report } = await executeRun(scenario, 1, metrics ? {} : { metrics: false });
  const used = process.cpuUsage(cpu);
  const wall_s = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    wall_s,
    cpu_s: (used.user + used.system) / 1e6,
    events: report.sim.events,
    trace_hash: report.trace_hash,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

await once(true);
await once(false);
const on: number[] = [];
const off: number[] = [];
const onCpu: number[] = [];
const offCpu: number[] = [];
let events = 0;
for (let i = 0; i < runs; i++) {
  if (!json) process.stderr.write(` ${i + 1}/${runs}`);
  const a = await once(true);
  const b = await once(false);
  if (a.trace_hash !== b.trace_hash) throw new Error("metrics changed the trace hash");
  events = a.events;
  on.push(a.events / a.wall_s);
  off.push(b.events / b.wall_s);
  onCpu.push(a.events / a.cpu_s);
  offCpu.push(b.events / b.cpu_s);
}
if (!json) process.stderr.write("\n");
const result = {
  node: process.version,
  scenario: "ycsb-a",
  events,
  runs,
  with_metrics_events_per_s: Math.round(median(on)),
  without_metrics_events_per_s: Math.round(median(off)),
  overhead_percent: Number(((median(off) / median(on) - 1) * 100).toFixed(1)),
  with_metrics_events_per_cpu_s: Math.round(median(onCpu)),
  without_metrics_events_per_cpu_s: Math.round(median(offCpu)),
  overhead_cpu_percent: Number(((median(offCpu) / median(onCpu) - 1) * 100).toFixed(1)),
  runs_with_metrics: on.map(Math.round),
  runs_without_metrics: off.map(Math.round),
};
process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
