// One run as a task for a worker thread: the worker entry point of the Piscina pool (a composition
// root, like the CLI). The task carries the scenario text and overrides, and the run directory the
// main thread checked; the worker writes the directory itself (streaming each file, so a history
// larger than a string may hold gets there) and returns the report and where it wrote.

import type { MessagePort } from "node:worker_threads";
import { encodeIntoCompressedBase64 } from "hdr-histogram-js";
import type { MetricsSnapshot } from "../reports/metrics/exposition.js";
import type { DirTarget } from "../reports/output-path.js";
import type { Report } from "../reports/report-schema.js";
import { type WriteOutcome, writeRunDir } from "../reports/run-dir.js";
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
  /**
   * The run directory to write, as the main thread's preflight found it (checkDirTarget); none: write
   * nothing.
   */
  out?: DirTarget;
  /** Write the run directory only when a check failed (a sweep writes only those). */
  filesOnlyOnFailure?: boolean;
  /** false: no metrics.om (--no-metrics); default true. */
  metrics?: boolean;
  /** Virtual µs between samples of metrics.om (default 1 s). */
  metricsInterval_us?: number;
  /** The `run` label of the run's metrics (default <scenario>/seed-<seed>). */
  runLabel?: string;
  /**
   * Live metrics (a sweep's --metrics-port): the worker posts snapshots of the run's registry on
   * this port while it runs, at most every LIVE_POST_MS of wall time; the final one comes back in
   * the result.
   */
  metricsPort?: MessagePort;
}

export interface RunTaskResult {
  report: Report;
  /** Where the run directory went; only when the task had an `out` and wrote it. */
  written?: WriteOutcome;
  /** The all-operations HDR latency histogram, compressed base64; only when the task asked for it. */
  latency_all_base64?: string;
  /** The run's metrics at its end; only when the task had a metricsPort. */
  metrics_final?: MetricsSnapshot;
}

/** Least wall time between two live snapshots a worker posts. */
const LIVE_POST_MS = 250;

export default async function runTask(task: RunTask): Promise<RunTaskResult> {
  const scenario = loadScenario(task.text, {
    sourceName: task.sourceName,
    fallbackName: task.fallbackName,
    overrides: task.overrides,
  });
  const port = task.metricsPort;
  let snapshot: (() => Promise<MetricsSnapshot>) | null = null;
  let lastPost_ms = Number.NEGATIVE_INFINITY;
  const live =
    port === undefined
      ? undefined
      : {
          attach: (read: () => Promise<MetricsSnapshot>) => {
            snapshot = read;
          },
          tick: () => {
            const now_ms = Date.now();
            if (snapshot === null || now_ms - lastPost_ms < LIVE_POST_MS) return;
            lastPost_ms = now_ms;
            void snapshot().then((s) => port.postMessage(s));
          },
        };
  try {
    const { report, files, latencyAll } = await executeRun(scenario, task.seed, {
      reproduce: task.reproduce,
      files: task.filesOnlyOnFailure ? "failed" : "always",
      // Between slices a live run yields, so that the posted snapshots leave the worker.
      yieldBetweenSlices: port !== undefined,
      metrics:
        task.metrics === false
          ? false
          : {
              ...(task.metricsInterval_us === undefined ? {} : { interval_us: task.metricsInterval_us }),
              ...(task.runLabel === undefined ? {} : { run: task.runLabel }),
              ...(live === undefined ? {} : { live }),
            },
    });
    const result: RunTaskResult = { report };
    // With filesOnlyOnFailure, a run that passed has no files: nothing to write.
    if (task.out !== undefined && files.size > 0) {
      result.written = writeRunDir(task.out.path, files, { expected: task.out });
    }
    if (task.wantLatencyHistogram) result.latency_all_base64 = encodeIntoCompressedBase64(latencyAll);
    const read = snapshot as (() => Promise<MetricsSnapshot>) | null;
    if (read !== null) result.metrics_final = await read();
    return result;
  } finally {
    port?.close();
  }
}
