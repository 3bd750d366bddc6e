// scenarios/replication-random-nemesis.yaml at seed 1: what its comment promises is what it prints.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

const SLOW = 180_000;

describe("replication-random-nemesis at seed 1", () => {
  it(
    "loses acknowledged writes: the nemesis's partitions cut the leader off from its followers, not from the client",
    async () => {
      const out = join(tempDir(), "run");
      const { code, stdout } = await cli(
        "run",
        "scenarios/replication-random-nemesis.yaml",
        "--no-metrics",
        "--out",
        out,
      );
      expect(code).toBe(1);
      expect(stdout).toMatch(/^lost acknowledged writes: [1-9]\d* of /m);
      expect(stdout).toMatch(/^check lost_writes: VIOLATED/m);
      expect(stdout).toMatch(/^failover at /m);
      const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
      const partitions = report.faults.filter((fault: { kind: string }) => fault.kind === "partition");
      expect(partitions.length).toBeGreaterThan(0);
      for (const fault of partitions) {
        expect(fault.detail).toMatchObject({ nodes_only: true, random: true });
        expect(fault.detail.groups.flat()).not.toContain("client");
      }
    },
    SLOW,
  );
});
