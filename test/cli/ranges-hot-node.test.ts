// scenarios/ranges-hot-node.yaml at seed 1: what its comment promises is what it prints.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

const SLOW = 300_000;

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe("ranges-hot-node at seed 1", () => {
  it(
    "node0 holds every leaseholder and its p99 suffers; moving 8 replicas off it (leadership transferred first) cuts p99, losing no write",
    async () => {
      const out = join(tempDir(), "run");
      const { code, stdout } = await cli("run", "scenarios/ranges-hot-node.yaml", "--out", out);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^lost acknowledged writes: 0 of /m);
      expect(stdout).toMatch(/^check linearizable: ok/m);
      expect(stdout).toMatch(/^check lost_writes: ok/m);
      expect(stdout).toMatch(
        /^ranges\/leaseholders per node \(fewest-most over the run\), 8 moves, 8 lease transfers: node0 4 \(4-12\)\/4 \(4-12\) /m,
      );
      // Each moved leader hands leadership to the new replica before removing itself: no election.
      expect(stdout.match(/^leadership transferred at 20\.\d+s: shard\d shard\d\/n0 -> /gm)).toHaveLength(8);
      const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
      const failovers = report.replication.failovers as {
        write_outage_s: number;
        writes_failed_or_timed_out: number;
      }[];
      expect(failovers).toHaveLength(8);
      for (const failover of failovers) {
        expect(failover.write_outage_s).toBeLessThan(0.4); // an election's took 0.55-1.0 s
        expect(failover.writes_failed_or_timed_out).toBe(0);
      }
      const { node0, ...others } = report.ranges.nodes;
      expect(node0).toMatchObject({ leaseholders_max: 12, leaseholders: 4 });
      expect(Object.keys(others)).toEqual(["node1", "node2", "node3", "node4"]);
      for (const n of Object.values(others) as { leaseholders_max: number }[])
        expect(n.leaseholders_max).toBeLessThan(12);
      // p99 per second: before the moves (measured seconds 0..14) against after (17..39).
      const { t_s, p99_us } = report.timeline as { t_s: number[]; p99_us: number[] };
      const before = p99_us.filter((_, i) => (t_s[i] as number) < 15);
      const after = p99_us.filter((_, i) => (t_s[i] as number) >= 17 && (t_s[i] as number) < 40);
      expect(mean(before)).toBeGreaterThan(2 * mean(after));
      const metrics = readFileSync(join(out, "metrics.om"), "utf8");
      expect(metrics).toMatch(/^dbsim_leaseholders\{node="node0",run="ranges-hot-node\/seed-1"\} 12 /m);
      expect(metrics).toMatch(/^dbsim_range_moves_total\{run="ranges-hot-node\/seed-1"\} 8 /m);
      expect(metrics).toMatch(/^dbsim_lease_transfers_total\{run="ranges-hot-node\/seed-1"\} 8 /m);
    },
    SLOW,
  );
});
