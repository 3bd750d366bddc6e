// dbsim shrink, through shrinkCommand with the top level's error handling (helpers.captured), as
// cli.ts runs it: a failure.json from `dbsim run` is reduced to a smaller scenario that still fails.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type ShrinkArgs, shrinkCommand } from "../../cli/commands/shrink.js";
import { executeRun } from "../../cli/execute.js";
import { tryParseDurationUs } from "../../engine/settings/units.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import { captured, cli, scenarioFile, TINY, tempDir } from "./helpers.js";

function shrink(args: ShrinkArgs) {
  return captured((io) => shrinkCommand(args, io));
}

/** Async replication through a one-way partition and a crash of the leader (stale reads), plus noise. */
const FAILING = `name: shrinkable
duration: 8s
cluster: { replicas: 3, replication: { mode: async } }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: a, records: 500, rate: 2000/s, clients: 16, timeout: 500ms }
faults:
  schedule:
    - { at: 2s, kind: partition, one_way: { from: leader, to: followers }, for: 3s }
    - { at: 3s, kind: crash, target: leader, restart_after: 2s }
    - { at: 6s, kind: pause, target: shard0/n1, for: 100ms }
    - { at: 1s, kind: clock_skew, target: shard0/n2, offset: 50ms, for: 2s }
checks: [stale_reads]
`;

interface Doc {
  duration: string;
  workload: { clients: number; records: number };
  faults: { schedule: unknown[]; random: unknown };
}

describe("dbsim shrink", () => {
  it("reduces a failing scenario to fewer faults and keeps the failure at the same seed", async () => {
    const dir = tempDir();
    const run = await cli("run", scenarioFile(FAILING), "--out", dir, "--seed", "3");
    expect(run.code).toBe(1);
    const failureFile = join(dir, "failure.json");
    expect(existsSync(failureFile)).toBe(true);
    const original = JSON.parse(readFileSync(failureFile, "utf8")).scenario as Doc;

    const out = join(tempDir(), "minimal.yaml");
    const { code, stdout, stderr } = await shrink({ failure: failureFile, out, maxRuns: 60 });
    expect(stderr).toMatch(/^shrink: \d+ runs, 4 faults, 16 clients/m);
    expect(code).toBe(1);
    expect(stdout).toContain(`dbsim run ${out} --seed 3`);

    const text = readFileSync(out, "utf8");
    expect(text).toMatch(/^# .*\n# Reproduces: check stale_reads fails at seed 3/);
    const minimal = parse(text) as Doc;
    expect(minimal.faults.schedule.length).toBeLessThan(original.faults.schedule.length);
    expect(minimal.workload.clients).toBeLessThanOrEqual(original.workload.clients);
    expect(minimal.workload.records).toBeLessThanOrEqual(original.workload.records);
    expect(tryParseDurationUs(minimal.duration)).toBeLessThanOrEqual(
      tryParseDurationUs(original.duration) as number,
    );
    const { report } = await executeRun(loadScenario(text), 3);
    expect(report.checks.stale_reads?.valid).toBe(false);
  });

  it("exits 2 when the failure.json is missing or not a failure", async () => {
    const missing = await shrink({ failure: join(tempDir(), "failure.json") });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*: no such file/);
    const bad = join(tempDir(), "failure.json");
    writeFileSync(bad, JSON.stringify({ schema: "something/v1" }));
    const invalid = await shrink({ failure: bad });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("not a dbsim.failure/v1 file");
  });

  it("exits 2 when the original does not fail when re-run", async () => {
    const doc = loadScenario(`${TINY}checks: [stale_reads]\n`).doc;
    const file = join(tempDir(), "failure.json");
    writeFileSync(
      file,
      JSON.stringify({
        schema: "dbsim.failure/v1",
        scenario: doc,
        seed: 1,
        violations: { stale_reads: { valid: false } },
      }),
    );
    const { code, stderr } = await shrink({ failure: file });
    expect(code).toBe(2);
    expect(stderr).toContain("does not fail stale_reads when re-run at seed 1");
  });
});
