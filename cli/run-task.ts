// One run as a task for a worker thread: the worker entry point of the Piscina pool (a composition
// root, like the CLI). The task carries the scenario text and overrides; the result is the report
// and the files of the run directory, for the main thread to write.

import { encodeIntoCompressedBase64 } from "hdr-histogram-js";
import type { Report } from "../reports/report-schema.js";
import { loadScenario } from "../workloads/scenario/load.js";
import { executeRun } from "./execute.js";

export interface RunTask {
  text: string;
  sourceName: string;
  fallbackName: string;
  overrides: string[];
  seed: number;
  reproduce: string;
  /** Also ship the run's all-operations latency histogram (dbsim sweep merges them). */
  wantLatencyHistogram?: boolean;
  /** Ship the run directory's files only when a check failed (a sweep writes only those). */
  filesOnlyOnFailure?: boolean;
}

export interface RunTaskResult {
  report: Report;
  files: [string, string][];
  /** The all-operations HDR latency histogram, compressed base64; only when the task asked for it. */
  latency_all_base64?: string;
}

export default async function runTask(task: RunTask): Promise<RunTaskResult> {
  const scenario = loadScenario(task.text, {
    sourceName: task.sourceName,
    fallbackName: task.fallbackName,
    overrides: task.overrides,
  });
  const { report, files, latencyAll } = await executeRun(scenario, task.seed, { reproduce: task.reproduce });
  const failed = Object.values(report.checks).some((verdict) => verdict.valid === false);
  const result: RunTaskResult = { report, files: task.filesOnlyOnFailure && !failed ? [] : [...files] };
  if (task.wantLatencyHistogram) result.latency_all_base64 = encodeIntoCompressedBase64(latencyAll);
  return result;
}
