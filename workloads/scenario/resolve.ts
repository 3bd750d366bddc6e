// Turns a validated scenario document into numbers: durations in µs, rates per second, the preset's
// mix and distribution applied. Only for documents the schema accepted (loadScenario does both).

import { type BuiltInMode, nodeName } from "../../engine/cluster.js";
import type { IndexDefinition } from "../../engine/query/indexes.js";
import type { ReadConsistency } from "../../engine/replication/read-confirmation.js";
import type { ShardingChange } from "../../engine/sharding/coordinator.js";
import type { StrategyName } from "../../engine/sharding/partitioners.js";
import type { LatencySpec } from "../../sim/latency.js";
import type { BankConfig } from "../generators/bank/bank-workload.js";
import type { DomainType } from "../generators/domain/domain.js";
import { type ResolvedFaults, resolveFaults } from "../nemesis/resolve.js";
import {
  OPERATION_KINDS,
  type OperationMix,
  type RequestDistribution,
  SCENARIO_PRESETS,
  type YcsbPresetName,
} from "./presets.js";
import {
  domainKnobs,
  durationValueUs,
  isDomainType,
  provisionedShards,
  type ScenarioDoc,
  type WorkloadType,
} from "./schema.js";
import { type FsyncPolicy, parseFsyncPolicy, parseRatePerS } from "./units.js";

export type { FsyncPolicy } from "./units.js";

export interface ResolvedScenario {
  name: string;
  description: string;
  duration_us: number;
  warmup_us: number;
  node: {
    service_time_us: number;
    page_time_us: number;
    row_time_us: number;
    fsync_us: number;
    fsync_policy: FsyncPolicy;
    queue_limit: number;
    btree_fanout: number;
  };
  replication: {
    replicas: number;
    mode: BuiltInMode;
    /** A protocol module's path (null: the built-in protocol of `mode`). */
    protocol: string | null;
    read_from: "leader" | "follower" | "nearest";
    read_your_writes: boolean;
    read_consistency: ReadConsistency;
    max_clock_error_us: number;
    failover: { enabled: boolean; detect_after_us: number; fencing: boolean };
  };
  network: { latency: LatencySpec; loss: number; duplicate: number };
  faults: ResolvedFaults;
  sharding: {
    /** Shards owning keys at the start. */
    shards: number;
    /** Shard groups built, spares included (>= shards). */
    provisioned: number;
    strategy: StrategyName;
    vnodes: number;
    boundaries: readonly string[] | null;
    split_at: number | null;
    split_load: number | null;
    routing: "client" | "proxy";
    batch: number;
    pause_us: number;
  };
  changes: readonly ShardingChange[];
  checks: readonly string[];
  /** Jepsen's final phase: on or off (default: on with checks), and how long the cluster settles first. */
  final_reads: { enabled: boolean; settle_us: number };
  /** Secondary indexes of a domain workload's tables (`cluster.indexes`; empty for others). */
  indexes: readonly Required<IndexDefinition>[];
  workload: {
    type: WorkloadType;
    bank: BankConfig;
    /**
     * A domain workload (ecommerce, social, timeseries): its type and knobs as createDomainWorkload
     * takes them (`mix` only when the scenario gives one); null for ycsb and bank.
     */
    domain: { type: DomainType; knobs: Readonly<Record<string, unknown>> } | null;
    preset: YcsbPresetName;
    /** Normalized to sum 1. */
    mix: { read: number; update: number; insert: number; scan: number; rmw: number };
    records: number;
    distribution: RequestDistribution;
    field_count: number;
    field_length: number;
    scan_length_min: number;
    scan_length_max: number;
    scan_length_distribution: "uniform" | "zipfian";
    insert_order: "hashed" | "ordered";
    zero_padding: number;
    hotspot_data_fraction: number;
    hotspot_ops_fraction: number;
    zipfian_constant: number;
    exponential_percentile: number;
    exponential_frac: number;
    /** null: closed loop. */
    rate_per_s: number | null;
    arrival: "poisson" | "constant";
    clients: number;
    timeout_us: number;
    max_backlog: number;
  };
}

/** A duration the schema accepted, in µs. */
function us(value: string | number): number {
  const result = durationValueUs(value);
  if (result === null)
    throw new Error(`resolveScenario: invalid duration ${JSON.stringify(value)}; validate first`);
  return result;
}

function resolveLatency(latency: ScenarioDoc["network"]["latency"]): LatencySpec {
  switch (latency.dist) {
    case "constant":
      return { dist: "constant", value_us: us(latency.value) };
    case "uniform":
      return { dist: "uniform", min_us: us(latency.min), max_us: us(latency.max) };
    case "exponential":
      return { dist: "exponential", mean_us: us(latency.mean) };
    case "normal":
      return { dist: "normal", mean_us: us(latency.mean), stddev_us: us(latency.stddev) };
    case "lognormal":
      return { dist: "lognormal", median_us: us(latency.median), p99_us: us(latency.p99) };
    case "pareto":
      return { dist: "pareto", scale_us: us(latency.scale), shape: latency.shape };
  }
}

function normalizeMix(mix: OperationMix): ResolvedScenario["workload"]["mix"] {
  const sum = OPERATION_KINDS.reduce((total, kind) => total + mix[kind], 0);
  if (!(sum > 0)) throw new Error("resolveScenario: the operation mix sums to 0; validate first");
  return {
    read: mix.read / sum,
    update: mix.update / sum,
    insert: mix.insert / sum,
    scan: mix.scan / sum,
    rmw: mix.rmw / sum,
  };
}

function resolveWorkload(workload: ScenarioDoc["workload"]): ResolvedScenario["workload"] {
  const preset = SCENARIO_PRESETS[workload.preset];
  return {
    type: workload.type,
    bank: workload.bank,
    domain: isDomainType(workload.type)
      ? { type: workload.type, knobs: domainKnobs(workload, workload.type) }
      : null,
    preset: workload.preset,
    mix: normalizeMix(workload.mix ?? preset.mix),
    records: workload.records,
    distribution: workload.distribution ?? preset.distribution,
    field_count: workload.field_count,
    field_length: workload.field_length,
    scan_length_min: workload.scan_length.min,
    scan_length_max: workload.scan_length.max,
    scan_length_distribution: workload.scan_length_distribution,
    insert_order: workload.insert_order,
    zero_padding: workload.zero_padding,
    hotspot_data_fraction: workload.hotspot.data_fraction,
    hotspot_ops_fraction: workload.hotspot.ops_fraction,
    zipfian_constant: workload.zipfian_constant,
    exponential_percentile: workload.exponential.percentile,
    exponential_frac: workload.exponential.frac,
    rate_per_s: workload.rate === null ? null : parseRatePerS(String(workload.rate)),
    arrival: workload.arrival,
    clients: workload.clients,
    timeout_us: us(workload.timeout),
    max_backlog: workload.max_backlog,
  };
}

function resolveReplication(cluster: ScenarioDoc["cluster"]): ResolvedScenario["replication"] {
  const { replication } = cluster;
  const failover = replication.failover;
  return {
    replicas: cluster.replicas,
    mode: replication.mode,
    protocol: replication.protocol ?? null,
    read_from: replication.read_from,
    read_your_writes: replication.read_your_writes,
    read_consistency: replication.read_consistency,
    max_clock_error_us: us(replication.max_clock_error),
    failover: {
      // Automatic unless said: on for a leader-follower shard, meaningless for one node or multi-leader.
      enabled: failover.enabled ?? (cluster.replicas >= 2 && replication.mode !== "multi-leader"),
      detect_after_us: us(failover.detect_after),
      fencing: failover.fencing,
    },
  };
}

function resolveChange(change: ScenarioDoc["changes"][number]): ShardingChange {
  const at_us = us(change.at);
  switch (change.kind) {
    case "reshard":
      return { at_us, kind: "reshard", shards: change.shards };
    case "split":
      return { at_us, kind: "split", shard: change.shard };
    case "move":
      return { at_us, kind: "move", keys: change.keys, to: change.to };
  }
}

/** Names of every provisioned node: shard<i>/n<j>. */
export function allNodeNames(scenario: {
  sharding: { provisioned: number };
  replication: { replicas: number };
}): string[] {
  const names: string[] = [];
  for (let shard = 0; shard < scenario.sharding.provisioned; shard++) {
    for (let replica = 0; replica < scenario.replication.replicas; replica++)
      names.push(nodeName(shard, replica));
  }
  return names;
}

/** Converts a validated document's units to numbers and applies the preset. */
export function resolveScenario(doc: ScenarioDoc): ResolvedScenario {
  const node = doc.cluster.node;
  const { sharding } = doc.cluster;
  const provisioned = provisionedShards(doc.cluster, doc.changes);
  return {
    name: doc.name,
    description: doc.description,
    duration_us: us(doc.duration),
    warmup_us: us(doc.warmup),
    node: {
      service_time_us: us(node.service_time),
      page_time_us: us(node.page_time),
      row_time_us: us(node.row_time),
      fsync_us: us(node.fsync),
      fsync_policy: parseFsyncPolicy(node.fsync_policy),
      queue_limit: node.queue_limit,
      btree_fanout: node.btree_fanout,
    },
    replication: resolveReplication(doc.cluster),
    sharding: {
      shards: doc.cluster.shards,
      provisioned,
      strategy: sharding.strategy,
      vnodes: sharding.vnodes,
      boundaries: sharding.boundaries,
      split_at: sharding.split_at,
      split_load: sharding.split_load,
      routing: sharding.routing,
      batch: sharding.migration.batch,
      pause_us: us(sharding.migration.pause),
    },
    changes: doc.changes.map(resolveChange),
    checks: doc.checks,
    final_reads: {
      enabled: doc.final_reads.enabled ?? doc.checks.length > 0,
      settle_us: us(doc.final_reads.settle),
    },
    indexes: doc.cluster.indexes.map((index) => ({
      name: index.name,
      table: index.table,
      columns: index.columns,
      kind: index.kind,
      include: index.include,
    })),
    faults: resolveFaults(doc.faults, {
      duration_us: us(doc.duration),
      warmup_us: us(doc.warmup),
      nodeNames: allNodeNames({ sharding: { provisioned }, replication: { replicas: doc.cluster.replicas } }),
    }),
    network: {
      latency: resolveLatency(doc.network.latency),
      loss: doc.network.loss,
      duplicate: doc.network.duplicate,
    },
    workload: resolveWorkload(doc.workload),
  };
}
