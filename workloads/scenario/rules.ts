// The rules between fields of a scenario, in one table: what no field's own schema can check (a
// sharding setting only for one strategy, reads that need fencing, changes that fit the cluster,
// a domain workload on one shard...). The loader applies them after the fields are parsed, in
// this order; each runs once the fields it reads are valid (`after`), so a problem is reported once.

import type { z } from "zod";
import { SchemaError } from "../../engine/query/errors.js";
import { validateIndexes } from "../../engine/query/indexes.js";
import { validateTables } from "../../engine/query/schema.js";
import { placeRanges } from "../../engine/ranges/placement.js";
import { OTHER_HOSTS_RESERVED, RANGE_HOSTS_MAX } from "../../engine/ranges/settings.js";
import { MAX_REPLICAS } from "../../engine/replication/settings.js";
import { durationValueUs, MAX_DURATION_US } from "../../engine/settings/durations.js";
import type { LatencyDoc } from "../../engine/settings/latency.js";
import { isShardingChange, provisionedShards } from "../../engine/sharding/settings.js";
import { DEFAULT_ISOLATION } from "../../engine/txn/settings.js";
import { BANK_CHECK_NAMES } from "../checkers/bank.js";
import { REGISTER_CHECK_NAMES } from "../checkers/checks.js";
import { ELLE_CHECK_NAMES } from "../checkers/elle.js";
import { LIVENESS_CHECK_NAMES } from "../checkers/liveness.js";
import { expectedArrivals } from "../client/arrivals.js";
import { resolveRate } from "../client/settings.js";
import { createDomainWorkload } from "../generators/domain/registry.js";
import { domainKnobs, isDomainType } from "../generators/domain/settings.js";
import { ELLE_WORKLOAD_TYPES, type ElleWorkloadType } from "../generators/list-append/settings.js";
import { TXN_WORKLOAD_TYPES } from "../generators/plugins.js";
import { DISK_INTEGRITY_FAULTS } from "../nemesis/schema.js";
import type { ScenarioDoc } from "./schema.js";

type Path = readonly (string | number)[];
type Report = (path: Path, message: string) => void;

export interface CrossFieldRule {
  /** What it holds, in a few words (its test names it). */
  readonly name: string;
  /**
   * It runs once every field under this path is valid, rules before it included (the path of the
   * section whose fields it relates). "parsed": once no field has a wrong type (it checks what it
   * reads itself).
   */
  readonly after: Path | "parsed";
  readonly check: (doc: ScenarioDoc, report: Report) => void;
}

export const RULES: readonly CrossFieldRule[] = [
  {
    name: "a protocol module needs a leader-follower mode",
    after: ["cluster", "replication"],
    check({ cluster: { replication } }, report) {
      if (replication.protocol != null && replication.mode === "multi-leader") {
        const message =
          "needs a leader-follower mode (got mode: multi-leader): clients send to the leader it names";
        report(["cluster", "replication", "protocol"], message);
      }
    },
  },
  { name: "sharding settings fit the strategy and the shards", after: ["cluster"], check: checkSharding },
  {
    name: "read_index and lease need a single fenced leader",
    after: ["cluster"],
    check: checkReadConsistency,
  },
  { name: "one replica: async, leader reads, no failover", after: ["cluster"], check: checkSingleReplica },
  {
    name: "raft: its own failover and fencing, no domain workload",
    after: [],
    check: checkRaft,
  },
  { name: "faults that lose or corrupt log entries need raft", after: [], check: checkDiskFaults },
  {
    name: "latency: uniform max and lognormal p99 at least min and median",
    after: ["network", "latency"],
    check: ({ network: { latency } }, report) => checkLatency(report, ["network", "latency"], latency),
  },
  {
    name: "disk latencies: uniform max and lognormal p99 at least min and median",
    after: ["cluster", "node", "disk"],
    check({ cluster: { node } }, report) {
      checkLatency(report, ["cluster", "node", "disk", "read"], node.disk.read);
      checkLatency(report, ["cluster", "node", "disk", "write"], node.disk.write);
    },
  },
  {
    name: "a bank transfer's accounts at most the bank's",
    after: ["workload", "bank"],
    check({ workload: { bank } }, report) {
      const perTransfer = bank.accounts_per_transfer;
      if (perTransfer !== undefined && perTransfer > bank.accounts)
        report(
          ["workload", "bank", "accounts_per_transfer"],
          `must be at most workload.bank.accounts (${bank.accounts}) (got ${perTransfer})`,
        );
    },
  },
  {
    name: "scan_length max at least min",
    after: ["workload", "scan_length"],
    check({ workload: { scan_length: range } }, report) {
      if (range.max < range.min) {
        report(
          ["workload", "scan_length", "max"],
          `must be at least scan_length.min (${range.min}) (got ${range.max})`,
        );
      }
    },
  },
  { name: "changes fit the cluster and the run", after: [], check: checkChanges },
  {
    name: "replica changes: raft, a shard of the cluster, a replica it has, at most 9 hosts",
    after: [],
    check: checkReplicaChanges,
  },
  {
    name: "nodes: raft, at least replicas, ranges x nodes within the host bound, moves not add/remove",
    after: [],
    check: checkNodes,
  },
  { name: "a domain workload runs on one leader-follower shard", after: [], check: checkDomain },
  { name: "a cache serves ycsb with client-side routing", after: [], check: checkCache },
  {
    name: "topology: a place per replica, a client per region, distributions' own fields",
    after: [],
    check: checkTopology,
  },
  { name: "transactions run on leader-follower shards", after: [], check: checkTransactions },
  { name: "checks fit the workload", after: "parsed", check: checkChecksFit },
  {
    name: "liveness settings need the liveness check",
    after: "parsed",
    check({ liveness, checks }, report) {
      if (liveness !== undefined && !checks.includes("liveness")) {
        report(
          ["liveness"],
          "sets the liveness check's bound, but checks does not list liveness (add it, or remove this)",
        );
      }
    },
  },
  {
    name: "elle settings need the elle check",
    after: "parsed",
    check({ elle, checks }, report) {
      if (elle !== undefined && !checks.includes("elle")) {
        report(
          ["elle"],
          "sets the elle check's consistency model, but checks does not list elle (add it, or remove this)",
        );
      }
    },
  },
  { name: "warmup + duration at most 24h", after: "parsed", check: checkRunLength },
  { name: "an open loop offers operations before the run ends", after: [], check: checkOffersLoad },
];

/** Applies RULES to a parsed document (a refinement of the whole document that always runs). */
export function applyRules(doc: unknown, ctx: z.RefinementCtx): void {
  for (const rule of RULES) {
    if (!ready(rule.after, doc, ctx.issues)) continue;
    rule.check(doc as ScenarioDoc, (path, message) =>
      ctx.addIssue({ code: "custom", path: [...path], message }),
    );
  }
}

/**
 * As a refinement of the section at `after` with zod's `when: no issues yet` would run: the section
 * is an object and nothing under it has a problem. "parsed": as a refinement without `when` runs.
 */
function ready(after: Path | "parsed", doc: unknown, issues: readonly z.core.$ZodRawIssue[]): boolean {
  if (after === "parsed") return issues.every((issue) => issue.continue === true);
  let section = doc;
  for (const key of after) {
    if (!isObject(section)) return false;
    section = section[key];
  }
  return isObject(section) && !issues.some((issue) => after.every((key, i) => issue.path?.[i] === key));
}

function isObject(value: unknown): value is Record<string | number, unknown> {
  return typeof value === "object" && value !== null;
}

/** Reports at `section.key` when duration `key` is below duration `lowerKey`. */
function checkLatency(report: Report, path: Path, latency: LatencyDoc): void {
  if (latency.dist === "uniform") checkAtLeast(report, path, latency, "max", "min");
  if (latency.dist === "lognormal") checkAtLeast(report, path, latency, "p99", "median");
}

function checkAtLeast(
  report: Report,
  section: Path,
  form: Record<string, string | number>,
  key: string,
  lowerKey: string,
): void {
  const value = form[key] as string | number;
  const lower = form[lowerKey] as string | number;
  const value_us = durationValueUs(value);
  const lower_us = durationValueUs(lower);
  if (value_us !== null && lower_us !== null && value_us < lower_us) {
    report([...section, key], `must be at least ${lowerKey} (${lower}) (got ${JSON.stringify(value)})`);
  }
}

function checkSharding({ cluster }: ScenarioDoc, report: Report): void {
  const { sharding } = cluster;
  const issue = (path: (string | number)[], message: string) =>
    report(["cluster", "sharding", ...path], message);
  if (sharding.strategy !== "range" && sharding.boundaries !== null) {
    issue(["boundaries"], `only for strategy range (got strategy ${sharding.strategy})`);
  }
  if (sharding.strategy !== "range" && sharding.split_at !== null) {
    issue(["split_at"], `only for strategy range (got strategy ${sharding.strategy})`);
  }
  if (sharding.strategy !== "range" && sharding.split_load !== null) {
    issue(["split_load"], `only for strategy range (got strategy ${sharding.strategy})`);
  }
  if (sharding.boundaries !== null) {
    const boundaries = sharding.boundaries;
    if (cluster.shards === 1 && boundaries.length > 0) {
      issue(["boundaries"], `one shard takes no boundaries (got ${boundaries.length}); set cluster.shards`);
    } else if (boundaries.length !== cluster.shards - 1) {
      issue(
        ["boundaries"],
        `needs shards - 1 = ${cluster.shards - 1} keys, where shards 1 .. ${cluster.shards - 1} begin (got ${boundaries.length})`,
      );
    }
    boundaries.forEach((boundary, i) => {
      const previous = boundaries[i - 1];
      if (previous !== undefined && !(previous < boundary)) {
        issue(
          ["boundaries", i],
          `boundaries must be in ascending order: ${JSON.stringify(boundary)} is not after ${JSON.stringify(previous)}`,
        );
      }
    });
  }
  if (sharding.max_shards !== null && sharding.max_shards < cluster.shards) {
    issue(["max_shards"], `must be at least shards (${cluster.shards}) (got ${sharding.max_shards})`);
  }
  if (sharding.routing === "proxy" && cluster.replication.read_your_writes) {
    report(
      ["cluster", "replication", "read_your_writes"],
      "needs sharding.routing: client (the router host does not track each client's writes)",
    );
  }
}

/** read_index and lease confirm a single leader's term: they need terms, and reads at the leader. */
function checkReadConsistency({ cluster: { replication } }: ScenarioDoc, report: Report): void {
  const reads = replication.read_consistency;
  if (reads === "local") return;
  const issue = (message: string) => report(["cluster", "replication", "read_consistency"], message);
  if (replication.mode === "multi-leader") {
    issue(`${reads} needs a leader-follower mode (got mode: multi-leader, which has no single leader)`);
  } else if (!replication.failover.fencing) {
    issue(`${reads} needs failover.fencing: true (without terms a leader cannot learn it was replaced)`);
  } else if (replication.read_from !== "leader") {
    issue(
      `${reads} needs read_from: leader (got ${replication.read_from}: reads a follower serves are not confirmed with the leader)`,
    );
  }
  const error_us = durationValueUs(replication.max_clock_error);
  const detect_us = durationValueUs(replication.failover.detect_after);
  if (reads === "lease" && error_us !== null && detect_us !== null && 2 * error_us >= detect_us) {
    report(
      ["cluster", "replication", "max_clock_error"],
      `must be under half of failover.detect_after (${replication.failover.detect_after}) for a lease, which lasts detect_after - 2 x max_clock_error (got ${replication.max_clock_error})`,
    );
  }
}

function checkSingleReplica({ cluster }: ScenarioDoc, report: Report): void {
  if (cluster.replicas >= 2) return;
  const single = `needs replicas >= 2 (got replicas: ${cluster.replicas})`;
  const { replication } = cluster;
  if (replication.mode !== "async") {
    report(["cluster", "replication", "mode"], `${replication.mode} ${single}`);
  }
  if (replication.read_from === "follower") {
    report(["cluster", "replication", "read_from"], `follower reads ${single}`);
  }
  if (replication.failover.enabled === true) {
    report(["cluster", "replication", "failover", "enabled"], `failover ${single}`);
  }
}

/**
 * Raft elects and fences by itself: failover cannot be off nor unfenced. Its leader executes a write
 * on its committed state, so only blind writes (YCSB's) are safe: a transfer or a query computed from
 * state a pending write is about to change would overwrite it. (The shard mover reads positions of
 * the applied data and waits for what the freeze left uncommitted: resharding runs.)
 */
function checkRaft({ cluster: { replication }, workload }: ScenarioDoc, report: Report): void {
  if (replication.mode !== "raft") {
    if (replication.append_window !== undefined)
      report(
        ["cluster", "replication", "append_window"],
        `append_window needs cluster.replication.mode raft (got ${replication.mode})`,
      );
    return;
  }
  const failover = ["cluster", "replication", "failover"];
  if (replication.failover.enabled === false)
    report(
      [...failover, "enabled"],
      "mode raft elects its leaders itself: failover cannot be off (got false)",
    );
  if (!replication.failover.fencing)
    report([...failover, "fencing"], "mode raft always fences with terms (got false)");
  // A transaction validates against the commits its leader logged, applied or not (transactions.ts).
  if (isDomainType(workload.type))
    report(
      ["cluster", "replication", "mode"],
      `raft needs workload.type ycsb, bank, list-append, rw-register or smallbank (got ${workload.type}): its leader computes a write from committed data, which only blind writes and transactions allow`,
    );
}

/**
 * Only Raft takes corrupt entries out of its log and gets them back from its peers (engine/node/log.ts,
 * replication/acknowledged-log.ts); the other protocols assume a disk that keeps what it acknowledged.
 * A slow disk loses nothing: any mode.
 */
function checkDiskFaults({ cluster: { replication }, faults }: ScenarioDoc, report: Report): void {
  if (replication.mode === "raft") return;
  const needs = `needs cluster.replication.mode raft (got ${replication.mode}): only Raft repairs its log from its peers`;
  faults.schedule.forEach((fault, i) => {
    if ((DISK_INTEGRITY_FAULTS as readonly string[]).includes(fault.kind))
      report(["faults", "schedule", i, "kind"], `${fault.kind} ${needs}`);
  });
  const kinds = faults.random?.kinds ?? [];
  if (kinds.includes("disk")) report(["faults", "random", "kinds", kinds.indexOf("disk")], `disk ${needs}`);
}

/** The changes fit the cluster: in order, within the run, of a kind the strategy supports. */
function checkChanges(doc: ScenarioDoc, report: Report): void {
  const { cluster, changes } = doc;
  const strategy = cluster.sharding.strategy;
  const end_us = (durationValueUs(doc.warmup) ?? 0) + (durationValueUs(doc.duration) ?? 0);
  const provisioned = provisionedShards(cluster, changes);
  if (cluster.shards > 1 || changes.length > 0) {
    if (doc.workload.type === "bank") {
      report(
        ["workload", "type"],
        "bank needs cluster.shards: 1 and no changes (a transfer between shards would not be atomic)",
      );
    }
    if (changes.some(isShardingChange) && cluster.replication.mode === "multi-leader") {
      report(["changes"], "resharding needs a leader-follower replication mode or raft (not multi-leader)");
    }
  }
  let shards = cluster.shards;
  let previous_us = 0;
  changes.forEach((change, i) => {
    const at_us = durationValueUs(change.at) ?? 0;
    if (at_us < previous_us)
      report(["changes", i, "at"], `changes must be in time order (${change.at} is before the previous one)`);
    if (at_us >= end_us)
      report(
        ["changes", i, "at"],
        `must be before the end of the run (warmup + duration = ${end_us / 1e6}s; got ${change.at})`,
      );
    previous_us = at_us;
    switch (change.kind) {
      case "reshard":
        if (change.shards === shards)
          report(
            ["changes", i, "shards"],
            `the cluster has ${shards} shard${shards === 1 ? "" : "s"} then already`,
          );
        else if (strategy === "range" && change.shards < shards) {
          report(
            ["changes", i, "shards"],
            `range grows by splitting: it can only add shards (${shards} then, got ${change.shards})`,
          );
        } else if (change.shards > provisioned) {
          report(["changes", i, "shards"], `more than cluster.sharding.max_shards (${provisioned})`);
        }
        shards = change.shards;
        break;
      case "split":
        if (strategy !== "range")
          report(["changes", i, "kind"], `split needs strategy range (got ${strategy}); use reshard`);
        else if (change.shard >= shards)
          report(["changes", i, "shard"], `no shard${change.shard}: the cluster has ${shards} shards then`);
        shards++;
        if (shards > provisioned)
          report(
            ["changes", i],
            `needs a spare shard: more than cluster.sharding.max_shards (${provisioned})`,
          );
        break;
      case "move":
        if (strategy !== "directory")
          report(["changes", i, "kind"], `move needs strategy directory (got ${strategy})`);
        else if (change.to >= provisioned) {
          report(
            ["changes", i, "to"],
            `no shard${change.to}: shards 0 .. ${provisioned - 1} are provisioned (see cluster.sharding.max_shards)`,
          );
        }
        break;
    }
  });
}

/**
 * Membership changes and leadership transfers run under raft only, on a shard of the cluster (not a
 * spare group), one host per add (a shard has at most MAX_REPLICAS hosts), removing a replica the
 * shard has then and never its last one, transferring to a replica the shard has then.
 */
function checkReplicaChanges({ cluster, changes }: ScenarioDoc, report: Report): void {
  const members = new Map<number, { replicas: number[]; hosts: number }>();
  changes.forEach((change, i) => {
    if (
      change.kind !== "add_replica" &&
      change.kind !== "remove_replica" &&
      change.kind !== "transfer_leader"
    )
      return;
    const mode = cluster.replication.mode;
    if (mode !== "raft") {
      report(["changes", i, "kind"], `${change.kind} needs cluster.replication.mode raft (got ${mode})`);
      return;
    }
    if (change.shard >= cluster.shards) {
      report(["changes", i, "shard"], `no shard${change.shard}: the cluster has ${cluster.shards} shards`);
      return;
    }
    let shard = members.get(change.shard);
    if (shard === undefined) {
      shard = { replicas: Array.from({ length: cluster.replicas }, (_, j) => j), hosts: cluster.replicas };
      members.set(change.shard, shard);
    }
    const replicasThen = () => shard.replicas.map((j) => `n${j}`).join(", ");
    if (change.kind === "transfer_leader") {
      if (!shard.replicas.includes(change.to))
        report(
          ["changes", i, "to"],
          `shard${change.shard}/n${change.to} is not a replica of shard${change.shard} then (replicas: ${replicasThen()})`,
        );
      return;
    }
    if (change.kind === "add_replica") {
      if (shard.hosts >= MAX_REPLICAS)
        report(
          ["changes", i],
          `shard${change.shard} would need more than ${MAX_REPLICAS} hosts (cluster.replicas plus its add_replica changes)`,
        );
      shard.replicas.push(shard.hosts++);
      return;
    }
    if (shard.replicas.length <= 1)
      report(["changes", i], `cannot remove the last replica of shard${change.shard}`);
    const { replica } = change;
    if (replica === "leader")
      shard.replicas.pop(); // which one is only known then
    else if (!shard.replicas.includes(replica))
      report(
        ["changes", i, "replica"],
        `shard${change.shard}/n${replica} is not a replica of shard${change.shard} then (replicas: ${replicasThen()})`,
      );
    else shard.replicas.splice(shard.replicas.indexOf(replica), 1);
  });
}

/**
 * Physical nodes (`cluster.nodes`, multi-raft) need raft and at least `replicas` nodes; every
 * provisioned range has a host on each node, within RANGE_HOSTS_MAX. A range's replicas change by
 * `move_replica` there (add_replica and remove_replica name a shard's own hosts).
 */
function checkNodes({ cluster, changes, topology }: ScenarioDoc, report: Report): void {
  const { nodes } = cluster;
  if (nodes === undefined) {
    if (cluster.range_placement !== undefined)
      report(["cluster", "range_placement"], "needs cluster.nodes (physical nodes to place ranges on)");
    if (cluster.rebalance !== undefined)
      report(["cluster", "rebalance"], "needs cluster.nodes (physical nodes to rebalance ranges over)");
    changes.forEach((change, i) => {
      if (change.kind === "move_replica")
        report(["changes", i, "kind"], "move_replica needs cluster.nodes (physical nodes to move between)");
    });
    return;
  }
  const mode = cluster.replication.mode;
  if (mode !== "raft") {
    report(["cluster", "nodes"], `needs cluster.replication.mode raft (got ${mode})`);
    return;
  }
  if (nodes < cluster.replicas) {
    report(
      ["cluster", "nodes"],
      `needs at least cluster.replicas (${cluster.replicas}) nodes (got ${nodes})`,
    );
    return;
  }
  const provisioned = provisionedShards(cluster, changes);
  if (provisioned * nodes > RANGE_HOSTS_MAX) {
    report(
      ["cluster", "nodes"],
      `${provisioned} ranges provisioned x ${nodes} nodes = ${provisioned * nodes} replica hosts: at most RANGE_HOSTS_MAX (${RANGE_HOSTS_MAX}, SIM_HOSTS_MAX less ${OTHER_HOSTS_RESERVED} for the other hosts)`,
    );
  }
  checkMoves(cluster, nodes, provisioned, changes, report);
  checkRebalance(cluster, provisioned, topology, report);
}

/** The rebalancer runs on the coordinator (a sharded cluster); its lease region is one of the topology's. */
function checkRebalance(
  cluster: ScenarioDoc["cluster"],
  provisioned: number,
  topology: ScenarioDoc["topology"],
  report: Report,
): void {
  const { rebalance } = cluster;
  if (rebalance === undefined) return;
  if (provisioned < 2)
    report(["cluster", "rebalance"], "needs cluster.shards >= 2 (the coordinator host rebalances)");
  const region = rebalance.lease_region;
  if (region === null) return;
  if (topology === undefined)
    report(["cluster", "rebalance", "lease_region"], "needs a topology (regions to prefer one of)");
  else if (!topology.regions.some((r) => r.name === region))
    report(
      ["cluster", "rebalance", "lease_region"],
      `names no region of topology: ${topology.regions.map((r) => r.name).join(", ")} (got ${JSON.stringify(region)})`,
    );
}

/**
 * Each move_replica names a range the cluster starts with, a node it has a replica on then (from the initial
 * placement and the moves before it) and one it has none on; the coordinator requests it, so the
 * cluster is sharded.
 */
function checkMoves(
  cluster: ScenarioDoc["cluster"],
  nodes: number,
  provisioned: number,
  changes: ScenarioDoc["changes"],
  report: Report,
): void {
  const placed = placeRanges(provisioned, nodes, cluster.replicas, cluster.range_placement ?? "balanced");
  changes.forEach((change, i) => {
    if (change.kind === "add_replica" || change.kind === "remove_replica")
      report(["changes", i, "kind"], `${change.kind} does not run with cluster.nodes: use move_replica`);
    if (change.kind !== "move_replica") return;
    if (provisioned < 2) {
      report(["changes", i, "kind"], "move_replica needs cluster.shards >= 2 (the coordinator requests it)");
      return;
    }
    const voters = change.shard < cluster.shards ? placed[change.shard] : undefined;
    if (voters === undefined) {
      report(
        ["changes", i, "shard"],
        `moves a replica of a range the cluster starts with: shards 0 .. ${cluster.shards - 1} (got ${change.shard})`,
      );
      return;
    }
    const where = `shard${change.shard} has replicas on ${voters.map((node) => `node${node}`).join(", ")} then`;
    if (change.from >= nodes || !voters.includes(change.from))
      report(["changes", i, "from"], `node${change.from} holds no replica to move: ${where}`);
    else if (change.to >= nodes)
      report(["changes", i, "to"], `no node${change.to}: the cluster has ${nodes} nodes`);
    else if (voters.includes(change.to))
      report(["changes", i, "to"], `node${change.to} already holds a replica: ${where}`);
    else voters.splice(voters.indexOf(change.from), 1, change.to);
  });
}

/**
 * A domain workload runs on one shard of a leader-follower group, without the register and bank
 * checks; its knobs resolve (resolveKnobs) and `cluster.indexes` fit its tables. Indexes need a
 * domain workload.
 */
function checkDomain(doc: ScenarioDoc, report: Report): void {
  const type = doc.workload.type;
  const { cluster } = doc;
  if (!isDomainType(type)) {
    if (cluster.indexes.length > 0) {
      report(
        ["cluster", "indexes"],
        `indexes need a workload with tables (workload.type ecommerce, social or timeseries); workload.type ${type} has none`,
      );
    }
    return;
  }
  if (cluster.shards !== 1) {
    report(
      ["cluster", "shards"],
      `workload.type ${type} needs cluster.shards: 1 (its queries are not routed across shards) (got ${cluster.shards})`,
    );
  } else if (cluster.sharding.max_shards !== null && cluster.sharding.max_shards > 1) {
    report(["cluster", "sharding", "max_shards"], `workload.type ${type} runs on one shard: no spare shards`);
  } else if (cluster.sharding.split_at !== null || cluster.sharding.split_load !== null) {
    const key = cluster.sharding.split_at !== null ? "split_at" : "split_load";
    report(["cluster", "sharding", key], `workload.type ${type} runs on one shard: no splits`);
  }
  if (doc.changes.length > 0) {
    report(["changes"], `workload.type ${type} runs on one shard: no changes of the shard map`);
  }
  if (doc.final_reads.enabled === true) {
    report(
      ["final_reads", "enabled"],
      `final reads read registers or a bank's balances; workload.type ${type} runs queries on tables`,
    );
  }
  if (cluster.replication.mode === "multi-leader") {
    report(
      ["cluster", "replication", "mode"],
      `workload.type ${type} needs a leader-follower mode (async, semi-sync or sync): a query's writes ` +
        "replicate as row changes in log order, which last-writer-wins per key cannot merge",
    );
  }
  let tables: ReturnType<typeof validateTables>;
  try {
    tables = validateTables(createDomainWorkload(type, domainKnobs(doc.workload, type)).tables);
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    report(["workload", type, ...error.path], error.detail);
    return;
  }
  try {
    validateIndexes(cluster.indexes, tables);
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    report(["cluster", "indexes", ...error.path], error.detail);
  }
}

/**
 * Register checks for YCSB, the bank check for the bank, liveness for both, elle for list-append and
 * rw-register, none for a domain workload or smallbank.
 */
function checkChecksFit(doc: ScenarioDoc, report: Report): void {
  const bank = doc.workload.type === "bank";
  const smallbank = doc.workload.type === "smallbank";
  const domain = isDomainType(doc.workload.type);
  const transactions = isElleWorkload(doc.workload.type);
  const fitting: readonly string[] =
    domain || smallbank
      ? []
      : transactions
        ? ELLE_CHECK_NAMES
        : [...(bank ? BANK_CHECK_NAMES : REGISTER_CHECK_NAMES), ...LIVENESS_CHECK_NAMES];
  doc.checks.forEach((check, i) => {
    if (fitting.includes(check)) return;
    report(
      ["checks", i],
      transactions
        ? `${check} does not apply to workload.type ${doc.workload.type}: its history is of transactions; use elle`
        : smallbank
          ? `${check} does not apply to workload.type smallbank: no check fits it (remove checks)`
          : check === "elle"
            ? `elle checks a history of transactions; with workload.type ${doc.workload.type} use ${fitting.join(", ") || "none"}`
            : domain
              ? `${check} does not apply to workload.type ${doc.workload.type}: its clients run queries, not register or bank operations (remove checks)`
              : bank
                ? `${check} checks a history of registers; workload.type bank records transfers and reads of every balance: use ${fitting.join(", ")}`
                : `${check} checks a bank history; with workload.type ${doc.workload.type} use ${fitting.join(", ")}`,
    );
  });
}

/**
 * A transaction workload (list-append, rw-register, smallbank; the bank's `transfer: transaction`)
 * runs on built-in leader-follower groups or Raft (a transaction lives on its shard's leader), on
 * several shards through the router host (two-phase commit), without final reads (a cache needs
 * ycsb); its settings and the isolation level need it.
 */
function checkTransactions(doc: ScenarioDoc, report: Report): void {
  const { cluster, workload } = doc;
  const type = workload.type;
  const sections = [
    ["list_append", "list-append"],
    ["rw_register", "rw-register"],
    ["smallbank", "smallbank"],
  ] as const;
  for (const [section, owner] of sections)
    if (type !== owner && workload[section] !== undefined)
      report(["workload", section], `needs workload.type ${owner} (got ${type})`);
  if (!TXN_WORKLOAD_TYPES.includes(type)) {
    const bankTransactions = type === "bank" && workload.bank.transfer === "transaction";
    if (cluster.transactions !== undefined && !bankTransactions)
      report(
        ["cluster", "transactions"],
        type === "bank"
          ? "transactions need workload.bank.transfer: transaction (got read_then_write)"
          : `transactions need workload.type list-append, rw-register, smallbank or bank (got ${type})`,
      );
    if (bankTransactions && cluster.replication.protocol != null)
      report(
        ["cluster", "replication", "protocol"],
        "workload.bank.transfer: transaction needs a built-in protocol (one known to answer a commit only once it is applied)",
      );
    return;
  }
  const needs = (path: Path, what: string) => report(path, `workload.type ${type} needs ${what}`);
  if (doc.changes.some(isShardingChange) || cluster.sharding.max_shards !== null)
    needs(["changes"], "no changes of the shard map (a transaction's shards must stay put)");
  if (cluster.shards > 1) {
    // Several shards: the router host coordinates two-phase commit (transactions.md#across-shards).
    if (cluster.sharding.routing !== "proxy")
      needs(
        ["cluster", "sharding", "routing"],
        `routing: proxy on several shards (the router host coordinates two-phase commit) (got ${cluster.sharding.routing})`,
      );
    const isolation = cluster.transactions?.isolation ?? DEFAULT_ISOLATION;
    if (isolation !== "serializable")
      needs(
        ["cluster", "transactions", "isolation"],
        `isolation serializable on several shards (each shard has its own snapshots) (got ${isolation})`,
      );
  }
  if (cluster.replication.mode === "multi-leader")
    needs(
      ["cluster", "replication", "mode"],
      "a leader-follower mode (a transaction lives on its shard's leader)",
    );
  if (cluster.replication.protocol != null)
    needs(
      ["cluster", "replication", "protocol"],
      "a built-in protocol (one known to answer a commit only once it is applied)",
    );
  if (doc.final_reads.enabled === true)
    needs(["final_reads", "enabled"], "no final reads (its reads are transactions' own)");
}

/** Reads only warmup and duration, and only when both are valid. */
function checkRunLength(doc: ScenarioDoc, report: Report): void {
  const warmup_us = durationValueUs(doc.warmup);
  const duration_us = durationValueUs(doc.duration);
  if (warmup_us !== null && duration_us !== null && warmup_us + duration_us > MAX_DURATION_US) {
    report(["duration"], `warmup + duration must be at most 24h (got ${doc.warmup} + ${doc.duration})`);
  }
}

/** Stages at 0/s until the run's end would send nothing. */
function checkOffersLoad({ workload, warmup, duration }: ScenarioDoc, report: Report): void {
  const rate = resolveRate(workload.rate);
  const end_us = (durationValueUs(warmup) ?? 0) + (durationValueUs(duration) ?? 0);
  if (rate !== null && expectedArrivals(rate, 0, end_us) === 0) {
    report(
      ["workload", "rate"],
      `the stages offer no operation before the run ends (warmup ${warmup} + duration ${duration}): 0/s until then`,
    );
  }
}

/** The caching tier caches YCSB's keyed records, and the clients route to it themselves. */
function checkCache({ cluster, workload }: ScenarioDoc, report: Report): void {
  if (cluster.cache == null) return;
  if (workload.type !== "ycsb") {
    report(["cluster", "cache"], `needs workload.type ycsb (got ${workload.type}): it caches YCSB's records`);
  } else if (cluster.shards > 1 && cluster.sharding.routing === "proxy") {
    report(
      ["cluster", "cache"],
      "needs cluster.sharding.routing: client (got proxy): clients reach the cache hosts",
    );
  }
}

/**
 * An explicit placement names a place per replica; every client region gets a client; the
 * topology's delays are well formed.
 */
function checkTopology({ topology, cluster, workload }: ScenarioDoc, report: Report): void {
  if (topology === undefined) return;
  const { placement, latency, clients } = topology;
  if (Array.isArray(clients) && clients.length > workload.clients) {
    report(
      ["topology", "clients"],
      `lists ${clients.length} regions for workload.clients ${workload.clients}: at least one client per region`,
    );
  }
  if (typeof placement !== "string" && cluster.nodes !== undefined && placement.length !== cluster.nodes) {
    report(
      ["topology", "placement"],
      `lists ${placement.length} places for cluster.nodes ${cluster.nodes}: one per node`,
    );
  } else if (
    typeof placement !== "string" &&
    cluster.nodes === undefined &&
    placement.length !== cluster.replicas
  ) {
    report(
      ["topology", "placement"],
      `lists ${placement.length} places for cluster.replicas ${cluster.replicas}: one per replica`,
    );
  }
  checkLatency(report, ["topology", "latency", "zone"], latency.zone);
  for (const [i, pair] of latency.between.entries()) {
    checkLatency(report, ["topology", "latency", "between", i, "latency"], pair.latency);
  }
}

function isElleWorkload(type: string): type is ElleWorkloadType {
  return (ELLE_WORKLOAD_TYPES as readonly string[]).includes(type);
}
