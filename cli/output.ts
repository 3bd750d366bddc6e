// Where commands write: the check of every output before any work (one line and exit 2 where dbsim
// may not write, see reports/output-path.ts), the lines saying what a write replaced or where it
// went instead, and the names of default directories.

import { createHash } from "node:crypto";
import { dirname } from "node:path";
import type { ContainerKind } from "../reports/output-marker.js";
import {
  type ContainerState,
  checkContainerTarget,
  checkDirTarget,
  checkFileTarget,
  type DirTarget,
  type FileMarker,
  type FileTarget,
  IN_DBSIM_DIRECTORY,
  OutputPathError,
} from "../reports/output-path.js";
import { makeOutputDirectory, recoverLeftovers, recoverLeftoversIn } from "../reports/run-dir.js";
import type { CliIo } from "./cli.js";
import { CliError } from "./errors.js";

const DIRECTORY_RULE = "dbsim writes only to a new path, an empty directory or a directory it wrote";
const FILE_RULE = "dbsim writes only to a new path or a file it wrote";
/** For a file with no room for a marker (a JSONL trace). */
const NEW_FILE_RULE = "dbsim writes it only to a new path (its format has no room for dbsim's marker)";

/** The one line and exit 2 of a target dbsim may not write, naming the option. */
function refusing<T>(option: string, rule: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof OutputPathError) throw new CliError(`${option} ${error.message}; ${rule}`);
    throw error;
  }
}

/** Lines the writer returned (leftovers recovered, a concurrent writer met), on stderr. */
export function sayNotes(io: CliIo, notes: readonly string[]): void {
  for (const note of notes) io.stderr.write(`dbsim: ${note}\n`);
}

/** Says what a command wrote: on stdout, or with --json (stdout holds the JSON) on stderr. */
export function sayWrote(io: CliIo, json: boolean, what: string): void {
  if (json) io.stderr.write(`dbsim: wrote ${what}\n`);
  else io.stdout.write(`wrote ${what}\n`);
}

/**
 * Checks a directory written whole (a run's, or a knee search's); an earlier dbsim one is replaced,
 * and that is said.
 */
export function preflightRunDir(
  option: string,
  path: string,
  io: CliIo,
  kind: "run" | "knee" = "run",
): DirTarget {
  const target = checkRunDirTarget(option, path, io, kind);
  if (target.state === "dbsim") sayReplacing(io, path, kind);
  return target;
}

/** preflightRunDir without its line: for a caller that looks into an earlier directory before replacing it. */
export function checkRunDirTarget(option: string, path: string, io: CliIo, kind: "run" | "knee"): DirTarget {
  return refusing(option, DIRECTORY_RULE, () => {
    sayNotes(io, recoverLeftovers(path));
    return checkDirTarget(path, kind);
  });
}

/** Says that the directory dbsim wrote earlier at `path` is being replaced. */
export function sayReplacing(io: CliIo, path: string, kind: "run" | "knee"): void {
  io.stderr.write(`dbsim: replacing the earlier ${kind === "run" ? "run" : "knee search"} in ${path}\n`);
}

const KIND_NOUNS: Readonly<Record<ContainerKind, string>> = {
  sweep: "sweep",
  matrix: "matrix",
  dashboards: "dashboards",
  tsdb: "TSDB",
};

/**
 * Checks a directory dbsim writes into (a sweep's, a matrix's, ...); writing into an earlier one is
 * said, unless the caller says what it does with it (`announce` false).
 */
export function preflightOutputDirectory(
  option: string,
  path: string,
  kind: ContainerKind,
  io: CliIo,
  announce = true,
): ContainerState {
  return refusing(option, DIRECTORY_RULE, () => {
    const state = checkContainerTarget(path, kind);
    if (state === "dbsim" && announce)
      io.stderr.write(`dbsim: writing into the ${KIND_NOUNS[kind]} dbsim wrote in ${path}\n`);
    return state;
  });
}

/** Checks the run directories to write in an output directory in `state` (nothing there yet unless dbsim's). */
export function preflightRunDirsIn(
  option: string,
  state: ContainerState,
  paths: readonly string[],
  io: CliIo,
  kind: "run" | "comparison" = "run",
): DirTarget[] {
  if (state !== "dbsim") return paths.map((path) => ({ path, state: "absent" }));
  return refusing(option, DIRECTORY_RULE, () => {
    for (const parent of new Set(paths.map((path) => dirname(path))))
      sayNotes(io, recoverLeftoversIn(parent));
    return paths.map((path) => checkDirTarget(path, kind));
  });
}

/** Checks a file to write in an output directory in `state` (a regular file there is dbsim's when the directory is). */
export function preflightFileIn(option: string, state: ContainerState, path: string): FileTarget {
  if (state !== "dbsim") return { path, state: "absent" };
  return refusing(option, FILE_RULE, () => checkFileTarget(path, IN_DBSIM_DIRECTORY));
}

/** Makes (and marks) the output directory preflightOutputDirectory checked. */
export function makeOutputDirectoryOrFail(path: string, kind: ContainerKind): void {
  try {
    makeOutputDirectory(path, kind);
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${(error as Error).message}`);
  }
}

/** Checks a single-file output: a new path, or a file `marker` recognises as dbsim's (replaced, and said). */
export function preflightFile(option: string, path: string, marker: FileMarker, io: CliIo): FileTarget {
  return refusing(option, marker === null ? NEW_FILE_RULE : FILE_RULE, () => {
    sayNotes(io, recoverLeftovers(path));
    const target = checkFileTarget(path, marker);
    if (target.state === "dbsim") io.stderr.write(`dbsim: replacing ${path}, which dbsim wrote earlier\n`);
    return target;
  });
}

/** Longest directory name settingsSlug gives. */
const SLUG_MAX = 80;

/**
 * A directory name for a list of settings (`path=value`, or a matrix variant's `name=value`): the
 * settings joined by commas when every character is safe in a file name and the whole is short;
 * otherwise what fits of it with unsafe characters as `_`, and a hash of the exact settings. Two
 * different lists never get the same name (short of a hash collision): a safe setting holds no comma.
 */
export function settingsSlug(settings: readonly string[]): string {
  const cleaned = settings.map((setting) => setting.replace(/[^A-Za-z0-9._=+-]+/g, "_"));
  const slug = cleaned.join(",");
  if (slug.length <= SLUG_MAX && cleaned.every((setting, i) => setting === settings[i])) return slug;
  const hash = createHash("sha256").update(JSON.stringify(settings)).digest("hex").slice(0, 8);
  return `${slug.slice(0, SLUG_MAX - hash.length - 1)}-${hash}`;
}
