// scenarios/raft-membership.yaml at seed 1: what its comment promises is what it prints.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

describe("raft-membership at seed 1", () => {
  it("commits four configurations, elects once after removing the leader, loses nothing, passes every check", async () => {
    const { code, stdout } = await cli(
      "run",
      "scenarios/raft-membership.yaml",
      "--no-metrics",
      "--out",
      join(tempDir(), "run"),
    );
    expect(code).toBe(0);
    expect(stdout.match(/^membership at .*$/gm)).toEqual([
      expect.stringMatching(/voters shard0\/n0, shard0\/n1, shard0\/n2; learners shard0\/n3$/),
      expect.stringMatching(/voters shard0\/n0, shard0\/n1, shard0\/n2, shard0\/n3$/),
      expect.stringMatching(/voters shard0\/n0, shard0\/n2, shard0\/n3$/),
      expect.stringMatching(/voters shard0\/n2, shard0\/n3$/),
    ]);
    const failovers = stdout.match(/^failover at (\d+\.\d+)s/gm) ?? [];
    expect(failovers).toHaveLength(1);
    expect(Number(/(\d+\.\d+)s/.exec(failovers[0] as string)?.[1])).toBeGreaterThan(30);
    expect(stdout).toMatch(/^lost acknowledged writes: 0 of /m);
    for (const check of ["linearizable", "lost_writes", "stale_reads"])
      expect(stdout).toMatch(new RegExp(`^check ${check}: ok`, "m"));
  }, 180_000);
});
