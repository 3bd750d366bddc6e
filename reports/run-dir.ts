// Writes a run's directory atomically: every file goes into a temporary sibling directory, which
// then replaces the target in one rename. A failure part way leaves the previous directory (or
// nothing) in place, never a half-written one.

import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export function writeRunDir(dir: string, files: ReadonlyMap<string, string>): void {
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
      writeFileSync(path, content);
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
