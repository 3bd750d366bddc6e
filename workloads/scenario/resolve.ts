// Turns a validated scenario document into numbers, section by section, each by the resolve
// function of the subsystem that owns it; the result keeps the document's nesting
// (`cluster.replication`, `cluster.node`, ...). Only for documents the schema accepted
// (loadScenario does both).

import { type CacheSettings, cacheNodeNames, resolveCache } from "../../engine/cache/settings.js";
import { nodeName } from "../../engine/cluster.js";
import { type NodeSettings, resolveNode } from "../../engine/node/settings.js";
import type { IndexDefinition } from "../../engine/query/indexes.js";
import { physicalNodeName } from "../../engine/ranges/placement.js";
import { type RangeSettings, resolveRanges } from "../../engine/ranges/settings.js";
import type { Place } from "../../engine/regions/placement.js";
import { type RegionSettings, resolveTopology } from "../../engine/regions/settings.js";
import {
  type ReplicaChange,
  type ReplicationSettings,
  resolveReplicaChange,
  resolveReplication,
  spareReplicas,
} from "../../engine/replication/settings.js";
import { us } from "../../engine/settings/fields.js";
import type { ShardingChange } from "../../engine/sharding/coordinator.js";
import {
  isShardingChange,
  provisionedShards,
  resolveChange,
  resolveSharding,
  type ShardingSettings,
} from "../../engine/sharding/settings.js";
import { resolveTransactions, type TransactionSettings } from "../../engine/txn/settings.js";
import type { ConsistencyModel } from "../checkers/transactions/consistency.js";
import { type DriverSettings, resolveDriver } from "../client/settings.js";
import type { BankConfig } from "../generators/bank/settings.js";
import { type DomainSettings, resolveDomain } from "../generators/domain/settings.js";
import {
  type ElleWorkloadConfig,
  listAppendSchema,
  rwRegisterSchema,
} from "../generators/list-append/settings.js";
import { type SmallbankConfig, smallbankSchema } from "../generators/smallbank/settings.js";
import { resolveYcsb, type YcsbSettings } from "../generators/ycsb/settings.js";
import { type ResolvedFaults, resolveFaults } from "../nemesis/resolve.js";
import { type NetworkSettings, resolveNetwork } from "./network.js";
import {
  ELLE_CONSISTENCY_DEFAULT,
  LIVENESS_WITHIN_DEFAULT,
  type ScenarioDoc,
  type WorkloadType,
} from "./schema.js";

export interface ResolvedScenario {
  readonly name: string;
  readonly description: string;
  readonly duration_us: number;
  readonly warmup_us: number;
  readonly cluster: ResolvedCluster;
  readonly network: NetworkSettings;
  /** Regions and zones (null: one flat network). */
  readonly topology: RegionSettings | null;
  readonly workload: ResolvedWorkload;
  readonly faults: ResolvedFaults;
  /** The shard map's changes (the coordinator's). */
  readonly changes: readonly ShardingChange[];
  /** A raft shard's membership changes. */
  readonly replica_changes: readonly ReplicaChange[];
  readonly checks: readonly string[];
  /** The liveness check's bound. */
  readonly liveness: { readonly within_us: number };
  /** The elle check's consistency model. */
  readonly elle: { readonly consistency: ConsistencyModel };
  /** Jepsen's final phase: on or off (default: on with checks), and how long the cluster settles first. */
  readonly final_reads: { readonly enabled: boolean; readonly settle_us: number };
}

export interface ResolvedCluster {
  /** Shards owning keys at the start. */
  readonly shards: number;
  /** Shard groups built, spares included (>= shards). */
  readonly provisioned: number;
  readonly replicas: number;
  /** Spare hosts of each shard group, idle until a membership change adds them (0: none). */
  readonly spares: number;
  /** Physical nodes, each with a replica host of every range (null: each shard owns its hosts). */
  readonly ranges: RangeSettings | null;
  readonly sharding: ShardingSettings;
  readonly replication: ReplicationSettings;
  readonly node: NodeSettings;
  /** Secondary indexes of a domain workload's tables (empty for others). */
  readonly indexes: readonly Required<IndexDefinition>[];
  /** The caching tier (null: none). */
  readonly cache: CacheSettings | null;
  /** How the nodes isolate transactions. */
  readonly transactions: TransactionSettings;
}

/** `workload`: its type, YCSB's fields and the driver's (beside `type`, as in the file), the bank's and a domain workload's. */
export type ResolvedWorkload = { readonly type: WorkloadType } & YcsbSettings &
  DriverSettings & {
    readonly bank: BankConfig;
    /** list-append's and rw-register's knobs (their defaults for other workloads). */
    readonly list_append: ElleWorkloadConfig;
    readonly rw_register: ElleWorkloadConfig;
    /** SmallBank's knobs (its defaults for other workloads). */
    readonly smallbank: SmallbankConfig;
    /** A domain workload (ecommerce, social, timeseries): its type and knobs; null for ycsb and bank. */
    readonly domain: DomainSettings | null;
  };

/**
 * Names of every provisioned node, spares included: shard<i>/n<j> (with physical nodes, j is the
 * node, and the nodes' own names `node<j>` follow).
 */
export function allNodeNames(cluster: {
  provisioned: number;
  replicas: number;
  spares: number;
  ranges: RangeSettings | null;
}): string[] {
  const names: string[] = [];
  for (let shard = 0; shard < cluster.provisioned; shard++) {
    for (let replica = 0; replica < cluster.replicas + cluster.spares; replica++)
      names.push(nodeName(shard, replica));
  }
  for (let node = 0; node < (cluster.ranges?.nodes ?? 0); node++) names.push(physicalNodeName(node));
  return names;
}

function resolveCluster(doc: ScenarioDoc): ResolvedCluster {
  const { cluster } = doc;
  return {
    shards: cluster.shards,
    provisioned: provisionedShards(cluster, doc.changes),
    replicas: cluster.replicas,
    // With physical nodes every range has a host on each: those beyond its voters are its spares.
    spares: cluster.nodes === undefined ? spareReplicas(doc.changes) : cluster.nodes - cluster.replicas,
    ranges: resolveRanges(cluster),
    sharding: resolveSharding(cluster.sharding),
    replication: resolveReplication(cluster.replication, cluster.replicas),
    node: resolveNode(cluster.node),
    indexes: cluster.indexes.map((index) => ({
      name: index.name,
      table: index.table,
      columns: index.columns,
      kind: index.kind,
      include: index.include,
    })),
    cache: resolveCache(cluster.cache),
    transactions: resolveTransactions(cluster.transactions),
  };
}

function resolveWorkload(workload: ScenarioDoc["workload"]): ResolvedWorkload {
  return {
    type: workload.type,
    ...resolveYcsb(workload),
    ...resolveDriver(workload),
    bank: workload.bank,
    list_append: workload.list_append ?? listAppendSchema.parse({}),
    smallbank: workload.smallbank ?? smallbankSchema.parse({}),
    rw_register: workload.rw_register ?? rwRegisterSchema.parse({}),
    domain: resolveDomain(workload.type, workload),
  };
}

/** Each node's place by name (replica j of every shard at the topology's place j). */
function nodePlaces(cluster: ResolvedCluster, topology: RegionSettings): Map<string, Place> {
  const places = new Map<string, Place>();
  for (let shard = 0; shard < cluster.provisioned; shard++) {
    for (const [j, place] of topology.replicas.entries()) places.set(nodeName(shard, j), place);
  }
  return places;
}

/** Converts a validated document's units to numbers and applies the preset. */
export function resolveScenario(doc: ScenarioDoc): ResolvedScenario {
  const cluster = resolveCluster(doc);
  // With physical nodes a topology places each node (a range's replica j sits on node j).
  const topology = resolveTopology(doc.topology, cluster.ranges?.nodes ?? cluster.replicas);
  return {
    name: doc.name,
    description: doc.description,
    duration_us: us(doc.duration),
    warmup_us: us(doc.warmup),
    cluster,
    network: resolveNetwork(doc.network),
    topology,
    workload: resolveWorkload(doc.workload),
    faults: resolveFaults(doc.faults, {
      duration_us: us(doc.duration),
      warmup_us: us(doc.warmup),
      nodeNames: [
        ...allNodeNames(cluster),
        ...cacheNodeNames(cluster.cache),
        ...(cluster.provisioned > 1 && cluster.sharding.routing === "proxy" ? ["router"] : []),
      ],
      ...(topology === null ? {} : { topology: { nodes: nodePlaces(cluster, topology) } }),
    }),
    changes: doc.changes.filter(isShardingChange).map(resolveChange),
    replica_changes: doc.changes.flatMap((change) =>
      isShardingChange(change) ? [] : [resolveReplicaChange(change)],
    ),
    checks: doc.checks,
    liveness: { within_us: us(doc.liveness?.within ?? LIVENESS_WITHIN_DEFAULT) },
    elle: { consistency: doc.elle?.consistency ?? ELLE_CONSISTENCY_DEFAULT },
    final_reads: {
      enabled: doc.final_reads.enabled ?? doc.checks.length > 0,
      settle_us: us(doc.final_reads.settle),
    },
  };
}
