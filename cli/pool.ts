// A Piscina pool of worker threads that each execute one run per task (cli/run-task).

import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { RunTask, RunTaskResult } from "./run-task.js";

/** Runs from source (.ts, under tsx in tests and `npm run` from a checkout) or compiled (.js in dist/). */
const fromSource = import.meta.url.endsWith(".ts");

export function defaultWorkers(): number {
  return availableParallelism();
}

export function createRunPool(workers: number): {
  /** Runs a task; its `metricsPort` (a MessagePort), when set, is transferred to the worker. */
  run(task: RunTask): Promise<RunTaskResult>;
  close(): Promise<void>;
} {
  const pool = new Piscina({
    filename: fileURLToPath(new URL(fromSource ? "./run-task.ts" : "./run-task.js", import.meta.url)),
    minThreads: workers,
    maxThreads: workers,
    // Each worker takes one run at a time; a run holds its whole simulation in memory.
    concurrentTasksPerWorker: 1,
    ...(fromSource ? { execArgv: [...process.execArgv, "--import", "tsx"] } : {}),
  });
  return {
    run: (task) =>
      pool.run(
        task,
        task.metricsPort === undefined ? {} : { transferList: [task.metricsPort] },
      ) as Promise<RunTaskResult>,
    close: () => pool.destroy(),
  };
}
