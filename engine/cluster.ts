// Builds a shard's replicas inside a simulation: `replicas` nodes named shard<i>/n0, shard<i>/n1,
// ..., each with its own copy of the loaded table (on a sharded cluster, the records its shard
// owns), and for a domain workload its own copy of the query database, replicating by the given
// protocol (`builtInProtocol` for the scenario's modes, or one written against
// replication/protocol.ts).

import type { HostBehaviour, HostId } from "../sim/host.js";
import type { Simulation } from "../sim/simulation.js";
import type { EngineEventSink } from "./events.js";
import { DatabaseNode, type NodeConfig } from "./node/node.js";
import { NodeStorage } from "./node/storage.js";
import type { Database } from "./query/database.js";
import {
  LeaderFollower,
  type LeaderFollowerSettings,
  type ReplicationMode,
} from "./replication/leader-follower.js";
import { MultiLeader } from "./replication/multi-leader.js";
import type { ProtocolFactory } from "./replication/protocol.js";
import { Table } from "./table.js";

export interface ShardConfig {
  replicas: number;
  /** Builds each replica's replication protocol (at every start). */
  protocol: ProtocolFactory;
  node: Omit<NodeConfig, "events" | "sharding">;
  fsync_us: number;
  btree_fanout: number;
  field_count: number;
  /** Keys loaded before the run (YCSB's load phase) into every replica, with their initial value. */
  load: { count: number; key(n: number): string; value: number };
  /**
   * A domain workload's query database, built and loaded once per replica: every call must return
   * an identical copy (same tables, indexes and rows; e.g. loaded from equal random streams).
   */
  database?: () => Database;
  events?: EngineEventSink;
  /** On a sharded cluster: the shard's number, and the config store whose map says what it owns. */
  sharding?: NodeConfig["sharding"];
}

export interface Shard {
  readonly nodes: readonly HostId[];
  readonly names: readonly string[];
  /** The node that leads at the start (every node leads in multi-leader). */
  readonly initialLeader: HostId;
}

/** Most log entries in one replication message. */
const BATCH_MAX = 256;

/**
 * The protocol of a scenario's replication mode: leader-follower (async, semi-sync, sync: its
 * failover and how its leader answers reads) or multi-leader (which resends every detect_after / 5).
 */
export function builtInProtocol(
  mode: ReplicationMode | "multi-leader",
  options: Pick<LeaderFollowerSettings, "failover" | "reads">,
): ProtocolFactory {
  if (mode === "multi-leader") {
    const resend_us = Math.max(1000, Math.round(options.failover.detect_after_us / 5));
    return (shard) => new MultiLeader({ ...shard, resend_us, batch_max: BATCH_MAX });
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
  if (!(Number.isInteger(config.replicas) && config.replicas >= 1))
    throw new RangeError("replicas must be >= 1");
  const first = sim.hostCount;
  const peers = Array.from({ length: config.replicas }, (_, i) => first + i);
  const initialLeader = first;
  const replicas = { peers, initial_leader: initialLeader };
  const nodeConfig: NodeConfig = {
    ...config.node,
    ...(config.events ? { events: config.events } : {}),
    ...(config.sharding ? { sharding: config.sharding } : {}),
  };
  const names: string[] = [];
  const shard = config.sharding?.shard ?? 0;
  for (let i = 0; i < config.replicas; i++) {
    const name = nodeName(shard, i);
    const behaviour = (): HostBehaviour => new DatabaseNode(nodeConfig, config.protocol(replicas));
    const id = sim.addHost(name, behaviour, { fsync_us: config.fsync_us });
    if (id !== peers[i])
      throw new Error(`addShard: host ids must be consecutive (got ${id}, expected ${peers[i]})`);
    sim.disk(id).data = new NodeStorage(loadTable(config), config.database?.() ?? null);
    names.push(name);
  }
  return { nodes: peers, names, initialLeader };
}

function loadTable(config: ShardConfig): Table {
  const sharding = config.sharding;
  const map = sharding?.store.map;
  const table = new Table({
    fieldCount: config.field_count,
    fanout: config.btree_fanout,
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
