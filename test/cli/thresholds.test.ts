// Thresholds through the command line: `dbsim run`, `sweep`, `merge` and `matrix` exit 5 when one
// is breached (1 when a check failed too), and `dbsim compare --baseline` exits 5 on a regression
// beyond the baseline's spread across seeds, not on the noise between seeds.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runOutcome } from "../../cli/run-outcome.js";
import { cli, failoverScenario, scenarioFile, TINY, tempDir } from "./helpers.js";

const MET = `thresholds:
  update.p99: "< 100ms"
  all.error_rate: "< 0.1%"
  lost_writes: "== 0"
`;
const BREACHED = `thresholds:
  update.p99: "< 100ms"
  throughput: "> 1900/s"
`;

const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));

describe("dbsim run with thresholds", () => {
  it("exits 0 when every threshold is met, and says so in the summary", async () => {
    const out = join(tempDir(), "run");
    const { code, stdout, stderr } = await cli("run", scenarioFile(TINY + MET), "--out", out);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/threshold update.p99 < 100ms: met \([\d.]+ms\)/);
    expect(stdout).toContain("threshold lost_writes == 0: met (0)");
    expect(json(join(out, "report.json")).thresholds.map((r: { ok: boolean }) => r.ok)).toEqual([
      true,
      true,
      true,
    ]);
  });

  it("exits 5 when one is breached, naming it and its value on stderr in one line", async () => {
    const out = join(tempDir(), "run");
    const { code, stdout, stderr } = await cli("run", scenarioFile(TINY + BREACHED), "--out", out);
    expect(code).toBe(5);
    expect(stdout).toMatch(/threshold throughput > 1900\/s: BREACHED \([\d.]+\/s\)/);
    expect(stderr).toMatch(/^dbsim: threshold breached: throughput > 1900\/s \([\d.]+\/s\)\n$/);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain(
      "threshold throughput > 1900/s: BREACHED",
    );
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain('<section id="thresholds">');
    expect(existsSync(join(out, "failure.json"))).toBe(false);
  });

  it("exits 1 when a check failed, even with a threshold breached", async () => {
    const file = scenarioFile(failoverScenario("async") + BREACHED);
    const { code, stderr } = await cli("run", file, "--seed", "3", "--out", join(tempDir(), "run"));
    expect(code).toBe(1);
    expect(stderr).toMatch(/check failed: .*--seed 3/);
    expect(stderr).toMatch(/threshold breached: .*throughput > 1900\/s/);
  }, 60_000);

  it("refuses a bad threshold at load: exit 2, one line with the file position", async () => {
    const file = scenarioFile(`${TINY}thresholds:\n  update.p99: "< 10"\n`);
    const { code, stderr } = await cli("run", file, "--out", join(tempDir(), "run"));
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^dbsim: .*s\.yaml:7:15: thresholds\.update\.p99: update\.p99 is a latency: write a duration/,
    );
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("ranks the exits: a failed check (1) over a breach (5) over an undecided check (3)", () => {
    const breach = [{ figure: "all.p99", condition: "< 1ms", value: 2000, ok: false }];
    expect(runOutcome({ checks: { a: { valid: "unknown" } }, thresholds: breach }).exit).toBe(5);
    expect(runOutcome({ checks: { a: { valid: false } }, thresholds: breach }).exit).toBe(1);
    expect(runOutcome({ checks: { a: { valid: "unknown" } }, thresholds: [] }).exit).toBe(3);
    expect(runOutcome({ checks: { a: { valid: true } } }).exit).toBe(0);
  });
});

describe("dbsim sweep, merge and matrix with thresholds", () => {
  it("a sweep exits 5, each seed's entry listing what it breached; merge exits alike", async () => {
    const dir = tempDir();
    const file = scenarioFile(TINY + BREACHED);
    const whole = await cli("sweep", file, "--seeds", "1..3", "--workers", "2", "--out", join(dir, "all"));
    expect(whole.code).toBe(5);
    expect(whole.stdout).toContain("seeds breaching thresholds: 3 (1, 2, 3)");
    expect(whole.stderr).toContain("dbsim: threshold breached in 3 seeds (1, 2, 3): throughput > 1900/s\n");
    const sweep = json(join(dir, "all", "sweep.json"));
    expect(sweep.seeds[0]).toMatchObject({
      seed: 1,
      valid: true,
      exit: 5,
      breached: ["throughput > 1900/s"],
    });
    expect(sweep.failing_seeds).toEqual([]);
    // Partial sweeps merged: the same sweep.json, the same exit.
    await cli("sweep", file, "--seeds", "1..1", "--workers", "1", "--out", join(dir, "a"));
    await cli("sweep", file, "--seeds", "2..3", "--workers", "1", "--out", join(dir, "b"));
    const merged = await cli("merge", join(dir, "a"), join(dir, "b"), "--out", join(dir, "merged"));
    expect(merged.code).toBe(5);
    expect(readFileSync(join(dir, "merged", "sweep.json"), "utf8")).toBe(
      readFileSync(join(dir, "all", "sweep.json"), "utf8"),
    );
  }, 120_000);

  it("a sweep without thresholds lists none per seed; with them met, exit 0 and empty lists", async () => {
    const out = join(tempDir(), "s");
    const plain = await cli("sweep", scenarioFile(TINY), "--seeds", "1..2", "--workers", "1", "--out", out);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain("thresholds");
    expect("breached" in json(join(out, "sweep.json")).seeds[0]).toBe(false);
    const met = await cli(
      "sweep",
      scenarioFile(TINY + MET),
      "--seeds",
      "1..2",
      "--workers",
      "1",
      "--json",
      "--out",
      join(tempDir(), "s"),
    );
    expect(met.code).toBe(0);
    const sweep = JSON.parse(met.stdout);
    expect(sweep.seeds.map((s: { breached: string[] }) => s.breached)).toEqual([[], []]);
  }, 120_000);

  it("a sweep whose seed failed a check exits 1 though others breached", async () => {
    const file = scenarioFile(failoverScenario("async") + BREACHED);
    const { code } = await cli(
      "sweep",
      file,
      "--seeds",
      "3..4",
      "--workers",
      "2",
      "--out",
      join(tempDir(), "s"),
    );
    expect(code).toBe(1);
  }, 120_000);

  it("a matrix exits 5 when a run breached, naming the runs; 0 when every threshold is met", async () => {
    const file = scenarioFile(`${TINY}thresholds: { update.p99: "< 1500us" }\n`);
    const breached = await cli(
      "matrix",
      file,
      "--vary",
      "cluster.node.fsync=100us,5ms",
      "--seeds",
      "1..2",
      "--workers",
      "2",
      "--out",
      join(tempDir(), "m"),
    );
    expect(breached.code).toBe(5);
    expect(breached.stderr).toMatch(
      /^dbsim: threshold breached in 2 runs: fsync=5ms seed 1 \(update.p99 < 1500us\), fsync=5ms seed 2 \(update.p99 < 1500us\)\n$/,
    );
    const met = await cli(
      "matrix",
      file,
      "--vary",
      "cluster.node.fsync=100us,200us",
      "--seeds",
      "1..2",
      "--workers",
      "2",
      "--out",
      join(tempDir(), "m"),
    );
    expect(met.stderr).toBe("");
    expect(met.code).toBe(0);
  }, 120_000);
});

describe("dbsim compare --baseline", () => {
  // Long enough that three seeds measure the noise of a tail percentile.
  const STEADY = TINY.replace("duration: 2s", "duration: 10s");

  /** Runs seeds a..b of the scenario (with --set overrides) into <dir>/seed-<n>/. */
  async function runs(dir: string, seeds: number[], ...set: string[]): Promise<string> {
    const file = scenarioFile(STEADY);
    for (const seed of seeds) {
      const overrides = set.flatMap((o) => ["--set", o]);
      const run = await cli(
        "run",
        file,
        "--seed",
        String(seed),
        ...overrides,
        "--out",
        join(dir, `seed-${seed}`),
      );
      expect(run.code).toBe(0);
    }
    return dir;
  }

  it("does not call the noise between seeds a regression, and catches a real one", async () => {
    const dir = tempDir();
    const base = await runs(join(dir, "base"), [1, 2, 3]);
    const same = await runs(join(dir, "same"), [4, 5, 6]);
    const slower = await runs(join(dir, "slower"), [4, 5, 6], "cluster.node.service_time=100us");

    const noise = await cli("compare", "--baseline", base, same);
    expect(noise.stderr).toBe("");
    expect(noise.code).toBe(0);
    expect(noise.stdout).toContain(
      `baseline: ${base} (3 seeds: 1, 2, 3); candidate: ${same} (3 seeds: 4, 5, 6)`,
    );
    expect(noise.stdout).toContain("no figure regressed beyond the baseline's range and the 5% tolerance");
    expect(noise.stdout).not.toMatch(/ regressed$/m);

    // Twice the CPU time per request: reads, which wait for no fsync, are a fifth slower.
    const regression = await cli("compare", "--baseline", base, slower, "--json");
    expect(regression.code).toBe(5);
    const comparison = JSON.parse(regression.stdout);
    expect(comparison.regressed).toEqual(expect.arrayContaining(["read.p50", "read.p99", "read.mean"]));
    expect(comparison.regressed).not.toContain("throughput");
    const p50 = comparison.rows.find((row: { figure: string }) => row.figure === "read.p50");
    expect(p50).toMatchObject({ better: "lower", unit: "us", verdict: "regressed", baseline: { seeds: 3 } });
    expect(p50.change).toBeGreaterThan(0.1);
    expect(regression.stderr).toMatch(/^dbsim: regressed beyond the baseline: read\.p50, /);

    // A wider tolerance lets it pass; the candidate's runs may be named one by one.
    const tolerant = await cli(
      "compare",
      "--baseline",
      base,
      join(slower, "seed-4"),
      join(slower, "seed-5"),
      join(slower, "seed-6", "report.json"),
      "--tolerance",
      "60%",
    );
    expect(tolerant.code).toBe(0);
  }, 120_000);

  it("reads a sweep's per-seed figures, and writes a page with --html", async () => {
    const dir = tempDir();
    const file = scenarioFile(STEADY);
    const sweep = await cli("sweep", file, "--seeds", "1..3", "--workers", "2", "--out", join(dir, "sweep"));
    expect(sweep.code).toBe(0);
    const slower = await runs(join(dir, "slower"), [4, 5], "cluster.node.service_time=100us");
    const page = join(dir, "baseline.html");
    const { code, stdout } = await cli("compare", "--baseline", join(dir, "sweep"), slower, "--html", page);
    expect(code).toBe(5);
    expect(stdout).toMatch(/read\.p50 .* regressed/);
    const html = readFileSync(page, "utf8");
    expect(html).toContain("dbsim compare --baseline");
    expect(html).toContain('<span class="verdict-false">regressed</span>');
    const byFile = await cli("compare", "--baseline", join(dir, "sweep", "sweep.json"), slower);
    expect(byFile.code).toBe(5);
    expect(byFile.stdout).toContain(`baseline: ${join(dir, "sweep", "sweep.json")} (3 seeds: 1, 2, 3)`);
  }, 120_000);

  it("refuses bad input in one line, exit 2", async () => {
    const dir = tempDir();
    const base = await runs(join(dir, "base"), [1]);
    const cases: [string[], RegExp][] = [
      [["--tolerance", "5"], /--tolerance 5: expected a percentage from 0% to 100%/],
      [["--tolerance", "200%"], /--tolerance 200%: expected a percentage/],
      [[tempDir()], /no run \(report.json\), sweep \(sweep.json\) or seed-N run directories/],
      [[join(base, "seed-1"), base], /seed 1 is in the candidate twice/],
      [[join(dir, "nothing")], /cannot read .*nothing: no such file or directory/],
    ];
    for (const [args, message] of cases) {
      const candidate = args[0]?.startsWith("--") ? [base, ...args] : args;
      const outcome = await cli("compare", "--baseline", base, ...candidate);
      expect(outcome.code, args.join(" ")).toBe(2);
      expect(outcome.stderr).toMatch(message);
      expect(outcome.stderr.trim().split("\n")).toHaveLength(1);
    }
    const tolerance = await cli("compare", base, base, "--tolerance", "5%");
    expect(tolerance.code).toBe(2);
    expect(tolerance.stderr).toContain("--tolerance: only with --baseline");
  }, 60_000);
});
