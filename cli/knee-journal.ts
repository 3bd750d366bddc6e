// A knee search's journal, `<out>/journal.jsonl` (journal-file.ts): its first line says what the
// search was asked (the scenario, the options that decide the search, each variant's bounds); each
// further line is a probe as it finished: the variant, the rate, and every seed's run judged against
// the SLOs (or the crash that stopped that variant's search). A search killed in any way loses at
// most its probes in flight. The search is deterministic given the probes' outcomes, so a resumed
// search replays the recorded ones without running them and runs only what is missing.

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { KneeRun } from "../reports/knee.js";
import { type KneeBounds, searchKnee } from "../reports/knee-search.js";
import { thresholdResultSchema } from "../reports/report-schema.js";
import type { FileContent } from "../reports/run-dir.js";
import { shellQuote } from "./commands/run.js";
import { CliError } from "./errors.js";
import { type InputKind, readInputLines } from "./input-file.js";
import { DBSIM } from "./invocation.js";
import { JournalFile } from "./journal-file.js";

export const KNEE_JOURNAL_FILE = "journal.jsonl";
export const KNEE_JOURNAL_SCHEMA = "dbsim.knee-journal/v1";

/**
 * A probe's line holds each seed's run: about 100 bytes, its reproduce command and 70 per SLO (215
 * bytes with one SLO); at most 1,000 runs a rate and 33 rates a variant's search: under 50 MiB.
 */
const JOURNAL_KIND: InputKind = { noun: "knee journal", limit_bytes: 512 * 2 ** 20 };
const JOURNAL_LINE_MAX_BYTES = 16 * 2 ** 20;

/** What the search was asked: what a resume must be asked again to go on with it. */
export interface KneeJournalHeader {
  readonly schema: typeof KNEE_JOURNAL_SCHEMA;
  readonly dbsim_version: string;
  /** The scenario file as given, and its text's SHA-256 then (the probes ran that text). */
  readonly scenario_path: string;
  readonly scenario_sha256: string;
  /** Each option that decides the search (`--slo`, `--seeds`, ...) and its values, as command words. */
  readonly options: Readonly<Record<string, readonly string[]>>;
  /** Each variant's label and bounds (its cap lowered to what fits in --max-memory at --workers). */
  readonly variants: readonly { readonly label: string; readonly bounds: KneeBounds }[];
}

/** One finished probe: every seed's run, or the error of the run that crashed. */
export type KneeProbe = {
  readonly variant: string;
  readonly offered_ops_per_s: number;
} & ({ readonly runs: readonly KneeRun[] } | { readonly crashed: string });

/** The probes recorded, by variant label and rate. */
export type RecordedProbes = ReadonlyMap<string, ReadonlyMap<number, KneeProbe>>;

export interface KneeJournal {
  readonly header: KneeJournalHeader;
  readonly probes: RecordedProbes;
  /** Probes recorded. */
  readonly count: number;
}

const boundsSchema = z.strictObject({
  start_ops_per_s: z.number().int(),
  floor_ops_per_s: z.number().int(),
  cap_ops_per_s: z.number().int(),
  precision: z.number(),
});
const headerSchema = z.strictObject({
  schema: z.literal(KNEE_JOURNAL_SCHEMA),
  dbsim_version: z.string(),
  scenario_path: z.string(),
  scenario_sha256: z.string(),
  options: z.record(z.string(), z.array(z.string())),
  variants: z.array(z.strictObject({ label: z.string(), bounds: boundsSchema })).min(1),
});
const runSchema = z.strictObject({
  seed: z.number().int(),
  ok: z.boolean(),
  slo: z.array(thresholdResultSchema),
  achieved_ops_per_s: z.number(),
  p50_us: z.number().nullable(),
  reproduce: z.string(),
});
const probeSchema = z.union([
  z.strictObject({
    variant: z.string(),
    offered_ops_per_s: z.number().int(),
    runs: z.array(runSchema).min(1),
  }),
  z.strictObject({ variant: z.string(), offered_ops_per_s: z.number().int(), crashed: z.string() }),
]);

export function scenarioSha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Appends the probes of a search to its journal, each line fsynced. */
export class KneeJournalWriter {
  private readonly file: JournalFile;

  private constructor(file: JournalFile) {
    this.file = file;
  }

  /** Opens the journal in `dir` (written with its header, or read with `repair`) to append to it. */
  static reopen(dir: string): KneeJournalWriter {
    return new KneeJournalWriter(JournalFile.reopen(join(dir, KNEE_JOURNAL_FILE)));
  }

  append(probe: KneeProbe): void {
    this.file.append(probe);
  }

  close(): void {
    this.file.close();
  }
}

/** The journal's first line: what the search directory is written with. */
export function headerLine(header: KneeJournalHeader): string {
  return `${JSON.stringify(header)}\n`;
}

/**
 * The journal in `dir`; null when there is none. A last line cut short by a kill is dropped (with
 * `repair`, cut off the file too); any other line that is not what this dbsim writes is refused.
 * The values kept are the lines as parsed (not as validated), so a replayed probe writes the bytes
 * the probe wrote.
 */
export function readKneeJournal(dir: string, options: { repair: boolean }): KneeJournal | null {
  const path = join(dir, KNEE_JOURNAL_FILE);
  if (!existsSync(path)) return null;
  let header: KneeJournalHeader | null = null;
  const probes = new Map<string, Map<number, KneeProbe>>();
  let count = 0;
  const line = (value: unknown): void => {
    if (header === null) {
      if (!headerSchema.safeParse(value).success) {
        throw new CliError(
          `${path}: not a knee search journal of this dbsim (expected schema ${KNEE_JOURNAL_SCHEMA})`,
        );
      }
      header = value as KneeJournalHeader;
      for (const variant of header.variants) probes.set(variant.label, new Map());
      return;
    }
    const probe = probeSchema.safeParse(value).success ? (value as KneeProbe) : null;
    const rates = probe === null ? undefined : probes.get(probe.variant);
    if (probe === null || rates === undefined) {
      throw new CliError(`${path}: line ${count + 2} is not a probe this dbsim wrote`);
    }
    rates.set(probe.offered_ops_per_s, probe);
    count++;
  };
  JournalFile.read(path, JOURNAL_KIND, JOURNAL_LINE_MAX_BYTES, line, options);
  if (header === null) throw new CliError(`${path}: no knee search journal (it is empty)`);
  return { header, probes, count };
}

/** The journal's lines, read a chunk at a time (to copy it into the search's directory written anew). */
export function journalContent(dir: string): FileContent {
  const path = join(dir, KNEE_JOURNAL_FILE);
  return function* () {
    for (const line of readInputLines(path, JOURNAL_KIND, JOURNAL_LINE_MAX_BYTES)) yield `${line}\n`;
  };
}

/** A replayed search stops: at a crashed probe (its end), or at one not recorded. */
class ReplayStop extends Error {
  readonly ended: boolean;

  constructor(ended: boolean) {
    super(ended ? "a run crashed" : "not recorded");
    this.ended = ended;
  }
}

/** Whether the recorded probes end every variant's search (a crashed probe ends it too). */
export async function searchesEnded(journal: KneeJournal): Promise<boolean> {
  for (const { label, bounds } of journal.header.variants) {
    const recorded = journal.probes.get(label);
    try {
      await searchKnee(bounds, async (rate) => {
        const probe = recorded?.get(rate);
        if (probe === undefined || "crashed" in probe) throw new ReplayStop(probe !== undefined);
        return probe.runs.every((run) => run.ok);
      });
    } catch (error) {
      if (!(error instanceof ReplayStop)) throw error;
      if (!error.ended) return false;
    }
  }
  return true;
}

/** The command that goes on with the search in `out`: the one that started it, with --resume. */
export function resumeCommand(header: KneeJournalHeader, out: string, extra: readonly string[]): string {
  const words = [
    ...DBSIM.split(" "),
    "knee",
    header.scenario_path,
    ...Object.entries(header.options).flatMap(([option, values]) => optionWords(option, values)),
    ...extra,
    "--out",
    out,
    "--resume",
  ];
  return words.map(shellQuote).join(" ");
}

function optionWords(option: string, values: readonly string[]): string[] {
  return values.flatMap((value) => [option, value]);
}

/** How an option's values read in a message: `--slo 'all.p99 < 5ms'`, or `no --vary`. */
function optionText(option: string, values: readonly string[]): string {
  return values.length === 0 ? `no ${option}` : optionWords(option, values).map(shellQuote).join(" ");
}

/**
 * Refuses to go on with the search recorded in `out`'s journal under another command than the one
 * that started it (another scenario, SLO, seeds, variants, overrides or bounds), naming what differs.
 */
export function refuseAnotherSearch(recorded: KneeJournalHeader, now: KneeJournalHeader, out: string): void {
  const refuse = (what: string) =>
    new CliError(`--resume: ${what}; give the command that started it, or choose another --out`);
  if (recorded.dbsim_version !== now.dbsim_version) {
    throw new CliError(
      `--resume: the knee search in ${out} was started by dbsim ${recorded.dbsim_version}, this is ${now.dbsim_version}; its rates would not run alike (start it again)`,
    );
  }
  const started = `the knee search in ${out} was started with`;
  if (recorded.scenario_path !== now.scenario_path) {
    throw refuse(`${started} the scenario ${recorded.scenario_path}, not ${now.scenario_path}`);
  }
  if (recorded.scenario_sha256 !== now.scenario_sha256) {
    throw new CliError(
      `--resume: ${now.scenario_path} changed since the knee search in ${out} was started; start it again (without --resume)`,
    );
  }
  const options = new Set([...Object.keys(recorded.options), ...Object.keys(now.options)]);
  for (const option of options) {
    const then = recorded.options[option] ?? [];
    const given = now.options[option] ?? [];
    if (JSON.stringify(then) !== JSON.stringify(given)) {
      throw refuse(`${started} ${optionText(option, then)}, not ${optionText(option, given)}`);
    }
  }
  recorded.variants.forEach((variant, i) => {
    const cap = variant.bounds.cap_ops_per_s;
    const capNow = now.variants[i]?.bounds.cap_ops_per_s;
    if (capNow !== cap) {
      const which = recorded.variants.length > 1 ? ` (${variant.label})` : "";
      throw refuse(
        `${started} ${cap}/s as the highest rate to probe${which}; with this --workers and --max-memory it is ${capNow}/s`,
      );
    }
  });
}
