// scenarios/raft-disk-faults.yaml at seed 1: with checksums every check passes; without, the same
// faults are read as data and lost_writes fails, as its comment says.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

const SCENARIO = "scenarios/raft-disk-faults.yaml";

describe("raft-disk-faults at seed 1", () => {
  it("finds the corrupt entries, repairs them and passes every check", async () => {
    const { code, stdout } = await cli("run", SCENARIO, "--no-metrics", "--out", join(tempDir(), "run"));
    expect(code).toBe(0);
    const disk = stdout.match(
      /^disk faults: 6; corrupt log entries detected (\d+), entries dropped (\d+), repaired from the leader (\d+)$/m,
    );
    expect(disk).not.toBeNull();
    const [detected, dropped, repaired] = (disk as RegExpMatchArray).slice(1).map(Number);
    expect(detected).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThanOrEqual(detected as number);
    expect(repaired).toBeGreaterThan(0);
    for (const check of ["linearizable", "lost_writes", "liveness"])
      expect(stdout).toMatch(new RegExp(`^check ${check}: ok`, "m"));
  }, 300_000);

  it("without checksums reads the corruption as data: lost_writes fails", async () => {
    const { code, stdout } = await cli(
      "run",
      SCENARIO,
      "--set",
      "cluster.node.disk.checksums=false",
      "--no-metrics",
      "--out",
      join(tempDir(), "run"),
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/^disk faults: 6; corrupt log entries detected 0, /m);
    expect(stdout).toMatch(/^check lost_writes: VIOLATED/m);
  }, 300_000);
});
