// scenarios/raft-leader-transfer.yaml at seed 1: what its comment promises is what it prints.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

describe("raft-leader-transfer at seed 1", () => {
  it("hands leadership over twice for milliseconds of write outage, against over a second for a crash", async () => {
    const { code, stdout } = await cli(
      "run",
      "scenarios/raft-leader-transfer.yaml",
      "--no-metrics",
      "--out",
      join(tempDir(), "run"),
    );
    expect(code).toBe(0);
    expect(stdout.match(/^leadership transferred at .*$/gm)).toEqual([
      expect.stringMatching(
        /^leadership transferred at 10\.\d\ds: shard0 shard0\/n0 -> shard0\/n2 \(term 2\)$/,
      ),
      expect.stringMatching(
        /^leadership transferred at 20\.\d\ds: shard0 shard0\/n2 -> shard0\/n0 \(term 3\)$/,
      ),
    ]);
    const outages = [...stdout.matchAll(/^failover at (\d+)\.\d\ds: .*; write outage (\d+\.\d\d)s;/gm)].map(
      (m) => [Number(m[1]), Number(m[2])],
    );
    expect(outages.map(([at]) => at)).toEqual([10, 20, 31]);
    const [first, second, crash] = outages.map(([, outage]) => outage as number);
    // A transfer: a round trip or two (~1 ms each) and a vote; a crash: an election timeout and more.
    expect(crash).toBeGreaterThan(1);
    expect(first).toBeLessThan((crash as number) / 20);
    expect(second).toBeLessThan((crash as number) / 20);
    expect(stdout).toMatch(/^lost acknowledged writes: 0 of /m);
    for (const check of ["linearizable", "lost_writes", "stale_reads", "liveness"])
      expect(stdout).toMatch(new RegExp(`^check ${check}: ok`, "m"));
  }, 180_000);
});
