// dbsim merge <sweep dir>... --out DIR [--json]
//
// Joins sweeps of disjoint seed ranges of one scenario (the partial sweeps of several machines, or
// of an Indexed Job's pods) into the sweep one `dbsim sweep` of all their seeds would have written:
// it reads each one's journal (its scenario's text, options and every seed with its latency
// histogram), refuses sweeps that are unfinished, of another scenario text, overrides or dbsim
// version, seeds in two of them, or seeds that do not make one range a..b, and writes <out>/sweep.json
// through the tally `dbsim sweep` uses (so the bytes are the same) and <out>/journal.jsonl (so the
// merged sweep merges again). The failing seeds' run directories stay where their sweeps wrote them.
// Each journal is read twice (checked, then copied), never held whole.

import { existsSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { writeFileAtomic } from "../../reports/run-dir.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { DBSIM } from "../invocation.js";
import { makeOutputDirectoryOrFail, preflightFileIn, preflightOutputDirectory, sayNotes } from "../output.js";
import { JOURNAL_FILE, type JournalHeader, SweepJournal } from "../sweep-journal.js";
import { isJournalEntry, type SeedResult, SweepTally, seedRanges } from "../sweep-result.js";
import { parseSeedRange } from "../vary.js";
import { reproduceCommand } from "./run.js";
import { summaryText, sweepBreachLine, sweepExit } from "./sweep.js";

export interface MergeArgs {
  sweeps: string[];
  out: string;
  json: boolean;
}

/** Most sweeps merged at once. */
const SWEEPS_MAX = 10_000;

export async function mergeCommand(args: MergeArgs, io: CliIo): Promise<number> {
  if (args.sweeps.length > SWEEPS_MAX) throw new CliError(`merge: at most ${SWEEPS_MAX} sweeps at once`);
  // First pass: every header, and which sweep holds each seed.
  const headers: JournalHeader[] = [];
  const holder = new Map<number, string>();
  for (const dir of args.sweeps) {
    if (!existsSync(join(dir, JOURNAL_FILE)))
      throw new CliError(`${dir}: no sweep there (no ${JOURNAL_FILE})`);
    let journaled = 0;
    const header = SweepJournal.read<SeedResult>(dir, (entry) => {
      if (!isJournalEntry(entry))
        throw new CliError(`${join(dir, JOURNAL_FILE)}: a seed's line is not one dbsim wrote`);
      const other = holder.get(entry.seed);
      if (other !== undefined) throw new CliError(`seed ${entry.seed} is in two sweeps: ${other} and ${dir}`);
      holder.set(entry.seed, dir);
      journaled++;
    });
    const planned = parseSeedRange(header.seeds).length;
    if (journaled < planned) {
      throw new CliError(
        `${dir}: its sweep is unfinished (${journaled} of ${planned} seeds): finish it with ${DBSIM} sweep --resume ${dir}`,
      );
    }
    const first = headers[0];
    if (first !== undefined) refuseUnlike(args.sweeps[0] as string, first, dir, header);
    headers.push(header);
  }
  const first = headers[0];
  if (first === undefined) throw new CliError("merge: name the sweep directories to merge");
  const seeds = [...holder.keys()].sort((a, b) => a - b);
  const ranges = seedRanges(seeds);
  if (ranges.length !== 1) {
    throw new CliError(
      `the seeds merged must make one range a..b, as one sweep's --seeds; these are ${ranges.join(", ")}`,
    );
  }
  const range = `${seeds[0]}..${seeds[seeds.length - 1]}`;
  const name = loadScenario(first.scenario_text, {
    sourceName: first.scenario_path,
    fallbackName: basename(first.scenario_path, extname(first.scenario_path)),
    overrides: first.overrides,
  }).resolved.name;

  const state = preflightOutputDirectory("--out", args.out, "sweep", io, false);
  if (args.sweeps.some((dir) => sameDir(dir, args.out)))
    throw new CliError(`--out ${args.out} is one of the sweeps merged; choose another directory`);
  const sweepJsonPath = join(args.out, "sweep.json");
  const sweepJsonTarget = preflightFileIn("--out", state, sweepJsonPath);
  makeOutputDirectoryOrFail(args.out, "sweep");

  // Second pass: each seed into the tally and the merged journal.
  const tally = new SweepTally();
  const journal = SweepJournal.create<SeedResult>(args.out, {
    ...first,
    seeds: range,
    stop_after_failures: null,
  });
  try {
    for (const dir of args.sweeps) {
      SweepJournal.read<SeedResult>(dir, (entry) => {
        journal.append(entry);
        tally.record(entry);
      });
    }
  } finally {
    journal.close();
  }
  const sweep = tally.sweepJson(name);
  sayNotes(io, writeFileAtomic(sweepJsonPath, `${JSON.stringify(sweep, null, 2)}\n`, sweepJsonTarget).notes);
  if (args.json) io.stdout.write(`${JSON.stringify(sweep, null, 2)}\n`);
  else {
    const replay = (seed: number): string => {
      const dir = join(holder.get(seed) as string, "failures", `seed-${seed}`);
      return existsSync(dir)
        ? `replay the first: ${DBSIM} replay ${dir}`
        : `reproduce the first: ${reproduceCommand(first.scenario_path, seed, first.overrides)}`;
    };
    io.stdout.write(`merged ${args.sweeps.length} sweeps: seeds ${range}\n`);
    io.stdout.write(summaryText(sweep, seeds.length, args.out, null, replay));
  }
  const breach = sweepBreachLine(sweep);
  if (breach !== null) io.stderr.write(breach);
  return sweepExit(sweep);
}

/** Sweeps merge only when their seeds ran alike: one scenario text, the same overrides, one dbsim. */
function refuseUnlike(firstDir: string, first: JournalHeader, dir: string, header: JournalHeader): void {
  const differ = (what: string) =>
    new CliError(`${dir} and ${firstDir} are sweeps of different ${what}; only seeds of one sweep merge`);
  if (header.dbsim_version !== first.dbsim_version)
    throw differ(`dbsim versions (${header.dbsim_version}, ${first.dbsim_version})`);
  if (header.scenario_text !== first.scenario_text) throw differ("scenario texts");
  if (JSON.stringify(header.overrides) !== JSON.stringify(first.overrides)) throw differ("--set overrides");
}

function sameDir(a: string, b: string): boolean {
  return resolve(a) === resolve(b);
}
