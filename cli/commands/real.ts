// dbsim real <scenario> [--target pglite|postgres://...|redis://...] [--seed N] [--out DIR] [--set ...] [--json]
//   [--compare [--max-memory SIZE]]
//
// Runs a scenario's workload on a real database (cli/real/): the same operations and arrival
// schedule a simulated run at the seed has, the same recorders, and the same run directory, so
// `dbsim compare` puts a simulated and a real run side by side (--compare: simulates the scenario
// at the seed too and prints that table). Ctrl-C (SIGINT) or SIGTERM stops sending, lets the
// operations in flight end, writes what was measured and exits 130 / 143.

import { join } from "node:path";
import { compareRuns, comparisonTable } from "../../reports/compare.js";
import type { Report } from "../../reports/report-schema.js";
import { type WriteOutcome, writeRunDir } from "../../reports/run-dir.js";
import { terminalSummary } from "../../reports/summary.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { executeRun } from "../execute.js";
import { EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM } from "../exit-codes.js";
import { DBSIM } from "../invocation.js";
import { preflightRunDir, sayNotes, sayWrote, settingsSlug } from "../output.js";
import { countProgressBar } from "../progress.js";
import { checkTargetFits, executeReal } from "../real/real-run.js";
import { parseTarget, type Target } from "../real/target.js";
import { breachLine, runOutcome } from "../run-outcome.js";
import { readScenarioFile, type ScenarioFile } from "../scenario-file.js";
import { parseSeed } from "../seeds.js";
import { shellQuote } from "./run.js";

export interface RealArgs {
  scenario: string;
  target: string;
  seed: string | number;
  out?: string;
  set: string[];
  json: boolean;
  progress: boolean;
  /** Also simulate the scenario at the seed and print both runs side by side (not with --json). */
  compare?: boolean;
  /** --max-memory: the most memory --compare's simulated run may be estimated to keep. */
  maxMemory?: string;
}

/** runs/<scenario>/real-<kind>/[<overrides>/]seed-<seed>: never a simulated run's directory. */
function defaultRealDir(
  scenario: string,
  target: Target,
  overrides: readonly string[],
  seed: number,
): string {
  const settings = overrides.length === 0 ? [] : [settingsSlug(overrides)];
  return join("runs", scenario, `real-${target.kind}`, ...settings, `seed-${seed}`);
}

/** `npx dbsim real <scenario> --target <name> --seed N [--set ...]`: the target without credentials. */
export function realCommandLine(
  command: "real" | "calibrate",
  scenarios: readonly string[],
  target: Target,
  seed: number,
  overrides: readonly string[],
): string {
  const words = [
    ...DBSIM.split(" "),
    command,
    ...scenarios,
    "--target",
    target.name,
    "--seed",
    String(seed),
    ...overrides.flatMap((o) => ["--set", o]),
  ];
  return words.map(shellQuote).join(" ");
}

/** Aborts on SIGINT or SIGTERM while `body` runs; says which signal it was. */
export async function withSignals<T>(
  body: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; signal: "SIGINT" | "SIGTERM" | null }> {
  const controller = new AbortController();
  let received: "SIGINT" | "SIGTERM" | null = null;
  const on = (name: "SIGINT" | "SIGTERM") => () => {
    received ??= name;
    controller.abort();
  };
  const onInt = on("SIGINT");
  const onTerm = on("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    return { value: await body(controller.signal), signal: received };
  } finally {
    process.removeListener("SIGINT", onInt);
    process.removeListener("SIGTERM", onTerm);
  }
}

export async function realCommand(args: RealArgs, io: CliIo): Promise<number> {
  const target = parseTarget(args.target);
  const seed = parseSeed(args.seed);
  if (args.compare === true && args.json) throw new CliError("--compare prints a table: not with --json");
  const scenario = readScenarioFile(
    args.scenario,
    args.set,
    args.compare === true ? { maxMemory: args.maxMemory } : undefined,
  );
  checkTargetFits(scenario.resolved, target, args.scenario);
  const out = args.out ?? defaultRealDir(scenario.resolved.name, target, args.set, seed);
  const dir = preflightRunDir("--out", out, io);
  const reproduce = realCommandLine("real", [args.scenario], target, seed, args.set);
  const end_s = Math.max(1, Math.round((scenario.resolved.warmup_us + scenario.resolved.duration_us) / 1e6));
  const bar = countProgressBar(args.progress && !args.json && io.stderr.isTTY === true, end_s, "s", ["ops"]);
  const { value: executed, signal } = await withSignals((abort) =>
    executeReal(scenario, {
      target,
      seed,
      reproduce,
      signal: abort,
      note: (line) => io.stderr.write(`dbsim: ${line}\n`),
      onProgress: (p) => bar?.update(Math.min(end_s, Math.floor(p.elapsed_us / 1e6)), { ops: p.completed }),
    }),
  ).finally(() => bar?.stop());
  const interrupted = signal === "SIGINT" ? EXIT_SIGINT : signal === "SIGTERM" ? EXIT_SIGTERM : EXIT_OK;
  if (executed === null) {
    io.stderr.write(`dbsim: ${signal ?? "stopped"} before the measured phase began: nothing to report\n`);
    return interrupted === EXIT_OK ? EXIT_SIGINT : interrupted;
  }
  let written: WriteOutcome;
  try {
    written = writeRunDir(out, executed.files, { expected: dir });
  } catch (error) {
    throw new CliError(`cannot write the run directory ${out}: ${(error as Error).message}`);
  }
  sayNotes(io, written.notes);
  if (executed.end.stopped) {
    io.stderr.write(
      `dbsim: ${signal ?? "stopped"}: wrote the ${executed.report.sim.measured_duration_s}s measured before it\n`,
    );
  }
  if (args.json) io.stdout.write(`${JSON.stringify(executed.report, null, 2)}\n`);
  else io.stdout.write(`${terminalSummary(executed.report, reproduce)}\n`);
  sayWrote(io, args.json, `${written.path}/`);
  if (args.compare === true && interrupted === EXIT_OK) {
    io.stdout.write(`\n${await simulatedBeside(scenario, seed, executed.report, written.path)}`);
  }
  if (interrupted !== EXIT_OK) return interrupted;
  // A real database in CI: a breached threshold fails the job as a simulated run's does.
  const outcome = runOutcome(executed.report);
  if (outcome.breached.length > 0) io.stderr.write(breachLine(outcome.breached));
  return outcome.exit;
}

/** The scenario simulated at `seed` (not written) beside the real run: `dbsim compare`'s table. */
async function simulatedBeside(
  scenario: ScenarioFile,
  seed: number,
  real: Report,
  realDir: string,
): Promise<string> {
  const simulated = await executeRun(scenario, seed, { metrics: false, files: "failed" });
  const comparison = compareRuns([
    { source: "simulated", report: simulated.report },
    { source: realDir, report: real },
  ]);
  return `simulated (seed ${seed}, trace ${simulated.report.trace_hash}) and real, side by side:\n${comparisonTable(comparison)}`;
}
