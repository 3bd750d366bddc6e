// Reads the files commands are given (a scenario, a report.json, a failure.json, a history): regular
// files only, each kind under a size limit. The path is checked before it is opened (a FIFO would
// block the open, /dev/zero never ends), the opened file again (it may have been replaced), and no
// read goes past the limit (a file can grow while it is read). Every refusal is one CliError naming
// the file, what it is and the limit.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";
import { formatBytes } from "../engine/settings/units.js";
import { CliError } from "./errors.js";

export interface InputKind {
  /** What the file is, in messages: "scenario", "history", ... */
  readonly noun: string;
  readonly limit_bytes: number;
  /** How to raise the limit, when an option can ("--max-size"). */
  readonly raise?: string;
}

const MiB = 2 ** 20;

/** Scenario files are a few KiB; the limit leaves room for long lists (a directory's moved keys). */
export const SCENARIO_FILE: InputKind = { noun: "scenario", limit_bytes: MiB };
/**
 * report.json: 13 KiB for ycsb-a's 65 s; its timeline adds about 60 bytes per virtual second (the
 * longest run, 24 h: about 5 MiB).
 */
export const REPORT_FILE: InputKind = { noun: "report", limit_bytes: 64 * MiB };
/**
 * failure.json (31 KiB for replication-async-failover): the scenario, a trace checkpoint per 100,000
 * events, and at most 20 anomalies per check.
 */
export const FAILURE_FILE: InputKind = { noun: "failure file", limit_bytes: 64 * MiB };

/** Bytes read at a time. */
const READ_BYTES = MiB;

/** The whole file as text (for the small kinds: scenario, report, failure). */
export function readInputText(path: string, kind: InputKind): string {
  const pieces: Buffer[] = [];
  for (const piece of readInputChunks(path, kind)) pieces.push(Buffer.from(piece));
  return Buffer.concat(pieces).toString("utf8");
}

/**
 * The file's lines (without their "\n"), read a chunk at a time: the file is never one string. A
 * line longer than `maxLine_bytes` is refused with its number.
 */
export function readInputLines(path: string, kind: InputKind, maxLine_bytes: number): Generator<string> {
  return splitLines(readInputChunks(path, kind), maxLine_bytes, (line) =>
    longLine(path, kind, line, maxLine_bytes),
  );
}

/**
 * The lines of UTF-8 text given in chunks of bytes (a chunk may end anywhere, even inside a
 * character: lines are cut at "\n" bytes and decoded whole). A chunk may be reused once the next
 * is asked for. A line longer than `maxLine_bytes` throws `tooLong(its 1-based number)`.
 */
export function* splitLines(
  chunks: Iterable<Buffer>,
  maxLine_bytes: number,
  tooLong: (line: number) => Error,
): Generator<string> {
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let line = 0;
  for (const chunk of chunks) {
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      line++;
      if (partialBytes + newline - start > maxLine_bytes) throw tooLong(line);
      if (partialBytes === 0) yield chunk.toString("utf8", start, newline);
      else {
        partial.push(chunk.subarray(start, newline));
        yield Buffer.concat(partial).toString("utf8");
        partial = [];
        partialBytes = 0;
      }
      start = newline + 1;
    }
    if (start < chunk.length) {
      partialBytes += chunk.length - start;
      if (partialBytes > maxLine_bytes) throw tooLong(line + 1);
      partial.push(Buffer.from(chunk.subarray(start))); // a copy: the chunk may be reused
    }
  }
  if (partialBytes > 0) yield Buffer.concat(partial).toString("utf8");
}

function longLine(path: string, kind: InputKind, line: number, maxLine_bytes: number): CliError {
  return new CliError(
    `cannot read ${kind.noun} ${path}: line ${line} is longer than ${formatBytes(maxLine_bytes)}, the most a line may have`,
  );
}

/** The file's bytes in chunks (each valid until the next is asked for), never more than the limit. */
function* readInputChunks(path: string, kind: InputKind): Generator<Buffer> {
  refuseUnlessRegular(path, kind, stat(path, kind));
  let fd: number;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the stat, the open does not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw cannotRead(path, kind, reason(error));
  }
  try {
    refuseUnlessRegular(path, kind, fstatSync(fd));
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    let total = 0;
    for (;;) {
      // One byte past the limit tells a file that grew past it from one that ends there.
      const want = Math.min(READ_BYTES, kind.limit_bytes + 1 - total);
      const read = readSync(fd, buffer, 0, want, null);
      if (read === 0) return;
      total += read;
      if (total > kind.limit_bytes)
        throw cannotRead(path, kind, `it grew past ${limitText(kind)} while read`);
      yield buffer.subarray(0, read);
    }
  } finally {
    closeSync(fd);
  }
}

/** Refuses `path` unless it is a regular file under its kind's limit (for files others open: a module). */
export function checkInputFile(path: string, kind: InputKind): void {
  refuseUnlessRegular(path, kind, stat(path, kind));
}

function stat(path: string, kind: InputKind): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw cannotRead(path, kind, reason(error));
  }
}

function refuseUnlessRegular(path: string, kind: InputKind, stats: Stats): void {
  if (!stats.isFile()) {
    throw cannotRead(
      path,
      kind,
      `it is ${fileType(stats)}; a ${kind.noun} must be a regular file of at most ${formatBytes(kind.limit_bytes)}`,
    );
  }
  if (stats.size > kind.limit_bytes) {
    // Exact when rounding would show the size and the limit alike.
    const size = formatBytes(stats.size);
    const shown = size === formatBytes(kind.limit_bytes) ? `${stats.size} bytes` : size;
    throw cannotRead(path, kind, `it has ${shown}, more than ${limitText(kind)}`);
  }
}

function limitText(kind: InputKind): string {
  const limit = `the limit of ${formatBytes(kind.limit_bytes)} for a ${kind.noun}`;
  return kind.raise === undefined ? limit : `${limit} (raise it with ${kind.raise})`;
}

function fileType(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  return (error as Error).message;
}

function cannotRead(path: string, kind: InputKind, why: string): CliError {
  return new CliError(`cannot read ${kind.noun} ${path}: ${why}`);
}
