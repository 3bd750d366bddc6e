// node dist/bench/long-run.js [--quick]   (npm run bench runs it as a process of its own)
//
// long_run: does a simulated operation cost the same in an hour-long run as in a short one?
// scenarios/ycsb-a.yaml at 5000 ops/s through the whole stack as `dbsim run` does it (executeRun:
// metrics, report and every file rendered, and read through to the end as a writer would), first
// for `short_s`, then for `long_s` virtual seconds, in this process, after a short warm-up run. Reports simulated operations
// per wall second of each, their ratio (goal >= 0.85), the long run's wall time, and the process's
// maximum resident set size (goal: under 1 GiB; it covers both runs, and nothing else: a process of
// its own). Prints the result as JSON.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { executeRun } from "../cli/execute.js";
import { loadScenario } from "../workloads/scenario/load.js";

export interface LongRunFigure {
  virtual_s: number;
  operations: number;
  wall_s: number;
  ops_per_s: number;
}

export interface LongRunResult {
  scenario: string;
  rate_per_s: number;
  short: LongRunFigure;
  long: LongRunFigure;
  /** long.ops_per_s / short.ops_per_s. */
  ratio: number;
  max_rss_mib: number;
}

async function once(scenarioPath: string, virtual_s: number): Promise<LongRunFigure> {
  const scenario = loadScenario(readFileSync(scenarioPath, "utf8"), {
    sourceName: scenarioPath,
    overrides: ["workload.rate=5000/s", `duration=${virtual_s}s`, "warmup=0s"],
  });
  const started = process.hrtime.bigint();
  const { report, files } = await executeRun(scenario, 1);
  // A writer reads every file to its end: chunked ones are produced here, so they count.
  let bytes = 0;
  for (const content of files.values())
    if (typeof content === "string") bytes += content.length;
    else for (const chunk of content()) bytes += chunk.length;
  const wall_s = Number(process.hrtime.bigint() - started) / 1e9;
  const operations = report.ops.all?.count ?? 0;
  if (bytes === 0 || operations === 0) throw new Error("long_run: the run produced nothing");
  return { virtual_s, operations, wall_s: round(wall_s, 2), ops_per_s: Math.round(operations / wall_s) };
}

export async function longRun(scenarioPath: string, short_s: number, long_s: number): Promise<LongRunResult> {
  await once(scenarioPath, 10); // warm-up: the JIT compiles the hot paths before anything is timed
  const short = await once(scenarioPath, short_s);
  const long = await once(scenarioPath, long_s);
  return {
    scenario: "ycsb-a",
    rate_per_s: 5000,
    short,
    long,
    ratio: round(long.ops_per_s / short.ops_per_s, 3),
    max_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), "../../..");
  const quick = process.argv.includes("--quick");
  const result = await longRun(resolve(root, "scenarios/ycsb-a.yaml"), 100, quick ? 600 : 3600);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
