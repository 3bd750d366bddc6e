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

import { readdirSync, rmSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { MessageChannel } from "node:worker_threads";
import { decodeFromCompressedBase64 } from "hdr-histogram-js";
import { type LatencySummary, newHistogram, summarize } from "../../reports/latency.js";
import { sweepRunLabel } from "../../reports/metrics/catalogue.js";
import type { MetricsSnapshot } from "../../reports/metrics/exposition.js";
import { type SeedOutcome, SweepMetrics } from "../../reports/metrics/live.js";
import { checkDirTarget } from "../../reports/output-path.js";
import type { Report } from "../../reports/report-schema.js";
import { writeFileAtomic } from "../../reports/run-dir.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import {
  EXIT_INTERNAL,
  EXIT_OK,
  EXIT_SIGINT,
  EXIT_SIGTERM,
  EXIT_UNKNOWN,
  EXIT_VIOLATION,
} from "../exit-codes.js";
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
import type { RunTask, RunTaskResult } from "../run-task.js";
import { readScenarioFile, refuseOverMemory } from "../scenario-file.js";
import {
  JOURNAL_FILE,
  JOURNAL_SCHEMA,
  type JournalEntry,
  type JournalHeader,
  SweepJournal,
} from "../sweep-journal.js";
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
}

export const DEFAULT_SEEDS = "1..100";

export interface FinishedSeed {
  seed: number;
  trace_hash: string;
  valid: boolean | "unknown";
  exit: number;
  violations: string[];
}

export type SeedResult = FinishedSeed | { seed: number; crashed: string };

export interface SweepJson {
  scenario: string;
  seeds: SeedResult[];
  failing_seeds: number[];
  crashed_seeds: number[];
  merged: { latency_us: LatencySummary; count: number };
  /** Only in a sweep stopped by SIGINT or SIGTERM: the seeds asked for, those not run, how to go on. */
  interrupted?: true;
  planned_seeds?: string;
  missing_seeds?: string[];
  resume?: string;
}

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
}

export async function sweepCommand(args: SweepArgs, io: CliIo): Promise<number> {
  const workers = args.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 256)) {
    throw new CliError(`--workers: expected an integer in [1, 256] (got ${args.workers})`);
  }
  const plan =
    args.resume === undefined ? freshPlan(args, workers, io) : resumedPlan(args, args.resume, workers, io);
  const { header, out } = plan;
  const stopAfter = header.stop_after_failures ?? undefined;
  const metricsInterval_us = parseMetricsInterval({ metricsInterval: header.metrics_interval ?? undefined });
  const liveOptions = parseLiveOptions(args);
  const finished = new Set(plan.done.map((entry) => entry.seed));
  const todo = plan.seeds.filter((seed) => !finished.has(seed));
  // Where this sweep writes, checked before any work: sweep.json, each seed's failures/seed-<n>.
  const failureTargets = preflightRunDirsIn(
    "--out",
    "dbsim",
    todo.map((seed) => join(out, "failures", `seed-${seed}`)),
    io,
  );
  const failureTarget = new Map(todo.map((seed, i) => [seed, failureTargets[i]]));
  const sweepJson = join(out, "sweep.json");
  const sweepJsonTarget = preflightFileIn("--out", "dbsim", sweepJson);
  // Live metrics: the workers post their runs' snapshots, aggregated here under <scenario>/sweep.
  const live = liveOptions === null ? null : await LiveEndpoint.start(liveOptions, io);
  const sweepMetrics = live === null ? null : new SweepMetrics(sweepRunLabel(plan.name), todo.length);
  if (live !== null && sweepMetrics !== null) live.serve(() => sweepMetrics.snapshot());
  const journal =
    args.resume === undefined
      ? SweepJournal.create<SeedResult>(out, header)
      : SweepJournal.reopen<SeedResult>(out);
  try {
    const results = new Map<number, SeedResult>();
    const merged = newHistogram();
    let mergedMax = 0;
    let failing = 0;
    const record = (entry: JournalEntry<SeedResult>): void => {
      results.set(entry.seed, entry.result);
      if (entry.latency_all_base64 !== undefined)
        merged.add(decodeFromCompressedBase64(entry.latency_all_base64));
      mergedMax = Math.max(mergedMax, entry.latency_max_us);
      if ("valid" in entry.result && entry.result.valid === false) failing++;
    };
    for (const entry of plan.done) record(entry);
    // Set by a signal or the K-th failure, from the callbacks below.
    let stopped = (stopAfter !== undefined && failing >= stopAfter ? "failures" : null) as
      | "SIGINT"
      | "SIGTERM"
      | "failures"
      | null;
    const interrupted = () => stopped === "SIGINT" || stopped === "SIGTERM";

    const poolSize = Math.max(1, Math.min(workers, todo.length));
    const pool = createRunPool(poolSize);
    const bar = countProgressBar(
      args.progress && !args.json && io.stderr.isTTY === true,
      plan.seeds.length,
      "seeds",
      ["failing"],
    );
    bar?.update(results.size, { failing });
    const scenarioPath = header.scenario_path;

    const runOne = async (seed: number): Promise<void> => {
      const task: RunTask = {
        text: header.scenario_text,
        sourceName: scenarioPath,
        fallbackName: basename(scenarioPath, extname(scenarioPath)),
        overrides: [...header.overrides],
        seed,
        reproduce: reproduceCommand(scenarioPath, seed, header.overrides),
        wantLatencyHistogram: true,
        filesOnlyOnFailure: true,
        out: failureTarget.get(seed),
        metrics: header.metrics,
        metricsInterval_us,
      };
      const channel = sweepMetrics === null ? null : new MessageChannel();
      if (channel !== null && sweepMetrics !== null) {
        channel.port1.on("message", (snapshot: MetricsSnapshot) => sweepMetrics.progress(seed, snapshot));
        channel.port1.unref();
        task.metricsPort = channel.port2;
      }
      let entry: JournalEntry<SeedResult>;
      try {
        const hook = sweepTestHooks.runTask;
        const result = hook === undefined ? await pool.run(task) : await hook(task, pool.run);
        if (interrupted()) return; // the pool is going down: this result came too late
        const outcome = seedResult(result.report);
        sayNotes(io, result.written?.notes ?? []); // the worker wrote a failing seed's directory
        entry = {
          seed,
          result: outcome,
          ...(result.latency_all_base64 === undefined
            ? {}
            : { latency_all_base64: result.latency_all_base64 }),
          latency_max_us: result.report.ops.all?.latency_us.max ?? 0,
        };
        await sweepMetrics?.finished(seed, seedOutcome(outcome), result.metrics_final ?? null);
      } catch (error) {
        if (interrupted()) return; // destroyed by the signal, not a crash
        entry = {
          seed,
          result: { seed, crashed: error instanceof Error ? error.message : String(error) },
          latency_max_us: 0,
        };
        await sweepMetrics?.finished(seed, "crashed", null);
      } finally {
        channel?.port1.close();
      }
      journal.append(entry);
      record(entry);
      if (stopAfter !== undefined && failing >= stopAfter && stopped === null) stopped = "failures";
      bar?.increment({ failing });
    };

    let interrupt = (_signal: "SIGINT" | "SIGTERM"): void => {};
    const onSigint = (): void => interrupt("SIGINT");
    const onSigterm = (): void => interrupt("SIGTERM");
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigterm);
    try {
      // Keep one task per worker in flight, and one more queued in the pool so that a worker that
      // finishes starts the next seed at once (not after the main thread has handled its result);
      // with --stop-after-failures none queued, so that no seed starts after the K-th failure.
      // Stopping (a signal, --stop-after-failures) then submits nothing more, and thousands of seeds
      // never sit queued in the pool.
      const depth = stopAfter === undefined ? poolSize + 1 : poolSize;
      await new Promise<void>((resolve) => {
        let next = 0;
        let inFlight = 0;
        interrupt = (signal) => {
          if (interrupted()) return;
          stopped = signal;
          resolve(); // write what is done; the runs still going are abandoned
        };
        const launch = (): void => {
          while (stopped === null && inFlight < depth && next < todo.length) {
            const seed = todo[next++] as number;
            inFlight++;
            void runOne(seed).finally(() => {
              inFlight--;
              launch();
            });
          }
          if (inFlight === 0 && (stopped !== null || next >= todo.length)) resolve();
        };
        launch();
      });
    } finally {
      process.removeListener("SIGINT", onSigint);
      process.removeListener("SIGTERM", onSigterm);
      bar?.stop();
      await pool.close().catch(() => {});
    }

    const ordered = [...results.values()].sort((a, b) => a.seed - b.seed);
    const sweep: SweepJson = {
      scenario: plan.name,
      seeds: ordered,
      failing_seeds: ordered.filter((r) => "valid" in r && r.valid === false).map((r) => r.seed),
      crashed_seeds: ordered.filter((r) => "crashed" in r).map((r) => r.seed),
      merged: {
        latency_us: summarize(merged, merged.mean * merged.totalCount, mergedMax),
        count: merged.totalCount,
      },
    };
    if (interrupted()) {
      sweep.interrupted = true;
      sweep.planned_seeds = header.seeds;
      sweep.missing_seeds = seedRanges(plan.seeds.filter((seed) => !results.has(seed)));
      sweep.resume = `${DBSIM} sweep --resume ${out}`;
    }
    sayNotes(io, writeFileAtomic(sweepJson, `${JSON.stringify(sweep, null, 2)}\n`, sweepJsonTarget).notes);

    if (args.json) io.stdout.write(`${JSON.stringify(sweep, null, 2)}\n`);
    else io.stdout.write(summaryText(sweep, plan.seeds.length, out, stopped));
    for (const r of ordered)
      if ("crashed" in r) io.stderr.write(`dbsim: seed ${r.seed} crashed: ${r.crashed}\n`);
    if (live !== null && !interrupted()) await live.hold(io);

    if (stopped === "SIGINT") return EXIT_SIGINT;
    if (stopped === "SIGTERM") return EXIT_SIGTERM;
    if (sweep.crashed_seeds.length > 0) return EXIT_INTERNAL;
    if (sweep.failing_seeds.length > 0) return EXIT_VIOLATION;
    if (ordered.some((r) => "valid" in r && r.valid === "unknown")) return EXIT_UNKNOWN;
    return EXIT_OK;
  } finally {
    journal.close();
    await live?.close();
  }
}

/** A new sweep: its scenario and options from the command line; an earlier finished sweep in --out is replaced. */
function freshPlan(args: SweepArgs, workers: number, io: CliIo): SweepPlan {
  if (args.scenario === undefined) throw new CliError("sweep: give a scenario file, or --resume DIR");
  const seedsText = args.seeds ?? DEFAULT_SEEDS;
  const seeds = parseSeedRange(seedsText);
  const stopAfter = args.stopAfterFailures;
  if (stopAfter !== undefined && !(Number.isInteger(stopAfter) && stopAfter >= 1)) {
    throw new CliError(`--stop-after-failures: expected an integer >= 1 (got ${stopAfter})`);
  }
  // Refuses a bad scenario, or one too large for the workers' memory, before running.
  const runs = Math.min(workers, seeds.length);
  const base = readScenarioFile(args.scenario, args.set, { maxMemory: args.maxMemory, runs });
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
function resumedPlan(args: SweepArgs, dir: string, workers: number, io: CliIo): SweepPlan {
  for (const [key, option] of FIXED_BY_JOURNAL) {
    if (args[key] !== undefined)
      throw new CliError(`--resume ${dir} goes on with the sweep as it was started: drop ${option}`);
  }
  if (args.set.length > 0)
    throw new CliError(`--resume ${dir} goes on with the sweep as it was started: drop --set`);
  const state = preflightOutputDirectory("--resume", dir, "sweep", io, false);
  if (state !== "dbsim") throw new CliError(`--resume ${dir}: no sweep there to resume`);
  const done: JournalEntry<SeedResult>[] = [];
  const header = SweepJournal.read<SeedResult>(dir, (entry) => done.push(checkEntry(dir, entry)));
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
  refuseOverMemory(
    scenario,
    { maxMemory: args.maxMemory, runs: Math.min(workers, seeds.length) },
    header.scenario_path,
  );
  io.stderr.write(`dbsim: resuming the sweep in ${dir}: ${done.length} of ${seeds.length} seeds done\n`);
  return { header, name: scenario.resolved.name, out: dir, seeds, done };
}

/** A journal line of a seed: refused whole if it is not what this dbsim wrote. */
function checkEntry(dir: string, entry: JournalEntry<SeedResult>): JournalEntry<SeedResult> {
  const ok =
    entry !== null &&
    typeof entry === "object" &&
    Number.isSafeInteger(entry.seed) &&
    typeof entry.result === "object" &&
    entry.result !== null &&
    entry.result.seed === entry.seed &&
    typeof entry.latency_max_us === "number" &&
    (entry.latency_all_base64 === undefined || typeof entry.latency_all_base64 === "string");
  if (!ok) throw new CliError(`${join(dir, JOURNAL_FILE)}: a seed's line is not one dbsim wrote`);
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
  let names: string[] = [];
  try {
    names = readdirSync(join(out, "failures"));
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(out, "failures", name);
    if (/^seed-\d+$/.test(name) && checkDirTarget(path, "run").state === "dbsim")
      rmSync(path, { recursive: true });
  }
}

function seedOutcome(seed: FinishedSeed): SeedOutcome {
  return seed.valid === true ? "pass" : seed.valid === false ? "fail" : "unknown";
}

/** A finished run's entry: its combined check verdict (false > unknown > true) and `dbsim run`'s exit. */
function seedResult(report: Report): FinishedSeed {
  const verdicts = Object.entries(report.checks);
  const violations = verdicts.filter(([, v]) => v.valid === false).map(([name]) => name);
  const unknown = verdicts.some(([, v]) => v.valid === "unknown");
  const valid = violations.length > 0 ? false : unknown ? "unknown" : true;
  const exit = valid === false ? EXIT_VIOLATION : valid === "unknown" ? EXIT_UNKNOWN : EXIT_OK;
  return { seed: report.seed, trace_hash: report.trace_hash, valid, exit, violations };
}

/** Ascending seeds as ranges: [1, 2, 3, 7] -> ["1..3", "7"]. */
function seedRanges(seeds: readonly number[]): string[] {
  const ranges: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && (seeds[j + 1] as number) === (seeds[j] as number) + 1) j++;
    ranges.push(i === j ? `${seeds[i]}` : `${seeds[i]}..${seeds[j]}`);
    i = j + 1;
  }
  return ranges;
}

function summaryText(sweep: SweepJson, total: number, out: string, stopped: string | null): string {
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
  if (first !== undefined)
    lines.push(`  replay the first: ${DBSIM} replay ${join(out, "failures", `seed-${first}`)}`);
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
