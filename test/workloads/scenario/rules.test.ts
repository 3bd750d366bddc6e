// Each rule of the cross-field table (workloads/scenario/rules.ts) beside a document it refuses, and
// the order in which the table runs: a rule waits until the fields it relates are valid.

import { describe, expect, it } from "vitest";
import { RULES } from "../../../workloads/scenario/rules.js";
import { loadError, loadErrorMessage } from "./helpers.js";

const CASES: Readonly<Record<string, readonly [string, string]>> = {
  "a protocol module needs a leader-follower mode": [
    "cluster: { replicas: 3, replication: { mode: multi-leader, protocol: ./p.js } }",
    "cluster.replication.protocol: needs a leader-follower mode (got mode: multi-leader)",
  ],
  "sharding settings fit the strategy and the shards": [
    "cluster: { shards: 2, sharding: { vnodes: 8, boundaries: [k5] } }",
    "cluster.sharding.boundaries: only for strategy range (got strategy hash)",
  ],
  "read_index and lease need a single fenced leader": [
    "cluster: { replicas: 3, replication: { read_consistency: lease, failover: { fencing: false } } }",
    "cluster.replication.read_consistency: lease needs failover.fencing: true",
  ],
  "one replica: async, leader reads, no failover": [
    "cluster: { replication: { mode: sync } }",
    "cluster.replication.mode: sync needs replicas >= 2 (got replicas: 1)",
  ],
  "raft: its own failover and fencing, ycsb without changes": [
    "cluster: { replicas: 3, replication: { mode: raft, failover: { fencing: false } } }",
    "cluster.replication.failover.fencing: mode raft always fences with terms (got false)",
  ],
  "latency: uniform max and lognormal p99 at least min and median": [
    "network: { latency: { dist: uniform, min: 2ms, max: 1ms } }",
    'network.latency.max: must be at least min (2ms) (got "1ms")',
  ],
  "disk latencies: uniform max and lognormal p99 at least min and median": [
    "cluster: { node: { disk: { read: { dist: lognormal, median: 1ms, p99: 100us } } } }",
    'cluster.node.disk.read.p99: must be at least median (1ms) (got "100us")',
  ],
  "scan_length max at least min": [
    "workload: { scan_length: { min: 9, max: 3 } }",
    "workload.scan_length.max: must be at least scan_length.min (9) (got 3)",
  ],
  "changes fit the cluster and the run": [
    "cluster: { shards: 2 }\nchanges: [{ at: 1s, kind: split, shard: 0 }]",
    "changes.0.kind: split needs strategy range (got hash); use reshard",
  ],
  "a domain workload runs on one leader-follower shard": [
    "workload: { type: social }\ncluster: { shards: 2 }",
    "cluster.shards: workload.type social needs cluster.shards: 1",
  ],
  "a cache serves ycsb with client-side routing": [
    "workload: { type: bank }\ncluster: { cache: {} }",
    "cluster.cache: needs workload.type ycsb (got bank)",
  ],
  "topology: a place per replica, a client per region, distributions' own fields": [
    "topology: { regions: [{ name: us-east }], placement: [us-east/a, us-east/b] }",
    "topology.placement: lists 2 places for cluster.replicas 1: one per replica",
  ],
  "list-append runs on one leader-follower shard": [
    "workload: { type: list-append }\ncluster: { shards: 2 }",
    "cluster.shards: workload.type list-append needs cluster.shards: 1 and no changes",
  ],
  "elle settings need the elle check": [
    "workload: { type: list-append }\nelle: { consistency: serializable }",
    "elle: sets the elle check's consistency model, but checks does not list elle",
  ],
  "checks fit the workload": [
    "workload: { type: bank }\nchecks: [linearizable]",
    "checks.0: linearizable checks a history of registers",
  ],
  "liveness settings need the liveness check": [
    "checks: [lost_writes]\nliveness: { within: 5s }",
    "liveness: sets the liveness check's bound, but checks does not list liveness",
  ],
  "warmup + duration at most 24h": [
    "warmup: 2h\nduration: 23h",
    "duration: warmup + duration must be at most 24h",
  ],
  "an open loop offers operations before the run ends": [
    "warmup: 5s\nduration: 10s\nworkload: { rate: [{ for: 20s, rate: 0/s }, { for: 10s, to: 100/s }] }",
    "workload.rate: the stages offer no operation before the run ends (warmup 5s + duration 10s): 0/s until then",
  ],
};

describe("the cross-field rules", () => {
  it("each have a case here", () => {
    expect(RULES.map((rule) => rule.name).sort()).toStrictEqual(Object.keys(CASES).sort());
  });

  it.each(RULES.map((rule) => [rule.name, ...(CASES[rule.name] ?? ["", ""])]))(
    "%s",
    (_name, document, message) => {
      expect(loadErrorMessage(`name: x\n${document}\n`)).toContain(message);
    },
  );

  it("wait until the fields they relate are valid, so a problem is reported once", () => {
    // The invalid mode is reported; the single-replica rule, which reads it, does not run.
    const error = loadError("name: x\ncluster: { replication: { mode: quorum, read_from: follower } }\n");
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain("cluster.replication.mode: expected one of");
  });

  it("of one section run when another section is invalid", () => {
    const error = loadError("name: x\nworkload: { clients: 0 }\ncluster: { replication: { mode: sync } }\n");
    expect(error.problems).toStrictEqual([
      expect.stringContaining("workload.clients:"),
      expect.stringContaining("cluster.replication.mode: sync needs replicas >= 2"),
    ]);
  });

  it("of the whole document wait until every field is valid", () => {
    const text =
      "name: x\nworkload: { clients: 0 }\ncluster: { shards: 2 }\nchanges: [{ at: 1s, kind: split, shard: 0 }]\n";
    expect(loadError(text).problems).toStrictEqual([expect.stringContaining("workload.clients:")]);
  });
});

describe("list-append's rules", () => {
  it.each([
    [
      "workload: { type: list-append }\nchecks: [linearizable]",
      "checks.0: linearizable does not apply to workload.type list-append",
    ],
    ["checks: [elle]", "checks.0: elle checks a history of transactions; with workload.type ycsb"],
    ["workload: { list_append: {} }", "workload.list_append: needs workload.type list-append (got ycsb)"],
    [
      "cluster: { transactions: { isolation: snapshot } }",
      "cluster.transactions: transactions need workload.type list-append",
    ],
  ])("refuses %s", (document, message) => {
    expect(loadErrorMessage(`name: x\n${document}\n`)).toContain(message);
  });
});
