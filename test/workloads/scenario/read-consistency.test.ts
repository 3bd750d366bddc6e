import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../workloads/scenario/load.js";
import { loadErrorMessage } from "./helpers.js";

const cluster = (replication: string) => `name: x\ncluster: { replicas: 3, replication: ${replication} }\n`;

describe("cluster.replication.read_consistency", () => {
  it("defaults to local, and resolves the lease's clock bound to µs", () => {
    expect(loadScenario(cluster("{}")).resolved.cluster.replication.reads).toStrictEqual({
      consistency: "local",
      max_clock_error_us: 10_000,
    });
    const lease = loadScenario(cluster("{ read_consistency: lease, max_clock_error: 50ms }")).resolved;
    expect(lease.cluster.replication.reads).toStrictEqual({
      consistency: "lease",
      max_clock_error_us: 50_000,
    });
  });

  it.each([
    [
      "{ mode: multi-leader, read_consistency: read_index }",
      "cluster.replication.read_consistency: read_index needs a leader-follower mode (got mode: multi-leader, which has no single leader)",
    ],
    [
      "{ read_consistency: lease, failover: { fencing: false } }",
      "cluster.replication.read_consistency: lease needs failover.fencing: true (without terms a leader cannot learn it was replaced)",
    ],
    [
      "{ read_consistency: read_index, read_from: follower }",
      "cluster.replication.read_consistency: read_index needs read_from: leader (got follower: reads a follower serves are not confirmed with the leader)",
    ],
    [
      "{ read_consistency: lease, max_clock_error: 500ms }",
      "cluster.replication.max_clock_error: must be under half of failover.detect_after (1s) for a lease, which lasts detect_after - 2 x max_clock_error (got 500ms)",
    ],
    [
      "{ read_consistency: strict }",
      'cluster.replication.read_consistency: expected one of local, lease, read_index (got "strict")',
    ],
  ])("refuses %s", (replication, message) => {
    expect(loadErrorMessage(cluster(replication))).toContain(message);
  });

  it("takes any max_clock_error with read_index, which uses no clock", () => {
    const { resolved } = loadScenario(cluster("{ read_consistency: read_index, max_clock_error: 2s }"));
    expect(resolved.cluster.replication.reads.consistency).toBe("read_index");
  });
});
