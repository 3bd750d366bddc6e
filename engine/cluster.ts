// Builds a shard's replicas inside a simulation: `replicas` nodes named shard<i>/n0, shard<i>/n1,
// ..., each with its own copy of the loaded table (on a sharded cluster, the records its shard
// owns), and for a domain workload its own copy of the query database, replicating by the given
// protocol (`builtInProtocol` for the scenario's modes, or one written against
// replication/protocol.ts).

import type { HostFactory, HostId } from "../sim/host.js";
import type { Simulation } from "../sim/simulation.js";
import type { EngineEventSink } from "./events.js";
import { DatabaseNode, type NodeConfig } from "./node/node.js";
import { NODE_DEFAULTS, type NodeSettings } from "./node/settings.js";
import { NodeStorage } from "./node/storage.js";
import type { Database } from "./query/database.js";
import { LeaderFollower } from "./replication/leader-follower.js";
import type { MembershipChange } from "./replication/membership.js";
import { MultiLeader } from "./replication/multi-leader.js";
import type { ProtocolFactory, ScheduledTransfer, ShardReplicas } from "./replication/protocol.js";
import { Raft } from "./replication/raft.js";
import {
  type BuiltInMode,
  REPLICATION_DEFAULTS,
  type ReplicaChange,
  type ReplicationSettings,
} from "./replication/settings.js";
import { Table } from "./table.js";

/** A shard group; what is left out takes its default (one replica, async, NODE_DEFAULTS, 10 fields). */
export interface ShardConfig {
  replicas?: number;
  /** Hosts provisioned beyond `replicas`, idle until a membership change adds them (raft). */
  spares?: number;
  /**
   * Multi-raft (docs/ranges.md): which of the shard's hosts are its initial voters, by index, the
   * leader first (absent: the first `replicas`, the first leading). The others are spares that start
   * empty: a snapshot brings them up when a change adds them.
   */
  voters?: readonly number[];
  /** Multi-raft: the CPU a host's server uses (shared by the replicas of one node); absent: its own. */
  cpu?: NodeConfig["cpu"];
  /**
   * Raft: the membership changes and leadership transfers of the run, every shard's (each takes
   * its own); a
   * `move_replica` is the coordinator's to request (sharding/coordinator.ts), not scheduled here.
   */
  membership?: readonly ReplicaChange[];
  /** Builds each replica's replication protocol (at every start). */
  protocol?: ProtocolFactory;
  /** `cluster.node` as resolved (node/settings.ts); fields left out take NODE_DEFAULTS'. */
  node?: Partial<NodeSettings>;
  /** Fields per record of the loaded table. */
  field_count?: number;
  /**
   * Keys loaded before the run (YCSB's load phase) into every replica, with their initial value: as
   * records of the table, or (`into: "transactions"`, the bank's accounts) as the transactions' keys.
   */
  load: { count: number; key(n: number): string; value: number; into?: "table" | "transactions" };
  /**
   * A domain workload's query database, built and loaded once per replica: every call must return
   * an identical copy (same tables, indexes and rows; e.g. loaded from equal random streams).
   */
  database?: () => Database;
  events?: EngineEventSink;
  /** On a sharded cluster: the shard's number, and the config store whose map says what it owns. */
  sharding?: NodeConfig["sharding"];
  /** How its nodes run transactions (`cluster.transactions`). */
  transactions?: NodeConfig["transactions"];
}

export interface Shard {
  /** Its hosts, spares included. */
  readonly nodes: readonly HostId[];
  /** The replicas at the start (the others are spares). */
  readonly members: readonly HostId[];
  readonly names: readonly string[];
  /** The node that leads at the start (every node leads in multi-leader). */
  readonly initialLeader: HostId;
}

/** Fields per record when a shard's config does not say (YCSB's field_count default). */
const DEFAULT_FIELD_COUNT = 10;

/** Most log entries in one replication message. */
const BATCH_MAX = 256;

/**
 * The protocol of a scenario's replication mode: leader-follower (async, semi-sync, sync: its
 * failover and how its leader answers reads), multi-leader (which resends every detect_after / 5)
 * or raft (whose election timeout is detect_after).
 * `settings` is `cluster.replication` as resolved (replication/settings.ts); what it leaves out
 * takes REPLICATION_DEFAULTS'.
 */
export function builtInProtocol(
  mode: BuiltInMode,
  settings: Partial<Pick<ReplicationSettings, "failover" | "reads" | "append_window">> = {},
): ProtocolFactory {
  const options = {
    failover: settings.failover ?? REPLICATION_DEFAULTS.failover,
    reads: settings.reads ?? REPLICATION_DEFAULTS.reads,
  };
  if (mode === "multi-leader") {
    const resend_us = Math.max(1000, Math.round(options.failover.detect_after_us / 5));
    return (shard) => new MultiLeader({ ...shard, resend_us, batch_max: BATCH_MAX });
  }
  if (mode === "raft") {
    const { detect_after_us } = options.failover;
    const append_window = settings.append_window ?? REPLICATION_DEFAULTS.append_window;
    return (shard) =>
      new Raft({ ...shard, detect_after_us, reads: options.reads, batch_max: BATCH_MAX, append_window });
  }
  return (shard) => new LeaderFollower({ ...shard, ...options, mode, batch_max: BATCH_MAX });
}

export function nodeName(shard: number, replica: number): string {
  return `shard${shard}/n${replica}`;
}

/** The shard a node's name (as nodeName makes it) names; -1 for any other name. */
export function shardOfNodeName(name: string): number {
  const match = /^shard(\d+)\/n\d+$/.exec(name);
  return match === null ? -1 : Number(match[1]);
}

/** Adds the shard's replicas to the simulation; the load phase takes no virtual time. */
export function addShard(sim: Simulation, config: ShardConfig): Shard {
  const shard = config.sharding?.shard ?? 0;
  let behaviour: HostFactory | null = null;
  const names = shardNodeNames(shard, (config.replicas ?? 1) + (config.spares ?? 0));
  const { fsync_us } = nodeSettings(config);
  const nodes = names.map((name) => sim.addHost(name, () => (behaviour as HostFactory)(), { fsync_us }));
  behaviour = installShard(sim, nodes, config);
  return { nodes, members: nodes.slice(0, config.replicas ?? 1), names, initialLeader: nodes[0] as HostId };
}

/** The names of a shard's replicas, in the order of its nodes. */
export function shardNodeNames(shard: number, replicas: number): string[] {
  if (!(Number.isInteger(replicas) && replicas >= 1)) throw new RangeError("replicas must be >= 1");
  return Array.from({ length: replicas }, (_, i) => nodeName(shard, i));
}

/**
 * Loads each replica's storage on hosts already added for the shard, spares included (the first
 * leads at the start) and returns the behaviour each of them runs (a new node at every start).
 */
export function installShard(sim: Simulation, nodes: readonly HostId[], config: ShardConfig): HostFactory {
  const replicas = shardReplicas(nodes, config);
  const node = nodeSettings(config);
  const nodeConfig: NodeConfig = {
    ...node,
    ...(config.events ? { events: config.events } : {}),
    ...(config.sharding ? { sharding: config.sharding } : {}),
    ...(config.transactions ? { transactions: config.transactions } : {}),
    ...(config.cpu ? { cpu: config.cpu } : {}),
  };
  const protocol = config.protocol ?? builtInProtocol("async");
  const intoTable = config.load.into !== "transactions";
  // Multi-raft spares start empty (memory stays one copy per replica): a snapshot fills them.
  const loaded = config.voters === undefined ? null : new Set(initialVoters(nodes, config));
  for (const id of nodes) {
    if (loaded !== null && !loaded.has(id)) {
      const storage = new NodeStorage(emptyTable(config, node.btree_fanout));
      storage.awaits_snapshot = true;
      sim.disk(id).data = storage;
      continue;
    }
    const table = intoTable ? loadTable(config, node.btree_fanout) : emptyTable(config, node.btree_fanout);
    const storage = new NodeStorage(table, config.database?.() ?? null);
    if (!intoTable)
      for (let n = 0; n < config.load.count; n++) storage.txn.load(config.load.key(n), config.load.value);
    sim.disk(id).data = storage;
  }
  return () => new DatabaseNode(nodeConfig, protocol(replicas));
}

/** What each replica's protocol is told of its shard: its hosts, first leader, voters and changes. */
function shardReplicas(nodes: readonly HostId[], config: ShardConfig): ShardReplicas {
  const voters = initialVoters(nodes, config);
  const replicas = { peers: nodes, initial_leader: voters[0] as HostId };
  if (config.spares === undefined && config.membership === undefined && config.voters === undefined)
    return replicas;
  const shard = config.sharding?.shard ?? 0;
  let spare = voters.length; // each add takes the next spare
  const membership: MembershipChange[] = [];
  const transfers: ScheduledTransfer[] = [];
  for (const change of config.membership ?? []) {
    if (change.shard !== shard) continue;
    const { at_us } = change;
    if (change.kind === "add_replica") membership.push({ at_us, add: nodes[spare++] as HostId });
    else if (change.kind === "transfer_leader") transfers.push({ at_us, to: nodes[change.to] as HostId });
    else if (change.kind === "remove_replica") {
      const { replica } = change;
      membership.push({ at_us, remove: replica === "leader" ? replica : (nodes[replica] as HostId) });
    }
  }
  return { ...replicas, voters, membership, ...(transfers.length === 0 ? {} : { transfers }) };
}

/** The shard's voters at the start, the leader first. */
export function initialVoters(
  nodes: readonly HostId[],
  config: Pick<ShardConfig, "voters" | "replicas">,
): HostId[] {
  if (config.voters !== undefined) return config.voters.map((i) => nodes[i] as HostId);
  return nodes.slice(0, config.replicas ?? 1);
}

/** The shard's node settings, NODE_DEFAULTS' where it leaves a field out. */
export function nodeSettings(config: Pick<ShardConfig, "node">): NodeSettings {
  return { ...NODE_DEFAULTS, ...config.node };
}

function emptyTable(config: ShardConfig, fanout: number): Table {
  return new Table({ fieldCount: config.field_count ?? DEFAULT_FIELD_COUNT, fanout });
}

function loadTable(config: ShardConfig, fanout: number): Table {
  const sharding = config.sharding;
  const map = sharding?.store.map;
  const table = new Table({
    fieldCount: config.field_count ?? DEFAULT_FIELD_COUNT,
    fanout,
    initialRows: map === undefined ? config.load.count : Math.ceil(config.load.count / map.shardIds.length),
  });
  for (let n = 0; n < config.load.count; n++) {
    const key = config.load.key(n);
    if (map !== undefined && map.ownerOf(key) !== sharding?.shard) continue;
    if (table.insert(key, config.load.value) < 0) {
      throw new Error(`load phase: duplicate key ${key} (record ${n})`);
    }
  }
  return table;
}
