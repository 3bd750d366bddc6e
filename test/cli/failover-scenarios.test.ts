// The shipped failover scenarios at seed 1: what their comments promise is what they print.
// Each runs 65 virtual seconds and its final reads (a few seconds of wall time).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, scenarioFile, tempDir } from "./helpers.js";

const SLOW = 180_000;

async function run(scenario: string, ...args: string[]) {
  const out = join(tempDir(), "run");
  const outcome = await cli("run", `scenarios/${scenario}.yaml`, "--no-metrics", "--out", out, ...args);
  const json = (file: string) => JSON.parse(readFileSync(join(out, file), "utf8"));
  return { ...outcome, lines: outcome.stdout.split("\n"), json };
}

describe("split-brain-no-fencing at seed 1", () => {
  it(
    "fails: the replicas never converge, and lost_writes names the acknowledged writes only some hold",
    async () => {
      const { code, stdout, lines, json } = await run("split-brain-no-fencing");
      expect(code).toBe(1);
      expect(stdout).toContain("failover at 21.05s: shard0/n1 leads (term 1)");
      expect(lines).toContain(
        "final reads at 70.00s (every fault ended, then 5s to settle): 29991 reads of 9997 keys on every " +
          "replica; leaders then: shard0/n0, shard0/n1",
      );
      expect(stdout).toContain("replicas disagree at rest on 9529 keys");
      expect(lines).toContain(
        "check lost_writes: VIOLATED (16841 anomalies): of 64962 acknowledged writes: 16841 held by only " +
          "some replicas (the replicas disagree at rest on 9529 keys)",
      );
      const report = json("report.json");
      expect(report.final_reads).toMatchObject({
        diverged_keys: 9529,
        leaders: ["shard0/n0", "shard0/n1"],
        lost_writes: { acknowledged: 64962, lost: 0, divergent: 16841, unjudged: 0 },
      });
      const [first] = json("failure.json").violations.lost_writes.anomalies;
      expect(first).toMatchObject({ kind: "divergent", held_by: ["shard0/n0"] });
      expect(first.write.type).toBe("ok");
      expect(Object.keys(first.replicas)).toEqual(["shard0/n0", "shard0/n1", "shard0/n2"]);
    },
    SLOW,
  );

  it(
    "with fencing: nothing lost, the replicas converge; the old leader's rejoin forces a second election",
    async () => {
      const { code, stdout, json } = await run(
        "split-brain-no-fencing",
        "--set",
        "cluster.replication.failover.fencing=true",
      );
      expect(code).toBe(0);
      // Cut off, it ran election after election (no PreVote): its term forces one more on rejoining.
      expect(stdout).toContain("failover at 30.20s: shard0/n1 leads (term 9); write outage 0.20s");
      expect(stdout).toContain("check lost_writes: ok (0 anomalies)");
      expect(json("report.json").final_reads).toMatchObject({ diverged_keys: 0, leaders: ["shard0/n1"] });
    },
    SLOW,
  );

  it(
    "without final reads, lost_writes cannot judge (two leaders, no final state): unknown, exit 3",
    async () => {
      const { code, lines } = await run(
        "split-brain-no-fencing",
        "--set",
        "final_reads.enabled=false",
        "--set",
        "checks=[lost_writes]",
      );
      expect(code).toBe(3);
      expect(lines).toContain(
        "leaders at the end: shard0/n0, shard0/n1 (lost writes not counted: no single leader of shard0)",
      );
      expect(lines).toContain(
        "check lost_writes: unknown: no final state to judge the acknowledged writes against " +
          "(no final reads, no final leader's values)",
      );
    },
    SLOW,
  );
});

describe("the failover scenarios at seed 1", () => {
  it(
    "async: one lost-writes figure, judged on the final reads, with the log count explained beside it",
    async () => {
      const { code, lines } = await run("replication-async-failover");
      expect(code).toBe(1);
      expect(lines).toContain(
        "lost acknowledged writes: 27 of 64982 (judged on the final reads of every replica: their key's " +
          "final value was written before them); the final leaders' logs miss 1055 (also counting writes a " +
          "later write overwrote: their keys end right)",
      );
      expect(lines).toContain(
        "check lost_writes: VIOLATED (27 anomalies): of 64982 acknowledged writes: 27 lost (their key's final " +
          "value was written before them)",
      );
      expect(lines).toContain("check stale_reads: VIOLATED (907 anomalies)");
    },
    SLOW,
  );

  it(
    "sync: nothing acknowledged lost, but the cut-off leader's reads make later reads go back in time",
    async () => {
      const { code, lines } = await run("replication-sync-failover");
      expect(code).toBe(1);
      expect(lines).toContain(
        "lost acknowledged writes: 0 of 64946 (judged on the final reads of every replica: their key's " +
          "final value was written before them)",
      );
      expect(lines).toContain("check lost_writes: ok (0 anomalies)");
      expect(lines).toContain("check stale_reads: VIOLATED (5 anomalies)");
    },
    SLOW,
  );
});

describe("the lost-writes line", () => {
  it("says nothing of leaders on a healthy sharded cluster (one leader per shard)", async () => {
    const file = scenarioFile(`name: sharded
duration: 1s
cluster: { shards: 2 }
workload: { records: 100, rate: 200/s, clients: 4 }
`);
    const { code, stdout } = await cli("run", file, "--no-metrics", "--out", join(tempDir(), "r"));
    expect(code).toBe(0);
    expect(stdout).not.toContain("leader");
  });
});
