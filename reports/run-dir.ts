// Writes a run's directory atomically: every file goes into a temporary sibling directory, which
// then replaces the target in one rename. A failure part way leaves the previous directory (or
// nothing) in place, never a half-written one.

import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * A file's content: a string, or a function returning its chunks in order (for what can be larger
 * than one string may hold, such as a history of millions of operations).
 */
export type FileContent = string | (() => Iterable<string>);

/** The whole content as one string (for tests and small files; a large file must be streamed). */
export function contentText(content: FileContent): string {
  return typeof content === "string" ? content : [...content()].join("");
}

export function writeRunDir(dir: string, files: ReadonlyMap<string, FileContent>): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const unique = `${process.pid}-${Date.now().toString(36)}`;
  const temp = join(parent, `.${basename(dir)}.tmp-${unique}`);
  const old = join(parent, `.${basename(dir)}.old-${unique}`);
  try {
    mkdirSync(temp);
    for (const [relative, content] of files) {
      const path = join(temp, relative);
      mkdirSync(dirname(path), { recursive: true });
      if (typeof content === "string") writeFileSync(path, content);
      else {
        const fd = openSync(path, "w");
        try {
          for (const chunk of content()) writeSync(fd, chunk);
        } finally {
          closeSync(fd);
        }
      }
    }
    let replaced = false;
    try {
      renameSync(dir, old);
      replaced = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    try {
      renameSync(temp, dir);
    } catch (error) {
      if (replaced) renameSync(old, dir); // put the previous run back
      throw error;
    }
    if (replaced) rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Writes one file atomically: a temporary sibling, then one rename. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}`);
  try {
    writeFileSync(temp, content);
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}
