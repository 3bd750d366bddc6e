// Raft and a disk that lost what it acknowledged (engine/replication/acknowledged-log.ts): a
// follower whose fsyncs lied helps commit entries, then loses them in a power loss while the
// leader is down. Voting as if it never had them, it would elect a leader without them (and the
// committed writes would be lost); it stays out of elections until it has them again instead.

import { describe, expect, it } from "vitest";
import { executeRun } from "../../../cli/execute.js";
import { readScenarioFile } from "../../../cli/scenario-file.js";
import { scenarioFile } from "../../cli/helpers.js";

const SCENARIO = `name: raft-lost-fsync
duration: 14s
warmup: 0s
cluster:
  replicas: 3
  replication: { mode: raft, read_consistency: read_index, failover: { detect_after: 1s } }
  node: { fsync_policy: always }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: a, records: 2000, rate: 1000/s, clients: 16, timeout: 1s }
faults:
  schedule:
    # n2 is cut off: the leader n0 commits with n1 alone.
    - { at: 2s, kind: partition, isolate: shard0/n2, nodes_only: true, for: 6s }
    # n1's fsyncs lie from 3 s; at 6 s it loses power (and restarts at once) ...
    - { at: 3s, kind: lost_fsync, target: shard0/n1, for: 3s, restart_after: 0s }
    # ... as the leader crashes; n2 rejoins at 8 s, n0 restarts at 10 s.
    - { at: 6s, kind: crash, target: shard0/n0, restart_after: 4s }
checks: [linearizable, lost_writes]
`;

describe("raft with lost fsyncs", () => {
  it("keeps a replica that lost acknowledged entries out of elections: no committed write is lost", async () => {
    const { report } = await executeRun(readScenarioFile(scenarioFile(SCENARIO)), 1, { metrics: false });
    expect(report.checks.lost_writes?.valid).toBe(true);
    expect(report.checks.linearizable?.valid).toBe(true);
    // n2 and n1 could not elect a leader without n0: the first failover is after n0's restart.
    const failovers = report.replication?.failovers ?? [];
    expect(failovers[0]?.at_s).toBeGreaterThan(10);
  }, 120_000);
});
