// Where dbsim may write: the check every writing command makes of its outputs before any work. A
// directory target may be a new path, an empty directory, or a directory dbsim wrote (its `.dbsim`
// marker says so, and for a directory written whole, it holds nothing but the files the marker
// lists); a file target may be a new path or a regular file dbsim wrote (its first bytes say so).
// Anything else (a file where a directory goes, a device, a FIFO, a socket, a symbolic link, a
// directory with anything dbsim did not write) is an OutputPathError naming the path and why.

import { accessSync, constants, lstatSync, readdirSync, type Stats, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import {
  type ContainerKind,
  type DirKind,
  isDirMarker,
  MARKER_FILE,
  MARKER_MAX_FILES,
  type Marker,
  MarkerError,
  readHead,
  readMarker,
} from "./output-marker.js";

export class OutputPathError extends Error {
  override readonly name = "OutputPathError";
}

/** What a directory target held when checked; a dbsim directory's write id detects a later writer. */
export type DirTarget =
  | { readonly path: string; readonly state: "absent" | "empty" }
  | { readonly path: string; readonly state: "dbsim"; readonly write_id: string };

export type ContainerState = "absent" | "empty" | "dbsim";

/** What a file target held when checked; `identity` detects a later writer. */
export type FileTarget =
  | { readonly path: string; readonly state: "absent" }
  | { readonly path: string; readonly state: "dbsim"; readonly identity: string };

/** Tells a file dbsim wrote from its first FILE_HEAD_BYTES; null: only a new path will do. */
export type FileMarker = ((head: string) => boolean) | null;
export const FILE_HEAD_BYTES = 4096;
/** In a directory dbsim made (a sweep, dashboards), a regular file at a name dbsim writes is its own. */
export const IN_DBSIM_DIRECTORY: FileMarker = () => true;

const KIND_NAMES: Readonly<Record<DirKind | ContainerKind, string>> = {
  run: "a run directory",
  comparison: "a comparison",
  knee: "a knee search",
  file: "a file being written",
  sweep: "a sweep",
  matrix: "a matrix",
  dashboards: "dashboards",
  tsdb: "TSDB blocks",
};

/** Where a directory of `kind`, written whole, may go. */
export function checkDirTarget(path: string, kind: DirKind): DirTarget {
  const stats = checkedStats(path);
  if (stats === null) return { path, state: "absent" };
  if (!stats.isDirectory()) throw new OutputPathError(`${path} is ${notA(stats, "directory")}`);
  const marker = markerOf(path);
  if (marker === null) {
    if (readdirSync(path).length === 0) return { path, state: "empty" };
    throw foreignDirectory(path);
  }
  if (!isDirMarker(marker) || marker.kind !== kind) throw wrongKind(path, marker, kind);
  if (marker.state !== "complete") throw new OutputPathError(`${path} holds an unfinished dbsim write`);
  const foreign = foreignEntry(path, marker.files);
  if (foreign !== null) throw new OutputPathError(`${path} holds ${foreign}, which dbsim did not write`);
  return { path, state: "dbsim", write_id: marker.write_id };
}

/** Where a directory dbsim writes into (a sweep's, a matrix's, ...) may be. */
export function checkContainerTarget(path: string, kind: ContainerKind): ContainerState {
  const stats = checkedStats(path);
  if (stats === null) return "absent";
  if (!stats.isDirectory()) throw new OutputPathError(`${path} is ${notA(stats, "directory")}`);
  const marker = markerOf(path);
  if (marker === null) {
    if (readdirSync(path).length === 0) return "empty";
    throw foreignDirectory(path);
  }
  if (marker.kind !== kind) throw wrongKind(path, marker, kind);
  return "dbsim";
}

/** Where a file may be written: a new path, or a regular file `marker` recognises. */
export function checkFileTarget(path: string, marker: FileMarker): FileTarget {
  const stats = checkedStats(path);
  if (stats === null) return { path, state: "absent" };
  if (!stats.isFile()) throw new OutputPathError(`${path} is ${notA(stats, "regular file")}`);
  if (marker === null) throw new OutputPathError(`${path} exists`);
  let head: string;
  try {
    head = readHead(path, FILE_HEAD_BYTES);
  } catch (error) {
    throw new OutputPathError(`${path} cannot be read: ${(error as Error).message}`);
  }
  if (!marker(head)) throw new OutputPathError(`${path} is a file dbsim did not write`);
  return { path, state: "dbsim", identity: fileIdentity(stats) };
}

/** Changes when the file is replaced or rewritten. */
export function fileIdentity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

/**
 * The path's own stats (a link is not followed), or null when it does not exist; either way the
 * directory it goes in must exist or be creatable, and be writable (renames happen there).
 */
function checkedStats(path: string): Stats | null {
  let stats: Stats | null = null;
  try {
    stats = lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: an ancestor is not a directory, which the walk below names.
    if (code !== "ENOENT" && code !== "ENOTDIR") {
      throw new OutputPathError(`${path} cannot be examined: ${(error as Error).message}`);
    }
  }
  let ancestor = dirname(resolve(path));
  for (;;) {
    let ancestorStats: Stats | null = null;
    try {
      ancestorStats = statSync(ancestor);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") {
        throw new OutputPathError(`${path}: its parent ${ancestor} is not usable (${code})`);
      }
    }
    if (ancestorStats !== null) {
      if (!ancestorStats.isDirectory()) {
        throw new OutputPathError(`${path}: its parent ${ancestor} is not a directory`);
      }
      try {
        accessSync(ancestor, constants.W_OK);
      } catch {
        throw new OutputPathError(`${path}: its parent ${ancestor} is not writable`);
      }
      return stats;
    }
    ancestor = dirname(ancestor);
  }
}

function markerOf(path: string): Marker | null {
  try {
    return readMarker(path);
  } catch (error) {
    if (error instanceof MarkerError) throw new OutputPathError(`${path} is not dbsim's: ${error.message}`);
    throw new OutputPathError(`${path} cannot be examined: ${(error as Error).message}`);
  }
}

function foreignDirectory(path: string): OutputPathError {
  return new OutputPathError(
    `${path} is a non-empty directory dbsim did not write (no ${MARKER_FILE} in it)`,
  );
}

function wrongKind(path: string, marker: Marker, kind: DirKind | ContainerKind): OutputPathError {
  return new OutputPathError(`${path} holds ${KIND_NAMES[marker.kind]} dbsim wrote, not ${KIND_NAMES[kind]}`);
}

/** What the path is, and that it is not what dbsim writes there. */
function notA(stats: Stats, wanted: string): string {
  if (stats.isSymbolicLink())
    return "a symbolic link (dbsim renames into place, which would replace the link)";
  return `${what(stats)}, not a ${wanted}`;
}

function what(stats: Stats): string {
  if (stats.isFile()) return "a regular file";
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "neither a file nor a directory";
}

/**
 * The first entry of a directory written whole that its marker does not list (the marker itself
 * aside), or null when it holds only what dbsim wrote. The walk is bounded like the list.
 */
function foreignEntry(dir: string, files: readonly string[]): string | null {
  const listed = new Set(files);
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.split("/");
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join("/"));
  }
  let seen = 0;
  const walk = (relative: string): string | null => {
    for (const entry of readdirSync(relative === "" ? dir : `${dir}/${relative}`, { withFileTypes: true })) {
      if (++seen > 2 * MARKER_MAX_FILES) return `more than ${2 * MARKER_MAX_FILES} entries`;
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (relative === "" && entry.name === MARKER_FILE) continue;
      if (entry.isDirectory() && folders.has(path)) {
        const found = walk(path);
        if (found !== null) return found;
      } else if (!(entry.isFile() && listed.has(path))) return path;
    }
    return null;
  };
  return walk("");
}
