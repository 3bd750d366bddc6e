// Every file a command reads is a regular file under its kind's size limit, checked before reading:
// /dev/zero, a FIFO, a directory or an oversized file is one line and exit 2, naming the file, what it
// is and the limit (before, /dev/zero and a FIFO were read forever).

import { execFileSync } from "node:child_process";
import { mkdirSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitLines } from "../../cli/input-file.js";
import { HistoryParser, parseHistoryJsonl } from "../../workloads/checkers/history.js";
import { historyFromPlan, type PlannedOperation } from "../workloads/checkers/generate.js";
import { cli, tempDir } from "./helpers.js";

function fifo(): string {
  const path = join(tempDir(), "pipe");
  execFileSync("mkfifo", [path]);
  return path;
}

/** A sparse file of `bytes` (no disk used). */
function sparse(name: string, bytes: number): string {
  const path = join(tempDir(), name);
  writeFileSync(path, "");
  truncateSync(path, bytes);
  return path;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;

// [command and the arguments before the file, the file's noun, its limit, a size over the limit]
const READERS: [string[], string, string, number][] = [
  [["run"], "scenario", "1 MiB", 2 * MiB],
  [["compare", "test/fixtures/reports/fsync-always.json"], "report", "64 MiB", 65 * MiB],
  [["replay"], "failure file", "64 MiB", 65 * MiB],
  [["shrink"], "failure file", "64 MiB", 65 * MiB],
  [["check"], "history", "2 GiB", 3 * GiB],
];

describe("input files", () => {
  for (const [command, noun, limit, oversize] of READERS) {
    const name = command[0] as string;
    const notRegular = (what: string) =>
      `: it is ${what}; a ${noun} must be a regular file of at most ${limit}\n`;

    it(`${name} refuses /dev/zero`, async () => {
      const { code, stderr } = await cli(...command, "/dev/zero");
      expect(stderr).toBe(`dbsim: cannot read ${noun} /dev/zero${notRegular("a character device")}`);
      expect(code).toBe(2);
    });

    it(`${name} refuses a FIFO without waiting for a writer`, async () => {
      const path = fifo();
      const { code, stderr } = await cli(...command, path);
      expect(stderr).toBe(`dbsim: cannot read ${noun} ${path}${notRegular("a FIFO (named pipe)")}`);
      expect(code).toBe(2);
    });

    it(`${name} refuses a file over ${limit} before reading it`, async () => {
      const path = sparse("big", oversize);
      const { code, stderr } = await cli(...command, path);
      const raise = name === "check" ? " (raise it with --max-size)" : "";
      expect(stderr).toBe(
        `dbsim: cannot read ${noun} ${path}: it has ${oversize / (oversize >= GiB ? GiB : MiB)} ${oversize >= GiB ? "GiB" : "MiB"}, more than the limit of ${limit} for a ${noun}${raise}\n`,
      );
      expect(code).toBe(2);
    });
  }

  it("run refuses a directory as its scenario", async () => {
    const path = tempDir();
    const { code, stderr } = await cli("run", path);
    expect(stderr).toBe(
      `dbsim: cannot read scenario ${path}: it is a directory; a scenario must be a regular file of at most 1 MiB\n`,
    );
    expect(code).toBe(2);
  });

  it("compare refuses a run directory whose report.json is a FIFO or a directory", async () => {
    const run = tempDir();
    execFileSync("mkfifo", [join(run, "report.json")]);
    const piped = await cli("compare", "test/fixtures/reports/fsync-always.json", run);
    expect(piped.stderr).toMatch(
      /report\.json: it is a FIFO \(named pipe\); a report must be a regular file/,
    );
    expect(piped.code).toBe(2);
    const other = tempDir();
    mkdirSync(join(other, "report.json"));
    const nested = await cli("compare", "test/fixtures/reports/fsync-always.json", other);
    expect(nested.stderr).toMatch(/report\.json: it is a directory; a report must be a regular file/);
    expect(nested.code).toBe(2);
  });

  it("check --max-size raises the limit, and a line is still bounded", async () => {
    const path = sparse("zeros.jsonl", 3 * GiB); // no newline: one 3 GiB line
    const { code, stderr } = await cli("check", path, "--max-size", "4GiB");
    expect(stderr).toBe(
      `dbsim: cannot read history ${path}: line 1 is longer than 16 MiB, the most a line may have\n`,
    );
    expect(code).toBe(2);
    const bad = await cli("check", path, "--max-size", "lots");
    expect(bad.stderr).toMatch(/^dbsim: --max-size: "lots" is not a size: use a number and a unit/);
    expect(bad.code).toBe(2);
  });
});

describe("splitLines", () => {
  const lines = (chunks: string[], max = 100) => [
    ...splitLines(
      chunks.map((chunk) => Buffer.from(chunk, "latin1")),
      max,
      (n) => new Error(`line ${n}`),
    ),
  ];

  it("joins lines cut across chunks, even inside a UTF-8 character", () => {
    const bytes = Buffer.from("ä€\n\nabc\nx", "utf8").toString("latin1");
    const cuts = [1, 2, 3, 6, 9];
    const chunks = [0, ...cuts].map((start, i) => bytes.slice(start, cuts[i] ?? bytes.length));
    expect(lines(chunks)).toEqual(["ä€", "", "abc", "x"]);
  });

  it("refuses a line longer than the bound, naming it", () => {
    expect(() => lines(["ok\n", "x".repeat(60), "x".repeat(60)])).toThrow("line 2");
    expect(() => lines(["ok\n", `${"x".repeat(101)}\n`])).toThrow("line 2");
  });

  it("parses a history given in small chunks as the one string (property)", () => {
    const operation: fc.Arbitrary<PlannedOperation> = fc.record({
      process: fc.nat({ max: 5 }),
      f: fc.constantFrom("read" as const, "write" as const, "cas" as const),
      key: fc.nat({ max: 3 }),
      value: fc.nat({ max: 9 }),
      next: fc.nat({ max: 9 }),
      gap: fc.nat({ max: 10 }),
      length: fc.nat({ max: 30 }),
      effect: fc.nat({ max: 30 }),
      info: fc.boolean(),
      infoEffect: fc.option(fc.nat({ max: 200 })),
    });
    const cuts = fc.uniqueArray(fc.nat({ max: 20_000 }), { maxLength: 40 });
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), cuts, (plan, at) => {
        // Keys with two- and three-byte characters, so that some cuts fall inside one.
        const text = historyFromPlan(plan).replaceAll('"key":"k', '"key":"ä€k');
        const bytes = Buffer.from(text, "utf8");
        const bounds = [0, ...at.filter((cut) => cut < bytes.length).sort((a, b) => a - b), bytes.length];
        const chunks = bounds.slice(1).map((end, i) => bytes.subarray(bounds[i], end));
        const parser = new HistoryParser("h");
        let line = 0;
        for (const lineText of splitLines(chunks, 1000, (n) => new Error(`line ${n}`))) {
          parser.line(lineText, ++line);
        }
        expect(parser.history()).toEqual(parseHistoryJsonl(text, "h"));
      }),
      { seed: 20_240_601, numRuns: 200 },
    );
  });
});
