// scenarios/raft-failover.yaml at seed 1: what its comment promises is what it prints.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

describe("raft-failover at seed 1", () => {
  it("elects twice (not for the isolated follower), loses nothing and passes every check", async () => {
    const { code, stdout } = await cli(
      "run",
      "scenarios/raft-failover.yaml",
      "--no-metrics",
      "--out",
      join(tempDir(), "run"),
    );
    expect(code).toBe(0);
    expect(stdout.match(/^failover at /gm)).toHaveLength(2);
    expect(stdout).toMatch(/^lost acknowledged writes: 0 of /m);
    for (const check of ["linearizable", "lost_writes", "stale_reads", "liveness"])
      expect(stdout).toMatch(new RegExp(`^check ${check}: ok`, "m"));
  }, 180_000);
});
