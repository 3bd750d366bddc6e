// A multi-raft cluster (5 nodes, 4 ranges x 3 replicas, Raft) under a random nemesis whose crashes,
// pauses, clock skews, partitions and disk faults hit whole nodes: linearizable, lost_writes and
// liveness pass on seeds 1..5, as placed and packed with the rebalancer at work.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, scenarioFile, tempDir } from "./helpers.js";

const SLOW = 300_000;

const SCENARIO = `name: multi-raft-nemesis
duration: 30s
warmup: 2s
cluster:
  shards: 4
  replicas: 3
  nodes: 5
  sharding: { strategy: range }
  replication: { mode: raft, read_consistency: read_index, failover: { detect_after: 500ms } }
  node: { service_time: 50us, fsync_policy: always }
network:
  latency: { dist: lognormal, median: 500us, p99: 5ms }
workload: { type: ycsb, preset: a, records: 1000, rate: 500/s, clients: 16, timeout: 1s }
faults:
  random:
    every: 4s
    for: { min: 500ms, max: 3s }
    kinds: [partition, crash, pause, clock_skew, disk]
checks: [linearizable, lost_writes, liveness]
liveness: { within: 2s }
`;

// The same cluster, as placed, and packed with the rebalancer moving replicas and leases meanwhile.
const VARIANTS = [
  { name: "as placed", set: [] },
  {
    name: "packed, with the rebalancer moving replicas and leases",
    set: [
      "--set",
      "cluster.range_placement=packed",
      "--set",
      "cluster.rebalance={every: 500ms, dead_after: 2s}",
    ],
  },
];

describe("multi-raft under a random nemesis over nodes", () => {
  for (const variant of VARIANTS) {
    it(
      `${variant.name}: passes linearizable, lost_writes and liveness on seeds 1..5, every fault naming whole nodes`,
      async () => {
        const file = scenarioFile(SCENARIO);
        for (const seed of [1, 2, 3, 4, 5]) {
          const out = join(tempDir(), "run");
          const args = ["run", file, "--seed", String(seed), "--no-metrics", "--out", out, ...variant.set];
          const { code, stdout } = await cli(...args);
          expect(stdout).toMatch(/^check linearizable: ok/m);
          expect(stdout).toMatch(/^check lost_writes: ok/m);
          expect(stdout).toMatch(/^check liveness: ok/m);
          expect(code).toBe(0);
          const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
          const hit = report.faults.flatMap((fault: { targets: string[] }) => fault.targets);
          expect(hit.length).toBeGreaterThan(0);
          for (const name of hit) expect(name).toMatch(/^node[0-4]$/);
          if (variant.set.length > 0) expect(report.ranges.moves).toBeGreaterThan(0);
        }
      },
      SLOW,
    );
  }
});
