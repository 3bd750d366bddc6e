// Where the commands write: every writing command refuses a target it may not write (exit 2, one
// line, before any simulation, the target left byte for byte as it was), replaces what dbsim wrote
// and says so, and picks default directories that do not collide.

import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { settingsSlug } from "../../cli/output.js";
import { dbsimVersion } from "../../cli/version.js";
import { checkContainerTarget } from "../../reports/output-path.js";
import { cli, scenarioFile, TINY, tempDir } from "./helpers.js";

/** Would run for minutes: a command that refuses its output at once never starts it. */
const SLOW = `name: slow
duration: 1h
network: { latency: { dist: constant, value: 100us } }
workload: { preset: a, records: 500, rate: 20k/s, clients: 4 }
`;

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

/** One of each thing no command may write over, in a fresh directory. */
function badTargets(): { dir: string; targets: [string, string][] } {
  const dir = tempDir();
  writeFileSync(join(dir, "notes.txt"), "my notes\n");
  mkdirSync(join(dir, "notes"));
  writeFileSync(join(dir, "notes", "notes.txt"), "more notes\n");
  execFileSync("mkfifo", [join(dir, "fifo")]);
  symlinkSync(join(dir, "notes.txt"), join(dir, "link"));
  return {
    dir,
    targets: [
      ["a regular file", join(dir, "notes.txt")],
      ["a non-empty directory", join(dir, "notes")],
      ["a FIFO", join(dir, "fifo")],
      ["a symbolic link", join(dir, "link")],
      ["a device", "/dev/null"],
    ],
  };
}

/** A failure.json of the slow scenario: shrink and replay would re-run it. */
function slowFailure(): string {
  const path = join(tempDir(), "failure.json");
  writeFileSync(
    path,
    JSON.stringify({
      schema: "dbsim.failure/v1",
      scenario: { name: "slow", duration: "1h", workload: { records: 500, rate: "20k/s", clients: 4 } },
      seed: 1,
      dbsim_version: dbsimVersion(),
      trace_hash: "0000000000000000",
      checkpoints: [],
      violations: { linearizable: { valid: false, violation: { operation: { index: 0 } } } },
    }),
  );
  return path;
}

const REPORTS = ["test/fixtures/reports/fsync-always.json", "test/fixtures/reports/fsync-never.json"];

/** Each writing command with its output at `target`. */
const COMMANDS: [string, (target: string) => string[]][] = [
  ["run --out", (target) => ["run", scenarioFile(SLOW), "--out", target]],
  [
    "sweep --out",
    (target) => ["sweep", scenarioFile(SLOW), "--seeds", "1..2", "--workers", "1", "--out", target],
  ],
  [
    "matrix --out",
    (target) => [
      "matrix",
      scenarioFile(SLOW),
      "--vary",
      "workload.clients=2,4",
      "--seeds",
      "1",
      "--out",
      target,
    ],
  ],
  ["knee --out", (target) => ["knee", scenarioFile(SLOW), "--slo", "all.p99 < 10ms", "--out", target]],
  ["shrink --out", (target) => ["shrink", slowFailure(), "--out", target]],
  ["compare --html", (target) => ["compare", ...REPORTS, "--html", target]],
  ["dashboards --out", (target) => ["dashboards", "--out", target]],
  ["export-tsdb --to", (target) => ["export-tsdb", join(tempDir(), "run"), "--to", target]],
  ["replay --trace", (target) => ["replay", slowFailure(), "--trace", target]],
];

describe("every writing command", () => {
  for (const [command, argv] of COMMANDS) {
    it(`${command} refuses what dbsim may not write, before any work, leaving it as it was`, async () => {
      const { dir, targets } = badTargets();
      const before = tree(dir);
      for (const [what, target] of targets) {
        // Single-file outputs refuse a directory too, and a file dbsim did not write.
        const { code, stdout, stderr } = await cli(...argv(target));
        expect(code, what).toBe(2);
        expect(stdout, what).toBe("");
        expect(stderr.trimEnd().split("\n"), what).toHaveLength(1);
        expect(stderr, what).toContain(target);
        expect(stderr, what).toMatch(/dbsim writes (only|it only) to a new path/);
      }
      expect(tree(dir)).toEqual(before);
    });
  }
});

describe("dbsim run", () => {
  it("replaces a run it wrote, and says so", async () => {
    const out = join(tempDir(), "run");
    const scenario = scenarioFile(TINY);
    expect((await cli("run", scenario, "--out", out)).code).toBe(0);
    const again = await cli("run", scenario, "--out", out, "--seed", "2");
    expect(again.code).toBe(0);
    expect(again.stderr).toBe(`dbsim: replacing the earlier run in ${out}\n`);
    expect(again.stdout).toContain(`wrote ${out}/\n`);
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).seed).toBe(2);
  });

  it("writes runs with --set beside the plain run, where compare finds both", async () => {
    const cwd = process.cwd();
    const dir = tempDir();
    const scenario = scenarioFile(TINY);
    process.chdir(dir);
    try {
      const plain = await cli("run", scenario);
      const never = await cli("run", scenario, "--set", "cluster.node.fsync_policy=never");
      const mix = await cli("run", scenario, "--set", "workload.mix={read: 1}", "--json");
      expect([plain.code, never.code, mix.code]).toEqual([0, 0, 0]);
      expect(plain.stdout).toContain("wrote runs/tiny/seed-1/");
      expect(never.stdout).toContain("wrote runs/tiny/cluster.node.fsync_policy=never/seed-1/");
      // An override with characters unsafe in a file name gets a short hash.
      expect(mix.stderr).toMatch(/^dbsim: wrote runs\/tiny\/workload\.mix=_read_1_-[0-9a-f]{8}\/seed-1\/\n$/);
      expect(readdirSync(join(dir, "runs", "tiny")).length).toBe(3);
      const compared = await cli(
        "compare",
        "runs/tiny/seed-1",
        "runs/tiny/cluster.node.fsync_policy=never/seed-1",
      );
      expect(compared.code).toBe(0);
      expect(compared.stdout).toContain("fsync_policy=never");
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("dbsim matrix", () => {
  it("gives variants whose labels clean up alike their own directories, and names each", async () => {
    const out = join(tempDir(), "matrix");
    const argv = [
      "matrix",
      scenarioFile(TINY),
      "--vary",
      "description=a/b,a b",
      "--seeds",
      "1",
      "--out",
      out,
    ];
    const { code, stderr } = await cli(...argv);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const variants = readdirSync(out).filter((name) => name.startsWith("description="));
    expect(variants).toHaveLength(2);
    expect(variants.every((name) => /^description=a_b-[0-9a-f]{8}$/.test(name))).toBe(true);
    for (const variant of variants)
      expect(existsSync(join(out, variant, "seed-1", "report.json"))).toBe(true);
    const md = readFileSync(join(out, "comparison", "comparison.md"), "utf8");
    expect(md).toContain("description=a/b");
    expect(md).toContain("description=a b");
    const again = await cli(...argv);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe(`dbsim: writing into the matrix dbsim wrote in ${out}\n`);
  });
});

describe("single-file outputs", () => {
  it("compare --html replaces the page it wrote, and refuses another HTML file", async () => {
    const dir = tempDir();
    const page = join(dir, "c.html");
    expect((await cli("compare", ...REPORTS, "--html", page)).stdout).toContain(`wrote ${page}\n`);
    const again = await cli("compare", ...REPORTS, "--html", page, "--json");
    expect(again.code).toBe(0);
    expect(again.stderr).toBe(`dbsim: replacing ${page}, which dbsim wrote earlier\ndbsim: wrote ${page}\n`);
    writeFileSync(join(dir, "mine.html"), "<!DOCTYPE html><title>mine</title>\n");
    const refused = await cli("compare", ...REPORTS, "--html", join(dir, "mine.html"));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/mine\.html is a file dbsim did not write/);
  });

  it("shrink --out accepts the YAML shrink wrote (it says it replaces it)", async () => {
    const out = join(tempDir(), "minimal.yaml");
    writeFileSync(out, "# Minimal scenario shrunk by dbsim shrink from x/failure.json (3 runs).\nname: x\n");
    // A scenario that passes: shrink stops after one run, past the check of --out.
    const failure = join(tempDir(), "failure.json");
    writeFileSync(
      failure,
      JSON.stringify({
        schema: "dbsim.failure/v1",
        scenario: { name: "tiny", duration: "1s", workload: { records: 100, rate: "200/s", clients: 2 } },
        seed: 1,
        violations: { lost_writes: { valid: false } },
      }),
    );
    const { code, stderr } = await cli("shrink", failure, "--out", out);
    expect(stderr.split("\n")[0]).toBe(`dbsim: replacing ${out}, which dbsim wrote earlier`);
    expect(stderr).toContain("does not fail");
    expect(code).toBe(2);
  });
});

describe("output directories", () => {
  it("dashboards --out writes again where it wrote; the committed copy is marked as dbsim's", async () => {
    const out = join(tempDir(), "dashboards");
    expect((await cli("dashboards", "--out", out)).code).toBe(0);
    const again = await cli("dashboards", "--out", out);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`writing into the dashboards dbsim wrote in ${out}`);
    expect(checkContainerTarget(join("dashboards", "generated"), "dashboards")).toBe("dbsim");
  });

  it("sweep --out writes again into the sweep it wrote", async () => {
    const out = join(tempDir(), "sweep");
    const argv = ["sweep", scenarioFile(TINY), "--seeds", "1..2", "--workers", "1", "--out", out];
    expect((await cli(...argv)).code).toBe(0);
    const again = await cli(...argv);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`replacing the earlier sweep in ${out}`);
    expect(readdirSync(out).sort()).toEqual([".dbsim", "journal.jsonl", "sweep.json"]);
  });
});

describe("settingsSlug", () => {
  const setting = fc
    .tuple(fc.constantFrom("a", "cluster.node.fsync_policy", "description"), fc.string())
    .map(([path, value]) => `${path}=${value}`);

  it("names two different lists of settings differently, with safe characters, at most 80 of them", () => {
    fc.assert(
      fc.property(
        fc.array(setting, { minLength: 1, maxLength: 3 }),
        fc.array(setting, { minLength: 1, maxLength: 3 }),
        (a, b) => {
          const slug = settingsSlug(a);
          expect(slug).toMatch(/^[A-Za-z0-9._=+,-]{1,80}$/);
          if (JSON.stringify(a) !== JSON.stringify(b)) expect(settingsSlug(b)).not.toBe(slug);
        },
      ),
    );
  });

  it("keeps readable settings as they are", () => {
    expect(settingsSlug(["cluster.node.fsync_policy=never", "workload.clients=8"])).toBe(
      "cluster.node.fsync_policy=never,workload.clients=8",
    );
  });
});
