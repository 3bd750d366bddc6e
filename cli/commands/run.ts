// dbsim run <scenario> [--seed N] [--out DIR] [--set path=value]... [--json]
//   [--no-metrics] [--metrics-interval D] [--run-label NAME] [--metrics-port P [--metrics-host H] [--metrics-hold S]]

import { join } from "node:path";
import type { Report } from "../../reports/report-schema.js";
import { type WriteOutcome, writeRunDir } from "../../reports/run-dir.js";
import { terminalSummary } from "../../reports/summary.js";
import type { CliIo } from "../cli.js";
import { checkDeterminism, divergenceLine } from "../determinism.js";
import { CliError } from "../errors.js";
import { executeRun } from "../execute.js";
import { EXIT_NONDETERMINISM } from "../exit-codes.js";
import { DBSIM } from "../invocation.js";
import { LiveEndpoint, type MetricsArgs, parseLiveOptions, parseMetricsInterval } from "../live-metrics.js";
import { preflightRunDir, sayNotes, sayWrote, settingsSlug } from "../output.js";
import { RunProgressBar } from "../progress.js";
import { breachLine, runOutcome } from "../run-outcome.js";
import { readScenarioFile } from "../scenario-file.js";
import { parseSeed } from "../seeds.js";

export interface RunArgs extends MetricsArgs {
  scenario: string;
  seed: string | number;
  out?: string;
  set: string[];
  json: boolean;
  progress: boolean;
  checkDeterminism: boolean;
  /** The `run` label of the run's metrics (default <scenario>/seed-<seed>). */
  runLabel?: string;
  /** --max-memory: the most memory the scenario's run may be estimated to keep. */
  maxMemory?: string;
}

export async function runCommand(args: RunArgs, io: CliIo): Promise<number> {
  const seed = parseSeed(args.seed);
  const scenario = readScenarioFile(args.scenario, args.set, { maxMemory: args.maxMemory });
  const out = args.out ?? defaultRunDir(scenario.resolved.name, args.set, seed);
  const reproduce = reproduceCommand(args.scenario, seed, args.set);
  const interval_us = parseMetricsInterval(args);
  const liveOptions = parseLiveOptions(args);
  if (args.runLabel !== undefined && (args.runLabel.trim() === "" || args.metrics === false)) {
    throw new CliError("--run-label: expected a non-empty name, and metrics (not --no-metrics)");
  }
  const target = preflightRunDir("--out", out, io);
  // Listen before running: a port in use is reported before any work.
  const live = liveOptions === null ? null : await LiveEndpoint.start(liveOptions, io);
  try {
    const bar = new RunProgressBar(args.progress && !args.json && io.stderr.isTTY === true);
    let executed: Awaited<ReturnType<typeof executeRun>>;
    try {
      executed = await executeRun(scenario, seed, {
        onProgress: (p) => bar.update(p),
        yieldBetweenSlices: true,
        reproduce,
        metrics: args.metrics !== false && {
          interval_us,
          ...(args.runLabel === undefined ? {} : { run: args.runLabel }),
          ...(live === null ? {} : { live: { attach: (snapshot) => live.serve(snapshot) } }),
        },
      });
    } finally {
      bar.stop();
    }
    let written: WriteOutcome;
    try {
      written = writeRunDir(out, executed.files, { expected: target });
    } catch (error) {
      throw new CliError(`cannot write the run directory ${out}: ${(error as Error).message}`);
    }
    sayNotes(io, written.notes);
    if (args.json) io.stdout.write(`${JSON.stringify(executed.report, null, 2)}\n`);
    else io.stdout.write(`${terminalSummary(executed.report, reproduce)}\n`);
    sayWrote(io, args.json, `${written.path}/`);
    if (args.checkDeterminism) {
      const determinism = await checkDeterminism(scenario, seed);
      if (determinism.first !== undefined) {
        throw new CliError(
          `not deterministic: ${divergenceLine(determinism.first)}; reproduce: ${reproduce}`,
          EXIT_NONDETERMINISM,
        );
      }
      io.stderr.write(`dbsim: deterministic: two more runs gave trace hash ${determinism.trace_hash}\n`);
    }
    await live?.hold(io);
    return runExitCode(executed.report, io, reproduce);
  } finally {
    await live?.close();
  }
}

/**
 * runs/<scenario>/seed-<seed>, or with --set overrides runs/<scenario>/<the overrides>/seed-<seed>:
 * a run with other settings never replaces the plain one, nor one with different settings.
 */
function defaultRunDir(scenario: string, overrides: readonly string[], seed: number): string {
  const settings = overrides.length === 0 ? [] : [settingsSlug(overrides)];
  return join("runs", scenario, ...settings, `seed-${seed}`);
}

/**
 * 1 when a check found a violation (said on stderr with the seed), else 5 when a threshold was
 * breached (said with the values), else 3 when a check could not decide, else 0.
 */
function runExitCode(report: Report, io: CliIo, reproduce: string): number {
  const outcome = runOutcome(report);
  if (outcome.violations.length > 0) {
    io.stderr.write(
      `dbsim: check failed: ${outcome.violations.join(", ")}; failure.json written; reproduce: ${reproduce}\n`,
    );
  }
  if (outcome.breached.length > 0) io.stderr.write(breachLine(outcome.breached));
  if (outcome.violations.length === 0 && outcome.undecided.length > 0) {
    io.stderr.write(`dbsim: check could not decide: ${outcome.undecided.join(", ")}\n`);
  }
  return outcome.exit;
}

/** `npx dbsim run <scenario> --seed N [--set ...]`, quoted for a POSIX shell. */
export function reproduceCommand(scenario: string, seed: number, overrides: readonly string[]): string {
  const words = [
    ...DBSIM.split(" "),
    "run",
    scenario,
    "--seed",
    String(seed),
    ...overrides.flatMap((o) => ["--set", o]),
  ];
  return words.map(shellQuote).join(" ");
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
