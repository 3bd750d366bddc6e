// Writes a run's directory, or one file, atomically and only where dbsim may (output-path.ts).
//
// A write goes into a hidden temporary sibling `.X.tmp-<write id>` whose `.dbsim` marker says
// "writing"; every file is streamed, fsynced, and listed in the marker, which then says "complete";
// the directory is fsynced. The commit holds `.X.lock` (created exclusively) and checks that X is
// still what the caller's preflight saw (an earlier dbsim directory with the same write id, or
// nothing): then it renames the old X aside to `.X.old-<write id>`, the new one in, fsyncs the
// parent, and removes the old one. When another writer got there first, the finished output is
// kept at `X~2` (or the next free name) and the outcome says so: nothing finished is lost silently.
//
// A writer killed part way leaves its hidden siblings. The next write to the same parent (and
// recoverLeftovers, which commands call before reading or writing X) settles those whose process
// is gone, verified by their marker: an unfinished temporary is removed; a finished one is rolled
// forward into X when X is missing (a kill between the two renames) or kept at `X~n`; an old X is
// removed when X is there, or put back when it is not. Nothing without a dbsim marker is touched.

import {
  closeSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  type Stats,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import {
  type ContainerKind,
  type DirKind,
  isDirMarker,
  MARKER_FILE,
  markerText,
  newWriteId,
  readHead,
  readMarker,
  WRITE_ID_PATTERN,
  writerGone,
} from "./output-marker.js";
import {
  checkContainerTarget,
  checkDirTarget,
  checkFileTarget,
  type DirTarget,
  type FileMarker,
  type FileTarget,
  fileIdentity,
  OutputPathError,
} from "./output-path.js";

/**
 * A file's content: a string, or a function returning its chunks in order (for what can be larger
 * than one string may hold, such as a history of millions of operations).
 */
export type FileContent = string | (() => Iterable<string>);

/** The whole content as one string (for tests and small files; a large file must be streamed). */
export function contentText(content: FileContent): string {
  return typeof content === "string" ? content : [...content()].join("");
}

export interface WriteOutcome {
  /** Where the output is: the path asked for, or `X~n` when another writer took X meanwhile. */
  readonly path: string;
  /** An earlier dbsim output at the path was replaced. */
  readonly replaced: boolean;
  /** One line each: leftovers of killed writers recovered, a concurrent writer met. */
  readonly notes: readonly string[];
}

export type CommitStep = "written" | "moved-aside";

/** Test hook: called at each step of a commit (a test kills its process there, as a crash would). */
export const runDirTestHooks: { step?: (step: CommitStep) => void } = {};

/** How long a commit waits for another live writer's lock on the same path. */
const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 20;
/** Stale locks broken in a row before giving up (each needs a writer that died holding it). */
const LOCK_MAX_BREAKS = 100;
/** `X~2` ... `X~MAX_ALTERNATES` are tried for an output another writer displaced. */
const MAX_ALTERNATES = 1000;

/**
 * Writes a directory whole. `expected` is what the caller's preflight (checkDirTarget) saw; without
 * it the target is checked now (an OutputPathError when dbsim may not write there).
 */
export function writeRunDir(
  path: string,
  files: ReadonlyMap<string, FileContent>,
  options: { kind?: Exclude<DirKind, "file">; expected?: DirTarget } = {},
): WriteOutcome {
  const dir = path.length > 1 ? path.replace(/\/+$/, "") : path;
  const kind = options.kind ?? "run";
  const expected = options.expected ?? checkDirTarget(dir, kind);
  const { parent, base } = place(dir);
  makeDirectories(parent);
  const notes = cleanLeftoversOnce(parent);
  const id = newWriteId();
  const temp = join(parent, `.${base}.tmp-${id}`);
  try {
    writeTemporary(temp, kind, id, files);
    runDirTestHooks.step?.("written");
    const lock = acquireLock(parent, base, id, LOCK_WAIT_MS);
    if (lock === null) return keptAside(temp, dir, notes, lockedOut(parent, base));
    try {
      let now: DirTarget;
      try {
        now = checkDirTarget(dir, kind);
      } catch (error) {
        if (!(error instanceof OutputPathError)) throw error;
        return keptAside(temp, dir, notes, `changed after dbsim checked it (${error.message})`);
      }
      if (now.state !== "dbsim") {
        try {
          renameSync(temp, dir); // a rename replaces an empty directory
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
          return keptAside(temp, dir, notes, "was filled by another process after dbsim checked it");
        }
        fsyncDirectory(parent);
        return { path: dir, replaced: false, notes };
      }
      if (expected.state !== "dbsim" || expected.write_id !== now.write_id) {
        return keptAside(temp, dir, notes, "was written by another dbsim after this one checked it");
      }
      const old = join(parent, `.${base}.old-${id}`);
      renameSync(dir, old);
      runDirTestHooks.step?.("moved-aside");
      try {
        renameSync(temp, dir);
      } catch (error) {
        renameSync(old, dir); // put the earlier run back
        throw error;
      }
      fsyncDirectory(parent);
      releaseLock(lock, id); // before the removal, which may take long; the finally's release is then a no-op
      removeDbsimDirectory(old);
      return { path: dir, replaced: true, notes };
    } finally {
      releaseLock(lock, id);
    }
  } finally {
    if (exists(temp)) removeDbsimDirectory(temp);
  }
}

/**
 * Writes one file. `expected` is what the caller's preflight (checkFileTarget) saw, or the marker
 * that recognises a file dbsim wrote, to check the target now.
 */
export function writeFileAtomic(
  path: string,
  content: FileContent,
  expected: FileTarget | FileMarker,
): WriteOutcome {
  const target =
    expected === null || typeof expected === "function" ? checkFileTarget(path, expected) : expected;
  const { parent, base } = place(path);
  makeDirectories(parent);
  const notes = cleanLeftoversOnce(parent);
  const id = newWriteId();
  const temp = join(parent, `.${base}.tmp-${id}`);
  try {
    writeTemporary(temp, "file", id, new Map([[base, content]]));
    runDirTestHooks.step?.("written");
    const written = join(temp, base);
    const lock = acquireLock(parent, base, id, LOCK_WAIT_MS);
    if (lock === null) return keptFileAside(written, path, notes, lockedOut(parent, base));
    try {
      const now = statsOrNull(path);
      if (now !== null) {
        const same = target.state === "dbsim" && now.isFile() && fileIdentity(now) === target.identity;
        if (!same)
          return keptFileAside(written, path, notes, "was written by another process after dbsim checked it");
      }
      renameSync(written, path);
      fsyncDirectory(parent);
      return { path, replaced: now !== null, notes };
    } finally {
      releaseLock(lock, id);
    }
  } finally {
    if (exists(temp)) removeDbsimDirectory(temp);
  }
}

/**
 * Makes a directory dbsim writes into (a sweep's, a matrix's, ...) and marks it, unless it is one
 * of `kind` already. An OutputPathError when dbsim may not (checkContainerTarget).
 */
export function makeOutputDirectory(path: string, kind: ContainerKind): void {
  const state = checkContainerTarget(path, kind);
  if (state === "dbsim") return;
  makeDirectories(resolve(path));
  try {
    writeSynced(join(path, MARKER_FILE), markerText({ kind }));
  } catch (error) {
    // Another dbsim marked it meanwhile: fine when it is the same kind.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    checkContainerTarget(path, kind);
    return;
  }
  fsyncDirectory(path);
}

/**
 * Settles what killed writers left beside `path` (see the top of this file); one line per output
 * recovered. Commands call it before reading or writing `path`.
 */
export function recoverLeftovers(path: string): string[] {
  const { parent, base } = place(path);
  return recoverIn(parent, base);
}

/** Settles what killed writers left anywhere in `dir` (for a command about to write many paths there). */
export function recoverLeftoversIn(dir: string): string[] {
  return recoverIn(resolve(dir), null);
}

function place(path: string): { parent: string; base: string } {
  const absolute = resolve(path);
  return { parent: dirname(absolute), base: basename(absolute) };
}

// --- writing ---

function writeTemporary(
  temp: string,
  kind: DirKind,
  id: string,
  files: ReadonlyMap<string, FileContent>,
): void {
  mkdirSync(temp);
  writeSynced(join(temp, MARKER_FILE), markerText({ kind, state: "writing", write_id: id, files: [] }));
  const folders = new Set<string>();
  for (const [relative, content] of files) {
    const parts = relative.split("/");
    if (relative === MARKER_FILE || parts.some((part) => part === "" || part === "." || part === "..")) {
      throw new Error(`${relative}: not a path inside the directory`);
    }
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join("/");
      if (!folders.has(folder)) mkdirSync(join(temp, folder));
      folders.add(folder);
    }
    writeSynced(join(temp, relative), content);
  }
  for (const folder of folders) fsyncDirectory(join(temp, folder));
  // The marker says "complete" only once everything it lists is durable; a rename makes it so at once.
  const complete = join(temp, `${MARKER_FILE}.complete`);
  writeSynced(complete, markerText({ kind, state: "complete", write_id: id, files: [...files.keys()] }));
  renameSync(complete, join(temp, MARKER_FILE));
  fsyncDirectory(temp);
}

/** Small chunks are gathered up to this many characters per write (a history's are one line each). */
const WRITE_BATCH_CHARS = 1 << 16;

/** Creates the file (it must not exist), streams the content into it and fsyncs it. */
function writeSynced(path: string, content: FileContent): void {
  const fd = openSync(path, "wx");
  try {
    let batch: string[] = [];
    let batchChars = 0;
    const flush = (): void => {
      const bytes = Buffer.from(batch.join(""));
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
      batch = [];
      batchChars = 0;
    };
    for (const chunk of typeof content === "string" ? [content] : content()) {
      batch.push(chunk);
      batchChars += chunk.length;
      if (batchChars >= WRITE_BATCH_CHARS) flush();
    }
    flush();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDirectory(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** mkdir -p, fsyncing the parent of each directory made. */
function makeDirectories(path: string): void {
  const missing: string[] = [];
  for (let dir = path; statsOrNull(dir) === null; dir = dirname(dir)) missing.unshift(dir);
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    fsyncDirectory(dirname(dir));
  }
}

/** Moves the finished temporary directory to the first free `X~n`; the outcome says why. */
function keptAside(temp: string, dir: string, notes: string[], why: string): WriteOutcome {
  const alternate = moveToAlternate(temp, dir);
  return {
    path: alternate,
    replaced: false,
    notes: [...notes, `${dir} ${why}; wrote this run to ${alternate} instead`],
  };
}

function moveToAlternate(temp: string, dir: string): string {
  for (let n = 2; n <= MAX_ALTERNATES; n++) {
    const alternate = `${dir}~${n}`;
    try {
      mkdirSync(alternate); // claims the name: mkdir fails when it exists
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw error;
    }
    renameSync(temp, alternate);
    fsyncDirectory(dirname(resolve(alternate)));
    return alternate;
  }
  throw new Error(`no free name from ${dir}~2 to ${dir}~${MAX_ALTERNATES}`);
}

/** As keptAside, for a file: `name~n.ext`, claimed with link (which fails when it exists). */
function keptFileAside(written: string, path: string, notes: string[], why: string): WriteOutcome {
  const alternate = moveFileToAlternate(written, path);
  return {
    path: alternate,
    replaced: false,
    notes: [...notes, `${path} ${why}; wrote this file to ${alternate} instead`],
  };
}

function moveFileToAlternate(written: string, path: string): string {
  const extension = extname(path);
  const stem = path.slice(0, path.length - extension.length);
  for (let n = 2; n <= MAX_ALTERNATES; n++) {
    const alternate = `${stem}~${n}${extension}`;
    try {
      linkSync(written, alternate);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw error;
    }
    unlinkSync(written);
    fsyncDirectory(dirname(resolve(alternate)));
    return alternate;
  }
  throw new Error(`no free name from ${stem}~2${extension} to ${stem}~${MAX_ALTERNATES}${extension}`);
}

/**
 * Removes a directory dbsim wrote whole and that holds nothing else (checkDirTarget: "dbsim"): only
 * the files its marker lists, then their folders, the marker and the directory, never recursively.
 * A file that appears meanwhile is not removed: its folder stays and the removal fails on it.
 */
export function removeWrittenDirectory(path: string, kind: DirKind): void {
  if (checkDirTarget(path, kind).state !== "dbsim") {
    throw new OutputPathError(`${path} is not a directory dbsim wrote; it is left as it is`);
  }
  const marker = readMarker(path);
  if (marker === null || !isDirMarker(marker)) throw new OutputPathError(`${path} lost its ${MARKER_FILE}`);
  const folders = new Set<string>();
  for (const file of marker.files) {
    try {
      unlinkSync(join(path, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const parts = file.split("/");
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join("/"));
  }
  // Deepest first: a folder is empty once its files and subfolders are gone.
  for (const folder of [...folders].sort((a, b) => b.split("/").length - a.split("/").length)) {
    rmdirSync(join(path, folder));
  }
  unlinkSync(join(path, MARKER_FILE));
  rmdirSync(path);
}

/** Removes a directory whose marker dbsim wrote: the marker last, so that a kill leaves it recognisable. */
function removeDbsimDirectory(dir: string): void {
  for (const entry of readdirSync(dir)) {
    if (entry !== MARKER_FILE) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  rmSync(join(dir, MARKER_FILE), { force: true });
  rmdirSync(dir);
}

function statsOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

function exists(path: string): boolean {
  return statsOrNull(path) !== null;
}

// --- the lock around a commit ---

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** The lock file of `base`, created exclusively; null when a live writer held it for `wait_ms`. */
function acquireLock(parent: string, base: string, id: string, wait_ms: number): string | null {
  const lock = join(parent, `.${base}.lock`);
  const deadline = Date.now() + wait_ms;
  for (let breaks = 0; ; ) {
    try {
      const fd = openSync(lock, "wx");
      try {
        writeSync(fd, `${JSON.stringify({ write_id: id })}\n`);
      } finally {
        closeSync(fd);
      }
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (breakStaleLock(lock, id)) {
      if (++breaks > LOCK_MAX_BREAKS) return null;
      continue;
    }
    if (Date.now() >= deadline) return null;
    Atomics.wait(SLEEPER, 0, 0, LOCK_POLL_MS);
  }
}

function lockHolder(text: string): string | null {
  try {
    const holder = (JSON.parse(text) as { write_id?: unknown }).write_id;
    return typeof holder === "string" ? holder : null;
  } catch {
    return null;
  }
}

/**
 * Removes a lock whose writer is gone (or an empty one older than a commit can take: its writer died
 * between creating and filling it); true when the lock is gone. The lock is first renamed to a name
 * of this writer's, so that of two writers breaking it one wins, and put back if it turns out to be
 * a new holder's.
 */
function breakStaleLock(lock: string, id: string): boolean {
  let seen: string;
  let stats: Stats;
  try {
    stats = lstatSync(lock);
    seen = readHead(lock, 4096);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
  const holder = lockHolder(seen);
  const stale =
    holder === null ? stats.size === 0 && Date.now() - stats.mtimeMs > LOCK_WAIT_MS : writerGone(holder);
  if (!stale) return false;
  const moved = `${lock}.stale-${id}`;
  try {
    renameSync(lock, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
  if (readHead(moved, 4096) !== seen) {
    try {
      linkSync(moved, lock);
    } catch {}
  }
  unlinkSync(moved);
  return true;
}

function releaseLock(lock: string, id: string): void {
  try {
    if (lockHolder(readHead(lock, 4096)) === id) unlinkSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

function lockedOut(parent: string, base: string): string {
  return `is being written by another dbsim (${join(parent, `.${base}.lock`)} held for ${LOCK_WAIT_MS / 1000} s)`;
}

// --- leftovers of killed writers ---

const LEFTOVER = new RegExp(`^\\.(.+)\\.(tmp|old)-(${WRITE_ID_PATTERN})$`);
const LOCK = /^\.(.+)\.lock$/;
const BROKEN_LOCK = new RegExp(`^\\.(.+)\\.lock\\.stale-(${WRITE_ID_PATTERN})$`);

/** Parents this thread has cleaned: once per parent keeps the cost of a write flat. */
const cleaned = new Set<string>();

function cleanLeftoversOnce(parent: string): string[] {
  if (cleaned.has(parent)) return [];
  cleaned.add(parent);
  return recoverIn(parent, null);
}

interface Leftovers {
  temporaries: string[];
  olds: string[];
}

function recoverIn(parent: string, only: string | null): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return []; // nothing it can see to recover (the check of the target says what is wrong)
  }
  const byBase = new Map<string, Leftovers>();
  const of = (base: string): Leftovers => {
    const found = byBase.get(base) ?? { temporaries: [], olds: [] };
    byBase.set(base, found);
    return found;
  };
  for (const name of names) {
    if (!name.startsWith(".")) continue;
    const leftover = LEFTOVER.exec(name);
    const broken = BROKEN_LOCK.exec(name);
    const lock = LOCK.exec(name);
    if (leftover !== null) {
      const [, base, what, id] = leftover as unknown as [string, string, string, string];
      if ((only !== null && base !== only) || !writerGone(id)) continue;
      const path = join(parent, name);
      if (what === "tmp" && ownTemporary(path, id)) of(base).temporaries.push(path);
      if (what === "old" && completeDbsimDirectory(path)) of(base).olds.push(path);
    } else if (broken !== null) {
      const [, base, id] = broken as unknown as [string, string, string];
      if (
        (only === null || base === only) &&
        writerGone(id) &&
        lockHolder(safeHead(join(parent, name))) !== null
      ) {
        unlinkSync(join(parent, name));
      }
    } else if (lock !== null && (only === null || lock[1] === only)) {
      const holder = lockHolder(safeHead(join(parent, name)));
      if (holder !== null && writerGone(holder)) of(lock[1] as string); // settle's lock breaks it
    }
  }
  const notes: string[] = [];
  for (const [base, leftovers] of byBase) notes.push(...settle(parent, base, leftovers));
  return notes;
}

/** Under the lock of `base`: rolls finished temporaries forward, removes unfinished ones, settles old copies. */
function settle(parent: string, base: string, leftovers: Leftovers): string[] {
  const id = newWriteId();
  const lock = acquireLock(parent, base, id, 0); // breaks a dead writer's lock; a live writer's wins
  if (lock === null) return [];
  const target = join(parent, base);
  const notes: string[] = [];
  try {
    for (const temp of leftovers.temporaries) {
      const marker = readMarker(temp);
      const kind = marker === null ? null : marker.kind;
      const file = join(temp, base);
      const finished =
        marker !== null &&
        isDirMarker(marker) &&
        marker.state === "complete" &&
        (kind !== "file" || exists(file));
      if (finished && kind === "file") {
        if (exists(target)) {
          const alternate = moveFileToAlternate(file, target);
          notes.push(`kept the file a killed dbsim had finished for ${target} in ${alternate}`);
        } else {
          renameSync(file, target);
          notes.push(`recovered ${target}, which a killed dbsim had finished`);
        }
      } else if (finished) {
        if (exists(target)) {
          const alternate = moveToAlternate(temp, target);
          notes.push(`kept the run a killed dbsim had finished for ${target} in ${alternate}`);
        } else {
          renameSync(temp, target);
          notes.push(`recovered ${target}, which a killed dbsim had finished`);
        }
      }
      if (exists(temp)) removeDbsimDirectory(temp);
    }
    for (const old of leftovers.olds) {
      if (exists(target)) removeDbsimDirectory(old);
      else {
        renameSync(old, target);
        notes.push(`restored the earlier run in ${target} (a killed dbsim was replacing it)`);
      }
    }
    fsyncDirectory(parent);
  } finally {
    releaseLock(lock, id);
  }
  return notes;
}

/** A temporary directory whose marker is the one its name says (its write id). */
function ownTemporary(path: string, id: string): boolean {
  const marker = markerOrNull(path);
  return marker !== null && isDirMarker(marker) && marker.write_id === id;
}

function completeDbsimDirectory(path: string): boolean {
  const marker = markerOrNull(path);
  return marker !== null && isDirMarker(marker) && marker.kind !== "file" && marker.state === "complete";
}

function markerOrNull(path: string): ReturnType<typeof readMarker> {
  try {
    return readMarker(path);
  } catch {
    return null;
  }
}

function safeHead(path: string): string {
  try {
    return readHead(path, 4096);
  } catch {
    return "";
  }
}
