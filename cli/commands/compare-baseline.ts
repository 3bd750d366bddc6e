// dbsim compare --baseline BASE CANDIDATE... [--tolerance 5%] [--json] [--html FILE]
//
// Each side is seeds: a run (its directory or report.json), a directory of seed-<n>/ runs (what
// `dbsim run --seed N` writes under runs/<scenario>/, and a matrix per variant), or a sweep (its
// directory or sweep.json: its per-seed figures); the candidate's arguments together are its seeds. Reports are
// read one at a time and reduced to their figures (reports/baseline.ts). Exit 5 when a figure
// regressed beyond the baseline's spread and the tolerance, else 0.

import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import {
  type BaselineSide,
  baselineTable,
  compareBaseline,
  type SeedFigures,
  seedFigures,
  seedNoise,
} from "../../reports/baseline.js";
import { renderBaselineHtml } from "../../reports/html/baseline-page.js";
import { GENERATOR_META } from "../../reports/html/page.js";
import type { FileMarker } from "../../reports/output-path.js";
import { recoverLeftovers, writeFileAtomic } from "../../reports/run-dir.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_OK, EXIT_THRESHOLD } from "../exit-codes.js";
import { type InputKind, readInputText } from "../input-file.js";
import { preflightFile, sayNotes, sayWrote } from "../output.js";
import { readReport } from "../report-file.js";

/** A page dbsim wrote carries its generator tag near the top. */
const isDbsimPage: FileMarker = (head) => head.includes(GENERATOR_META);

/** sweep.json: about 1 KiB per seed with its figures; a sweep has at most 10,000 seeds. */
const SWEEP_FILE: InputKind = { noun: "sweep.json", limit_bytes: 64 * 2 ** 20 };
/** Seeds one side may hold (each a report read in turn, or a sweep.json entry). */
export const BASELINE_SEEDS_MAX = 10_000;
const SEED_DIR = /^seed-(\d+)$/;

export interface BaselineArgs {
  baseline: string;
  candidates: string[];
  tolerance?: string;
  html?: string;
  json: boolean;
}

export async function compareBaselineCommand(args: BaselineArgs, io: CliIo): Promise<number> {
  if (args.candidates.length === 0) {
    throw new CliError(
      "compare --baseline BASE needs a candidate: runs, a directory of seed-N runs, or a sweep",
    );
  }
  const tolerance = parseTolerance(args.tolerance ?? "5%");
  const html = args.html === undefined ? null : preflightFile("--html", args.html, isDbsimPage, io);
  const baseline = readSide([args.baseline], "baseline", io);
  const candidate = readSide(args.candidates, "candidate", io);
  const comparison = compareBaseline(baseline, candidate, tolerance);
  if (comparison.rows.length === 0) {
    throw new CliError("compare --baseline: the baseline and the candidate share no figure to compare");
  }
  let written: string | null = null;
  if (html !== null) {
    try {
      const outcome = writeFileAtomic(html.path, renderBaselineHtml(comparison), html);
      sayNotes(io, outcome.notes);
      written = outcome.path;
    } catch (error) {
      throw new CliError(`cannot write ${html.path}: ${(error as Error).message}`);
    }
  }
  io.stdout.write(args.json ? `${JSON.stringify(comparison, null, 2)}\n` : baselineTable(comparison));
  if (written !== null) sayWrote(io, args.json, written);
  if (comparison.regressed.length === 0) return EXIT_OK;
  io.stderr.write(`dbsim: regressed beyond the baseline: ${comparison.regressed.join(", ")}\n`);
  return EXIT_THRESHOLD;
}

/** "5%" or a fraction "0.05", from 0 to 100%. */
export function parseTolerance(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const fraction = match === null ? Number.NaN : Number(match[1]) / (match[2] === "%" ? 100 : 1);
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new CliError(`--tolerance ${text}: expected a percentage from 0% to 100%, e.g. 5%`);
  }
  return fraction;
}

/** One side's seeds from its paths; refuses a seed given twice (it would count twice). */
function readSide(paths: readonly string[], side: string, io: CliIo): BaselineSide {
  const seeds: { seed: number; figures: SeedFigures }[] = [];
  const from = new Map<number, string>();
  let noise: BaselineSide["noise"];
  const add = (seed: number, figures: SeedFigures, source: string): void => {
    const other = from.get(seed);
    if (other !== undefined)
      throw new CliError(`seed ${seed} is in the ${side} twice: ${other} and ${source}`);
    if (seeds.length >= BASELINE_SEEDS_MAX) {
      throw new CliError(`the ${side} has more than ${BASELINE_SEEDS_MAX} seeds`);
    }
    from.set(seed, source);
    seeds.push({ seed, figures });
  };
  for (const path of paths) {
    sayNotes(io, recoverLeftovers(path)); // a run a killed dbsim had finished is rolled into place
    for (const run of runsAt(path)) {
      if (run.kind === "sweep") {
        for (const entry of sweepSeeds(run.path)) add(entry.seed, entry.figures, run.path);
        continue;
      }
      const report = readReport(run.path);
      add(report.seed, seedFigures(report), run.path);
      if (seeds.length === 1) noise = seedNoise(report); // kept only while the side is this one run
    }
  }
  if (seeds.length === 0) throw new CliError(`the ${side} has no seeds: ${paths.join(" ")}`);
  return { sources: [...paths], seeds, ...(seeds.length === 1 && noise !== undefined ? { noise } : {}) };
}

type Source = { kind: "run" | "sweep"; path: string };

/** What a path holds: a run, a sweep, or a directory of seed-<n>/ runs (in seed order). */
function runsAt(path: string): Source[] {
  let directory: boolean;
  try {
    directory = statSync(path).isDirectory();
  } catch {
    throw new CliError(`cannot read ${path}: no such file or directory`);
  }
  if (!directory) return [{ kind: basename(path) === "sweep.json" ? "sweep" : "run", path }];
  if (existsSync(join(path, "report.json"))) return [{ kind: "run", path }];
  if (existsSync(join(path, "sweep.json"))) return [{ kind: "sweep", path: join(path, "sweep.json") }];
  const seeds = readdirSync(path)
    .map((name) => SEED_DIR.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ seed: Number(match[1]), path: join(path, match[0]) }))
    .filter((run) => existsSync(join(run.path, "report.json")))
    .sort((a, b) => a.seed - b.seed);
  if (seeds.length === 0) {
    throw new CliError(
      `${path}: no run (report.json), sweep (sweep.json) or seed-N run directories in this directory`,
    );
  }
  return seeds.map((run) => ({ kind: "run", path: run.path }));
}

/** The finished seeds of a sweep.json and their figures (crashed seeds have none). */
function sweepSeeds(path: string): { seed: number; figures: SeedFigures }[] {
  let sweep: unknown;
  try {
    sweep = JSON.parse(readInputText(path, SWEEP_FILE));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${path}: not JSON (${(error as Error).message})`);
  }
  const seeds = (sweep as { seeds?: unknown } | null)?.seeds;
  if (!Array.isArray(seeds)) throw new CliError(`${path}: not a sweep.json (no seeds list)`);
  return seeds
    .filter((entry) => typeof entry === "object" && entry !== null && !("crashed" in entry))
    .map((entry) => {
      const { seed, figures } = entry as { seed?: unknown; figures?: unknown };
      const valid =
        Number.isSafeInteger(seed) &&
        typeof figures === "object" &&
        figures !== null &&
        Object.values(figures).every((value) => value === null || typeof value === "number");
      if (!valid) {
        throw new CliError(
          `${path}: a seed has no figures (a sweep of an older dbsim): run the sweep again to compare it`,
        );
      }
      return { seed: seed as number, figures: figures as SeedFigures };
    });
}
