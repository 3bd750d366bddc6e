// dbsim worker redis://... [--workers W]
//
// Runs the seeds of distributed sweeps (`dbsim sweep --queue`) on a pool of worker threads of its
// own (cli/pool.ts), as many machines as wanted against one Redis. Every second it reads the sweeps
// announced in SWEEPS_KEY and joins those of its dbsim version (one BullMQ worker per sweep queue,
// taking up to W jobs at once); it leaves a sweep's queue when the sweep takes it down, and removes
// the queue of a sweep that died (its keep-alive key expired). Each job's seeds run on the pool as a
// local sweep's would, and come back as the pool's results. A worker that dies loses nothing: its
// jobs' locks expire and another worker takes them (BullMQ's stalled jobs). SIGINT and SIGTERM stop
// it (its running jobs go back to the queue the same way).

import { MessageChannel } from "node:worker_threads";
import { type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { formatBytes } from "../../engine/settings/units.js";
import type { MetricsSnapshot } from "../../reports/metrics/exposition.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_SIGINT, EXIT_SIGTERM } from "../exit-codes.js";
import { SCENARIO_FILE } from "../input-file.js";
import { createRunPool, defaultWorkers } from "../pool.js";
import { bullConnection, connectQueue, parseQueueUrl, within } from "../queue/connection.js";
import {
  aliveKey,
  BATCH_SEEDS_MAX,
  type BatchResult,
  LOCK_MS,
  MAX_STALLS,
  QUEUE_PREFIX,
  type SeedBatch,
  type SeedProgress,
  type SettledSeed,
  STALLED_CHECK_MS,
  SWEEPS_KEY,
  type SweepAnnouncement,
} from "../queue/jobs.js";
import { errorText, type Target } from "../real/target.js";
import type { RunTask } from "../run-task.js";
import { parseMaxMemory } from "../scenario-file.js";
import { dbsimVersion } from "../version.js";

export interface WorkerArgs {
  url: string;
  workers?: number;
  /** --max-memory: the most memory this worker's runs at once (one per thread) may be estimated to keep. */
  maxMemory?: string;
}

/** How often the worker reads the sweeps announced. */
const DISCOVER_MS = 1_000;
/** Longest wait for the worker's connections to close once stopped. */
const STOP_WAIT_MS = 10_000;
/** Most sweeps announced at once that a worker reads (the hash is bounded before it is read whole). */
const SWEEPS_MAX = 1_000;

type RunPool = ReturnType<typeof createRunPool>;

export async function workerCommand(args: WorkerArgs, io: CliIo): Promise<number> {
  const threads = args.workers ?? defaultWorkers();
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 256)) {
    throw new CliError(`--workers: expected an integer in [1, 256] (got ${args.workers})`);
  }
  const memoryLimit = parseMaxMemory(args.maxMemory);
  const target = parseQueueUrl(args.url, "dbsim worker");
  const admin = await connectQueue(target, "dbsim worker");
  const pool = createRunPool(threads);
  const joined = new Map<string, Worker>();
  const skipped = new Set<string>();
  const say = (line: string): void => void io.stderr.write(`dbsim worker: ${line}\n`);
  let lastError = "";
  const sayError = (error: unknown): void => {
    const text = errorText(error, target);
    if (text !== lastError) say(text); // a lost server repeats its error every reconnect
    lastError = text;
  };
  say(
    `${threads} ${threads === 1 ? "thread" : "threads"}, waiting for sweeps on ${target.name} (dbsim ${dbsimVersion()})`,
  );

  const discover = async (): Promise<void> => {
    if ((await admin.hlen(SWEEPS_KEY)) > SWEEPS_MAX) {
      sayError(new Error(`${SWEEPS_KEY} holds more than ${SWEEPS_MAX} sweeps; not reading it`));
      return;
    }
    const sweeps = await admin.hgetall(SWEEPS_KEY);
    for (const [queue, text] of Object.entries(sweeps)) {
      if (joined.has(queue) || skipped.has(queue)) continue;
      const announcement = parseAnnouncement(text);
      if (announcement === null || announcement.dbsim_version !== dbsimVersion()) {
        skipped.add(queue);
        say(
          `not joining sweep ${queue}: it was started by dbsim ${announcement?.dbsim_version ?? "(unknown)"}, this is ${dbsimVersion()}`,
        );
        continue;
      }
      const memory_bytes = announcement.run_memory_bytes * threads;
      if (!(memory_bytes <= memoryLimit)) {
        // Left to workers with more memory (or fewer threads): its jobs wait for them.
        skipped.add(queue);
        say(
          `not joining sweep ${queue}: its runs are estimated at ${formatBytes(announcement.run_memory_bytes)} each, ` +
            `x ${threads} threads = ${formatBytes(memory_bytes)}, more than --max-memory ${formatBytes(memoryLimit)}; ` +
            "run this worker with fewer --workers or a higher --max-memory",
        );
        continue;
      }
      if ((await admin.exists(aliveKey(queue))) === 0) {
        await removeDeadSweep(target, admin, queue);
        say(`removed the queue of sweep ${queue}: its dbsim sweep is gone`);
        continue;
      }
      joined.set(queue, joinSweep(target, queue, threads, pool, sayError));
      say(`joined sweep ${queue} (${announcement.scenario})`);
    }
    for (const [queue, worker] of joined) {
      if (Object.hasOwn(sweeps, queue)) continue;
      joined.delete(queue);
      await worker.close(true);
      say(`left sweep ${queue}: it ended`);
    }
  };

  let stop: (signal: "SIGINT" | "SIGTERM") => void = () => {};
  const stopped = new Promise<"SIGINT" | "SIGTERM">((resolve) => {
    stop = resolve;
  });
  const onSigint = (): void => stop("SIGINT");
  const onSigterm = (): void => stop("SIGTERM");
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  // One discovery at a time: while Redis is away, one waits and none piles up behind it.
  let busy = false;
  let discovering = Promise.resolve();
  const next = (): void => {
    if (busy) return;
    busy = true;
    discovering = discover()
      .catch(sayError)
      .finally(() => {
        busy = false;
      });
  };
  const timer = setInterval(next, DISCOVER_MS);
  next();
  try {
    const signal = await stopped;
    say(`stopping on ${signal}; the jobs it held go back to the queue`);
    return signal === "SIGINT" ? EXIT_SIGINT : EXIT_SIGTERM;
  } finally {
    process.removeListener("SIGINT", onSigint);
    process.removeListener("SIGTERM", onSigterm);
    clearInterval(timer);
    // Bounded: a Redis gone for good must not keep a stopped worker.
    await within(STOP_WAIT_MS, discovering).catch(() => {});
    await within(STOP_WAIT_MS, Promise.all([...joined.values()].map((w) => w.close(true)))).catch(() => {});
    admin.disconnect();
    await pool.close().catch(() => {});
  }
}

function parseAnnouncement(text: string): SweepAnnouncement | null {
  try {
    const value = JSON.parse(text) as SweepAnnouncement;
    return typeof value?.dbsim_version === "string" &&
      typeof value.scenario === "string" &&
      Number.isFinite(value.run_memory_bytes)
      ? value
      : null;
  } catch {
    return null;
  }
}

/** A sweep killed without closing its queue: its jobs are of no use to anyone. */
async function removeDeadSweep(target: Target, admin: Redis, queue: string): Promise<void> {
  await admin.hdel(SWEEPS_KEY, queue);
  const dead = new Queue(queue, { connection: bullConnection(target), prefix: QUEUE_PREFIX });
  dead.on("error", () => {});
  try {
    await dead.obliterate({ force: true });
  } finally {
    await dead.close();
  }
}

function joinSweep(
  target: Target,
  queue: string,
  threads: number,
  pool: RunPool,
  onError: (error: unknown) => void,
): Worker {
  const worker = new Worker<SeedBatch, BatchResult>(queue, (job) => runBatch(job, pool), {
    connection: bullConnection(target),
    prefix: QUEUE_PREFIX,
    // Up to one job per thread: each job's seeds wait in the pool's queue for a free thread.
    concurrency: threads,
    lockDuration: LOCK_MS,
    stalledInterval: STALLED_CHECK_MS,
    maxStalledCount: MAX_STALLS,
  });
  worker.on("error", onError);
  // A refused job (another version's, or not a sweep's) is said; a seed's crash is the sweep's to say.
  worker.on("failed", (_job, error) => {
    if (error instanceof UnrecoverableError) onError(error);
  });
  return worker;
}

/** A job's seeds on the pool; a seed whose run throws (or whose thread dies) is settled as crashed. */
async function runBatch(job: Job<SeedBatch, BatchResult>, pool: RunPool): Promise<BatchResult> {
  const batch = checkBatch(job.data);
  const seeds = await Promise.all(
    batch.tasks.map(async (task): Promise<SettledSeed> => {
      const channel = batch.live ? new MessageChannel() : null;
      const run: RunTask = { ...task };
      if (channel !== null) {
        channel.port1.on("message", (snapshot: MetricsSnapshot) => {
          const progress: SeedProgress = { seed: task.seed, snapshot };
          void job.updateProgress(progress as unknown as object).catch(() => {});
        });
        channel.port1.unref();
        run.metricsPort = channel.port2;
      }
      try {
        return { seed: task.seed, result: await pool.run(run) };
      } catch (error) {
        return { seed: task.seed, error: error instanceof Error ? error.message : String(error) };
      } finally {
        channel?.port1.close();
      }
    }),
  );
  return { seeds };
}

/** A job as a sweep of this dbsim version makes it, or it fails at once (no retry) with one line. */
function checkBatch(data: SeedBatch): SeedBatch {
  if (data?.dbsim_version !== dbsimVersion()) {
    throw new UnrecoverableError(
      `dbsim worker ${dbsimVersion()} refuses a job of dbsim ${String(data?.dbsim_version)}: run workers of the sweep's version`,
    );
  }
  const ok =
    Array.isArray(data.tasks) &&
    data.tasks.length >= 1 &&
    data.tasks.length <= BATCH_SEEDS_MAX &&
    data.tasks.every(
      (t) =>
        Number.isSafeInteger(t?.seed) &&
        typeof t.text === "string" &&
        Buffer.byteLength(t.text) <= SCENARIO_FILE.limit_bytes &&
        Array.isArray(t.overrides) &&
        t.out === undefined,
    );
  if (!ok) throw new UnrecoverableError("dbsim worker: a job that is not a batch of seeds dbsim sweep made");
  return data;
}
