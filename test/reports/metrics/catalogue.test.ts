import { describe, expect, it } from "vitest";
import {
  ALL_METRICS,
  LATENCY_BUCKETS_S,
  METRICS,
  runLabel,
  sweepRunLabel,
} from "../../../reports/metrics/catalogue.js";

// DESIGN.md, "Metrics": the names it lists, for the subsystems that exist.
const DESIGN_NAMES = [
  "dbsim_ops_total",
  "dbsim_op_latency_seconds",
  "dbsim_replication_lag_seconds",
  "dbsim_node_up",
  "dbsim_failovers_total",
  "dbsim_partition_active",
  "dbsim_messages_total",
  "dbsim_check_violations_total",
  "dbsim_sim_virtual_seconds",
];
// `region`: a topology has at most MAX_REGIONS (16).
const BOUNDED_LABELS = new Set([
  "op",
  "result",
  "reason",
  "shard",
  "node",
  "role",
  "kind",
  "check",
  "state",
  "region",
]);

describe("the metric catalogue", () => {
  it("declares DESIGN.md's metrics with DESIGN.md's labels", () => {
    const names = ALL_METRICS.map((m) => m.name);
    for (const name of DESIGN_NAMES) expect(names).toContain(name);
    expect(METRICS.ops.labels).toEqual(["op", "result"]);
    expect(METRICS.opLatency.labels).toEqual(["op"]);
    expect(METRICS.replicationLag.labels).toEqual(["shard", "node"]);
    expect(METRICS.nodeUp.labels).toEqual(["node", "role"]);
    expect(METRICS.failovers.labels).toEqual(["shard"]);
    expect(METRICS.partitionActive.labels).toEqual([]);
    expect(METRICS.messages.labels).toEqual(["kind"]);
    expect(METRICS.checkViolations.labels).toEqual(["check"]);
  });

  it("follows Prometheus naming: dbsim_ prefix, _total on counters only, base units, help text", () => {
    const seen = new Set<string>();
    for (const m of ALL_METRICS) {
      expect(m.name, m.name).toMatch(/^dbsim_[a-z][a-z0-9_]*[a-z0-9]$/);
      expect(seen.has(m.name), `${m.name} declared twice`).toBe(false);
      seen.add(m.name);
      expect(m.name.endsWith("_total"), m.name).toBe(m.type === "counter");
      expect(m.name, m.name).not.toMatch(/_(ms|us|milliseconds|microseconds|minutes|kb|mb)(_|$)/);
      expect(m.help.length, m.name).toBeGreaterThan(10);
      expect(m.help, m.name).not.toMatch(/[\n\\]/);
      for (const label of m.labels) expect(BOUNDED_LABELS.has(label), `${m.name}{${label}}`).toBe(true);
      expect(m.labels).not.toContain("run");
      expect(m.labels).not.toContain("le");
      if (m.type === "histogram") expect(m.name).toMatch(/_seconds$/);
    }
  });

  it("has latency buckets from 10 µs to 10 s, increasing", () => {
    expect(LATENCY_BUCKETS_S[0]).toBe(0.00001);
    expect(LATENCY_BUCKETS_S[LATENCY_BUCKETS_S.length - 1]).toBe(10);
    for (let i = 1; i < LATENCY_BUCKETS_S.length; i++)
      expect(LATENCY_BUCKETS_S[i] as number).toBeGreaterThan(LATENCY_BUCKETS_S[i - 1] as number);
    expect(METRICS.opLatency.buckets).toBe(LATENCY_BUCKETS_S);
  });

  it("names runs <scenario>/seed-<seed> and live sweeps <scenario>/sweep", () => {
    expect(runLabel("ycsb-a", 7)).toBe("ycsb-a/seed-7");
    expect(sweepRunLabel("ycsb-a")).toBe("ycsb-a/sweep");
  });
});
