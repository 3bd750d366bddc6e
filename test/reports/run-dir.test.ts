// The atomic writer and the check of where dbsim may write (reports/run-dir.ts, output-path.ts):
// what it refuses (leaving the target byte for byte as it was), what it replaces, two writers of one
// path, and what a writer killed part way leaves for the next write or read.

import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MARKER_FILE, markerText, newWriteId, readMarker } from "../../reports/output-marker.js";
import {
  checkContainerTarget,
  checkDirTarget,
  checkFileTarget,
  OutputPathError,
} from "../../reports/output-path.js";
import {
  makeOutputDirectory,
  recoverLeftovers,
  writeFileAtomic,
  writeRunDir,
} from "../../reports/run-dir.js";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "dbsim-run-dir-"));
}

/** Every entry under `path` (hidden ones too): files with their bytes, links with their targets. */
function tree(path: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (relative: string): void => {
    const full = relative === "" ? path : join(path, relative);
    const stats = lstatSync(full);
    if (stats.isDirectory()) {
      entries[relative] = "dir";
      for (const name of readdirSync(full)) walk(relative === "" ? name : join(relative, name));
    } else if (stats.isSymbolicLink()) entries[relative] = `link to ${readlinkSync(full)}`;
    else if (stats.isFile()) entries[relative] = readFileSync(full, "base64");
    else entries[relative] = stats.isFIFO() ? "fifo" : "other";
  };
  walk("");
  return entries;
}

const RUN = new Map([
  ["report.json", "{}\n"],
  ["latency/all.hgrm", "hgrm\n"],
]);

/** A place with one of each thing dbsim must not write over. */
function badTargets(): { dir: string; targets: Record<string, string> } {
  const dir = tempDir();
  writeFileSync(join(dir, "notes.txt"), "my notes\n");
  mkdirSync(join(dir, "notes"));
  writeFileSync(join(dir, "notes", "notes.txt"), "more notes\n");
  execFileSync("mkfifo", [join(dir, "fifo")]);
  symlinkSync(join(dir, "notes.txt"), join(dir, "link-to-file"));
  symlinkSync(join(dir, "notes"), join(dir, "link-to-dir"));
  symlinkSync(join(dir, "missing"), join(dir, "dangling-link"));
  const run = join(dir, "run-with-extra");
  writeRunDir(run, RUN);
  writeFileSync(join(run, "mine.txt"), "added by hand\n");
  const foreignMarker = join(dir, "foreign-marker");
  mkdirSync(foreignMarker);
  writeFileSync(join(foreignMarker, MARKER_FILE), "not json");
  return {
    dir,
    targets: {
      "a regular file": join(dir, "notes.txt"),
      "a non-empty directory": join(dir, "notes"),
      "a FIFO": join(dir, "fifo"),
      "a symbolic link to a file": join(dir, "link-to-file"),
      "a symbolic link to a directory": join(dir, "link-to-dir"),
      "a dangling symbolic link": join(dir, "dangling-link"),
      "a dbsim run a file was added to": run,
      "a directory whose .dbsim is not dbsim's": foreignMarker,
      "a device": "/dev/null",
    },
  };
}

const CHILD = join("test", "reports", "run-dir-child.ts");

function child(...args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
}

function finished(
  process: ChildProcess,
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  let stdout = "";
  process.stdout?.on("data", (data) => (stdout += data));
  return new Promise((resolve) => process.on("close", (code, signal) => resolve({ code, signal, stdout })));
}

/** A write id of a process that has ended (a child that ran and exited). */
function deadWriteId(): string {
  const pid = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  }).stdout;
  return newWriteId().replace(`-${process.pid}-`, `-${pid}-`);
}

function hidden(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith("."));
}

describe("writeRunDir", () => {
  it("writes every file, streamed chunk by chunk, and a marker listing them", () => {
    const dir = join(tempDir(), "a", "b", "run");
    let pulls = 0;
    const outcome = writeRunDir(
      dir,
      new Map<string, string | (() => Iterable<string>)>([
        ["report.json", "{}\n"],
        [
          "history.jsonl",
          function* () {
            for (let i = 0; i < 1000; i++) {
              pulls++;
              yield `{"index": ${i}}\n`;
            }
          },
        ],
        ["latency/all.hgrm", "hgrm\n"],
      ]),
    );
    expect(outcome).toEqual({ path: dir, replaced: false, notes: [] });
    expect(pulls).toBe(1000);
    const lines = readFileSync(join(dir, "history.jsonl"), "utf8").split("\n");
    expect(lines[999]).toBe('{"index": 999}');
    expect(readMarker(dir)).toMatchObject({
      kind: "run",
      state: "complete",
      files: ["report.json", "history.jsonl", "latency/all.hgrm"],
    });
    expect(hidden(join(dir, ".."))).toEqual([]);
  });

  it("writes into an empty directory", () => {
    const dir = tempDir();
    expect(writeRunDir(dir, RUN).path).toBe(dir);
    expect(readdirSync(dir).sort()).toEqual([MARKER_FILE, "latency", "report.json"]);
  });

  it("replaces a directory it wrote, whole: nothing of the earlier run remains", () => {
    const dir = join(tempDir(), "run");
    writeRunDir(dir, new Map([...RUN, ["history.jsonl", "old\n"]]));
    const outcome = writeRunDir(dir, new Map([["report.json", "new\n"]]));
    expect(outcome.replaced).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([MARKER_FILE, "report.json"]);
    expect(readFileSync(join(dir, "report.json"), "utf8")).toBe("new\n");
    expect(hidden(join(dir, ".."))).toEqual([]);
  });

  it("refuses every target it did not write, naming it, and leaves it byte for byte as it was", () => {
    const { dir, targets } = badTargets();
    const before = tree(dir);
    for (const [what, target] of Object.entries(targets)) {
      expect(() => writeRunDir(target, RUN), what).toThrow(OutputPathError);
    }
    expect(tree(dir)).toEqual(before);
  });

  it("says why in one line", () => {
    const { targets } = badTargets();
    const why = (target: string) => {
      try {
        checkDirTarget(target, "run");
      } catch (error) {
        return (error as Error).message;
      }
      return "accepted";
    };
    expect(why(targets["a regular file"] as string)).toMatch(
      /notes\.txt is a regular file, not a directory$/,
    );
    expect(why(targets["a FIFO"] as string)).toMatch(/is a FIFO, not a directory$/);
    expect(why("/dev/null")).toBe("/dev/null is a device, not a directory");
    expect(why(targets["a symbolic link to a directory"] as string)).toMatch(/is a symbolic link/);
    expect(why(targets["a non-empty directory"] as string)).toMatch(
      /notes is a non-empty directory dbsim did not write \(no \.dbsim in it\)$/,
    );
    expect(why(targets["a dbsim run a file was added to"] as string)).toMatch(
      /holds mine\.txt, which dbsim did not write$/,
    );
    expect(why(join(targets["a regular file"] as string, "run"))).toMatch(
      /its parent .* is not a directory$/,
    );
  });

  it("refuses a socket", async () => {
    const path = join(tempDir(), "socket");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      expect(() => writeRunDir(path, RUN)).toThrow(`${path} is a socket, not a directory`);
      expect(() => writeFileAtomic(path, "x", () => true)).toThrow(`${path} is a socket, not a regular file`);
      expect(lstatSync(path).isSocket()).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("refuses a dbsim directory of another kind", () => {
    const dir = join(tempDir(), "sweep");
    makeOutputDirectory(dir, "sweep");
    expect(() => checkDirTarget(dir, "run")).toThrow(/holds a sweep dbsim wrote, not a run directory/);
    expect(() => checkContainerTarget(dir, "matrix")).toThrow(/holds a sweep dbsim wrote, not a matrix/);
    expect(checkContainerTarget(dir, "sweep")).toBe("dbsim");
  });

  it("keeps both runs when another writer wrote the path after this one checked it", () => {
    const dir = join(tempDir(), "run");
    writeRunDir(dir, new Map([["report.json", "earlier\n"]]));
    // Both check the earlier run, then each writes: the second finds someone else's run there.
    const first = checkDirTarget(dir, "run");
    const second = checkDirTarget(dir, "run");
    expect(writeRunDir(dir, new Map([["report.json", "first\n"]]), { expected: first }).replaced).toBe(true);
    const outcome = writeRunDir(dir, new Map([["report.json", "second\n"]]), { expected: second });
    expect(outcome.path).toBe(`${dir}~2`);
    expect(outcome.notes).toEqual([
      `${dir} was written by another dbsim after this one checked it; wrote this run to ${dir}~2 instead`,
    ]);
    expect(readFileSync(join(dir, "report.json"), "utf8")).toBe("first\n");
    expect(readFileSync(join(`${dir}~2`, "report.json"), "utf8")).toBe("second\n");
  });

  it("keeps its run aside when the path it found new was filled meanwhile", () => {
    const dir = join(tempDir(), "run");
    const expected = checkDirTarget(dir, "run");
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    const outcome = writeRunDir(dir, RUN, { expected });
    expect(outcome.path).toBe(`${dir}~2`);
    expect(outcome.notes[0]).toMatch(/changed after dbsim checked it/);
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
  });

  it("two processes writing one path at once both keep their runs", async () => {
    const dir = join(tempDir(), "run");
    const [a, b] = await Promise.all([
      finished(child("race", dir, "a", "b")),
      finished(child("race", dir, "b", "a")),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const outcomes = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(outcomes.map((o) => o.path).sort()).toEqual([dir, `${dir}~2`]);
    const loser = outcomes.find((o) => o.path === `${dir}~2`);
    expect(loser.notes).toHaveLength(1);
    const written = [dir, `${dir}~2`].map((path) => readFileSync(join(path, "report.json"), "utf8")).sort();
    expect(written).toEqual(["a", "b"]);
    expect(hidden(join(dir, ".."))).toEqual([]);
  }, 60_000);
});

describe("a writer killed part way", () => {
  it("between its two renames: the next read rolls the finished run forward, nothing left behind", async () => {
    const dir = join(tempDir(), "run");
    writeRunDir(dir, new Map([["report.json", "earlier\n"]]));
    const killed = await finished(child("kill-at", dir, "moved-aside", "finished\n"));
    expect(killed.signal).toBe("SIGKILL");
    // No run directory: the earlier one is aside (.run.old-*), the finished one still hidden (.run.tmp-*).
    expect(
      readdirSync(join(dir, ".."))
        .map((name) => name.replace(/-[0-9a-f-]+$/, ""))
        .sort(),
    ).toEqual([".run.lock", ".run.old", ".run.tmp"]);
    expect(recoverLeftovers(dir)).toEqual([`recovered ${dir}, which a killed dbsim had finished`]);
    expect(readFileSync(join(dir, "report.json"), "utf8")).toBe("finished\n");
    expect(readdirSync(join(dir, ".."))).toEqual(["run"]);
  }, 60_000);

  it("between its two renames: the next write to the same place rolls it forward first", async () => {
    const parent = tempDir();
    const dir = join(parent, "run");
    // The earlier run comes from another process too: this one has not written here yet.
    expect((await finished(child("kill-at", dir, "none", "earlier\n"))).code).toBe(0);
    expect((await finished(child("kill-at", dir, "moved-aside", "finished\n"))).signal).toBe("SIGKILL");
    const other = join(parent, "other");
    const outcome = writeRunDir(other, RUN);
    expect(outcome.notes).toEqual([`recovered ${dir}, which a killed dbsim had finished`]);
    expect(readFileSync(join(dir, "report.json"), "utf8")).toBe("finished\n");
    expect(readdirSync(parent).sort()).toEqual(["other", "run"]);
  }, 60_000);

  it("after writing, before committing: the finished run is kept beside the earlier one", async () => {
    const dir = join(tempDir(), "run");
    writeRunDir(dir, new Map([["report.json", "earlier\n"]]));
    expect((await finished(child("kill-at", dir, "written", "finished\n"))).signal).toBe("SIGKILL");
    expect(recoverLeftovers(dir)).toEqual([
      `kept the run a killed dbsim had finished for ${dir} in ${dir}~2`,
    ]);
    expect(readFileSync(join(dir, "report.json"), "utf8")).toBe("earlier\n");
    expect(readFileSync(join(`${dir}~2`, "report.json"), "utf8")).toBe("finished\n");
    expect(hidden(join(dir, ".."))).toEqual([]);
  }, 60_000);

  it("while writing a file: the unfinished temporary directory is removed, the earlier run stays", async () => {
    const dir = join(tempDir(), "run");
    writeRunDir(dir, new Map([["report.json", "earlier\n"]]));
    expect((await finished(child("kill-writing", dir))).signal).toBe("SIGKILL");
    expect(hidden(join(dir, ".."))).toHaveLength(1);
    expect(recoverLeftovers(dir)).toEqual([]);
    expect(hidden(join(dir, ".."))).toEqual([]);
    expect(readFileSync(join(dir, "report.json"), "utf8")).toBe("earlier\n");
  }, 60_000);

  it("leaves alone what has no dbsim marker, and what a live writer owns", () => {
    const parent = tempDir();
    const dead = deadWriteId();
    const live = newWriteId();
    mkdirSync(join(parent, `.run.tmp-${dead}`)); // a dead writer's name, but no marker
    writeFileSync(join(parent, `.run.tmp-${dead}`, "notes.txt"), "not dbsim's\n");
    writeFileSync(join(parent, `.run.old-${dead}`), "a file\n");
    mkdirSync(join(parent, `.run.tmp-${live}`)); // a finished write whose writer (this process) runs
    writeFileSync(
      join(parent, `.run.tmp-${live}`, MARKER_FILE),
      markerText({ kind: "run", state: "complete", write_id: live, files: [] }),
    );
    const before = tree(parent);
    expect(recoverLeftovers(join(parent, "run"))).toEqual([]);
    expect(writeRunDir(join(parent, "other"), RUN).notes).toEqual([]);
    const after = tree(parent);
    for (const path of Object.keys(after)) if (path.startsWith("other")) delete after[path];
    expect(after).toEqual(before);
  });

  it("holding the lock: the lock is broken", () => {
    const parent = tempDir();
    writeFileSync(join(parent, ".run.lock"), `${JSON.stringify({ write_id: deadWriteId() })}\n`);
    const outcome = writeRunDir(join(parent, "run"), RUN);
    expect(outcome.path).toBe(join(parent, "run"));
    expect(readdirSync(parent)).toEqual(["run"]);
  });
});

describe("writeFileAtomic", () => {
  const ours = (head: string) => head.startsWith("# dbsim\n");

  it("writes a new file, then replaces the file it wrote", () => {
    const path = join(tempDir(), "out", "minimal.yaml");
    expect(writeFileAtomic(path, "# dbsim\na: 1\n", ours)).toEqual({ path, replaced: false, notes: [] });
    expect(writeFileAtomic(path, () => ["# dbsim\n", "a: 2\n"], ours).replaced).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("# dbsim\na: 2\n");
    expect(readdirSync(join(path, ".."))).toEqual(["minimal.yaml"]);
  });

  it("refuses a file it did not write, a directory, a FIFO, a link, leaving each as it was", () => {
    const { dir, targets } = badTargets();
    const before = tree(dir);
    for (const what of [
      "a regular file",
      "a non-empty directory",
      "a FIFO",
      "a symbolic link to a file",
      "a device",
    ]) {
      const target = targets[what] as string;
      expect(() => writeFileAtomic(target, "# dbsim\n", ours), what).toThrow(OutputPathError);
    }
    expect(tree(dir)).toEqual(before);
    expect(() => checkFileTarget(targets["a regular file"] as string, ours)).toThrow(
      /is a file dbsim did not write$/,
    );
    expect(() => checkFileTarget(targets["a regular file"] as string, null)).toThrow(/notes\.txt exists$/);
  });

  it("keeps its file aside (name~2.ext) when the file changed after it was checked", () => {
    const path = join(tempDir(), "page.html");
    writeFileAtomic(path, "# dbsim\nfirst\n", ours);
    const expected = checkFileTarget(path, ours);
    writeFileAtomic(path, "# dbsim\nsomeone else\n", ours);
    const outcome = writeFileAtomic(path, "# dbsim\nmine\n", expected);
    expect(outcome.path).toBe(join(path, "..", "page~2.html"));
    expect(readFileSync(path, "utf8")).toBe("# dbsim\nsomeone else\n");
    expect(readFileSync(outcome.path, "utf8")).toBe("# dbsim\nmine\n");
  });
});
