// dbsim sweep <scenario> --seeds a..b [--workers W] [--out DIR] [--set ...] [--stop-after-failures K]
//
// Runs one scenario at every seed of a range on a pool of worker threads (one task = one seed) and
// writes <out>/sweep.json: each seed's trace hash and check verdict, the failing and crashed seeds,
// and the all-operations latency merged across seeds (each run's HDR histogram, shipped from its
// worker as compressed base64, added up). Seeds are listed in ascending order whatever the order they
// finish in, and nothing host-specific is written, so sweep.json is the same at any worker count.
// Only the failing seeds' run directories are written, under <out>/failures/seed-<n>/.

import { readFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { MessageChannel } from "node:worker_threads";
import { decodeFromCompressedBase64 } from "hdr-histogram-js";
import { type LatencySummary, newHistogram, summarize } from "../../reports/latency.js";
import { sweepRunLabel } from "../../reports/metrics/catalogue.js";
import type { MetricsSnapshot } from "../../reports/metrics/exposition.js";
import { type SeedOutcome, SweepMetrics } from "../../reports/metrics/live.js";
import type { Report } from "../../reports/report-schema.js";
import { writeFileAtomic, writeRunDir } from "../../reports/run-dir.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATION } from "../exit-codes.js";
import { LiveEndpoint, type MetricsArgs, parseLiveOptions, parseMetricsInterval } from "../live-metrics.js";
import { createRunPool, defaultWorkers } from "../pool.js";
import { countProgressBar } from "../progress.js";
import type { RunTask, RunTaskResult } from "../run-task.js";
import { readScenarioFile } from "../scenario-file.js";
import { parseSeedRange } from "../vary.js";
import { reproduceCommand } from "./run.js";

export interface SweepArgs extends MetricsArgs {
  scenario: string;
  seeds: string;
  workers?: number;
  out?: string;
  set: string[];
  json: boolean;
  progress: boolean;
  stopAfterFailures?: number;
}

/** Exit code when some runs crashed (a bug in dbsim); as dbsim matrix. */
const EXIT_INTERNAL = 70;
/** Exit code after Ctrl-C (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;

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
}

/**
 * Test hook: when set, each task goes through it instead of straight to the pool (`run` sends it to
 * the pool). Tests use it to make one seed's task throw, as a worker that crashes would.
 */
export const sweepTestHooks: {
  runTask?: (task: RunTask, run: (task: RunTask) => Promise<RunTaskResult>) => Promise<RunTaskResult>;
} = {};

export async function sweepCommand(args: SweepArgs, io: CliIo): Promise<number> {
  const seeds = parseSeedRange(args.seeds);
  const workers = args.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 256)) {
    throw new CliError(`--workers: expected an integer in [1, 256] (got ${args.workers})`);
  }
  const stopAfter = args.stopAfterFailures;
  if (stopAfter !== undefined && !(Number.isInteger(stopAfter) && stopAfter >= 1)) {
    throw new CliError(`--stop-after-failures: expected an integer >= 1 (got ${stopAfter})`);
  }
  const base = readScenarioFile(args.scenario, args.set); // refuses a bad scenario before running
  const text = readFileSync(args.scenario, "utf8");
  const out = args.out ?? join("runs", base.resolved.name, "sweep");
  const metricsInterval_us = parseMetricsInterval(args);
  const liveOptions = parseLiveOptions(args);
  // Live metrics: the workers post their runs' snapshots, aggregated here under <scenario>/sweep.
  const live = liveOptions === null ? null : await LiveEndpoint.start(liveOptions, io);
  const sweepMetrics =
    live === null ? null : new SweepMetrics(sweepRunLabel(base.resolved.name), seeds.length);
  if (live !== null && sweepMetrics !== null) live.serve(() => sweepMetrics.snapshot());
  try {
    const poolSize = Math.min(workers, seeds.length);
    const pool = createRunPool(poolSize);
    const bar = countProgressBar(
      args.progress && !args.json && io.stderr.isTTY === true,
      seeds.length,
      "seeds",
      ["failing"],
    );

    const results = new Map<number, SeedResult>();
    const merged = newHistogram();
    let mergedMax = 0;
    let failing = 0;
    let stopped: "interrupted" | "failures" | null = null;

    const runOne = async (seed: number): Promise<void> => {
      const task: RunTask = {
        text,
        sourceName: args.scenario,
        fallbackName: basename(args.scenario, extname(args.scenario)),
        overrides: args.set,
        seed,
        reproduce: reproduceCommand(args.scenario, seed, args.set),
        wantLatencyHistogram: true,
        filesOnlyOnFailure: true,
        metrics: args.metrics,
        metricsInterval_us,
      };
      const channel = sweepMetrics === null ? null : new MessageChannel();
      if (channel !== null && sweepMetrics !== null) {
        channel.port1.on("message", (snapshot: MetricsSnapshot) => sweepMetrics.progress(seed, snapshot));
        channel.port1.unref();
        task.metricsPort = channel.port2;
      }
      let outcome: SeedResult;
      try {
        const hook = sweepTestHooks.runTask;
        const result = hook === undefined ? await pool.run(task) : await hook(task, pool.run);
        if (stopped === "interrupted") return; // the pool is going down: this result came too late
        const finished = seedResult(result.report);
        outcome = finished;
        if (finished.valid === false) {
          writeRunDir(join(out, "failures", `seed-${seed}`), new Map(result.files));
        }
        if (result.latency_all_base64 !== undefined) {
          merged.add(decodeFromCompressedBase64(result.latency_all_base64));
        }
        mergedMax = Math.max(mergedMax, result.report.ops.all?.latency_us.max ?? 0);
        await sweepMetrics?.finished(seed, seedOutcome(finished), result.metrics_final ?? null);
      } catch (error) {
        if (stopped === "interrupted") return; // destroyed by Ctrl-C, not a crash
        outcome = { seed, crashed: error instanceof Error ? error.message : String(error) };
        await sweepMetrics?.finished(seed, "crashed", null);
      } finally {
        channel?.port1.close();
      }
      results.set(seed, outcome);
      if ("valid" in outcome && outcome.valid === false) failing++;
      if (stopAfter !== undefined && failing >= stopAfter && stopped === null) stopped = "failures";
      bar?.increment({ failing });
    };

    let interrupt = (): void => {};
    const onSigint = (): void => interrupt();
    process.on("SIGINT", onSigint);
    try {
      // Keep one task per worker in flight, and one more queued in the pool so that a worker that
      // finishes starts the next seed at once (not after the main thread has handled its result);
      // with --stop-after-failures none queued, so that no seed starts after the K-th failure.
      // Stopping (Ctrl-C, --stop-after-failures) then submits nothing more, and thousands of seeds
      // never sit queued in the pool.
      const depth = stopAfter === undefined ? poolSize + 1 : poolSize;
      await new Promise<void>((resolve) => {
        let next = 0;
        let inFlight = 0;
        interrupt = () => {
          stopped = "interrupted";
          resolve(); // write what is done; the runs still going are abandoned
        };
        const launch = (): void => {
          while (stopped === null && inFlight < depth && next < seeds.length) {
            const seed = seeds[next++] as number;
            inFlight++;
            void runOne(seed).finally(() => {
              inFlight--;
              launch();
            });
          }
          if (inFlight === 0 && (stopped !== null || next >= seeds.length)) resolve();
        };
        launch();
      });
    } finally {
      process.removeListener("SIGINT", onSigint);
      bar?.stop();
      await pool.close().catch(() => {});
    }

    const ordered = [...results.values()].sort((a, b) => a.seed - b.seed);
    const sweep: SweepJson = {
      scenario: base.resolved.name,
      seeds: ordered,
      failing_seeds: ordered.filter((r) => "valid" in r && r.valid === false).map((r) => r.seed),
      crashed_seeds: ordered.filter((r) => "crashed" in r).map((r) => r.seed),
      merged: {
        latency_us: summarize(merged, merged.mean * merged.totalCount, mergedMax),
        count: merged.totalCount,
      },
    };
    writeFileAtomic(join(out, "sweep.json"), `${JSON.stringify(sweep, null, 2)}\n`);

    if (args.json) io.stdout.write(`${JSON.stringify(sweep, null, 2)}\n`);
    else io.stdout.write(summaryText(sweep, seeds.length, out, stopped));
    for (const r of ordered)
      if ("crashed" in r) io.stderr.write(`dbsim: seed ${r.seed} crashed: ${r.crashed}\n`);
    if (live !== null && stopped !== "interrupted") await live.hold(io);

    if (stopped === "interrupted") return EXIT_INTERRUPTED;
    if (sweep.crashed_seeds.length > 0) return EXIT_INTERNAL;
    if (sweep.failing_seeds.length > 0) return EXIT_VIOLATION;
    if (ordered.some((r) => "valid" in r && r.valid === "unknown")) return EXIT_UNKNOWN;
    return EXIT_OK;
  } finally {
    await live?.close();
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

function summaryText(sweep: SweepJson, total: number, out: string, stopped: string | null): string {
  const lines: string[] = [];
  const note =
    stopped === "interrupted"
      ? ` (interrupted: ${total - sweep.seeds.length} not run)`
      : stopped === "failures"
        ? ` (stopped after ${sweep.failing_seeds.length} failing: ${total - sweep.seeds.length} not run)`
        : "";
  lines.push(`seeds run: ${sweep.seeds.length}/${total}${note}`);
  const first = sweep.failing_seeds[0];
  lines.push(
    `failing seeds: ${sweep.failing_seeds.length}${first === undefined ? "" : ` (${list(sweep.failing_seeds)})`}`,
  );
  if (first !== undefined)
    lines.push(`  replay the first: dbsim replay ${join(out, "failures", `seed-${first}`)}`);
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
