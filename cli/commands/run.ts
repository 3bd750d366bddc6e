// dbsim run <scenario> [--seed N] [--out DIR] [--set path=value]... [--json]
//   [--no-metrics] [--metrics-interval D] [--run-label NAME] [--metrics-port P [--metrics-host H] [--metrics-hold S]]

import { join } from "node:path";
import { type WriteOutcome, writeRunDir } from "../../reports/run-dir.js";
import { terminalSummary } from "../../reports/summary.js";
import type { CliIo } from "../cli.js";
import { checkDeterminism, divergenceLine } from "../determinism.js";
import { CliError } from "../errors.js";
import { executeRun } from "../execute.js";
import { EXIT_NONDETERMINISM, EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATION } from "../exit-codes.js";
import { DBSIM } from "../invocation.js";
import { LiveEndpoint, type MetricsArgs, parseLiveOptions, parseMetricsInterval } from "../live-metrics.js";
import { preflightRunDir, sayNotes, sayWrote, settingsSlug } from "../output.js";
import { RunProgressBar } from "../progress.js";
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
    return checksExitCode(executed.report.checks, io, reproduce);
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

/** 0 when every check passed, 1 when one found a violation (said on stderr with the seed), 3 when one could not decide. */
function checksExitCode(
  checks: Record<string, { valid: boolean | "unknown" }>,
  io: CliIo,
  reproduce: string,
): number {
  const entries = Object.entries(checks);
  const failed = entries.filter(([, v]) => v.valid === false).map(([name]) => name);
  const unknown = entries.filter(([, v]) => v.valid === "unknown").map(([name]) => name);
  if (failed.length > 0) {
    io.stderr.write(
      `dbsim: check failed: ${failed.join(", ")}; failure.json written; reproduce: ${reproduce}\n`,
    );
    return EXIT_VIOLATION;
  }
  if (unknown.length > 0) {
    io.stderr.write(`dbsim: check could not decide: ${unknown.join(", ")}\n`);
    return EXIT_UNKNOWN;
  }
  return EXIT_OK;
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
