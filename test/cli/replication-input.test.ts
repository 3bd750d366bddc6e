import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import { cli, scenarioFile, TINY, tempDir } from "./helpers.js";

const THREE = `${TINY}cluster: { replicas: 3 }\n`;

describe("replication and fault settings", () => {
  const bad: [string, string, RegExp][] = [
    [
      "a fault naming a node that does not exist",
      `${THREE}faults: { schedule: [ { at: 1s, kind: crash, target: shard0/n5 } ] }\n`,
      /faults\.schedule\.0\.target: expected a node \(shard0\/n0, shard0\/n1, shard0\/n2\) or a role/,
    ],
    [
      "follower reads on one replica",
      `${TINY}cluster: { replication: { read_from: follower } }\n`,
      /cluster\.replication\.read_from: follower reads needs replicas >= 2 \(got replicas: 1\)/,
    ],
    [
      "failover on one replica",
      `${TINY}cluster: { replication: { failover: { enabled: true } } }\n`,
      /cluster\.replication\.failover\.enabled: failover needs replicas >= 2/,
    ],
    [
      "sync on one replica",
      `${TINY}cluster: { replication: { mode: sync } }\n`,
      /cluster\.replication\.mode: sync needs replicas >= 2/,
    ],
    [
      "a fault lasting past the run",
      `${THREE}faults: { schedule: [ { at: 1s, kind: pause, target: leader, for: 10s } ] }\n`,
      /faults\.schedule\.0\.for: at \+ for must be at most the end of the run/,
    ],
    [
      "a loss probability above 1",
      TINY.replace("value: 100us }", "value: 100us }, loss: 1.5"),
      /network\.loss: must be at most 1 \(got 1\.5\)/,
    ],
    [
      "a link fault loss below 0",
      `${THREE}faults: { schedule: [ { at: 1s, kind: link, from: client, to: leader, loss: -0.1, for: 100ms } ] }\n`,
      /faults\.schedule\.0\.loss: must be at least 0/,
    ],
    [
      "an unknown replication mode",
      `${TINY}cluster: { replication: { mode: chain } }\n`,
      /cluster\.replication\.mode: expected one of async, semi-sync, sync, multi-leader, raft \(got "chain"\)/,
    ],
  ];
  for (const [what, text, message] of bad) {
    it(`exits 2 naming the field for ${what}`, async () => {
      const out = join(tempDir(), "out");
      const { code, stderr } = await cli("run", scenarioFile(text), "--out", out);
      expect(stderr).toMatch(message);
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(code).toBe(2);
    });
  }

  it("is deterministic with faults and the random nemesis: same seed, same trace hash and fault log", async () => {
    const text = `name: f
duration: 20s
cluster: { replicas: 3 }
workload: { preset: a, records: 200, rate: 500/s, clients: 8, timeout: 500ms }
faults:
  schedule: [ { at: 3s, kind: partition, isolate: leader, for: 2s } ]
  random: { every: 3s, for: { min: 500ms, max: 2s } }
`;
    const a = await executeRun(loadScenario(text), 9);
    const b = await executeRun(loadScenario(text), 9);
    expect(a.report.trace_hash).toBe(b.report.trace_hash);
    expect(a.report.faults).toEqual(b.report.faults);
    expect(a.report.faults.length).toBeGreaterThan(2);
    const c = await executeRun(loadScenario(text), 10);
    expect(c.report.faults).not.toEqual(a.report.faults);
  });

  it("draws the same random fault timeline whatever the replication mode", async () => {
    const text = (mode: string) => `name: f
duration: 20s
cluster: { replicas: 3, replication: { mode: ${mode} } }
workload: { preset: a, records: 200, rate: 500/s, clients: 8, timeout: 500ms }
faults: { random: { every: 3s, kinds: [crash, pause, clock_skew], for: { min: 500ms, max: 2s } } }
`;
    const timeline = async (mode: string) =>
      (await executeRun(loadScenario(text(mode)), 4)).report.faults.map((f) => [f.at_s, f.kind, f.for_s]);
    expect(await timeline("sync")).toEqual(await timeline("async"));
  });
});
