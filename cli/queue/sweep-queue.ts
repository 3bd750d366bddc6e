// The sweep's side of a distributed sweep: a BullMQ queue of its own (so that two sweeps on one
// Redis never mix), announced in SWEEPS_KEY for the workers to find, filled with seed batches; each
// finished job's seeds go to the sweep as a local pool's results would. A job whose worker died
// more than MAX_STALLS times fails: its seeds are put back one job each, so that only the seed
// that kills its workers is recorded as crashed. Closing removes the queue and its announcement.

import { randomBytes } from "node:crypto";
import { Job, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import type { MetricsSnapshot } from "../../reports/metrics/exposition.js";
import type { CliIo } from "../cli.js";
import { DBSIM } from "../invocation.js";
import { errorText, type Target } from "../real/target.js";
import type { RunTask, RunTaskResult } from "../run-task.js";
import { dbsimVersion } from "../version.js";
import { bullConnection, within } from "./connection.js";
import {
  ALIVE_TTL_MS,
  aliveKey,
  type BatchResult,
  MAX_STALLS,
  QUEUE_PREFIX,
  type SeedBatch,
  type SeedProgress,
  SWEEPS_KEY,
  type SweepAnnouncement,
} from "./jobs.js";

/** How often the sweep also lists finished jobs, in case it missed an event. */
const POLL_MS = 1_000;
/** Longest wait for each step of removing the queue at the end (a Redis gone must not hold the sweep). */
const CLOSE_WAIT_MS = 10_000;
/** BullMQ's reason for a job whose worker died more than MAX_STALLS times. */
const STALLED_REASON = "job stalled more than allowable limit";

export type SeedOutcome = { result: RunTaskResult } | { error: string };

export interface QueueRunHandlers {
  /** A seed finished (or crashed); awaited before the next is handed over. */
  settle(seed: number, outcome: SeedOutcome): Promise<void>;
  /** A live snapshot of a seed's run. */
  progress?(seed: number, snapshot: MetricsSnapshot): void;
  /** Checked after each seed: true ends the run (--stop-after-failures). */
  shouldStop(): boolean;
}

export class SweepQueue {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly aliveTimer: NodeJS.Timeout;
  private cancelRun: () => void = () => {};

  private readonly target: Target;
  private readonly admin: Redis;
  readonly name: string;

  private constructor(target: Target, admin: Redis, name: string) {
    this.target = target;
    this.admin = admin;
    this.name = name;
    const connection = bullConnection(target);
    this.queue = new Queue(name, { connection, prefix: QUEUE_PREFIX });
    this.events = new QueueEvents(name, { connection, prefix: QUEUE_PREFIX });
    // Errors reach the calls that meet them; these keep BullMQ from logging them (with the URL).
    this.queue.on("error", () => {});
    this.events.on("error", () => {});
    this.aliveTimer = setInterval(() => void this.keepAlive().catch(() => {}), ALIVE_TTL_MS / 3);
    this.aliveTimer.unref();
  }

  /**
   * Announces a new queue for `scenario` on the Redis `admin` is connected to (connectQueue: a
   * bounded wait, or one line and exit 2, before the sweep writes anything).
   */
  static async open(
    target: Target,
    admin: Redis,
    scenario: string,
    run_memory_bytes: number,
  ): Promise<SweepQueue> {
    const slug = scenario.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64);
    const name = `sweep-${slug}-${randomBytes(6).toString("hex")}`;
    const announcement: SweepAnnouncement = { dbsim_version: dbsimVersion(), scenario, run_memory_bytes };
    const sweep = new SweepQueue(target, admin, name);
    await sweep.keepAlive();
    await admin.hset(SWEEPS_KEY, name, JSON.stringify(announcement));
    return sweep;
  }

  private async keepAlive(): Promise<void> {
    await this.admin.set(aliveKey(this.name), "1", "PX", ALIVE_TTL_MS);
  }

  /**
   * Enqueues the tasks in batches of `batch` seeds and settles every seed as its job finishes;
   * resolves when all are settled, `shouldStop()` says so, or `cancel()` is called.
   */
  async run(tasks: readonly RunTask[], batch: number, live: boolean, handlers: QueueRunHandlers, io: CliIo) {
    const task = new Map(tasks.map((t) => [t.seed, t]));
    const batchOf = new Map<string, readonly number[]>();
    const handled = new Set<string>();
    let settled = 0;
    let done = false;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = () => {
        done = true;
        resolve();
      };
    });
    this.cancelRun = finish;

    const add = async (seeds: readonly number[]): Promise<void> => {
      const data: SeedBatch = {
        dbsim_version: dbsimVersion(),
        live,
        tasks: seeds.map((seed) => task.get(seed) as RunTask),
      };
      const job = await this.queue.add(seedsLabel(seeds), data, { attempts: 1 });
      if (job.id !== undefined) batchOf.set(job.id, seeds);
    };

    // Handled one at a time, so that results are settled (and journaled) in sequence.
    let chain = Promise.resolve();
    const handle = (id: string): void => {
      chain = chain.then(async () => {
        if (done || handled.has(id)) return;
        const job = await Job.fromId<SeedBatch, BatchResult>(this.queue, id);
        if (job === undefined || job.finishedOn === undefined) return;
        handled.add(id);
        const seeds = batchOf.get(id) ?? job.data.tasks.map((t) => t.seed);
        const failed = job.failedReason !== undefined && job.failedReason !== null && job.failedReason !== "";
        await job.remove().catch(() => {});
        if (!failed) {
          for (const s of job.returnvalue.seeds) {
            if (done) return;
            await handlers.settle(s.seed, "result" in s ? { result: s.result } : { error: s.error });
            settled++;
            if (handlers.shouldStop()) finish();
          }
        } else if (job.failedReason === STALLED_REASON && seeds.length > 1) {
          for (const seed of seeds) await add([seed]); // find the seed that kills its workers
        } else {
          const error =
            job.failedReason === STALLED_REASON
              ? `its worker died ${MAX_STALLS + 1} times (${STALLED_REASON})`
              : (job.failedReason as string);
          for (const seed of seeds) {
            if (done) return;
            await handlers.settle(seed, { error });
            settled++;
            if (handlers.shouldStop()) finish();
          }
        }
        if (settled >= tasks.length) finish();
      });
      chain = chain.catch((error) => {
        io.stderr.write(`dbsim: the queue on ${this.target.name}: ${errorText(error, this.target)}\n`);
      });
    };

    this.events.on("completed", ({ jobId }) => handle(jobId));
    this.events.on("failed", ({ jobId }) => handle(jobId));
    if (handlers.progress !== undefined) {
      const progress = handlers.progress;
      this.events.on("progress", ({ data }) => {
        const p = data as unknown as SeedProgress;
        if (typeof p === "object" && p !== null && task.has(p.seed)) progress(p.seed, p.snapshot);
      });
    }
    await this.events.waitUntilReady();
    const seeds = tasks.map((t) => t.seed);
    for (let i = 0; i < seeds.length && !done; i += batch) await add(seeds.slice(i, i + batch));
    if (tasks.length === 0) finish();
    // Events may be missed (a reconnect, a job finished before the listener read): list them too.
    const poll = setInterval(() => {
      void this.queue
        .getJobs(["completed", "failed"], 0, 99)
        .then((jobs) => {
          for (const job of jobs) if (job.id !== undefined) handle(job.id);
        })
        .catch(() => {});
    }, POLL_MS);
    try {
      await finished;
    } finally {
      clearInterval(poll);
    }
  }

  /** Ends run() at once: what is settled stays; the seeds not run are left to close(). */
  cancel(): void {
    this.cancelRun();
  }

  /**
   * Removes the queue (jobs waiting and running) and its announcement, so the workers leave it;
   * the connection given to open() stays its owner's to close.
   */
  async close(io: CliIo): Promise<void> {
    clearInterval(this.aliveTimer);
    try {
      await within(CLOSE_WAIT_MS, this.admin.hdel(SWEEPS_KEY, this.name));
      await within(CLOSE_WAIT_MS, this.admin.del(aliveKey(this.name)));
      await within(CLOSE_WAIT_MS, this.queue.obliterate({ force: true }));
    } catch (error) {
      io.stderr.write(
        `dbsim: could not remove the queue ${this.name} from ${this.target.name} (${errorText(error, this.target)}); the workers remove it once they see the sweep gone\n`,
      );
    } finally {
      await within(CLOSE_WAIT_MS, this.events.close()).catch(() => {});
      await within(CLOSE_WAIT_MS, this.queue.close()).catch(() => {});
    }
  }

  /** Where the sweep waits for workers, for the user. */
  banner(jobs: number, batch: number): string {
    const jobsText = jobs === 1 ? "1 job" : `${jobs} jobs`;
    const seedsText = batch === 1 ? "1 seed" : `${batch} seeds`;
    return `dbsim: ${jobsText} of ${seedsText} on queue ${this.name} at ${this.target.name}; run workers with: ${DBSIM} worker <the --queue URL> [--workers W]\n`;
  }
}

function seedsLabel(seeds: readonly number[]): string {
  return seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}..${seeds[seeds.length - 1]}`;
}
