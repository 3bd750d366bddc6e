// scenarios/ranges-rebalance.yaml at seed 1: what its comment promises is what it prints (the
// rebalancer under a random nemesis: test/cli/multi-raft-nemesis.test.ts).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

const SLOW = 300_000;

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe("ranges-rebalance at seed 1", () => {
  it(
    "evens out a packed cluster (p99 falls), up-replicates a crashed node's ranges and refills it, losing no write",
    async () => {
      const out = join(tempDir(), "run");
      const { code, stdout } = await cli("run", "scenarios/ranges-rebalance.yaml", "--out", out);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^lost acknowledged writes: 0 of /m);
      expect(stdout).toMatch(/^check linearizable: ok/m);
      expect(stdout).toMatch(/^check lost_writes: ok/m);
      expect(stdout).toMatch(
        /^ranges\/leaseholders per node \(fewest-most over the run\), 29 moves, 12 lease transfers: /m,
      );
      const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
      const nodes = report.ranges.nodes as Record<
        string,
        { ranges: number; leaseholders: number; leaseholders_max: number }
      >;
      expect(nodes.node0?.leaseholders_max).toBe(12);
      for (const n of Object.values(nodes)) {
        expect(n.ranges).toBeGreaterThanOrEqual(7);
        expect(n.ranges).toBeLessThanOrEqual(8);
        expect(n.leaseholders).toBeGreaterThanOrEqual(2);
        expect(n.leaseholders).toBeLessThanOrEqual(3);
      }
      // Moves: evening out by 28 s, node4's replicas off it from 40 s (dead_after after its crash),
      // back onto it after its restart at 50 s.
      const removed = [...stdout.matchAll(/^membership at (\d+\.\d+)s: shard\d+ voters (.*)$/gm)];
      const at = removed.map((m) => Number(m[1]));
      expect(at.filter((t) => t < 35).length).toBe(14 * 3);
      expect(Math.max(...at.filter((t) => t < 35))).toBeLessThan(30);
      expect(at.filter((t) => t >= 35 && t < 50).length).toBe(8 * 3);
      expect(Math.min(...at.filter((t) => t >= 35))).toBeGreaterThanOrEqual(40);
      const { t_s, p99_us } = report.timeline as { t_s: number[]; p99_us: number[] };
      const before = p99_us.filter((_, i) => (t_s[i] as number) < 3);
      const after = p99_us.filter((_, i) => (t_s[i] as number) >= 10 && (t_s[i] as number) < 35);
      expect(mean(before)).toBeGreaterThan(2 * mean(after));
      const metrics = readFileSync(join(out, "metrics.om"), "utf8");
      expect(metrics).toMatch(/^dbsim_lease_transfers_total\{run="ranges-rebalance\/seed-1"\} 12 /m);
    },
    SLOW,
  );
});
