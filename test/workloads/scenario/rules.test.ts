// Each rule of the cross-field table (workloads/scenario/rules.ts) beside a document it refuses, and
// the order in which the table runs: a rule waits until the fields it relates are valid.

import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../workloads/scenario/load.js";
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
  "raft: its own failover and fencing, no domain workload": [
    "cluster: { replicas: 3, replication: { mode: raft, failover: { fencing: false } } }",
    "cluster.replication.failover.fencing: mode raft always fences with terms (got false)",
  ],
  "faults that lose or corrupt log entries need raft": [
    "cluster: { replicas: 3 }\nfaults: { schedule: [{ at: 1s, kind: torn_write, target: leader }] }",
    "faults.schedule.0.kind: torn_write needs cluster.replication.mode raft (got async): only Raft repairs its log from its peers",
  ],
  "latency: uniform max and lognormal p99 at least min and median": [
    "network: { latency: { dist: uniform, min: 2ms, max: 1ms } }",
    'network.latency.max: must be at least min (2ms) (got "1ms")',
  ],
  "disk latencies: uniform max and lognormal p99 at least min and median": [
    "cluster: { node: { disk: { read: { dist: lognormal, median: 1ms, p99: 100us } } } }",
    'cluster.node.disk.read.p99: must be at least median (1ms) (got "100us")',
  ],
  "a bank transfer's accounts at most the bank's": [
    "workload: { type: bank, bank: { accounts: 3, accounts_per_transfer: 4 } }",
    "workload.bank.accounts_per_transfer: must be at most workload.bank.accounts (3) (got 4)",
  ],
  "scan_length max at least min": [
    "workload: { scan_length: { min: 9, max: 3 } }",
    "workload.scan_length.max: must be at least scan_length.min (9) (got 3)",
  ],
  "changes fit the cluster and the run": [
    "cluster: { shards: 2 }\nchanges: [{ at: 1s, kind: split, shard: 0 }]",
    "changes.0.kind: split needs strategy range (got hash); use reshard",
  ],
  "replica changes: raft, a shard of the cluster, a replica it has, at most 9 hosts": [
    "cluster: { replicas: 3 }\nchanges: [{ at: 1s, kind: add_replica, shard: 0 }]",
    "changes.0.kind: add_replica needs cluster.replication.mode raft (got async)",
  ],
  "nodes: raft, at least replicas, ranges x nodes within the host bound, moves not add/remove": [
    "cluster: { replicas: 3, nodes: 5 }",
    "cluster.nodes: needs cluster.replication.mode raft (got async)",
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
  "transactions run on leader-follower shards": [
    "workload: { type: list-append }\ncluster: { shards: 2 }",
    "cluster.sharding.routing: workload.type list-append needs routing: proxy on several shards (the router host coordinates two-phase commit) (got client)",
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

  it("bound raft membership changes: a shard of the cluster, a replica it has then, 9 hosts, never the last", () => {
    const raft = "cluster: { replicas: 2, replication: { mode: raft } }\nchanges:";
    const refused = (changes: string) => loadErrorMessage(`name: x\n${raft} ${changes}\n`);
    expect(refused("[{ at: 1s, kind: add_replica, shard: 1 }]")).toContain(
      "changes.0.shard: no shard1: the cluster has 1 shards",
    );
    expect(refused("[{ at: 1s, kind: remove_replica, shard: 0, replica: 2 }]")).toContain(
      "changes.0.replica: shard0/n2 is not a replica of shard0 then (replicas: n0, n1)",
    );
    const twice =
      "[{ at: 1s, kind: remove_replica, shard: 0, replica: 1 }, { at: 2s, kind: remove_replica, shard: 0, replica: leader }]";
    expect(refused(twice)).toContain("changes.1: cannot remove the last replica of shard0");
    const adds = Array.from({ length: 8 }, (_, i) => `{ at: ${i + 1}s, kind: add_replica, shard: 0 }`);
    expect(refused(`[${adds.join(", ")}]`)).toContain(
      "changes.7: shard0 would need more than 9 hosts (cluster.replicas plus its add_replica changes)",
    );
    // Resharding runs under raft (its shard mover waits for what the freeze left uncommitted).
    const reshard = "[{ at: 1s, kind: reshard, shards: 2 }]";
    expect(loadScenario(`name: x\n${raft} ${reshard}\n`).resolved.changes).toHaveLength(1);
    const replaced =
      "[{ at: 1s, kind: add_replica, shard: 0 }, { at: 2s, kind: remove_replica, shard: 0, replica: 0 }]";
    expect(loadScenario(`name: x\n${raft} ${replaced}\n`).resolved.replica_changes).toHaveLength(2);
  });

  it("bound raft leadership transfers: raft, a shard of the cluster, a replica it has then; append_window is raft's", () => {
    const raft = "cluster: { replicas: 2, replication: { mode: raft } }\nchanges:";
    const refused = (changes: string) => loadErrorMessage(`name: x\n${raft} ${changes}\n`);
    expect(refused("[{ at: 1s, kind: transfer_leader, shard: 0, to: 2 }]")).toContain(
      "changes.0.to: shard0/n2 is not a replica of shard0 then (replicas: n0, n1)",
    );
    expect(refused("[{ at: 1s, kind: transfer_leader, shard: 3, to: 1 }]")).toContain(
      "changes.0.shard: no shard3: the cluster has 1 shards",
    );
    expect(refused("[{ at: 1s, kind: transfer_leader, shard: 0, to: 10 }]")).toContain(
      "changes.0.to: must be at most 8 (got 10)",
    );
    const added =
      "[{ at: 1s, kind: add_replica, shard: 0 }, { at: 2s, kind: transfer_leader, shard: 0, to: 2 }]";
    expect(loadScenario(`name: x\n${raft} ${added}\n`).resolved.replica_changes).toHaveLength(2);
    expect(
      loadErrorMessage(
        "name: x\ncluster: { replicas: 2 }\nchanges: [{ at: 1s, kind: transfer_leader, shard: 0, to: 1 }]\n",
      ),
    ).toContain("changes.0.kind: transfer_leader needs cluster.replication.mode raft (got async)");
    expect(
      loadErrorMessage("name: x\ncluster: { replicas: 2, replication: { append_window: 4 } }\n"),
    ).toContain(
      "cluster.replication.append_window: append_window needs cluster.replication.mode raft (got async)",
    );
    expect(
      loadErrorMessage("name: x\ncluster: { replicas: 2, replication: { mode: raft, append_window: 0 } }\n"),
    ).toContain("cluster.replication.append_window: must be at least 1 (got 0)");
  });

  it("bound physical nodes and replica moves: raft, enough nodes, the host bound, a replica to move, a free target", () => {
    const raft = (nodes: string) =>
      `name: x\ncluster: { shards: 4, replicas: 3, nodes: ${nodes}, replication: { mode: raft } }\n`;
    const refused = (nodes: string, changes = "") => loadErrorMessage(`${raft(nodes)}${changes}`);
    expect(refused("2")).toContain("cluster.nodes: needs at least cluster.replicas (3) nodes (got 2)");
    expect(
      loadErrorMessage(
        "name: x\ncluster: { shards: 63, replicas: 3, nodes: 900, replication: { mode: raft } }\n",
      ),
    ).toContain(
      "cluster.nodes: 63 ranges provisioned x 900 nodes = 56700 replica hosts: at most RANGE_HOSTS_MAX (960, SIM_HOSTS_MAX less 64 for the other hosts)",
    );
    expect(loadErrorMessage("name: x\ncluster: { range_placement: packed }\n")).toContain(
      "cluster.range_placement: needs cluster.nodes",
    );
    expect(refused("5", "changes: [{ at: 1s, kind: add_replica, shard: 0 }]")).toContain(
      "changes.0.kind: add_replica does not run with cluster.nodes: use move_replica",
    );
    // Balanced over 5 nodes: shard0 on node0, node1, node2; shard1 on node3, node4, node0.
    expect(refused("5", "changes: [{ at: 1s, kind: move_replica, shard: 0, from: 3, to: 4 }]")).toContain(
      "changes.0.from: node3 holds no replica to move: shard0 has replicas on node0, node1, node2 then",
    );
    expect(refused("5", "changes: [{ at: 1s, kind: move_replica, shard: 1, from: 3, to: 0 }]")).toContain(
      "changes.0.to: node0 already holds a replica: shard1 has replicas on node3, node4, node0 then",
    );
    expect(refused("5", "changes: [{ at: 1s, kind: move_replica, shard: 4, from: 0, to: 3 }]")).toContain(
      "changes.0.shard: moves a replica of a range the cluster starts with: shards 0 .. 3 (got 4)",
    );
    const twice =
      "changes: [{ at: 1s, kind: move_replica, shard: 0, from: 0, to: 3 }, { at: 2s, kind: move_replica, shard: 0, from: 0, to: 4 }]";
    expect(refused("5", twice)).toContain(
      "changes.1.from: node0 holds no replica to move: shard0 has replicas on node3, node1, node2 then",
    );
    expect(
      loadErrorMessage(
        "name: x\ncluster: { replicas: 3, replication: { mode: raft } }\nchanges: [{ at: 1s, kind: move_replica, shard: 0, from: 0, to: 3 }]\n",
      ),
    ).toContain("changes.0.kind: move_replica needs cluster.nodes");
    const moves = loadScenario(
      `${raft("5")}changes: [{ at: 1s, kind: move_replica, shard: 0, from: 0, to: 3 }]\n`,
    );
    expect(moves.resolved.replica_changes).toEqual([
      { at_us: 1_000_000, kind: "move_replica", shard: 0, from: 0, to: 3 },
    ]);
    expect(moves.resolved.cluster.ranges).toEqual({ nodes: 5, placement: "balanced", rebalance: null });
  });

  it("of the rebalancer: needs nodes and a coordinator; its lease region is one of the topology's", () => {
    const cluster = (fields: string) =>
      `name: x\ncluster: { shards: 4, replicas: 3, ${fields}, replication: { mode: raft } }\n`;
    const every = "rebalance: { every: 1s, dead_after: 5s";
    expect(loadErrorMessage(cluster(`${every} }`))).toContain(
      "cluster.rebalance: needs cluster.nodes (physical nodes to rebalance ranges over)",
    );
    expect(loadErrorMessage(cluster(`nodes: 5, ${every}, lease_region: eu-west }`))).toContain(
      "cluster.rebalance.lease_region: needs a topology (regions to prefer one of)",
    );
    const regions =
      "topology: { regions: [{ name: us-west }, { name: us-east }, { name: eu-west }], latency: { matrix: three-regions } }\n";
    expect(loadErrorMessage(cluster(`nodes: 5, ${every}, lease_region: asia }`) + regions)).toContain(
      'cluster.rebalance.lease_region: names no region of topology: us-west, us-east, eu-west (got "asia")',
    );
    expect(
      loadErrorMessage(
        `name: x\ncluster: { shards: 1, replicas: 3, nodes: 5, ${every} }, replication: { mode: raft } }\n`,
      ),
    ).toContain("cluster.rebalance: needs cluster.shards >= 2 (the coordinator host rebalances)");
    const ok = loadScenario(cluster(`nodes: 5, ${every}, lease_region: eu-west }`) + regions);
    expect(ok.resolved.cluster.ranges?.rebalance).toEqual({
      every_us: 1_000_000,
      dead_after_us: 5_000_000,
      lease_region: "eu-west",
    });
  });

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

describe("list-append's and rw-register's rules", () => {
  it.each([
    [
      "workload: { type: list-append }\nchecks: [linearizable]",
      "checks.0: linearizable does not apply to workload.type list-append",
    ],
    [
      "workload: { type: rw-register }\nchecks: [bank]",
      "checks.0: bank does not apply to workload.type rw-register",
    ],
    ["workload: { rw_register: {} }", "workload.rw_register: needs workload.type rw-register (got ycsb)"],
    [
      "workload: { type: rw-register, list_append: {} }",
      "workload.list_append: needs workload.type list-append (got rw-register)",
    ],
    [
      "workload: { type: social }\ncluster: { replicas: 3, replication: { mode: raft } }",
      "cluster.replication.mode: raft needs workload.type ycsb, bank, list-append, rw-register or smallbank (got social)",
    ],
    [
      "workload: { type: bank, bank: { transfer: read_then_write } }\ncluster: { transactions: {} }",
      "cluster.transactions: transactions need workload.bank.transfer: transaction (got read_then_write)",
    ],

    ["checks: [elle]", "checks.0: elle checks a history of transactions; with workload.type ycsb"],
    ["workload: { list_append: {} }", "workload.list_append: needs workload.type list-append (got ycsb)"],
    [
      "cluster: { transactions: { isolation: snapshot } }",
      "cluster.transactions: transactions need workload.type list-append, rw-register, smallbank or bank",
    ],
    [
      "workload: { type: list-append }\ncluster: { shards: 2, sharding: { routing: proxy }, transactions: { isolation: snapshot } }",
      "cluster.transactions.isolation: workload.type list-append needs isolation serializable on several shards",
    ],
    [
      "workload: { type: list-append }\ncluster: { shards: 2, sharding: { routing: proxy } }\nchanges: [{ at: 1s, kind: reshard, shards: 3 }]",
      "changes: workload.type list-append needs no changes of the shard map",
    ],
  ])("refuses %s", (document, message) => {
    expect(loadErrorMessage(`name: x\n${document}\n`)).toContain(message);
  });
});
