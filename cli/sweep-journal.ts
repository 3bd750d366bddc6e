// A sweep's journal, `<out>/journal.jsonl`: what the sweep was asked (its first line) and each seed
// as it finishes (one line, fsynced before the next seed is reported), so that a sweep killed in any
// way (SIGKILL, an out-of-memory kill, a power cut) loses at most the seeds in flight, and
// `dbsim sweep --resume <out>` runs only the seeds it lacks. A line cut short by a kill is the last
// one; it is dropped (that seed runs again).

import { join } from "node:path";
import { CliError } from "./errors.js";
import type { InputKind } from "./input-file.js";
import { JournalFile } from "./journal-file.js";

export const JOURNAL_FILE = "journal.jsonl";
export const JOURNAL_SCHEMA = "dbsim.sweep-journal/v1";

/** A seed's line holds its compressed latency histogram: about 7 KiB; 10,000 seeds at most. */
const JOURNAL_KIND: InputKind = { noun: "sweep journal", limit_bytes: 512 * 2 ** 20 };
const JOURNAL_LINE_MAX_BYTES = 16 * 2 ** 20;

/** What the sweep was asked: enough to run its missing seeds exactly as it would have. */
export interface JournalHeader {
  readonly schema: typeof JOURNAL_SCHEMA;
  readonly dbsim_version: string;
  /** The scenario file as given, and its text then (a resume does not read the file again). */
  readonly scenario_path: string;
  readonly scenario_text: string;
  readonly overrides: readonly string[];
  /** The --seeds range, as given. */
  readonly seeds: string;
  readonly stop_after_failures: number | null;
  readonly metrics: boolean;
  readonly metrics_interval: string | null;
}

/** One finished seed: its sweep.json entry, and what the merged latency needs of it. */
export interface JournalEntry<Result> {
  readonly seed: number;
  readonly result: Result;
  /** Its all-operations HDR histogram, compressed base64 (absent for a crashed seed). */
  readonly latency_all_base64?: string;
  readonly latency_max_us: number;
}

export class SweepJournal<Result> {
  private readonly file: JournalFile;

  private constructor(file: JournalFile) {
    this.file = file;
  }

  /** Starts a journal in `dir` (replacing one there). */
  static create<Result>(dir: string, header: JournalHeader): SweepJournal<Result> {
    return new SweepJournal<Result>(JournalFile.create(join(dir, JOURNAL_FILE), header));
  }

  /**
   * Reads the journal in `dir`: returns its header, and passes every complete seed line to `each` as
   * it is read (the journal is never held whole). A last line cut short (a kill mid-append) is
   * skipped; with `repair` (a sweep about to append to it again) it is also cut off the file.
   * Without, the file is only read: `dbsim merge` and a replacing sweep read journals they must not change.
   */
  static read<Result>(
    dir: string,
    each: (entry: JournalEntry<Result>) => void,
    options: { repair: boolean } = { repair: false },
  ): JournalHeader {
    const path = join(dir, JOURNAL_FILE);
    let header: JournalHeader | null = null;
    const line = (value: unknown): void => {
      if (header === null) header = parseHeader(path, value);
      else each(value as JournalEntry<Result>);
    };
    JournalFile.read(path, JOURNAL_KIND, JOURNAL_LINE_MAX_BYTES, line, options);
    if (header === null) throw new CliError(`${path}: no sweep journal (it is empty)`);
    return header;
  }

  /** Opens the journal in `dir` to append to it (after read). */
  static reopen<Result>(dir: string): SweepJournal<Result> {
    return new SweepJournal<Result>(JournalFile.reopen(join(dir, JOURNAL_FILE)));
  }

  /** Appends a finished seed, durably. */
  append(entry: JournalEntry<Result>): void {
    this.file.append(entry);
  }

  close(): void {
    this.file.close();
  }
}

function parseHeader(path: string, value: unknown): JournalHeader {
  const header = value as Partial<JournalHeader> | null;
  if (header === null || typeof header !== "object" || header.schema !== JOURNAL_SCHEMA) {
    throw new CliError(`${path}: not a sweep journal of this dbsim (expected schema ${JOURNAL_SCHEMA})`);
  }
  for (const field of ["scenario_path", "scenario_text", "seeds", "dbsim_version"] as const) {
    if (typeof header[field] !== "string") throw new CliError(`${path}: the journal's header lacks ${field}`);
  }
  if (!Array.isArray(header.overrides)) throw new CliError(`${path}: the journal's header lacks overrides`);
  return header as JournalHeader;
}
