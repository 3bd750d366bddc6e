import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, scenarioFile, TINY, tempDir } from "./helpers.js";

describe("dbsim run", () => {
  it("writes report.json, summary.md and one .hgrm per operation, and prints the table", async () => {
    const out = join(tempDir(), "run");
    const { code, stdout, stderr } = await cli("run", scenarioFile(TINY), "--seed", "7", "--out", out);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^dbsim run: tiny, seed 7/);
    expect(stdout).toMatch(/\nread +\d+/);
    expect(readdirSync(out).sort()).toEqual([
      ".dbsim",
      "latency",
      "metrics.om",
      "report.html",
      "report.json",
      "summary.md",
    ]);
    expect(readdirSync(join(out, "latency")).sort()).toEqual(["all.hgrm", "read.hgrm", "update.hgrm"]);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.schema).toBe("dbsim.report/v1");
    expect(report.seed).toBe(7);
    expect(report.scenario).toBe("tiny");
    expect(Object.keys(report.ops)).toEqual(["read", "update", "all"]);
    expect(Object.keys(report.ops.all.latency_us)).toEqual(["p50", "p90", "p99", "p999", "max", "mean"]);
    expect(report.ops.all.count).toBe(report.ops.read.count + report.ops.update.count);
    expect(report.throughput_ops_per_s).toBeGreaterThan(400);
    expect(readFileSync(join(out, "latency/all.hgrm"), "utf8")).toMatch(/Value\s+Percentile\s+TotalCount/);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("| op | count |");
  });

  it("defaults the directory to runs/<scenario>/seed-<seed> and prints JSON with --json", async () => {
    const cwd = process.cwd();
    const dir = tempDir();
    const file = scenarioFile(TINY);
    process.chdir(dir);
    try {
      const { code, stdout } = await cli("run", file, "--json");
      expect(code).toBe(0);
      expect(JSON.parse(stdout).seed).toBe(1);
      expect(existsSync(join(dir, "runs/tiny/seed-1/report.json"))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it("accepts --set overrides parsed as YAML", async () => {
    const out = join(tempDir(), "run");
    const { code, stdout } = await cli(
      "run",
      scenarioFile(TINY),
      "--out",
      out,
      "--json",
      "--set",
      "workload.preset=c",
      "--set",
      "workload.mix={read: 1}",
    );
    expect(code).toBe(0);
    expect(Object.keys(JSON.parse(stdout).ops)).toEqual(["read", "all"]);
  });

  const bad: [string, string[], RegExp][] = [
    [
      "a missing file",
      ["run", "/nonexistent/x.yaml"],
      /^dbsim: cannot read scenario \/nonexistent\/x\.yaml: no such file\n$/,
    ],
    [
      "a YAML syntax error",
      ["run", scenarioFile("name: x\nworkload: { preset: a\n")],
      /s\.yaml:\d+:\d+: YAML syntax error/,
    ],
    [
      "an unknown key",
      ["run", scenarioFile(`${TINY}replicas: 3\n`)],
      /replicas: unknown key; allowed keys: /,
    ],
    [
      "a wrong enum",
      ["run", scenarioFile(TINY.replace("preset: a", "preset: g"))],
      /workload\.preset: expected one of a, b, c, d, e, f \(got "g"\)/,
    ],
    [
      "a wrong type",
      ["run", scenarioFile(TINY.replace("records: 500", "records: many"))],
      /workload\.records: expected an integer \(got "many"\)/,
    ],
    [
      "a bad unit",
      ["run", scenarioFile(TINY.replace("duration: 2s", "duration: 10parsecs"))],
      /duration: "10parsecs" is not a duration/,
    ],
    [
      "a zero count",
      ["run", scenarioFile(TINY.replace("clients: 4", "clients: 0"))],
      /workload\.clients: must be at least 1 \(got 0\)/,
    ],
    [
      "a negative count",
      ["run", scenarioFile(TINY.replace("records: 500", "records: -5"))],
      /workload\.records: must be at least 1/,
    ],
    [
      "a zero rate",
      ["run", scenarioFile(TINY.replace("rate: 500/s", "rate: 0/s"))],
      /workload\.rate: .*more than 0/,
    ],
    [
      "a size past its limit",
      ["run", scenarioFile(TINY.replace("records: 500", "records: 1e12"))],
      /workload\.records: must be at most 5000000 \(got 1000000000000\)/,
    ],
    [
      "an unknown --set path",
      ["run", scenarioFile(TINY), "--set", "cluster.foo=1"],
      /--set cluster\.foo=1: cluster\.foo: unknown key/,
    ],
    [
      "a malformed --set",
      ["run", scenarioFile(TINY), "--set", "cluster"],
      /--set cluster: expected path=value/,
    ],
    [
      "a non-integer seed",
      ["run", scenarioFile(TINY), "--seed", "1.5"],
      /--seed: expected a non-negative integer \(got "1\.5"\)/,
    ],
    ["a negative seed", ["run", scenarioFile(TINY), "--seed", "-3"], /--seed/],
    ["an unknown option", ["run", scenarioFile(TINY), "--bogus"], /Unknown argument: bogus/],
    ["no command", [], /name a command/],
    [
      "an option without its value",
      ["run", scenarioFile(TINY), "--set"],
      /Not enough arguments following: set/,
    ],
  ];

  for (const [what, argv, message] of bad) {
    it(`exits 2 with one line naming the problem for ${what}, writing nothing`, async () => {
      const out = join(tempDir(), "out");
      const { code, stdout, stderr } = await cli(...argv, ...(argv.length > 0 ? ["--out", out] : []));
      expect(stderr).toMatch(message);
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(stdout).toBe("");
      expect(code).toBe(2);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("the executable prints one line and no stack trace, with the documented exit code", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "cli/main.ts", "run", "missing.yaml"], {
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("dbsim: cannot read scenario missing.yaml: no such file\n");
  });
});
