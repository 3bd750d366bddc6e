// dbsim shrink <failure.json> [--out minimal.yaml]
//
// Delta debugging of a failing run at its seed: each step proposes a smaller scenario, re-runs it at
// the same seed and keeps it when a check that failed in the original still fails. The steps, in
// order: replace the random nemesis by the explicit schedule of what it fired; ddmin over the
// schedule (drop subsets, then single faults); halve each fault's `for` / `restart_after`; halve
// workload.clients, workload.records (a bank's accounts) and duration. Runs are bounded (--max-runs, default 200).
// Writes the minimal scenario as YAML (atomically) with a header naming the check it reproduces and
// the command. Exit 1: the minimal scenario still fails (always, when shrinking finished); 2: bad
// input, or the original does not fail when re-run.

import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { z } from "zod";
import { formatDurationUs, tryParseDurationUs } from "../../engine/settings/units.js";
import type { FileMarker } from "../../reports/output-path.js";
import type { Report } from "../../reports/report-schema.js";
import { type WriteOutcome, writeFileAtomic } from "../../reports/run-dir.js";
import { ScenarioError } from "../../workloads/scenario/errors.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { executeRun } from "../execute.js";
import { EXIT_VIOLATION } from "../exit-codes.js";
import { FAILURE_FILE, readInputText } from "../input-file.js";
import { DBSIM } from "../invocation.js";
import { preflightFile, sayNotes } from "../output.js";
import { refuseOverMemory } from "../scenario-file.js";

const FAILURE_SCHEMA = "dbsim.failure/v1";
const DEFAULT_MAX_RUNS = 200;
/** How the YAML's first line (a comment) starts: how shrink recognises a file it may replace. */
const HEADER_START = "Minimal scenario shrunk by dbsim shrink from ";
const isShrinkOutput: FileMarker = (head) => head.startsWith(`# ${HEADER_START}`);
/** Durations are not shortened below this (nor rounded finer). */
const MIN_STEP_US = 1000;

const failureSchema = z.object({
  schema: z.literal(FAILURE_SCHEMA),
  scenario: z.record(z.string(), z.unknown()),
  seed: z.number().int().nonnegative(),
  violations: z.record(z.string(), z.object({ valid: z.unknown() }).passthrough()),
});

export interface ShrinkArgs {
  /** The failure.json written by `dbsim run`. */
  failure: string;
  /** Where to write the minimal scenario; default minimal.yaml next to failure.json. */
  out?: string;
  /** Bound on the re-runs (the original's re-run included). Default 200. */
  maxRuns?: number;
  /** --max-memory: the most memory the original scenario's run may be estimated to keep. */
  maxMemory?: string;
}

type Doc = Record<string, unknown>;
type Fault = Record<string, unknown>;
type FaultRecord = Report["faults"][number];

export interface ShrinkOutcome {
  readonly runs: number;
  readonly doc: Doc;
  /** The checks the minimal scenario fails (a subset of the original's). */
  readonly failing: string[];
}

export async function shrinkCommand(args: ShrinkArgs, io: CliIo): Promise<number> {
  const { doc: original, seed, violated } = readFailure(args.failure, args.maxMemory);
  const out = args.out ?? join(dirname(args.failure), "minimal.yaml");
  const target = preflightFile("--out", out, isShrinkOutput, io);
  const shrinker = new Shrinker(seed, violated, args.maxRuns ?? DEFAULT_MAX_RUNS, io);
  const first = await shrinker.attempt(original);
  if (first === null) {
    throw new CliError(
      `${args.failure}: the original scenario does not fail ${violated.join(", ")} when re-run at seed ${seed}; nothing to shrink`,
    );
  }
  const outcome = await shrinker.shrink(original, first);
  const failing = outcome.failing;
  const name = typeof outcome.doc.name === "string" ? outcome.doc.name : "scenario";
  const header = [
    `${HEADER_START}${args.failure} (${outcome.runs} runs).`,
    `Reproduces: check ${failing.join(", ")} fails at seed ${seed} (scenario ${name}).`,
    `Reproduce: ${DBSIM} run ${out} --seed ${seed}`,
  ];
  const text = `${header.map((line) => `# ${line}`).join("\n")}\n${stringify(outcome.doc)}`;
  let written: WriteOutcome;
  try {
    written = writeFileAtomic(out, text, target);
  } catch (error) {
    throw new CliError(`cannot write ${out}: ${(error as Error).message}`);
  }
  sayNotes(io, written.notes);
  io.stderr.write(`shrink: done after ${outcome.runs} runs: ${summary(outcome.doc)}\n`);
  io.stdout.write(
    `wrote ${written.path}: fails ${failing.join(", ")}; reproduce: ${DBSIM} run ${written.path} --seed ${seed}\n`,
  );
  return EXIT_VIOLATION;
}

/**
 * The failure's scenario, seed and failed checks. The scenario must fit in --max-memory; what
 * shrinking tries is smaller.
 */
function readFailure(
  file: string,
  maxMemory: string | undefined,
): { doc: Doc; seed: number; violated: string[] } {
  const text = readInputText(file, FAILURE_FILE);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: not JSON (${(error as Error).message})`);
  }
  const parsed = failureSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? "" : `${issue.path.join(".")}: `;
    throw new CliError(`${file}: not a ${FAILURE_SCHEMA} file (${where}${issue?.message ?? "invalid"})`);
  }
  const violated = Object.entries(parsed.data.violations)
    .filter(([, verdict]) => verdict.valid === false)
    .map(([name]) => name);
  if (violated.length === 0) throw new CliError(`${file}: no check failed in it; nothing to shrink`);
  let scenario: ReturnType<typeof loadScenario>;
  try {
    scenario = loadScenario(JSON.stringify(parsed.data.scenario));
  } catch (error) {
    if (error instanceof ScenarioError) throw new CliError(`${file}: scenario: ${error.message}`);
    throw error;
  }
  refuseOverMemory(scenario, { maxMemory }, file);
  return { doc: parsed.data.scenario, seed: parsed.data.seed, violated };
}

/** A run of a candidate that still fails: which target checks failed, and what faults fired. */
interface Failing {
  readonly failing: string[];
  readonly faults: readonly FaultRecord[];
}

class Shrinker {
  runs = 0;
  private current: Doc = {};
  private currentRun: Failing | null = null;

  private readonly seed: number;
  private readonly targets: readonly string[];
  private readonly maxRuns: number;
  private readonly io: CliIo;

  constructor(seed: number, targets: readonly string[], maxRuns: number, io: CliIo) {
    this.seed = seed;
    this.targets = targets;
    this.maxRuns = maxRuns;
    this.io = io;
  }

  get exhausted(): boolean {
    return this.runs >= this.maxRuns;
  }

  /** Runs `doc` at the seed; the failure when a target check is still false, else null. */
  async attempt(doc: Doc): Promise<Failing | null> {
    let loaded: ReturnType<typeof loadScenario>;
    try {
      loaded = loadScenario(JSON.stringify(doc));
    } catch (error) {
      if (error instanceof ScenarioError) return null; // not a valid scenario: not a reduction
      throw error;
    }
    if (this.exhausted) return null;
    this.runs++;
    const { report } = await executeRun(loaded, this.seed);
    const failing = this.targets.filter((name) => report.checks[name]?.valid === false);
    return failing.length === 0 ? null : { failing, faults: report.faults };
  }

  /** Tries a candidate; keeps it as the current scenario when it still fails. */
  private async accept(candidate: Doc): Promise<boolean> {
    const result = await this.attempt(candidate);
    if (result === null) return false;
    this.current = candidate;
    this.currentRun = result;
    return true;
  }

  private progress(step: string): void {
    this.io.stderr.write(`shrink: ${this.runs} runs, ${summary(this.current)} (${step})\n`);
  }

  async shrink(original: Doc, first: Failing): Promise<ShrinkOutcome> {
    this.current = original;
    this.currentRun = first;
    this.progress("original fails");
    // Only the checks that failed: the others cost time and say nothing here.
    const checks = Array.isArray(original.checks) ? original.checks : [];
    if (checks.length > first.failing.length)
      await this.accept({ ...this.current, checks: [...first.failing] });
    await this.replaceNemesis();
    this.progress("explicit schedule");
    await this.ddminSchedule();
    this.progress("dropped faults");
    await this.shortenFaults();
    this.progress("shortened faults");
    await this.halveWorkload(["clients"], 1);
    if (isBank(this.current)) await this.halveWorkload(["bank", "accounts"], 2);
    else await this.halveWorkload(["records"], 1);
    await this.halveDuration();
    this.progress(this.exhausted ? `stopped at the bound of ${this.maxRuns} runs` : "shrunk workload");
    return { runs: this.runs, doc: this.current, failing: this.currentRun?.failing ?? [] };
  }

  private async replaceNemesis(): Promise<void> {
    const faults = faultsOf(this.current);
    if (faults.random === null || faults.random === undefined) return;
    const fired = (this.currentRun?.faults ?? []).filter((record) => record.detail?.random === true);
    const explicit = fired.flatMap(scheduleEntries);
    await this.accept(
      withFaults(this.current, { schedule: [...scheduleOf(this.current), ...explicit], random: null }),
    );
  }

  private async ddminSchedule(): Promise<void> {
    let schedule = scheduleOf(this.current);
    if (schedule.length === 0) return;
    if (await this.tryDrop(schedule, [])) return;
    let n = 2;
    while (schedule.length >= 2 && !this.exhausted) {
      const chunks = split(schedule, n);
      let reduced = false;
      for (const chunk of chunks) {
        if (await this.tryDrop(schedule, chunk)) {
          schedule = chunk;
          n = 2;
          reduced = true;
          break;
        }
      }
      if (!reduced && n > 2) {
        for (const chunk of chunks) {
          const complement = schedule.filter((fault) => !chunk.includes(fault));
          if (await this.tryDrop(schedule, complement)) {
            schedule = complement;
            n = Math.max(n - 1, 2);
            reduced = true;
            break;
          }
        }
      }
      if (!reduced) {
        if (n >= schedule.length) break;
        n = Math.min(n * 2, schedule.length);
      }
    }
    // ddmin leaves a 1-minimal set only with n = len; make sure no single fault can go.
    for (let i = schedule.length - 1; i >= 0 && schedule.length > 1 && !this.exhausted; i--) {
      const without = schedule.filter((_, j) => j !== i);
      if (await this.tryDrop(schedule, without)) schedule = without;
    }
  }

  /** Tries the schedule `kept` (a subset of `all`, in order); true when it still fails. */
  private async tryDrop(all: readonly Fault[], kept: readonly Fault[]): Promise<boolean> {
    if (kept.length === all.length) return false;
    const ok = await this.accept(
      withFaults(this.current, { ...faultsOf(this.current), schedule: kept.map((fault) => ({ ...fault })) }),
    );
    if (ok) this.progress(`kept ${kept.length} of ${all.length} faults`);
    return ok;
  }

  private async shortenFaults(): Promise<void> {
    const count = scheduleOf(this.current).length;
    for (let i = 0; i < count && !this.exhausted; i++) {
      const key = scheduleOf(this.current)[i]?.kind === "crash" ? "restart_after" : "for";
      const minimum = key === "restart_after" ? 0 : MIN_STEP_US;
      for (;;) {
        const fault = scheduleOf(this.current)[i] as Fault;
        const us = typeof fault[key] === "string" ? tryParseDurationUs(fault[key] as string) : null;
        if (us === null || us <= minimum || this.exhausted) break;
        const half = roundDown(us / 2, MIN_STEP_US);
        if (half >= us || (minimum > 0 && half < minimum)) break;
        const schedule = scheduleOf(this.current).map((entry, j) =>
          j === i ? { ...entry, [key]: formatDurationUs(half) } : entry,
        );
        if (!(await this.accept(withFaults(this.current, { ...faultsOf(this.current), schedule })))) break;
      }
    }
  }

  /** Halves workload.<path> while the run still fails (path: a key, or a key in a sub-mapping). */
  private async halveWorkload(
    path: readonly [string] | readonly [string, string],
    minimum: number,
  ): Promise<void> {
    for (;;) {
      const workload = (this.current.workload ?? {}) as Doc;
      const [outer, inner] = path;
      const holder = inner === undefined ? workload : ((workload[outer] ?? {}) as Doc);
      const value = holder[inner ?? outer];
      if (typeof value !== "number" || value <= minimum || this.exhausted) break;
      const half = Math.max(minimum, Math.floor(value / 2));
      const changed =
        inner === undefined
          ? { ...workload, [outer]: half }
          : { ...workload, [outer]: { ...holder, [inner]: half } };
      if (!(await this.accept({ ...this.current, workload: changed }))) break;
      this.progress(`${path.join(".")} ${half}`);
    }
  }

  private async halveDuration(): Promise<void> {
    for (;;) {
      const us = typeof this.current.duration === "string" ? tryParseDurationUs(this.current.duration) : null;
      const warmup_us =
        typeof this.current.warmup === "string" ? (tryParseDurationUs(this.current.warmup) ?? 0) : 0;
      if (us === null || this.exhausted) break;
      // The run must outlast the last fault's end (times count from the start, warmup included).
      const floor_us = Math.max(
        MIN_STEP_US,
        lastFaultEndUs(scheduleOf(this.current)) - warmup_us + MIN_STEP_US,
      );
      const half = Math.max(roundDown(us / 2, MIN_STEP_US), roundUp(floor_us, MIN_STEP_US));
      if (half >= us) break;
      if (!(await this.accept({ ...this.current, duration: formatDurationUs(half) }))) break;
      this.progress(`duration ${formatDurationUs(half)}`);
    }
  }
}

/** A fired fault of the random nemesis as schedule entries naming what it hit; [] when inexpressible. */
function scheduleEntries(record: FaultRecord): Fault[] {
  const at = formatDurationUs(Math.round(record.at_s * 1e6));
  const duration = record.for_s === undefined ? null : formatDurationUs(Math.round(record.for_s * 1e6));
  const detail = record.detail ?? {};
  if (record.targets.length === 0) return []; // it hit nothing
  switch (record.kind) {
    case "partition": {
      const shape = detail.shape;
      const cut = detail.nodes_only === true ? { nodes_only: true } : {};
      if (shape === "halves" || shape === "bridge")
        return [{ at, kind: "partition", [shape]: true, ...cut, for: duration }];
      if (shape === "isolate" || shape === "minority") {
        return [{ at, kind: "partition", [shape]: record.targets[0], ...cut, for: duration }];
      }
      return [];
    }
    case "crash":
      return record.targets.map((target) => ({ at, kind: "crash", target, restart_after: duration }));
    case "pause":
      if (duration === null) return [];
      return record.targets.map((target) => ({ at, kind: "pause", target, for: duration }));
    case "clock_skew": {
      const offset_us = detail.offset_us;
      if (typeof offset_us !== "number" || !Number.isSafeInteger(offset_us)) return [];
      const offset = `${offset_us < 0 ? "-" : ""}${formatDurationUs(Math.abs(offset_us))}`;
      const drift_ppm = typeof detail.drift_ppm === "number" ? detail.drift_ppm : 0;
      return record.targets.map((target) => ({
        at,
        kind: "clock_skew",
        target,
        offset,
        drift_ppm,
        for: duration,
      }));
    }
    default:
      return [];
  }
}

function faultsOf(doc: Doc): { schedule?: Fault[]; random?: unknown } {
  return (doc.faults ?? {}) as { schedule?: Fault[]; random?: unknown };
}

function scheduleOf(doc: Doc): Fault[] {
  return faultsOf(doc).schedule ?? [];
}

function withFaults(doc: Doc, faults: { schedule?: Fault[]; random?: unknown }): Doc {
  return { ...doc, faults };
}

/** The latest end (or start, for faults without a duration) of the schedule, in µs from the start. */
function lastFaultEndUs(schedule: readonly Fault[]): number {
  let end = 0;
  for (const fault of schedule) {
    const at = typeof fault.at === "string" ? (tryParseDurationUs(fault.at) ?? 0) : 0;
    const length = fault.kind === "crash" ? fault.restart_after : fault.for;
    const us = typeof length === "string" ? (tryParseDurationUs(length) ?? 0) : 0;
    end = Math.max(end, at + us);
  }
  return end;
}

function split<T>(items: readonly T[], n: number): T[][] {
  const chunks: T[][] = [];
  const size = Math.ceil(items.length / n);
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function roundDown(us: number, step: number): number {
  return Math.floor(us / step) * step;
}

function roundUp(us: number, step: number): number {
  return Math.ceil(us / step) * step;
}

function summary(doc: Doc): string {
  const faults = faultsOf(doc);
  const workload = (doc.workload ?? {}) as Doc;
  const random = faults.random === null || faults.random === undefined ? "" : " + random nemesis";
  const data = isBank(doc)
    ? plural(Number(((workload.bank ?? {}) as Doc).accounts), "account")
    : `${String(workload.records)} records`;
  return (
    `${plural(scheduleOf(doc).length, "fault")}${random}, ${plural(Number(workload.clients), "client")}, ` +
    `${data}, duration ${String(doc.duration)}`
  );
}

function isBank(doc: Doc): boolean {
  return ((doc.workload ?? {}) as Doc).type === "bank";
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
