// dbsim replay <failure.json|run-dir> [--trace FILE]
//
// Re-runs a recorded run at its seed and verifies its trace: a failure.json, or a run directory (its
// failure.json when a check failed, else its report.json, which has no checkpoints: then only the
// final trace hash is compared). A different trace exits 4 naming the first diverging checkpoint. A
// match prints the trace hash and the checks that failed or could not decide, and exits like the run:
// 0, 1 (a violation), 5 (a threshold breached) or 3 (undecided). --trace FILE writes the history events within one virtual
// second of the first operation a violation names, as JSONL.

import { existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import type { FileTarget } from "../../reports/output-path.js";
import {
  checkResultSchema,
  REPORT_SCHEMA,
  ReportError,
  validateReport,
} from "../../reports/report-schema.js";
import {
  type FileContent,
  recoverLeftovers,
  type WriteOutcome,
  writeFileAtomic,
} from "../../reports/run-dir.js";
import type { Verdict } from "../../workloads/checkers/checker.js";
import { ScenarioError } from "../../workloads/scenario/errors.js";
import { type LoadedScenario, loadScenario } from "../../workloads/scenario/load.js";
import type { CliIo } from "../cli.js";
import { divergenceLine, findDivergence, type RunTrace } from "../determinism.js";
import { CliError } from "../errors.js";
import { executeRun } from "../execute.js";
import { EXIT_NONDETERMINISM } from "../exit-codes.js";
import { FAILURE_FILE, REPORT_FILE, readInputText } from "../input-file.js";
import { preflightFile, sayNotes } from "../output.js";
import { breachLine, runOutcome } from "../run-outcome.js";
import { refuseOverMemory } from "../scenario-file.js";
import { dbsimVersion } from "../version.js";

const FAILURE_SCHEMA = "dbsim.failure/v1";

/** --trace writes the history events this close in virtual time to the first violation. */
const TRACE_WINDOW_US = 1_000_000;

const failureSchema = z.object({
  schema: z.literal(FAILURE_SCHEMA),
  scenario: z.record(z.string(), z.unknown()),
  seed: z.number().int().nonnegative(),
  dbsim_version: z.string(),
  trace_hash: z.string().regex(/^[0-9a-f]{16}$/),
  checkpoints: z.array(
    z.object({ events: z.number().int().nonnegative(), time_us: z.number().nonnegative(), hash: z.string() }),
  ),
  violations: z.record(z.string(), checkResultSchema),
});

export interface ReplayArgs {
  /** A failure.json, a report.json or a run directory. */
  target: string;
  /** Where to write the history events around the first violation (JSONL). */
  trace?: string;
  /** --max-memory: the most memory the recorded scenario's run may be estimated to keep. */
  maxMemory?: string;
}

/** A recorded run: what to re-run, and what its trace and checks were. */
interface Recording extends RunTrace {
  /** The file read. */
  readonly source: string;
  readonly scenario: LoadedScenario;
  readonly seed: number;
  readonly dbsim_version: string;
  /** The checks that found a violation, by name. */
  readonly violations: Readonly<Record<string, Verdict>>;
}

export async function replayCommand(args: ReplayArgs, io: CliIo): Promise<number> {
  sayNotes(io, recoverLeftovers(args.target)); // a run a killed dbsim had finished is rolled into place
  const recording = readRecording(args.target);
  refuseOverMemory(recording.scenario, { maxMemory: args.maxMemory }, recording.source);
  const traceIndex = args.trace === undefined ? undefined : firstViolationIndex(recording);
  const traceTarget = args.trace === undefined ? undefined : preflightFile("--trace", args.trace, null, io);
  if (recording.dbsim_version !== dbsimVersion()) {
    io.stderr.write(
      `dbsim: warning: ${recording.source} was recorded by dbsim ${recording.dbsim_version}, ` +
        `this is dbsim ${dbsimVersion()}; the trace may differ\n`,
    );
  }
  // No metrics: a replay writes no run directory, and metrics do not change the trace.
  const executed = await executeRun(recording.scenario, recording.seed, {
    yieldBetweenSlices: true,
    metrics: false,
  });
  const replayed: RunTrace = { trace_hash: executed.report.trace_hash, checkpoints: executed.checkpoints };
  const divergence = findDivergence(recording, replayed);
  if (divergence !== undefined) {
    throw new CliError(
      `replay of ${recording.source} diverged: ${divergenceLine(divergence)}`,
      EXIT_NONDETERMINISM,
    );
  }
  const count = recording.checkpoints?.length;
  const compared =
    count === undefined
      ? "final hash only"
      : `${count} checkpoint${count === 1 ? "" : "s"} and the final hash`;
  io.stdout.write(`trace hash ${replayed.trace_hash} matches ${recording.source} (${compared})\n`);
  const checks = Object.entries(executed.report.checks);
  for (const [name, verdict] of checks) {
    if (verdict.valid === false) io.stdout.write(`check ${name}: VIOLATED: ${verdictReason(verdict)}\n`);
    if (verdict.valid === "unknown") io.stdout.write(`check ${name}: unknown: ${verdictReason(verdict)}\n`);
  }
  if (traceTarget !== undefined && traceIndex !== undefined) {
    const history = executed.files.get("history.jsonl") ?? "";
    io.stdout.write(`${writeTrace(traceTarget, history, traceIndex, io)}\n`);
  }
  const outcome = runOutcome(executed.report);
  if (outcome.breached.length > 0) io.stderr.write(breachLine(outcome.breached));
  return outcome.exit;
}

function readRecording(target: string): Recording {
  const file = recordingFile(target);
  const text = readInputText(file, basename(file) === "report.json" ? REPORT_FILE : FAILURE_FILE);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: not JSON (${(error as Error).message})`);
  }
  const schema = field(value, "schema");
  if (schema === FAILURE_SCHEMA) return failureRecording(value, file);
  if (schema === REPORT_SCHEMA) return reportRecording(value, file);
  const got = typeof schema === "string" ? `"${schema}"` : "no schema field";
  throw new CliError(
    `${file}: unknown schema (got ${got}); replay reads ${FAILURE_SCHEMA} and ${REPORT_SCHEMA}`,
  );
}

/** The file to replay: the target, or in a run directory its failure.json, else its report.json. */
function recordingFile(target: string): string {
  let directory: boolean;
  try {
    directory = statSync(target).isDirectory();
  } catch {
    throw new CliError(`cannot read ${target}: no such file or directory`);
  }
  if (!directory) return target;
  const failure = join(target, "failure.json");
  return existsSync(failure) ? failure : join(target, "report.json");
}

function failureRecording(value: unknown, file: string): Recording {
  const parsed = failureSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(
      `${file}: invalid failure: ${issue?.path.join(".") || "(top level)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const failure = parsed.data;
  return {
    source: file,
    scenario: scenarioOf(failure.scenario, file),
    seed: failure.seed,
    dbsim_version: failure.dbsim_version,
    trace_hash: failure.trace_hash,
    checkpoints: failure.checkpoints,
    violations: failure.violations,
  };
}

function reportRecording(value: unknown, file: string): Recording {
  let report: ReturnType<typeof validateReport>;
  try {
    report = validateReport(value, file);
  } catch (error) {
    if (error instanceof ReportError) throw new CliError(error.message);
    throw error;
  }
  return {
    source: file,
    scenario: scenarioOf(report.config, file),
    seed: report.seed,
    dbsim_version: report.host.dbsim_version,
    trace_hash: report.trace_hash,
    checkpoints: null,
    violations: Object.fromEntries(
      Object.entries(report.checks).filter(([, verdict]) => verdict.valid === false),
    ),
  };
}

/** The recorded scenario document (defaults filled in) loads again as it was run. */
function scenarioOf(doc: unknown, file: string): LoadedScenario {
  try {
    return loadScenario(JSON.stringify(doc));
  } catch (error) {
    if (error instanceof ScenarioError) throw new CliError(`${file}: scenario: ${error.message}`);
    throw error;
  }
}

/**
 * The history index of the earliest operation a violation names: the operation a linearizability
 * violation cannot place, or an anomaly's read (or, for a lost write, its write).
 */
function firstViolationIndex(recording: Recording): number {
  const indices: number[] = [];
  for (const verdict of Object.values(recording.violations)) {
    const anomalies = Array.isArray(verdict.anomalies) ? (verdict.anomalies as unknown[]) : [];
    const operations = [
      field(verdict.violation, "operation"),
      ...anomalies.map((anomaly) => field(anomaly, "read") ?? field(anomaly, "write")),
    ];
    for (const operation of operations) {
      const index = field(operation, "index");
      if (typeof index === "number") indices.push(index);
    }
  }
  if (indices.length === 0) {
    const why =
      Object.keys(recording.violations).length === 0
        ? "the run found no violation"
        : "its verdicts name no operation of the history";
    throw new CliError(`--trace: not supported for this failure: ${why}`);
  }
  return Math.min(...indices);
}

/**
 * Writes the history events within TRACE_WINDOW_US of the event at `index`; returns what it wrote.
 * One pass over the history's chunks (events are in time order), keeping only the window's lines.
 */
function writeTrace(target: FileTarget, history: FileContent, index: number, io: CliIo): string {
  let near: { line: string; time: number }[] = [];
  let first = 0; // near[first..] may lie within the window before the anchor
  let anchor: { time: number } | undefined;
  for (const line of historyLines(history)) {
    const event = JSON.parse(line) as { index: number; time: number };
    if (anchor !== undefined && event.time > anchor.time + TRACE_WINDOW_US) break;
    near.push({ line, time: event.time });
    if (anchor !== undefined) continue;
    if (event.index === index) anchor = { time: event.time };
    while ((near[first] as { time: number }).time < event.time - TRACE_WINDOW_US) first++;
    if (first > 4096 && first > near.length / 2) {
      near = near.slice(first);
      first = 0;
    }
  }
  near = near.slice(first);
  if (anchor === undefined) throw new CliError(`--trace: the replayed history has no event ${index}`);
  let written: WriteOutcome;
  try {
    written = writeFileAtomic(target.path, near.map(({ line }) => `${line}\n`).join(""), target);
  } catch (error) {
    throw new CliError(`--trace: cannot write ${target.path}: ${(error as Error).message}`);
  }
  sayNotes(io, written.notes);
  return (
    `wrote ${written.path}: ${near.length} history events within 1s of virtual time ` +
    `${(anchor.time / 1e6).toFixed(6)}s (history event ${index}, the first a violation names)`
  );
}

/** The non-empty lines of a run directory file, chunk by chunk. */
function* historyLines(content: FileContent): Generator<string> {
  let rest = "";
  for (const chunk of typeof content === "string" ? [content] : content()) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() as string;
    for (const line of lines) if (line !== "") yield line;
  }
  if (rest !== "") yield rest;
}

/** Why a check failed or could not decide, in one line. */
function verdictReason(verdict: Verdict): string {
  if (typeof verdict.reason === "string") return verdict.reason;
  if (typeof verdict.count === "number" && Array.isArray(verdict.anomalies)) {
    const first =
      verdict.anomalies[0] === undefined ? "" : `; first: ${JSON.stringify(verdict.anomalies[0])}`;
    return `${verdict.count} anomalies in ${String(verdict.checked)} checked${first}`;
  }
  return typeof verdict.error === "string" ? verdict.error : JSON.stringify(verdict);
}

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
