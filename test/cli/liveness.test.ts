// The liveness check through `dbsim run`: a leader lost for good without failover never serves
// writes again (exit 1, failure.json); with failover, or once the leader restarts, it does.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, scenarioFile, tempDir } from "./helpers.js";

/** Three async replicas whose leader crashes at 6 s (`restart_after`: null, for good). */
function crashScenario(options: { failover: boolean; restart_after?: string; workload?: string }): string {
  return `name: liveness
duration: 20s
warmup: 1s
cluster: { replicas: 3, replication: { mode: async, failover: { enabled: ${options.failover} } } }
workload: ${options.workload ?? "{ preset: a, records: 200, rate: 500/s, clients: 8, timeout: 500ms }"}
faults:
  schedule:
    - { at: 6s, kind: crash, target: leader, restart_after: ${options.restart_after ?? "null"} }
checks: [liveness]
`;
}

async function runChecked(
  text: string,
): Promise<{ code: number; stdout: string; verdict: Record<string, unknown>; out: string }> {
  const out = join(tempDir(), "run");
  const { code, stdout } = await cli("run", scenarioFile(text), "--out", out);
  const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
  return { code, stdout, verdict: report.checks.liveness, out };
}

describe("dbsim run with checks: [liveness]", () => {
  it("fails when the leader is lost for good and nobody takes over (no failover)", async () => {
    const { code, stdout, verdict, out } = await runChecked(crashScenario({ failover: false }));
    expect(code).toBe(1);
    expect(stdout).toContain(
      "check liveness: VIOLATED (1 anomalies): no write succeeded in the 10.0 s after the lasting fault at 6.0 s",
    );
    expect(verdict).toMatchObject({ valid: false, checked: 1, count: 1, within_s: 10 });
    // The failure bundle replays to the same verdict.
    const replayed = await cli("replay", join(out, "failure.json"));
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain("check liveness: VIOLATED: no write succeeded");
  }, 60_000);

  it("passes when a follower takes over (failover), and when the leader restarts (a heal)", async () => {
    const failover = await runChecked(crashScenario({ failover: true }));
    expect(failover.code).toBe(0);
    expect(failover.verdict).toMatchObject({ valid: true, checked: 1, count: 0 });
    // An election: detect_after (1s) plus its random delay.
    expect(failover.verdict.recovery_s_max).toBeGreaterThan(1);
    expect(failover.verdict.recovery_s_max).toBeLessThan(3);
    const restart = await runChecked(crashScenario({ failover: false, restart_after: "2s" }));
    expect(restart.code).toBe(0);
    expect(restart.stdout).toMatch(
      /check liveness: ok \(0 anomalies\): writes succeeded within .* of every heal/,
    );
  }, 60_000);

  it("judges a bank's transfers too", async () => {
    const bank = "{ type: bank, rate: 200/s, clients: 4, timeout: 500ms }";
    const lost = await runChecked(crashScenario({ failover: false, workload: bank }));
    expect(lost.verdict).toMatchObject({ valid: false, count: 1 });
    expect(lost.verdict.reason).toContain("no write succeeded");
    const recovered = await runChecked(crashScenario({ failover: true, workload: bank }));
    expect(recovered.verdict).toMatchObject({ valid: true });
  }, 60_000);

  it("is unknown (exit 3) without a fault, and `liveness.within` sets the bound", async () => {
    const quiet = crashScenario({ failover: true }).replace(/faults:\n.*\n.*\n/, "");
    const { code, verdict } = await runChecked(quiet);
    expect(code).toBe(3);
    expect(verdict).toMatchObject({
      valid: "unknown",
      reason: "no fault was injected, so no heal to recover from",
    });
    // Failover takes over a second: too slow for a bound of 500ms.
    const strict = await runChecked(`${crashScenario({ failover: true })}liveness: { within: 500ms }\n`);
    expect(strict.code).toBe(1);
    expect(strict.verdict).toMatchObject({ valid: false, within_s: 0.5 });
  }, 60_000);
});
