// dbsim knee <scenario> --slo 'all.p99 < 10ms' [--slo ...] [--seeds a..b] [--vary path=v1,v2]...
//   [--from R] [--to R] [--precision 5%] [--workers N] [--out DIR] [--set ...] [--json] [--resume]
//
// Finds, per variant, the highest offered rate (`workload.rate`, whole ops/s) at which every seed's
// run meets every SLO: reports/knee-search.ts chooses the rates; each rate's seeds run on the worker
// pool at once, and the variants' searches go side by side. No probe writes a run directory (a long
// search makes many; each point carries the command that writes one); the output directory gets
// knee.json and knee.html, written whole. Only the reports decide, so the bytes do not depend on
// --workers.
//
// Each probe is appended to the output directory's journal.jsonl as it finishes (knee-journal.ts),
// so a search killed in any way loses at most its probes in flight. SIGINT and SIGTERM abandon the
// probes in flight (as a sweep does) and write knee.json with `interrupted: true`, each unfinished
// variant's bracket so far and the command that goes on: the same one with --resume, which replays
// the recorded probes without running them (the search is deterministic given their outcomes) and
// ends with the knee.json the uninterrupted search would have written, byte for byte.

import { basename, extname, join } from "node:path";
import { parseRatePerS, UnitError } from "../../engine/settings/units.js";
import { renderKneeHtml } from "../../reports/html/knee-page.js";
import {
  bracketNote,
  type CapReason,
  KNEE_SCHEMA,
  type KneePoint,
  type KneeResult,
  type KneeRun,
  kneeBracket,
  kneeJson,
  kneeNote,
  kneeRun,
  kneeText,
  latencyOperation,
  type VariantKnee,
} from "../../reports/knee.js";
import { type KneeBounds, searchKnee } from "../../reports/knee-search.js";
import type { DirTarget } from "../../reports/output-path.js";
import { writeRunDir } from "../../reports/run-dir.js";
import { MAX_RATE_PER_S } from "../../workloads/client/settings.js";
import { ScenarioError } from "../../workloads/scenario/errors.js";
import { type LoadedScenario, loadScenario } from "../../workloads/scenario/load.js";
import { estimateMemory } from "../../workloads/scenario/memory.js";
import { parseSlo, type Threshold, ThresholdError } from "../../workloads/scenario/thresholds.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_INTERNAL, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, EXIT_THRESHOLD } from "../exit-codes.js";
import {
  headerLine,
  journalContent,
  KNEE_JOURNAL_FILE,
  KNEE_JOURNAL_SCHEMA,
  type KneeJournal,
  type KneeJournalHeader,
  KneeJournalWriter,
  type KneeProbe,
  type RecordedProbes,
  readKneeJournal,
  refuseAnotherSearch,
  resumeCommand,
  scenarioSha256,
  searchesEnded,
} from "../knee-journal.js";
import { checkRunDirTarget, sayNotes, sayReplacing, sayWrote } from "../output.js";
import { createRunPool, defaultWorkers } from "../pool.js";
import { countProgressBar } from "../progress.js";
import { refuseBadProtocol } from "../protocol-module.js";
import type { RunTask, RunTaskResult } from "../run-task.js";
import { parseMaxMemory, readScenarioFile, refuseOverMemory } from "../scenario-file.js";
import { parseSeedRange, parseVary, variants } from "../vary.js";
import { dbsimVersion } from "../version.js";
import { withSignals } from "./real.js";
import { reproduceCommand } from "./run.js";

export interface KneeArgs {
  scenario: string;
  slo: string[];
  seeds: string;
  vary: string[];
  from?: string;
  to?: string;
  precision: string;
  workers?: number;
  out?: string;
  set: string[];
  json: boolean;
  progress: boolean;
  /** --max-memory: the most memory the runs at once (one per worker) may be estimated to keep. */
  maxMemory?: string;
  /** --resume: go on with the interrupted search in the output directory (the same command). */
  resume?: boolean;
}

/**
 * Test hook: when set, each run goes through it instead of straight to the pool (`run` sends it
 * there). Tests interrupt a search part way with it.
 */
export const kneeTestHooks: {
  runTask?: (task: RunTask, run: (task: RunTask) => Promise<RunTaskResult>) => Promise<RunTaskResult>;
} = {};

/** Where a closed-loop scenario's search starts (it has no rate of its own). */
const CLOSED_LOOP_START_OPS_PER_S = 100;
/** Runs of one probed rate: variants x seeds. */
export const KNEE_MAX_RUNS_PER_RATE = 1000;
export const KNEE_MAX_SLOS = 16;
const PRECISION_MIN = 0.001;
const PRECISION_MAX = 0.5;

/** A variant as the search sees it: its --vary overrides and the rates it may probe. */
interface Plan {
  label: string;
  overrides: string[];
  bounds: KneeBounds;
  capReason: CapReason;
}

function parseSlos(texts: readonly string[]): Threshold[] {
  if (texts.length === 0) throw new CliError("knee needs an --slo, e.g. --slo 'all.p99 < 10ms'");
  if (texts.length > KNEE_MAX_SLOS)
    throw new CliError(`--slo: at most ${KNEE_MAX_SLOS} (got ${texts.length})`);
  return texts.map((text) => {
    try {
      return parseSlo(text);
    } catch (error) {
      if (error instanceof ThresholdError) throw new CliError(`--slo ${text}: ${error.message}`);
      throw error;
    }
  });
}

/** "5%" or 0.05. */
function parsePrecision(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = match === null ? Number.NaN : Number(match[1]) / (match[2] === "%" ? 100 : 1);
  if (!(value >= PRECISION_MIN && value <= PRECISION_MAX)) {
    throw new CliError(`--precision ${text}: expected a percentage from 0.1% to 50%, e.g. 5%`);
  }
  return value;
}

/** A whole rate from 1/s to MAX_RATE_PER_S. */
function parseWholeRate(option: string, text: string): number {
  let rate: number;
  try {
    rate = parseRatePerS(text);
  } catch (error) {
    if (error instanceof UnitError) throw new CliError(`${option} ${text}: ${error.message}`);
    throw error;
  }
  if (!(Number.isInteger(rate) && rate >= 1 && rate <= MAX_RATE_PER_S)) {
    throw new CliError(`${option} ${text}: expected a whole rate from 1/s to ${MAX_RATE_PER_S / 1000}k/s`);
  }
  return rate;
}

function rateOverride(rate_ops_per_s: number): string {
  return `workload.rate=${rate_ops_per_s}/s`;
}

/** What planning a variant needs: the scenario read once, the rate bounds, the memory budget. */
interface PlanContext {
  args: KneeArgs;
  text: string;
  precision: number;
  from: number | null;
  to: number | null;
  runsAtOnce: number;
}

/**
 * A variant's plan: refused in one line when its rate is stages or its first rate's runs would be
 * estimated over --max-memory; its cap lowered to the highest rate whose runs fit.
 */
function planVariant(
  variant: { overrides: string[]; label: string },
  context: PlanContext,
): { plan: Plan; protocol: string | null } {
  const { args, from, to } = context;
  const load = (extra: string[]): LoadedScenario => {
    try {
      return loadScenario(context.text, {
        sourceName: args.scenario,
        fallbackName: basename(args.scenario, extname(args.scenario)),
        overrides: [...args.set, ...variant.overrides, ...extra],
      });
    } catch (error) {
      if (error instanceof ScenarioError) throw new CliError(error.message.replace(/^--set /, "--vary "));
      throw error;
    }
  };
  const scenario = load([]);
  const rate = scenario.doc.workload.rate;
  if (Array.isArray(rate)) {
    throw new CliError(
      `${args.scenario}${variant.overrides.length > 0 ? ` (${variant.label})` : ""}: workload.rate is stages; ` +
        "the knee varies one constant rate (give a rate, e.g. --set workload.rate=1000/s)",
    );
  }
  const floor = from ?? 1;
  const cap = to ?? MAX_RATE_PER_S;
  const own = rate === null ? CLOSED_LOOP_START_OPS_PER_S : Math.round(parseRatePerS(String(rate)));
  const start = Math.min(Math.max(from ?? own, floor), cap);
  const budget = { maxMemory: args.maxMemory, runs: context.runsAtOnce };
  // The first rate must fit, as any run's scenario must: refused in one line, naming the estimate.
  refuseOverMemory(load([rateOverride(start)]), budget, args.scenario);
  const limit_bytes = parseMaxMemory(args.maxMemory);
  const fits = (rate_ops_per_s: number) =>
    estimateMemory(load([rateOverride(rate_ops_per_s)]).resolved).total_bytes * context.runsAtOnce <=
    limit_bytes;
  const memoryCap = fits(cap) ? cap : largestFitting(start, cap, fits);
  return {
    plan: {
      label: variant.label,
      overrides: variant.overrides,
      bounds: {
        start_ops_per_s: start,
        floor_ops_per_s: floor,
        cap_ops_per_s: memoryCap,
        precision: context.precision,
      },
      capReason: memoryCap < cap ? "--max-memory" : to !== null ? "--to" : "max-rate",
    },
    protocol: scenario.resolved.cluster.replication.protocol,
  };
}

/** What a variant's search needs: the pool, the seeds, the SLOs, the progress bar, the journal. */
interface SearchContext {
  args: KneeArgs;
  text: string;
  seeds: number[];
  slos: Threshold[];
  latencyOp: string;
  pool: ReturnType<typeof createRunPool>;
  bar: ReturnType<typeof countProgressBar>;
  /** The probes a resumed search replays. */
  recorded: RecordedProbes;
  journal: KneeJournalWriter;
  /** Aborted by SIGINT or SIGTERM; `aborted` resolves then. */
  abort: AbortSignal;
  aborted: Promise<undefined>;
}

/** Runs a rate's seeds at once on the pool; Interrupted when a signal comes first. */
async function runProbe(plan: Plan, rate_ops_per_s: number, context: SearchContext): Promise<KneeProbe> {
  const { args, seeds, bar, abort } = context;
  if (abort.aborted) throw new Interrupted();
  const overrides = [...args.set, ...plan.overrides, rateOverride(rate_ops_per_s)];
  const running = Promise.allSettled(
    seeds.map(async (seed) => {
      const reproduce = reproduceCommand(args.scenario, seed, overrides);
      const task: RunTask = {
        text: context.text,
        sourceName: args.scenario,
        fallbackName: basename(args.scenario, extname(args.scenario)),
        overrides,
        seed,
        reproduce,
        metrics: false,
        // No run directory: only a failed check would render its files, and none is written.
        filesOnlyOnFailure: true,
      };
      try {
        const hook = kneeTestHooks.runTask;
        const result = await (hook === undefined ? context.pool.run(task) : hook(task, context.pool.run));
        return kneeRun(result.report, context.slos, context.latencyOp, reproduce);
      } finally {
        if (!abort.aborted) bar?.increment();
      }
    }),
  );
  const settled = await Promise.race([running, context.aborted]);
  if (settled === undefined) throw new Interrupted(); // the runs in flight are abandoned
  const probe = { variant: plan.label, offered_ops_per_s: rate_ops_per_s };
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed !== undefined) return { ...probe, crashed: (failed.reason as Error).message };
  return { ...probe, runs: settled.map((s) => (s as PromiseFulfilledResult<KneeRun>).value) };
}

/**
 * Runs a variant's search: each rate recorded in the journal replayed, each other one run and
 * journaled. A crashed run stops it; so does a signal, leaving the bracket so far.
 */
async function searchVariant(plan: Plan, context: SearchContext): Promise<VariantKnee> {
  const { seeds, bar } = context;
  const recorded = context.recorded.get(plan.label);
  const points: KneePoint[] = [];
  const probe = async (rate_ops_per_s: number): Promise<boolean> => {
    // Every variant's first rate is in the bar's total from the start; later ones add theirs.
    if (points.length > 0) bar?.setTotal(bar.getTotal() + seeds.length);
    let outcome = recorded?.get(rate_ops_per_s);
    if (outcome === undefined) {
      outcome = await runProbe(plan, rate_ops_per_s, context);
      context.journal.append(outcome);
    } else bar?.increment(seeds.length);
    if ("crashed" in outcome) throw new RunCrash(`${rate_ops_per_s}/s: ${outcome.crashed}`);
    const ok = outcome.runs.every((run) => run.ok);
    points.push({ offered_ops_per_s: rate_ops_per_s, probe: points.length + 1, ok, runs: outcome.runs });
    return ok;
  };
  const { precision: _, ...search } = plan.bounds;
  const knee = { label: plan.label, overrides: plan.overrides, search };
  const none = { knee_ops_per_s: null, breach_ops_per_s: null };
  try {
    const found = await searchKnee(plan.bounds, probe);
    const note = kneeNote(found, plan.bounds, plan.capReason);
    return { ...knee, ...found, ...(note === undefined ? {} : { note }), points: byRate(points) };
  } catch (error) {
    if (error instanceof Interrupted) {
      const bracket = kneeBracket(points);
      return { ...knee, ...none, bracket, note: bracketNote(bracket), points: byRate(points) };
    }
    if (!(error instanceof RunCrash)) throw error;
    return { ...knee, ...none, crashed: error.message, points: byRate(points) };
  }
}

/** Where a search writes: its directory, as checked, and its journal open to append; what it replays. */
interface OpenedSearch {
  out: string;
  target: DirTarget;
  recorded: RecordedProbes;
  journal: KneeJournalWriter;
}

/**
 * A new search: its directory written with the journal's header line, replacing an earlier search
 * there that ended (one that did not is refused: resume it, or choose another --out).
 */
async function startSearch(out: string, header: KneeJournalHeader, io: CliIo): Promise<OpenedSearch> {
  const earlier = checkRunDirTarget("--out", out, io, "knee");
  if (earlier.state === "dbsim") {
    await refuseUnfinished(out);
    sayReplacing(io, out, "knee");
  }
  const written = writeRunDir(out, new Map([[KNEE_JOURNAL_FILE, headerLine(header)]]), {
    kind: "knee",
    expected: earlier,
  });
  sayNotes(io, written.notes);
  return {
    out: written.path,
    target: checkRunDirTarget("--out", written.path, io, "knee"),
    recorded: new Map(),
    journal: KneeJournalWriter.reopen(written.path),
  };
}

async function refuseUnfinished(out: string): Promise<void> {
  let earlier: KneeJournal | null;
  try {
    earlier = readKneeJournal(out, { repair: false });
  } catch (error) {
    if (error instanceof CliError) return; // no journal this dbsim reads: nothing it could go on with
    throw error;
  }
  if (earlier === null || (await searchesEnded(earlier))) return;
  throw new CliError(
    `--out ${out} holds an unfinished knee search (${earlier.count} rates probed): go on with ${resumeCommand(earlier.header, out, [])}, or choose another --out`,
  );
}

/** The interrupted search in `out`, to go on with: refused unless this is the command that started it. */
function resumeSearch(out: string, header: KneeJournalHeader, io: CliIo): OpenedSearch {
  const target = checkRunDirTarget("--out", out, io, "knee");
  const journal = target.state === "dbsim" ? readKneeJournal(out, { repair: true }) : null;
  if (journal === null) {
    throw new CliError(`--resume: ${out} holds no knee search to go on with (start one without --resume)`);
  }
  refuseAnotherSearch(journal.header, header, out);
  io.stderr.write(`dbsim: resuming the knee search in ${out}: ${journal.count} rates probed\n`);
  return { out, target, recorded: journal.probes, journal: KneeJournalWriter.reopen(out) };
}

export async function kneeCommand(args: KneeArgs, io: CliIo): Promise<number> {
  const slos = parseSlos(args.slo);
  const seeds = parseSeedRange(args.seeds);
  const precision = parsePrecision(args.precision);
  const varies = args.vary.map(parseVary);
  if (varies.some((vary) => vary.path === "workload.rate")) {
    throw new CliError("--vary workload.rate: the knee varies the rate itself; use --from and --to");
  }
  const list = variants(varies);
  if (list.length * seeds.length > KNEE_MAX_RUNS_PER_RATE) {
    throw new CliError(
      `knee: ${list.length} variants x ${seeds.length} seeds is more than ${KNEE_MAX_RUNS_PER_RATE} runs per rate`,
    );
  }
  const from = args.from === undefined ? null : parseWholeRate("--from", args.from);
  const to = args.to === undefined ? null : parseWholeRate("--to", args.to);
  if (from !== null && to !== null && from > to) {
    throw new CliError(`--from ${args.from} is above --to ${args.to}`);
  }
  const workers = args.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 256)) {
    throw new CliError(`--workers: expected an integer in [1, 256] (got ${args.workers})`);
  }
  const base = readScenarioFile(args.scenario, args.set);
  const runsAtOnce = Math.min(workers, list.length * seeds.length);
  const planning = { args, text: base.text, precision, from, to, runsAtOnce };
  const planned = list.map((variant) => planVariant(variant, planning));
  for (const protocol of new Set(planned.map((p) => p.protocol))) await refuseBadProtocol(protocol);
  const out = args.out ?? join("runs", base.resolved.name, "knee");
  const header: KneeJournalHeader = {
    schema: KNEE_JOURNAL_SCHEMA,
    dbsim_version: dbsimVersion(),
    scenario_path: args.scenario,
    scenario_sha256: scenarioSha256(base.text),
    // As the resume command gives them: the values parsed, so that 1k/s and 1000/s are the same search.
    options: {
      "--slo": args.slo,
      "--seeds": [seeds.length === 1 ? `${seeds[0]}` : `${seeds[0]}..${seeds[seeds.length - 1]}`],
      "--vary": args.vary,
      "--set": args.set,
      "--from": from === null ? [] : [`${from}/s`],
      "--to": to === null ? [] : [`${to}/s`],
      "--precision": [`${Number((precision * 100).toPrecision(6))}%`],
    },
    variants: planned.map(({ plan }) => ({ label: plan.label, bounds: plan.bounds })),
  };
  const opened = args.resume === true ? resumeSearch(out, header, io) : await startSearch(out, header, io);

  const pool = createRunPool(runsAtOnce);
  const bar = countProgressBar(
    args.progress && !args.json && io.stderr.isTTY === true,
    planned.length * seeds.length,
    "runs",
  );
  const latencyOp = latencyOperation(slos);
  let searched: { value: VariantKnee[]; signal: "SIGINT" | "SIGTERM" | null };
  try {
    searched = await withSignals((abort) => {
      const aborted = new Promise<undefined>((resolve) =>
        abort.addEventListener("abort", () => resolve(undefined), { once: true }),
      );
      const { recorded, journal } = opened;
      const searching = {
        args,
        text: base.text,
        seeds,
        slos,
        latencyOp,
        pool,
        bar,
        recorded,
        journal,
        abort,
        aborted,
      };
      return Promise.all(planned.map(({ plan }) => searchVariant(plan, searching)));
    });
  } finally {
    bar?.stop();
    opened.journal.close();
    await pool.close(); // abandons the runs still in flight
  }
  const { value: knees, signal } = searched;
  const resume = resumeCommand(header, opened.out, [
    ...(args.workers === undefined ? [] : ["--workers", String(args.workers)]),
    ...(args.maxMemory === undefined ? [] : ["--max-memory", args.maxMemory]),
  ]);
  const interrupted = knees.some((knee) => knee.bracket !== undefined);
  const result: KneeResult = {
    schema: KNEE_SCHEMA,
    dbsim_version: dbsimVersion(),
    scenario: base.resolved.name,
    slo: args.slo,
    seeds,
    precision,
    latency_op: latencyOp,
    varied: varies.length > 0,
    variants: knees,
    ...(interrupted ? { interrupted: true, resume } : {}),
  };
  const json = `${JSON.stringify(kneeJson(result), null, 2)}\n`;
  const written = writeRunDir(
    opened.out,
    new Map([
      ["knee.json", json],
      ["knee.html", renderKneeHtml(result, slos)],
      [KNEE_JOURNAL_FILE, journalContent(opened.out)],
    ]),
    { kind: "knee", expected: opened.target },
  );
  sayNotes(io, written.notes);
  io.stdout.write(args.json ? json : kneeText(result, slos));
  const probes = knees.reduce((sum, knee) => sum + knee.points.length, 0);
  sayWrote(io, args.json, `${written.path}/ (knee.json, knee.html; ${probes} rates probed)`);
  for (const knee of knees) {
    if (knee.crashed !== undefined) io.stderr.write(`dbsim: run crashed: ${knee.label} at ${knee.crashed}\n`);
  }
  if (signal !== null) {
    if (interrupted) io.stderr.write(`dbsim: interrupted by ${signal}; go on with: ${resume}\n`);
    return signal === "SIGINT" ? EXIT_SIGINT : EXIT_SIGTERM;
  }
  if (knees.some((knee) => knee.crashed !== undefined)) return EXIT_INTERNAL;
  return knees.every((knee) => knee.knee_ops_per_s !== null) ? EXIT_OK : EXIT_THRESHOLD;
}

/** A run of a probe crashed (a bug in dbsim): that variant's search stops. */
class RunCrash extends Error {}

/** SIGINT or SIGTERM came: every search stops where it is. */
class Interrupted extends Error {}

function byRate(points: readonly KneePoint[]): KneePoint[] {
  return [...points].sort((a, b) => a.offered_ops_per_s - b.offered_ops_per_s);
}

/** The largest rate in [low, high) that fits, given that `low` fits and `high` does not (fits is monotone). */
function largestFitting(low: number, high: number, fits: (rate: number) => boolean): number {
  let fitting = low;
  let over = high;
  while (over - fitting > 1) {
    const middle = fitting + Math.floor((over - fitting) / 2);
    if (fits(middle)) fitting = middle;
    else over = middle;
  }
  return fitting;
}
