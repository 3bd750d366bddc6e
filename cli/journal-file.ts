// An append-only journal of long work (a sweep's seeds, a knee search's probes): one JSON value a
// line, each line fsynced before the work it records is counted, so that a process killed in any
// way (SIGKILL, an out-of-memory kill, a power cut) loses at most the work in flight. A line cut
// short by a kill can only be the last one: reading drops it (and, to append again, cuts it off).

import { closeSync, fsyncSync, openSync, truncateSync, writeSync } from "node:fs";
import { CliError } from "./errors.js";
import { type InputKind, readInputLines } from "./input-file.js";

export class JournalFile {
  private readonly fd: number;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** Starts the journal at `path` (replacing one there) with its first line. */
  static create(path: string, first: unknown): JournalFile {
    const journal = new JournalFile(openSync(path, "w"));
    journal.append(first);
    return journal;
  }

  /** Opens the journal at `path` to append to it (after read, with `repair`). */
  static reopen(path: string): JournalFile {
    return new JournalFile(openSync(path, "a"));
  }

  /**
   * Passes each complete line's value to `each`, in order (the journal is never held whole); returns
   * how many there were. A last line cut short is skipped; with `repair` (a command about to append
   * again) it is also cut off the file. Without, the file is only read.
   */
  static read(
    path: string,
    kind: InputKind,
    maxLine_bytes: number,
    each: (value: unknown) => void,
    options: { repair: boolean } = { repair: false },
  ): number {
    let lines = 0;
    let complete = 0; // bytes of the lines that parsed
    let torn = false;
    for (const line of readInputLines(path, kind, maxLine_bytes)) {
      if (torn)
        throw new CliError(`${path}: a line that does not parse is not the last one; the journal is damaged`);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        torn = true; // a kill cut the last line short
        continue;
      }
      each(value);
      lines++;
      complete += Buffer.byteLength(line) + 1;
    }
    if (torn && options.repair) truncateSync(path, complete);
    return lines;
  }

  /** Appends a line, durably. */
  append(value: unknown): void {
    const bytes = Buffer.from(`${JSON.stringify(value)}\n`);
    let written = 0;
    while (written < bytes.length)
      written += writeSync(this.fd, bytes, written, bytes.length - written, null);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
