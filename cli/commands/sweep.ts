// dbsim sweep <scenario> --seeds a..b [--workers W] [--out DIR] [--set ...] [--stop-after-failures K]
// dbsim sweep --resume DIR [--workers W]
//
// Runs one scenario at every seed of a range on a pool of worker threads (one task = one seed) and
// writes <out>/sweep.json: each seed's trace hash and check verdict, the failing and crashed seeds,
// and the all-operations latency merged across seeds (each run's HDR histogram, shipped from its
// worker as compressed base64, added up). Seeds are listed in ascending order whatever the order they
// finish in, and nothing host-specific is written, so sweep.json is the same at any worker count.
// Only the failing seeds' run directories are written (by the workers), under <out>/failures/seed-<n>/.
//
// Each finished seed is appended to <out>/journal.jsonl (sweep-journal.ts) as it finishes: a sweep
// killed in any way loses at most the seeds in flight. SIGINT and SIGTERM write sweep.json with
// `interrupted: true` and what is missing; `--resume <out>` runs the missing seeds only and ends
// with the sweep.json the uninterrupted sweep would have written, byte for byte.
//
// --queue redis://... runs the seeds on `dbsim worker`s instead (cli/queue/): the same tasks, in
// batches, and the same results back, recorded by the same code, so sweep.json is the same bytes.
// The workers write no run directories (they may be on other machines): the summary names the
// command that reproduces a failing seed.

import { lstatSync, readdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { MessageChannel } from "node:worker_threads";
import type { Redis } from "ioredis";
import { sweepRunLabel } from "../../reports/metrics/catalogue.js";
import type { MetricsSnapshot } from "../../reports/metrics/exposition.js";
import { type SeedOutcome, SweepMetrics } from "../../reports/metrics/live.js";
import { checkDirTarget, OutputPathError } from "../../reports/output-path.js";
import { removeWrittenDirectory, writeFileAtomic } from "../../reports/run-dir.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import { estimateMemory } from "../../workloads/scenario/memory.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_INTERNAL, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM } from "../exit-codes.js";
import { DBSIM } from "../invocation.js";
import { LiveEndpoint, type MetricsArgs, parseLiveOptions, parseMetricsInterval } from "../live-metrics.js";
import {
  makeOutputDirectoryOrFail,
  preflightFileIn,
  preflightOutputDirectory,
  preflightRunDirsIn,
  sayNotes,
} from "../output.js";
import { createRunPool, defaultWorkers } from "../pool.js";
import { countProgressBar } from "../progress.js";
import { refuseBadProtocol } from "../protocol-module.js";
import { connectQueue, parseQueueUrl } from "../queue/connection.js";
import { BATCH_SEEDS_MAX, defaultBatch } from "../queue/jobs.js";
import { type SeedOutcome as QueuedOutcome, SweepQueue } from "../queue/sweep-queue.js";
import type { Target } from "../real/target.js";
import { worstExit } from "../run-outcome.js";
import type { RunTask, RunTaskResult } from "../run-task.js";
import { readScenarioFile, refuseOverMemory } from "../scenario-file.js";
import {
  JOURNAL_FILE,
  JOURNAL_SCHEMA,
  type JournalEntry,
  type JournalHeader,
  SweepJournal,
} from "../sweep-journal.js";
import {
  type FinishedSeed,
  isJournalEntry,
  type SeedResult,
  type SweepJson,
  SweepTally,
  seedRanges,
  seedResult,
} from "../sweep-result.js";
import { parseSeedRange } from "../vary.js";
import { dbsimVersion } from "../version.js";
import { reproduceCommand } from "./run.js";

export interface SweepArgs extends MetricsArgs {
  /** The scenario file (absent with --resume). */
  scenario?: string;
  /** --seeds (default 1..100; absent with --resume). */
  seeds?: string;
  workers?: number;
  out?: string;
  set: string[];
  json: boolean;
  progress: boolean;
  stopAfterFailures?: number;
  /** --max-memory: the most memory the runs at once (one per worker) may be estimated to keep. */
  maxMemory?: string;
  /** --resume DIR: run the seeds the sweep journaled in DIR lacks. */
  resume?: string;
  /** --queue redis://...: run the seeds on `dbsim worker`s through this Redis. */
  queue?: string;
  /** --batch: seeds per queue job. */
  batch?: number;
}

export const DEFAULT_SEEDS = "1..100";

/**
 * Test hook: when set, each task goes through it instead of straight to the pool (`run` sends it to
 * the pool). Tests use it to make one seed's task throw, as a worker that crashes would, or to
 * interrupt a sweep part way.
 */
export const sweepTestHooks: {
  runTask?: (task: RunTask, run: (task: RunTask) => Promise<RunTaskResult>) => Promise<RunTaskResult>;
} = {};

/** What a sweep runs: from the command line, or from the journal of the sweep it resumes. */
interface SweepPlan {
  readonly header: JournalHeader;
  readonly name: string;
  readonly out: string;
  readonly seeds: readonly number[];
  /** The seeds the journal already holds, in the order they finished. */
  readonly done: JournalEntry<SeedResult>[];
  /** One run's estimated memory: a queue's workers check it against their own --max-memory. */
  readonly run_memory_bytes: number;
}

export async function sweepCommand(args: SweepArgs, io: CliIo): Promise<number> {
  const queueTarget = args.queue === undefined ? null : parseQueueUrl(args.queue, "--queue");
  if (queueTarget !== null && args.workers !== undefined) {
    throw new CliError("--workers: with --queue the seeds run on dbsim worker, which takes --workers");
  }
  if (queueTarget === null && args.batch !== undefined) throw new CliError("--batch: only with --queue");
  const workers = args.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 256)) {
    throw new CliError(`--workers: expected an integer in [1, 256] (got ${args.workers})`);
  }
  if (
    args.batch !== undefined &&
    !(Number.isInteger(args.batch) && args.batch >= 1 && args.batch <= BATCH_SEEDS_MAX)
  ) {
    throw new CliError(`--batch: expected an integer in [1, ${BATCH_SEEDS_MAX}] (got ${args.batch})`);
  }
  // The queue's Redis first: a bad or unreachable one is one line, exit 2, before anything is written.
  const admin = queueTarget === null ? null : await connectQueue(queueTarget, "--queue");
  try {
    return await runSweep(
      args,
      workers,
      io,
      queueTarget === null || admin === null ? null : { target: queueTarget, admin },
    );
  } finally {
    admin?.disconnect();
  }
}

async function runSweep(
  args: SweepArgs,
  workers: number,
  io: CliIo,
  queueAt: { target: Target; admin: Redis } | null,
): Promise<number> {
  const plan =
    args.resume === undefined
      ? await freshPlan(args, workers, io)
      : await resumedPlan(args, args.resume, workers, io);
  const { header, out } = plan;
  const stopAfter = header.stop_after_failures ?? undefined;
  const metricsInterval_us = parseMetricsInterval({ metricsInterval: header.metrics_interval ?? undefined });
  const liveOptions = parseLiveOptions(args);
  const finished = new Set(plan.done.map((entry) => entry.seed));
  const todo = plan.seeds.filter((seed) => !finished.has(seed));
  // Where this sweep writes, checked before any work: sweep.json, each seed's failures/seed-<n>
  // (written here by the local pool's threads; a queue's workers write none).
  const failureTargets = preflightRunDirsIn(
    "--out",
    "dbsim",
    queueAt === null ? todo.map((seed) => join(out, "failures", `seed-${seed}`)) : [],
    io,
  );
  const failureTarget = new Map(failureTargets.map((target, i) => [todo[i] as number, target]));
  const sweepJson = join(out, "sweep.json");
  const sweepJsonTarget = preflightFileIn("--out", "dbsim", sweepJson);
  const queue =
    queueAt === null
      ? null
      : await SweepQueue.open(queueAt.target, queueAt.admin, plan.name, plan.run_memory_bytes);
  // Live metrics: the workers post their runs' snapshots, aggregated here under <scenario>/sweep.
  const live = liveOptions === null ? null : await LiveEndpoint.start(liveOptions, io);
  const sweepMetrics = live === null ? null : new SweepMetrics(sweepRunLabel(plan.name), todo.length);
  if (live !== null && sweepMetrics !== null) live.serve(() => sweepMetrics.snapshot());
  const journal =
    args.resume === undefined
      ? SweepJournal.create<SeedResult>(out, header)
      : SweepJournal.reopen<SeedResult>(out);
  try {
    const tally = new SweepTally();
    for (const entry of plan.done) tally.record(entry);
    // Set by a signal or the K-th failure, from the callbacks below.
    let stopped = (stopAfter !== undefined && tally.failing >= stopAfter ? "failures" : null) as
      | "SIGINT"
      | "SIGTERM"
      | "failures"
      | null;
    const interrupted = () => stopped === "SIGINT" || stopped === "SIGTERM";

    const bar = countProgressBar(
      args.progress && !args.json && io.stderr.isTTY === true,
      plan.seeds.length,
      "seeds",
      ["failing"],
    );
    bar?.update(tally.results.size, { failing: tally.failing });
    const scenarioPath = header.scenario_path;
    const taskOf = (seed: number): RunTask => ({
      text: header.scenario_text,
      sourceName: scenarioPath,
      fallbackName: basename(scenarioPath, extname(scenarioPath)),
      overrides: [...header.overrides],
      seed,
      reproduce: reproduceCommand(scenarioPath, seed, header.overrides),
      wantLatencyHistogram: true,
      filesOnlyOnFailure: true,
      ...(failureTarget.has(seed) ? { out: failureTarget.get(seed) } : {}),
      metrics: header.metrics,
      metricsInterval_us,
    });

    /** A seed's run as the pool (here, or a queue's worker) returned it, or the error that crashed it. */
    const settle = async (seed: number, outcome: QueuedOutcome): Promise<void> => {
      let entry: JournalEntry<SeedResult>;
      if ("result" in outcome) {
        const { result } = outcome;
        const finishedSeed = seedResult(result.report);
        sayNotes(io, result.written?.notes ?? []); // the worker wrote a failing seed's directory
        entry = {
          seed,
          result: finishedSeed,
          ...(result.latency_all_base64 === undefined
            ? {}
            : { latency_all_base64: result.latency_all_base64 }),
          latency_max_us: result.report.ops.all?.latency_us.max ?? 0,
        };
        await sweepMetrics?.finished(seed, seedOutcome(finishedSeed), result.metrics_final ?? null);
      } else {
        entry = { seed, result: { seed, crashed: outcome.error }, latency_max_us: 0 };
        await sweepMetrics?.finished(seed, "crashed", null);
      }
      journal.append(entry);
      tally.record(entry);
      if (stopAfter !== undefined && tally.failing >= stopAfter && stopped === null) stopped = "failures";
      bar?.increment({ failing: tally.failing });
    };

    let interrupt = (_signal: "SIGINT" | "SIGTERM"): void => {};
    const onSigint = (): void => interrupt("SIGINT");
    const onSigterm = (): void => interrupt("SIGTERM");
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigterm);
    try {
      if (queue === null) {
        await runLocally(todo, workers, stopAfter !== undefined, {
          taskOf,
          settle,
          stopped: () => stopped !== null,
          interrupted,
          sweepMetrics,
          onInterrupt: (handler) => {
            interrupt = (signal) => {
              if (interrupted()) return;
              stopped = signal;
              handler();
            };
          },
        });
      } else if (stopped === null) {
        interrupt = (signal) => {
          if (interrupted()) return;
          stopped = signal;
          queue.cancel(); // its pending jobs are removed with the queue below
        };
        const batch = args.batch ?? defaultBatch(todo.length);
        io.stderr.write(queue.banner(Math.ceil(todo.length / batch), batch));
        await queue.run(
          todo.map(taskOf),
          batch,
          sweepMetrics !== null,
          {
            settle: (seed, outcome) => (interrupted() ? Promise.resolve() : settle(seed, outcome)),
            shouldStop: () => stopped !== null,
            ...(sweepMetrics === null ? {} : { progress: (seed, s) => sweepMetrics.progress(seed, s) }),
          },
          io,
        );
      }
    } finally {
      process.removeListener("SIGINT", onSigint);
      process.removeListener("SIGTERM", onSigterm);
      bar?.stop();
      await queue?.close(io);
    }

    const sweep = tally.sweepJson(plan.name);
    if (interrupted()) {
      sweep.interrupted = true;
      sweep.planned_seeds = header.seeds;
      sweep.missing_seeds = seedRanges(plan.seeds.filter((seed) => !tally.results.has(seed)));
      sweep.resume = `${DBSIM} sweep --resume ${out}`;
    }
    sayNotes(io, writeFileAtomic(sweepJson, `${JSON.stringify(sweep, null, 2)}\n`, sweepJsonTarget).notes);

    if (args.json) io.stdout.write(`${JSON.stringify(sweep, null, 2)}\n`);
    else {
      const replay = (seed: number): string =>
        queue === null
          ? `replay the first: ${DBSIM} replay ${join(out, "failures", `seed-${seed}`)}`
          : `reproduce the first: ${reproduceCommand(scenarioPath, seed, header.overrides)}`;
      io.stdout.write(summaryText(sweep, plan.seeds.length, out, stopped, replay));
    }
    for (const r of sweep.seeds)
      if ("crashed" in r) io.stderr.write(`dbsim: seed ${r.seed} crashed: ${r.crashed}\n`);
    const breach = sweepBreachLine(sweep);
    if (breach !== null) io.stderr.write(breach);
    if (live !== null && !interrupted()) await live.hold(io);

    if (stopped === "SIGINT") return EXIT_SIGINT;
    if (stopped === "SIGTERM") return EXIT_SIGTERM;
    return sweepExit(sweep);
  } finally {
    journal.close();
    await live?.close();
  }
}

/**
 * A finished sweep's exit: a crash (70) over a failing seed (1) over a seed that breached a
 * threshold (5) over an undecided one (3).
 */
export function sweepExit(sweep: SweepJson): number {
  if (sweep.crashed_seeds.length > 0) return EXIT_INTERNAL;
  return worstExit(sweep.seeds.map((r) => ("exit" in r ? r.exit : EXIT_OK)));
}

/** The seeds that breached a threshold, and one stderr line naming them and what they breached. */
function breachingSeeds(sweep: SweepJson): FinishedSeed[] {
  return sweep.seeds.filter((r): r is FinishedSeed => "breached" in r && (r.breached?.length ?? 0) > 0);
}

export function sweepBreachLine(sweep: SweepJson): string | null {
  const seeds = breachingSeeds(sweep);
  if (seeds.length === 0) return null;
  const thresholds = [...new Set(seeds.flatMap((r) => r.breached ?? []))];
  return `dbsim: threshold breached in ${seeds.length} seed${seeds.length === 1 ? "" : "s"} (${list(seeds.map((r) => r.seed))}): ${thresholds.join(", ")}\n`;
}

interface LocalRun {
  taskOf(seed: number): RunTask;
  settle(seed: number, outcome: QueuedOutcome): Promise<void>;
  /** Stopped for any reason: submit nothing more. */
  stopped(): boolean;
  /** Stopped by a signal: results still coming are dropped. */
  interrupted(): boolean;
  sweepMetrics: SweepMetrics | null;
  /** Registers what a signal does: end the run at once. */
  onInterrupt(handler: () => void): void;
}

/** The seeds on this machine's pool of worker threads. */
async function runLocally(todo: readonly number[], workers: number, stopAfter: boolean, run: LocalRun) {
  const poolSize = Math.max(1, Math.min(workers, todo.length));
  const pool = createRunPool(poolSize);
  const runOne = async (seed: number): Promise<void> => {
    const task = run.taskOf(seed);
    const sweepMetrics = run.sweepMetrics;
    const channel = sweepMetrics === null ? null : new MessageChannel();
    if (channel !== null && sweepMetrics !== null) {
      channel.port1.on("message", (snapshot: MetricsSnapshot) => sweepMetrics.progress(seed, snapshot));
      channel.port1.unref();
      task.metricsPort = channel.port2;
    }
    let outcome: QueuedOutcome;
    try {
      const hook = sweepTestHooks.runTask;
      outcome = { result: hook === undefined ? await pool.run(task) : await hook(task, pool.run) };
    } catch (error) {
      outcome = { error: error instanceof Error ? error.message : String(error) };
    } finally {
      channel?.port1.close();
    }
    // The pool is going down: this result came too late, or was destroyed by the signal (not a crash).
    if (run.interrupted()) return;
    await run.settle(seed, outcome);
  };
  try {
    // Keep one task per worker in flight, and one more queued in the pool so that a worker that
    // finishes starts the next seed at once (not after the main thread has handled its result);
    // with --stop-after-failures none queued, so that no seed starts after the K-th failure.
    // Stopping (a signal, --stop-after-failures) then submits nothing more, and thousands of seeds
    // never sit queued in the pool.
    const depth = stopAfter ? poolSize : poolSize + 1;
    await new Promise<void>((resolve) => {
      let next = 0;
      let inFlight = 0;
      run.onInterrupt(resolve); // write what is done; the runs still going are abandoned
      const launch = (): void => {
        while (!run.stopped() && inFlight < depth && next < todo.length) {
          const seed = todo[next++] as number;
          inFlight++;
          void runOne(seed).finally(() => {
            inFlight--;
            launch();
          });
        }
        if (inFlight === 0 && (run.stopped() || next >= todo.length)) resolve();
      };
      launch();
    });
  } finally {
    await pool.close().catch(() => {});
  }
}

/**
 * The runs this machine keeps at once, which its memory must hold: one per worker thread; through a
 * queue, one (the scenario alone must fit: each dbsim worker checks its own threads).
 */
function runsAtOnce(args: SweepArgs, workers: number, seeds: number): number {
  return args.queue === undefined ? Math.min(workers, seeds) : 1;
}

/** A new sweep: its scenario and options from the command line; an earlier finished sweep in --out is replaced. */
async function freshPlan(args: SweepArgs, workers: number, io: CliIo): Promise<SweepPlan> {
  if (args.scenario === undefined) throw new CliError("sweep: give a scenario file, or --resume DIR");
  const seedsText = args.seeds ?? DEFAULT_SEEDS;
  const seeds = parseSeedRange(seedsText);
  const stopAfter = args.stopAfterFailures;
  if (stopAfter !== undefined && !(Number.isInteger(stopAfter) && stopAfter >= 1)) {
    throw new CliError(`--stop-after-failures: expected an integer >= 1 (got ${stopAfter})`);
  }
  // Refuses a bad scenario, or one too large for the workers' memory, before running.
  const runs = runsAtOnce(args, workers, seeds.length);
  const base = readScenarioFile(args.scenario, args.set, { maxMemory: args.maxMemory, runs });
  await refuseBadProtocol(base.resolved.cluster.replication.protocol);
  parseMetricsInterval(args);
  const out = args.out ?? join("runs", base.resolved.name, "sweep");
  const state = preflightOutputDirectory("--out", out, "sweep", io, false);
  if (state === "dbsim") replaceEarlierSweep(out, io);
  makeOutputDirectoryOrFail(out, "sweep");
  return {
    header: {
      schema: JOURNAL_SCHEMA,
      dbsim_version: dbsimVersion(),
      scenario_path: args.scenario,
      scenario_text: base.text,
      overrides: args.set,
      seeds: seedsText,
      stop_after_failures: stopAfter ?? null,
      metrics: args.metrics !== false,
      metrics_interval: args.metricsInterval ?? null,
    },
    name: base.resolved.name,
    out,
    seeds,
    done: [],
    run_memory_bytes: estimateMemory(base.resolved).total_bytes,
  };
}

/** Options a resumed sweep takes from its journal, not from the command line. */
const FIXED_BY_JOURNAL: readonly [keyof SweepArgs, string][] = [
  ["scenario", "a scenario"],
  ["seeds", "--seeds"],
  ["out", "--out"],
  ["stopAfterFailures", "--stop-after-failures"],
  ["metricsInterval", "--metrics-interval"],
];

/** The sweep journaled in `dir`, to finish: the same scenario, seeds and options, by the same dbsim. */
async function resumedPlan(args: SweepArgs, dir: string, workers: number, io: CliIo): Promise<SweepPlan> {
  for (const [key, option] of FIXED_BY_JOURNAL) {
    if (args[key] !== undefined)
      throw new CliError(`--resume ${dir} goes on with the sweep as it was started: drop ${option}`);
  }
  if (args.set.length > 0)
    throw new CliError(`--resume ${dir} goes on with the sweep as it was started: drop --set`);
  const state = preflightOutputDirectory("--resume", dir, "sweep", io, false);
  if (state !== "dbsim") throw new CliError(`--resume ${dir}: no sweep there to resume`);
  const done: JournalEntry<SeedResult>[] = [];
  const header = SweepJournal.read<SeedResult>(dir, (entry) => done.push(checkEntry(dir, entry)), {
    repair: true,
  });
  if (header.dbsim_version !== dbsimVersion()) {
    throw new CliError(
      `--resume ${dir}: the sweep was started by dbsim ${header.dbsim_version}, this is ${dbsimVersion()}; its seeds would not run alike (start it again)`,
    );
  }
  const seeds = parseSeedRange(header.seeds);
  const scenario = loadScenario(header.scenario_text, {
    sourceName: header.scenario_path,
    fallbackName: basename(header.scenario_path, extname(header.scenario_path)),
    overrides: header.overrides,
  });
  await refuseBadProtocol(scenario.resolved.cluster.replication.protocol);
  refuseOverMemory(
    scenario,
    { maxMemory: args.maxMemory, runs: runsAtOnce(args, workers, seeds.length) },
    header.scenario_path,
  );
  io.stderr.write(`dbsim: resuming the sweep in ${dir}: ${done.length} of ${seeds.length} seeds done\n`);
  const run_memory_bytes = estimateMemory(scenario.resolved).total_bytes;
  return { header, name: scenario.resolved.name, out: dir, seeds, done, run_memory_bytes };
}

/** A journal line of a seed: refused whole if it is not what this dbsim wrote. */
function checkEntry(dir: string, entry: JournalEntry<SeedResult>): JournalEntry<SeedResult> {
  if (!isJournalEntry(entry))
    throw new CliError(`${join(dir, JOURNAL_FILE)}: a seed's line is not one dbsim wrote`);
  return entry;
}

/**
 * A sweep into the directory of an earlier one replaces it: refused while that one is unfinished
 * (resume it, or choose another --out); otherwise its failing seeds' directories are removed (they
 * are dbsim's, checked by their marker), so none is left that the new sweep.json does not list.
 */
function replaceEarlierSweep(out: string, io: CliIo): void {
  let unfinished: string | null = null;
  try {
    let journaled = 0;
    let failing = 0;
    const header = SweepJournal.read<SeedResult>(out, (entry) => {
      journaled++;
      if ("valid" in entry.result && entry.result.valid === false) failing++;
    });
    const planned = parseSeedRange(header.seeds).length;
    const stoppedEarly = header.stop_after_failures !== null && failing >= header.stop_after_failures;
    if (journaled < planned && !stoppedEarly) unfinished = `${journaled} of ${planned} seeds`;
  } catch {
    // No journal (or none this dbsim reads): nothing unfinished to keep.
  }
  if (unfinished !== null) {
    throw new CliError(
      `--out ${out} holds an unfinished sweep (${unfinished}): finish it with ${DBSIM} sweep --resume ${out}, or choose another --out`,
    );
  }
  io.stderr.write(`dbsim: replacing the earlier sweep in ${out}\n`);
  const failures = join(out, "failures");
  const stats = lstatSync(failures, { throwIfNoEntry: false });
  if (stats === undefined) return;
  // Only the sweep's own folder: through a symbolic link the runs removed would be someone else's.
  if (!stats.isDirectory())
    throw new CliError(`--out ${out}: ${failures} is not a directory the sweep wrote`);
  const runs = readdirSync(failures)
    .filter((name) => /^seed-\d+$/.test(name))
    .map((name) => join(failures, name));
  try {
    // Every run checked before any is removed: a refusal leaves the earlier sweep whole.
    for (const run of runs) checkDirTarget(run, "run");
    for (const run of runs) removeWrittenDirectory(run, "run");
  } catch (error) {
    if (error instanceof OutputPathError) throw new CliError(`--out ${out}: ${error.message}`);
    throw error;
  }
}

function seedOutcome(seed: FinishedSeed): SeedOutcome {
  return seed.valid === true ? "pass" : seed.valid === false ? "fail" : "unknown";
}

/** The summary printed; `replay` says how to look at a failing seed. */
export function summaryText(
  sweep: SweepJson,
  total: number,
  out: string,
  stopped: string | null,
  replay: (seed: number) => string,
): string {
  const lines: string[] = [];
  const note =
    stopped === "SIGINT" || stopped === "SIGTERM"
      ? ` (interrupted by ${stopped}: ${total - sweep.seeds.length} not run; ${sweep.resume})`
      : stopped === "failures"
        ? ` (stopped after ${sweep.failing_seeds.length} failing: ${total - sweep.seeds.length} not run)`
        : "";
  lines.push(`seeds run: ${sweep.seeds.length}/${total}${note}`);
  const first = sweep.failing_seeds[0];
  lines.push(
    `failing seeds: ${sweep.failing_seeds.length}${first === undefined ? "" : ` (${list(sweep.failing_seeds)})`}`,
  );
  if (first !== undefined) lines.push(`  ${replay(first)}`);
  if (sweep.seeds.some((r) => "breached" in r)) {
    const breaching = breachingSeeds(sweep).map((r) => r.seed);
    lines.push(
      `seeds breaching thresholds: ${breaching.length}${breaching.length === 0 ? "" : ` (${list(breaching)})`}`,
    );
  }
  const undecided = sweep.seeds.filter((r) => "valid" in r && r.valid === "unknown").map((r) => r.seed);
  if (undecided.length > 0) lines.push(`undecided seeds: ${undecided.length} (${list(undecided)})`);
  lines.push(
    `crashed seeds: ${sweep.crashed_seeds.length}${sweep.crashed_seeds.length === 0 ? "" : ` (${list(sweep.crashed_seeds)})`}`,
  );
  const l = sweep.merged.latency_us;
  lines.push(
    `merged latency (${sweep.merged.count} ok ops, µs): p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  p99.9 ${l.p999}  max ${l.max}  mean ${l.mean}`,
  );
  lines.push(`wrote ${join(out, "sweep.json")}`);
  return `${lines.join("\n")}\n`;
}

function list(seeds: number[]): string {
  return seeds.length <= 20 ? seeds.join(", ") : `${seeds.slice(0, 20).join(", ")}, ...`;
}
