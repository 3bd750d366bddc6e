import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, failoverScenario, scenarioFile, TINY, tempDir } from "./helpers.js";

describe("dbsim run with checks", () => {
  it("checks the history of a clean run, writes history.jsonl, and exits 0", async () => {
    const out = join(tempDir(), "run");
    const { code, stdout } = await cli(
      "run",
      scenarioFile(
        `${TINY}checks: [linearizable, lost_writes, stale_reads, read_your_writes, monotonic_reads]\n`,
      ),
      "--out",
      out,
    );
    expect(code).toBe(0);
    expect(stdout).toContain("check linearizable: ok");
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(Object.values(report.checks).map((v) => (v as { valid: unknown }).valid)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(existsSync(join(out, "failure.json"))).toBe(false);
    // The history is the documented JSONL: dbsim check reads it back.
    const check = await cli("check", join(out, "history.jsonl"));
    expect(check.code).toBe(0);
  });

  it("async through a leader failure: a check fails, exit 1, failure.json says how to reproduce", async () => {
    const out = join(tempDir(), "run");
    const file = scenarioFile(failoverScenario("async"));
    const { code, stderr } = await cli("run", file, "--seed", "3", "--out", out);
    expect(code).toBe(1);
    expect(stderr).toMatch(/check failed: .*reproduce: npx dbsim run .* --seed 3/);
    const failure = JSON.parse(readFileSync(join(out, "failure.json"), "utf8"));
    expect(failure.schema).toBe("dbsim.failure/v1");
    expect(failure.seed).toBe(3);
    expect(failure.trace_hash).toMatch(/^[0-9a-f]{16}$/);
    const violated = Object.values(failure.violations) as { valid: unknown }[];
    expect(violated.length).toBeGreaterThan(0);
    for (const verdict of violated) expect(verdict.valid).toBe(false);
    expect(failure.command).toContain("--seed 3");
  });

  it("sync through the same failure: nothing acknowledged is lost, but reads go back in time", async () => {
    const file = scenarioFile(failoverScenario("sync"));
    const out = join(tempDir(), "r");
    const { code, stdout } = await cli("run", file, "--seed", "3", "--out", out);
    expect(code).toBe(1);
    expect(stdout).toContain("check lost_writes: ok (0 anomalies)");
    expect(stdout).toContain("check stale_reads: VIOLATED (2 anomalies)");
    // The cut-off old leader served a write it could not replicate (it timed out: info); the new
    // leader never had it, so a later read returned an older value.
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    const [stale] = report.checks.stale_reads.anomalies;
    expect(stale.newer_write.type).toBe("info");
    expect(stale.known_from).toMatchObject({ f: "read", node: "shard0/n0" });
    expect(stale.read.node).not.toBe("shard0/n0");
    const lostOnly = await cli(
      "run",
      file,
      "--seed",
      "3",
      "--set",
      "checks=[lost_writes]",
      "--out",
      `${out}2`,
    );
    expect(lostOnly.code).toBe(0);
  });

  it("runs the final reads after the run, changing none of its figures or metrics", async () => {
    const file = scenarioFile(failoverScenario("async"));
    const on = join(tempDir(), "on");
    const off = join(tempDir(), "off");
    await cli("run", file, "--seed", "3", "--out", on);
    await cli("run", file, "--seed", "3", "--set", "final_reads.enabled=false", "--out", off);
    const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");
    const measured = (dir: string) => {
      const { host, config, checks, final_reads, ...rest } = JSON.parse(read(dir, "report.json"));
      return rest;
    };
    expect(measured(on)).toEqual(measured(off));
    expect(JSON.parse(read(on, "report.json")).final_reads.reads).toBe(200 * 3);
    // metrics.om: the same samples (timestamps aside), but for the checks' verdicts.
    const samples = (dir: string) =>
      read(dir, "metrics.om")
        .replace(/ [0-9]+\.[0-9]{3}$/gm, "")
        .split("\n")
        .filter((line) => !line.startsWith("dbsim_check_violations_total"));
    expect(samples(on)).toEqual(samples(off));
  });

  it("refuses an unknown check", async () => {
    const { code, stderr } = await cli(
      "run",
      scenarioFile(`${TINY}checks: [serializable]\n`),
      "--out",
      join(tempDir(), "r"),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /checks\.0: expected one of linearizable, lost_writes, stale_reads, read_your_writes, monotonic_reads, bank/,
    );
  });
});

describe("dbsim run with the bank check", () => {
  const BANK = `name: bank
duration: 2s
workload:
  type: bank
  bank: { accounts: 4, initial_balance: 20, transfer: read_then_write }
  rate: 500/s
  clients: 4
checks: [bank]
`;

  it("exits 1 on read-then-write transfers, writes failure.json, and replay reproduces it", async () => {
    const out = join(tempDir(), "bank");
    const run = await cli("run", scenarioFile(BANK), "--out", out);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /check bank: VIOLATED \(\d+ anomalies\): the read at index \d+ sums to \d+, not 80/,
    );
    const failure = JSON.parse(readFileSync(join(out, "failure.json"), "utf8"));
    expect(failure.violations.bank.valid).toBe(false);
    const replay = await cli("replay", join(out, "failure.json"));
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain(failure.trace_hash);
    const check = await cli("check", "--model", "bank", "--total", "80", join(out, "history.jsonl"));
    expect(check.code).toBe(1);
  });

  it("passes with transactions", async () => {
    const { code, stdout } = await cli(
      "run",
      scenarioFile(BANK.replace("read_then_write", "transaction")),
      "--out",
      join(tempDir(), "bank"),
    );
    expect(code).toBe(0);
    expect(stdout).toContain("check bank: ok");
  });
});
