// dbsim calibrate <scenario>... [--target pglite|postgres://...|redis://...] [--seed N] [--set ...]
//   [--out FILE] [--json] [--max-memory SIZE]
//
// Fits the cost model (service_time, page_time, row_time, fsync, and the network as a constant) to
// what a real database measured on the scenarios (cli/real/calibration.ts), writes the fitted
// values as a YAML overlay of --set lines, and prints per template the real p50 and p99 beside the
// simulated ones before and after the overlay, with their absolute percentage errors.

import { join } from "node:path";
import { formatUs } from "../../reports/compare.js";
import type { FileMarker } from "../../reports/output-path.js";
import { type WriteOutcome, writeFileAtomic } from "../../reports/run-dir.js";
import { alignedLines } from "../../reports/text-table.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM } from "../exit-codes.js";
import { DBSIM } from "../invocation.js";
import { preflightFile, sayNotes, sayWrote } from "../output.js";
import {
  ape,
  type CalibrationScenario,
  chargedPerTemplate,
  type FittedParameters,
  type FittedTemplate,
  fitParameters,
  MIN_OPERATIONS,
  median,
  overlayOverrides,
  roundTrip_us,
  simulateTemplates,
  TemplateRecorder,
  type TemplateStats,
} from "../real/calibration.js";
import { checkTargetFits, executeReal, openTarget } from "../real/real-run.js";
import { parseTarget, type Target } from "../real/target.js";
import { readScenarioFile } from "../scenario-file.js";
import { parseSeed } from "../seeds.js";
import { realCommandLine, withSignals } from "./real.js";
import { shellQuote } from "./run.js";

export interface CalibrateArgs {
  scenarios: string[];
  target: string;
  seed: string | number;
  set: string[];
  out?: string;
  json: boolean;
  /** --max-memory: the most memory each scenario's simulated runs may be estimated to keep. */
  maxMemory?: string;
}

/** The overlay's first line: how calibrate recognises a file it may replace. */
const HEADER_START = "# dbsim calibrate: ";
const isCalibrationOutput: FileMarker = (head) => head.startsWith(HEADER_START);

/** p50 and p99 of a template, real and simulated before and after, and their errors (percent). */
export interface CalibratedTemplate extends FittedTemplate {
  readonly fitted: boolean;
  readonly before: { readonly p50_us: number; readonly p99_us: number };
  readonly after: { readonly p50_us: number; readonly p99_us: number };
  readonly error_pct: {
    readonly p50: { readonly before: number; readonly after: number };
    readonly p99: { readonly before: number; readonly after: number };
  };
}

export interface Calibration {
  readonly target: string;
  readonly version: string;
  readonly seed: number;
  readonly scenarios: readonly string[];
  /** The median round trip of an empty request (0 on PGlite). */
  readonly round_trip_us: number;
  readonly parameters: FittedParameters;
  /** The overlay as --set overrides. */
  readonly overrides: readonly string[];
  readonly templates: readonly CalibratedTemplate[];
  /** Median over the fitted templates of each absolute percentage error. */
  readonly median_error_pct: {
    readonly p50: { readonly before: number; readonly after: number };
    readonly p99: { readonly before: number; readonly after: number };
  };
}

interface Measured {
  readonly scenario: CalibrationScenario;
  readonly name: string;
  readonly real: Map<string, TemplateStats>;
}

export async function calibrateCommand(args: CalibrateArgs, io: CliIo): Promise<number> {
  const target = parseTarget(args.target);
  const seed = parseSeed(args.seed);
  const scenarios = args.scenarios.map((path) => {
    const file = readScenarioFile(path, args.set, { maxMemory: args.maxMemory });
    checkTargetFits(file.resolved, target, path);
    return { path, file };
  });
  const names = scenarios.map((s) => s.file.resolved.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new CliError(`two scenarios are named ${twice}: give each its own name`);
  const out = args.out ?? join("runs", "calibrate", `${target.kind}.yaml`);
  const file = preflightFile("--out", out, isCalibrationOutput, io);
  const say = (line: string) => io.stderr.write(`calibrate: ${line}\n`);

  let roundTrip = 0; // PGlite runs in this process: no network
  if (target.kind !== "pglite") {
    const probe = await openTarget(target, 1, 10_000_000);
    try {
      roundTrip = await roundTrip_us(probe);
    } finally {
      await probe.pool.close();
    }
  }
  const { value: measured, signal } = await withSignals(async (abort) => {
    const runs: Measured[] = [];
    let version = "";
    for (const { path, file: loaded } of scenarios) {
      say(`${loaded.resolved.name}: real run on ${target.name}`);
      const recorder = new TemplateRecorder();
      const executed = await executeReal(loaded, {
        target,
        seed,
        reproduce: realCommandLine("real", [path], target, seed, args.set),
        signal: abort,
        observer: recorder,
        note: (line) => io.stderr.write(`dbsim: ${line}\n`),
      });
      if (executed === null || executed.end.stopped) return null;
      version = executed.report.target?.version ?? "";
      runs.push({
        scenario: { path, text: loaded.text, overrides: args.set },
        name: loaded.resolved.name,
        real: recorder.templates,
      });
    }
    return { runs, version };
  });
  if (measured === null || signal !== null) {
    io.stderr.write(`dbsim: ${signal ?? "stopped"}: calibration abandoned, nothing written\n`);
    return signal === "SIGTERM" ? EXIT_SIGTERM : EXIT_SIGINT;
  }
  const calibration = calibrate(measured.runs, { target, version: measured.version, seed, roundTrip, say });
  const text = overlayText(calibration, args.scenarios);
  let written: WriteOutcome;
  try {
    written = writeFileAtomic(out, text, file);
  } catch (error) {
    throw new CliError(`cannot write ${out}: ${(error as Error).message}`);
  }
  sayNotes(io, written.notes);
  if (args.json) io.stdout.write(`${JSON.stringify(calibration, null, 2)}\n`);
  else io.stdout.write(calibrationText(calibration, args.scenarios));
  sayWrote(io, args.json, written.path);
  return EXIT_OK;
}

/** The simulated side: what the model charges, the fit, and each template before and after it. */
function calibrate(
  runs: readonly Measured[],
  context: { target: Target; version: string; seed: number; roundTrip: number; say: (line: string) => void },
): Calibration {
  const { seed, say } = context;
  const measured = runs.map((run) => {
    say(`${run.name}: simulated runs (what the model charges each template, and the scenario as it is)`);
    const charged = chargedPerTemplate(run.scenario, seed);
    const before = simulateTemplates(run.scenario, [], seed);
    const templates: FittedTemplate[] = [];
    // In the simulated run's order (the real one's completions come in no fixed order).
    for (const [template, c] of charged) {
      const real = run.real.get(template);
      if (real === undefined) continue;
      templates.push({
        scenario: run.name,
        template,
        charged: c,
        real: {
          operations: real.ok,
          p50_us: real.p50_us(),
          p99_us: real.p99_us(),
        },
      });
    }
    return { run, templates, before };
  });
  const parameters = fitParameters(
    measured.flatMap((m) => m.templates),
    context.roundTrip,
  );
  const overrides = overlayOverrides(parameters);
  const templates: CalibratedTemplate[] = measured.flatMap(({ run, templates: fitted, before }) => {
    say(`${run.name}: simulated run with the fitted overlay`);
    const after = simulateTemplates(run.scenario, overrides, seed);
    return fitted.map((t) => {
      const b = before.get(t.template);
      const a = after.get(t.template);
      const beforeP = { p50_us: b?.p50_us() ?? 0, p99_us: b?.p99_us() ?? 0 };
      const afterP = { p50_us: a?.p50_us() ?? 0, p99_us: a?.p99_us() ?? 0 };
      return {
        ...t,
        fitted: t.real.operations >= MIN_OPERATIONS,
        before: beforeP,
        after: afterP,
        error_pct: {
          p50: { before: ape(beforeP.p50_us, t.real.p50_us), after: ape(afterP.p50_us, t.real.p50_us) },
          p99: { before: ape(beforeP.p99_us, t.real.p99_us), after: ape(afterP.p99_us, t.real.p99_us) },
        },
      };
    });
  });
  const fitted = templates.filter((t) => t.fitted);
  const med = (pick: (t: CalibratedTemplate) => number) => round1(median(fitted.map(pick)));
  return {
    target: context.target.name,
    version: context.version,
    seed,
    scenarios: runs.map((r) => r.name),
    round_trip_us: context.roundTrip,
    parameters,
    overrides,
    templates,
    median_error_pct: {
      p50: { before: med((t) => t.error_pct.p50.before), after: med((t) => t.error_pct.p50.after) },
      p99: { before: med((t) => t.error_pct.p99.before), after: med((t) => t.error_pct.p99.after) },
    },
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function pct(x: number): string {
  return `${x < 10 ? x.toFixed(1) : Math.round(x)}%`;
}

function errorLine(c: Calibration): string {
  const m = c.median_error_pct;
  const n = c.templates.filter((t) => t.fitted).length;
  return (
    `median absolute percentage error over ${n} templates: p50 ${pct(m.p50.before)} before, ${pct(m.p50.after)} after; ` +
    `p99 ${pct(m.p99.before)} before, ${pct(m.p99.after)} after`
  );
}

function parametersLine(c: Calibration): string {
  const p = c.parameters;
  const value = (v: number | null) => (v === null ? "not fitted (no template varies it)" : `${v}us`);
  return (
    `service_time ${value(p.service_time)}, page_time ${value(p.page_time)}, row_time ${value(p.row_time)}, ` +
    `fsync ${value(p.fsync)}; network constant ${p.network_one_way_us}us each way ` +
    `(median round trip of an empty request ${c.round_trip_us}us)`
  );
}

/** `npx dbsim run <the first scenario> --set ...`: the overlay applied. */
function applyCommand(c: Calibration, scenarioPaths: readonly string[]): string {
  const words = [
    ...DBSIM.split(" "),
    "run",
    scenarioPaths[0] ?? "<scenario>",
    ...c.overrides.flatMap((o) => ["--set", o]),
  ];
  return words.map(shellQuote).join(" ");
}

/** The overlay file: a header of comments, then one `path: value` per --set. */
function overlayText(c: Calibration, scenarioPaths: readonly string[]): string {
  const lines = [
    `${HEADER_START}the cost model fitted to ${c.target} (${c.version}) on ${c.scenarios.join(", ")}, seed ${c.seed}`,
    `# ${parametersLine(c)}`,
    `# ${errorLine(c)}`,
    "# Each line is one --set override; apply them with:",
    `#   ${applyCommand(c, scenarioPaths)}`,
    ...c.overrides.map((o) => {
      const at = o.indexOf("=");
      return `${o.slice(0, at)}: ${o.slice(at + 1)}`;
    }),
  ];
  return `${lines.join("\n")}\n`;
}

/** The terminal's table: per template the real and simulated p50 and p99, before and after. */
export function calibrationText(c: Calibration, scenarioPaths: readonly string[]): string {
  const header = [
    "scenario",
    "template",
    "ops",
    "req",
    "pages",
    "rows",
    "real p50",
    "sim p50 before/after",
    "error",
    "real p99",
    "sim p99 before/after",
    "error",
  ];
  const rows = c.templates.map((t) => [
    t.scenario,
    t.fitted ? t.template : `${t.template} (too few ops, not fitted)`,
    String(t.real.operations),
    t.charged.requests.toFixed(1),
    t.charged.pages.toFixed(1),
    t.charged.rows.toFixed(1),
    formatUs(t.real.p50_us),
    `${formatUs(t.before.p50_us)} / ${formatUs(t.after.p50_us)}`,
    `${pct(t.error_pct.p50.before)} / ${pct(t.error_pct.p50.after)}`,
    formatUs(t.real.p99_us),
    `${formatUs(t.before.p99_us)} / ${formatUs(t.after.p99_us)}`,
    `${pct(t.error_pct.p99.before)} / ${pct(t.error_pct.p99.after)}`,
  ]);
  const table = [header, ...rows];
  const lines = alignedLines(table, (i) => i < 2);
  return `${[
    `dbsim calibrate: ${c.scenarios.join(", ")} on ${c.target} (${c.version}), seed ${c.seed}`,
    `fitted (least squares, relative, on each template's median latency): ${parametersLine(c)}`,
    "",
    ...lines,
    "",
    errorLine(c),
    `apply: ${applyCommand(c, scenarioPaths)}`,
  ].join("\n")}\n`;
}
