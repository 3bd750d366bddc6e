// End to end: a YCSB scenario through the whole stack (simulator, engine, driver, HDR recorder),
// in simulated client operations completed per wall-clock second.

import { readFileSync } from "node:fs";
import { LatencyRecorder } from "../reports/latency.js";
import { ScenarioRun } from "../workloads/runner.js";
import { loadScenario } from "../workloads/scenario/load.js";

export interface E2eResult {
  scenario: string;
  seed: number;
  operations: number;
  events: number;
  wall_s: number;
  ops_per_s: number;
  events_per_s: number;
  trace_hash: string;
}

export function e2e(scenarioPath: string, seed = 1, overrides: string[] = []): E2eResult {
  const { resolved } = loadScenario(readFileSync(scenarioPath, "utf8"), { overrides });
  const started = process.hrtime.bigint();
  const run = new ScenarioRun(resolved, { seed, observer: new LatencyRecorder() });
  const result = run.runToEnd();
  const wall_s = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    scenario: resolved.name,
    seed,
    operations: result.operations,
    events: result.events,
    wall_s,
    ops_per_s: result.operations / wall_s,
    events_per_s: result.events / wall_s,
    trace_hash: result.trace_hash,
  };
}
