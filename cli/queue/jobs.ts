// What a distributed sweep and its workers agree on: where a sweep announces its queue, the jobs
// (a batch of seeds, each the RunTask a local sweep gives its pool, with the scenario's text so
// that workers need no shared filesystem) and their results (each seed's RunTaskResult, as the
// local pool returns it), and how long a dead worker's job waits before another takes it.

import type { MetricsSnapshot } from "../../reports/metrics/exposition.js";
import type { RunTask, RunTaskResult } from "../run-task.js";

/** BullMQ's key prefix: a sweep's queue lives under dbsim:<queue>:*. */
export const QUEUE_PREFIX = "dbsim";
/** A hash of the sweeps going on: queue name -> JSON SweepAnnouncement. Workers read it. */
export const SWEEPS_KEY = "dbsim:sweeps";
/** Set while the sweep runs (refreshed, with a TTL): a queue without it belongs to a dead sweep. */
export function aliveKey(queue: string): string {
  return `dbsim:sweep-alive:${queue}`;
}
export const ALIVE_TTL_MS = 15_000;

export interface SweepAnnouncement {
  readonly dbsim_version: string;
  readonly scenario: string;
  /** One run's estimated memory (workloads/scenario/memory.ts): a worker joins only if its threads' runs fit its --max-memory. */
  readonly run_memory_bytes: number;
}

/** One job: a batch of seeds of one sweep. */
export interface SeedBatch {
  readonly dbsim_version: string;
  /** Post live metrics (the sweep serves --metrics-port) as job progress. */
  readonly live: boolean;
  readonly tasks: readonly RunTask[];
}

/** A seed as its worker settled it: the run's result, or the error that crashed it. */
export type SettledSeed = { seed: number; result: RunTaskResult } | { seed: number; error: string };

export interface BatchResult {
  readonly seeds: readonly SettledSeed[];
}

/** A job's progress: a live snapshot of one of its seeds' runs. */
export interface SeedProgress {
  readonly seed: number;
  readonly snapshot: MetricsSnapshot;
}

/** Most seeds in one job (--batch). */
export const BATCH_SEEDS_MAX = 1000;

/** Seeds per job by default: a few, so that a short scenario's seeds share a job's round trips. */
export function defaultBatch(seeds: number): number {
  return Math.max(1, Math.min(8, Math.floor(seeds / 64)));
}

// A worker holds each job's lock and renews it every LOCK_MS / 2; a worker that dies leaves its
// job locked for at most LOCK_MS, then another worker's stalled check (every STALLED_CHECK_MS)
// puts it back in the queue. A job whose worker died more than MAX_STALLS times fails.
export const LOCK_MS = 10_000;
export const STALLED_CHECK_MS = 5_000;
export const MAX_STALLS = 2;
