// Builds a cluster inside a simulation from its spec and names every host: the shard groups' nodes
// (`shard<i>/n<j>`, spare groups included), the `client`, and on a sharded cluster the
// `coordinator` and (routing: proxy) the `router` host, then the cache hosts (`cache<i>`), then
// the client hosts of further client regions, in that order. Every host is added first,
// so the simulator hands out its id, and the behaviours are built once every id is known: nobody
// computes a host id. `ClusterInspector` is how anyone reads the engine's truth after a run (who
// leads, what a replica holds, which writes its log stands by) without knowing what a node keeps
// on its disk.

import type { HostBehaviour, HostFactory, HostId } from "../sim/host.js";
import type { Simulation } from "../sim/simulation.js";
import {
  initialVoters,
  installShard,
  nodeSettings,
  type Shard,
  type ShardConfig,
  shardNodeNames,
} from "./cluster.js";
import type { EngineEvent, EngineEventSink, Role } from "./events.js";
import type { ConnectionStats } from "./node/connections.js";
import { Cpu } from "./node/cpu.js";
import type { IoStats } from "./node/io-stats.js";
import { logWrites } from "./node/log.js";
import { storageOf } from "./node/storage.js";
import type { Database } from "./query/database.js";
import type { ConfigStore } from "./sharding/shard-map.js";
import type { TxnValue } from "./txn/mvcc-store.js";
import { WriteSet } from "./write-set.js";

export interface TopologySpec {
  /** Shard groups to build, spares included (1: an unsharded cluster). */
  readonly shards: number;
  /** What each shard group is (every group alike). */
  readonly shard: Omit<ShardConfig, "sharding" | "events" | "voters" | "cpu">;
  /**
   * Multi-raft (docs/ranges.md): physical nodes, and each shard's initial voters by node number,
   * the leader first (ranges/placement.ts). Every shard then has a host on each node; absent: each
   * shard owns `replicas` + `spares` hosts.
   */
  readonly ranges?: {
    readonly nodes: number;
    readonly voters: readonly (readonly number[])[];
    /** A rebalancer runs: leaders report their range's status, range 0's hosts their node's liveness. */
    readonly rebalance?: boolean;
  };
  /** Every node accepts writes (multi-leader): no shard has a single leader to inspect. */
  readonly every_node_leads: boolean;
  readonly events?: EngineEventSink;
  /** A sharded cluster: the shard map's store, and whether a router host routes the clients' requests. */
  readonly sharding: { readonly store: ConfigStore; readonly router: boolean } | null;
  /** Cache hosts (`cache0`, ...; 0 or absent: none). */
  readonly caches?: number;
  /**
   * The client regions, one client host each (absent or one: a single host named `client`); with
   * several, hosts `client@<region>`, the first where `client` would be, the others last.
   */
  readonly client_regions?: readonly string[];
}

/** A database node: its host, name and shard. */
export interface ClusterNode {
  readonly id: HostId;
  readonly name: string;
  readonly shard: number;
}

/** Every host of the cluster, by what it is. */
export interface TopologyHosts {
  /** The shard groups, by shard number (spares included). */
  readonly shards: readonly Shard[];
  /** Every database node, shard after shard. */
  readonly nodes: readonly HostId[];
  /** The first client host (the home client region's; it runs the final phase's reads). */
  readonly client: HostId;
  /** Every client host, one per client region in order (the first: `client`). */
  readonly clients: readonly HostId[];
  readonly coordinator: HostId | null;
  /** The router host (routing: proxy), which routes the clients' requests by the shard map. */
  readonly router: HostId | null;
  /** The cache hosts, by cache node number ([] without a cache). */
  readonly caches: readonly HostId[];
  /** Multi-raft: each physical node's replica hosts (node i: every shard's host i), by node number; [] otherwise. */
  readonly machines: readonly (readonly HostId[])[];
}

export class Topology {
  readonly hosts: TopologyHosts;
  readonly inspector: ClusterInspector;
  /** Each host's behaviour: the nodes' at once, the others' once bound. */
  private readonly behaviours: Map<HostId, HostFactory>;

  constructor(hosts: TopologyHosts, inspector: ClusterInspector, behaviours: Map<HostId, HostFactory>) {
    this.hosts = hosts;
    this.inspector = inspector;
    this.behaviours = behaviours;
  }

  /**
   * Gives the client or the coordinator its behaviour (before the simulation starts): one
   * instance, kept across restarts (neither keeps state a crash would lose).
   */
  bind(host: HostId, behaviour: HostBehaviour): void {
    if (this.behaviours.has(host)) throw new Error(`topology: host ${host} already has a behaviour`);
    this.behaviours.set(host, () => behaviour);
  }

  /** Gives a host whose restart is cold (a cache host, the router host) a factory: a new behaviour at each start. */
  bindFactory(host: HostId, factory: HostFactory): void {
    if (this.behaviours.has(host)) throw new Error(`topology: host ${host} already has a behaviour`);
    this.behaviours.set(host, factory);
  }
}

/**
 * Adds the cluster's hosts to the simulation and loads every replica (the load phase takes no
 * virtual time); bind the client's behaviour (and the coordinator's, the router host's) before
 * the simulation starts.
 */
export function buildTopology(sim: Simulation, spec: TopologySpec): Topology {
  const behaviours = new Map<HostId, HostFactory>();
  const add = (name: string, fsync_us = 0): HostId => {
    const id = sim.addHost(name, () => behaviourOf(id), { fsync_us });
    return id;
  };
  const behaviourOf = (id: HostId): HostBehaviour => {
    const factory = behaviours.get(id);
    if (factory === undefined) throw new Error(`topology: host ${sim.nameOf(id)} was never bound`);
    return factory();
  };
  const ranges = spec.ranges ?? null;
  const groups = Array.from({ length: spec.shards }, (_, shard) => {
    const replicas = spec.shard.replicas ?? 1;
    const names = shardNodeNames(shard, ranges?.nodes ?? replicas + (spec.shard.spares ?? 0));
    const nodes = names.map((name) => add(name, nodeSettings(spec.shard).fsync_us));
    const voters = ranges?.voters[shard];
    const members = initialVoters(nodes, voters === undefined ? { replicas } : { voters });
    return { nodes, members, names, initialLeader: members[0] as HostId };
  });
  const machines =
    ranges === null
      ? []
      : Array.from({ length: ranges.nodes }, (_, i) => groups.map((group) => group.nodes[i] as HostId));
  const regions = spec.client_regions ?? [];
  const clientName = (region: string): string => (regions.length > 1 ? `client@${region}` : "client");
  const client = add(clientName(regions[0] ?? ""));
  const coordinator = spec.sharding === null ? null : add("coordinator");
  const router = spec.sharding?.router ? add("router") : null;
  const caches = Array.from({ length: spec.caches ?? 0 }, (_, i) => add(`cache${i}`));
  const clients = [client, ...regions.slice(1).map((region) => add(clientName(region)))];
  const hosts: TopologyHosts = {
    shards: groups,
    nodes: groups.flatMap((group) => group.nodes),
    client,
    clients,
    coordinator,
    router,
    caches,
    machines,
  };
  const store = spec.sharding?.store ?? null;
  // One CPU per physical node, shared by its replica hosts' servers (none: each server has its own).
  const cpus = machines.map(() => new Cpu({ isUp: (host) => sim.isUp(host), now_us: () => sim.now_us }));
  const cpuOf = new Map<HostId, Cpu>();
  machines.forEach((hostsOn, i) => {
    for (const host of hostsOn) cpuOf.set(host, cpus[i] as Cpu);
  });
  const inspector = new ClusterInspector(sim, hosts, store, spec.every_node_leads, cpus);
  const events = (event: EngineEvent): void => {
    inspector.onEngineEvent(event);
    spec.events?.(event);
  };
  groups.forEach((group, shard) => {
    const rebalance = ranges?.rebalance === true ? { rebalance: { heartbeat: shard === 0 } } : {};
    const sharding =
      store === null ? {} : { sharding: { shard, store, coordinator: coordinator as HostId, ...rebalance } };
    const voters = ranges?.voters[shard];
    const multiRaft = voters === undefined ? {} : { voters, cpu: (host: HostId) => cpuOf.get(host) as Cpu };
    const node = installShard(sim, group.nodes, { ...spec.shard, events, ...sharding, ...multiRaft });
    for (const id of group.nodes) behaviours.set(id, node);
  });
  return new Topology(hosts, inspector, behaviours);
}

/** Multi-raft: replicas, leaseholders and CPU busy time (µs) per physical node, the moves and lease transfers done. */
export interface RangeSpread {
  readonly ranges: readonly number[];
  readonly leaseholders: readonly number[];
  readonly cpu_busy_us: readonly number[];
  readonly moves: number;
  readonly lease_transfers: number;
}

/** A node as the fault injector sees it: its role, and whether its shard is one the map uses now. */
export interface NodeState extends ClusterNode {
  readonly role: Role | "down";
  readonly in_service: boolean;
}

/** The engine's truth, read from the nodes themselves (after a run, or between slices). */
export class ClusterInspector {
  readonly hosts: TopologyHosts;
  /** Every database node, shard after shard, with its name and shard. */
  readonly nodes: readonly ClusterNode[];
  private readonly sim: Simulation;
  private readonly store: ConfigStore | null;
  private readonly everyNodeLeads: boolean;
  /** Each node's role as last reported. */
  private readonly roles = new Map<HostId, Role>();
  /** Each shard's replicas (voters and learners) as of its latest committed configuration. */
  private readonly members: (readonly HostId[])[];
  /** The log position of each shard's latest committed configuration (0: the initial one). */
  private readonly membersLsn: number[];
  private readonly membershipListeners: ((shard: number, members: readonly HostId[]) => void)[] = [];

  /** Multi-raft: each physical node's CPU ([] otherwise). */
  private readonly cpus: readonly Cpu[];
  /** Replicas removed by committed configurations (with physical nodes: the moves done). */
  private replicasRemoved = 0;
  /** Leadership transfers done (the target won its election). */
  private leaseTransfers = 0;

  constructor(
    sim: Simulation,
    hosts: TopologyHosts,
    store: ConfigStore | null,
    everyNodeLeads: boolean,
    cpus: readonly Cpu[] = [],
  ) {
    this.sim = sim;
    this.cpus = cpus;
    this.hosts = hosts;
    this.nodes = hosts.shards.flatMap((group, shard) =>
      group.nodes.map((id, i) => ({ id, name: group.names[i] as string, shard })),
    );
    this.store = store;
    this.everyNodeLeads = everyNodeLeads;
    this.members = hosts.shards.map((group) => group.members);
    this.membersLsn = hosts.shards.map(() => 0);
  }

  onEngineEvent(event: EngineEvent): void {
    if (event.type === "role") this.roles.set(event.node, event.role);
    else if (event.type === "leader_transfer") {
      if (event.done) this.leaseTransfers++;
    } else if (event.type === "membership") {
      const shard = this.nodes.find((node) => node.id === event.node)?.shard ?? -1;
      // A new leader may commit (and report) a configuration its predecessor already did.
      if (shard < 0 || event.lsn <= (this.membersLsn[shard] as number)) return;
      const members = [...event.voters, ...event.learners];
      this.replicasRemoved += (this.members[shard] ?? []).filter((host) => !members.includes(host)).length;
      this.members[shard] = members;
      this.membersLsn[shard] = event.lsn;
      for (const listener of this.membershipListeners) listener(shard, members);
    }
  }

  /** Calls `listener` with a shard's replicas each time a new configuration of it is committed. */
  onMembership(listener: (shard: number, members: readonly HostId[]) => void): void {
    this.membershipListeners.push(listener);
  }

  /** A shard's replicas now: its latest committed configuration's voters and learners. */
  membersOf(shard: number): readonly HostId[] {
    return this.members[shard] ?? [];
  }

  /** A node's role as it last reported it, or "down" when it is not running. */
  roleOf(node: HostId): Role | "down" {
    if (!this.sim.isUp(node)) return "down";
    return this.roles.get(node) ?? "follower";
  }

  /**
   * Multi-raft: per physical node, the replicas it holds of the shards in use (voters and learners
   * of their latest committed configuration), the leaseholders among them (a replica that believes
   * it leads) and its CPU's busy time; and the replica moves and leadership transfers done. null
   * without physical nodes.
   */
  rangeSpread(): RangeSpread | null {
    const machines = this.hosts.machines;
    if (machines.length === 0) return null;
    const ranges = machines.map(() => 0);
    const leaseholders = machines.map(() => 0);
    for (const shard of this.shardsInUse()) {
      const group = this.hosts.shards[shard];
      if (group === undefined) continue;
      const members = this.membersOf(shard);
      group.nodes.forEach((host, node) => {
        if (!members.includes(host)) return;
        ranges[node] = (ranges[node] as number) + 1;
        if (this.roleOf(host) === "leader") leaseholders[node] = (leaseholders[node] as number) + 1;
      });
    }
    const cpu_busy_us = machines.map((_, node) => this.cpus[node]?.busy_us() ?? 0);
    return {
      ranges,
      leaseholders,
      cpu_busy_us,
      moves: this.replicasRemoved,
      lease_transfers: this.leaseTransfers,
    };
  }

  /** Nodes that believe they lead now. */
  leaders(): HostId[] {
    return this.hosts.nodes.filter((node) => this.roleOf(node) === "leader");
  }

  /** Every node now (the fault injector's view): in service, a replica of a shard in use. */
  nodeStates(): NodeState[] {
    const inService = new Set(this.shardsInUse());
    return this.nodes.map((node) => ({
      ...node,
      role: this.roleOf(node.id),
      in_service: inService.has(node.shard) && this.membersOf(node.shard).includes(node.id),
    }));
  }

  /** The shards the shard map uses now ([0] unsharded). */
  shardsInUse(): readonly number[] {
    return this.store?.map.shardIds ?? [0];
  }

  /** The shard that owns a key now. */
  ownerOf(key: string): number {
    return this.store === null ? 0 : this.store.map.ownerOf(key);
  }

  /** The replicas of the shard that owns a key now (not its spares, nor those removed). */
  replicasOf(key: string): readonly HostId[] {
    return this.membersOf(this.ownerOf(key));
  }

  /**
   * The one leader of each shard in use, by shard; null if one has none or several, or when every
   * node leads (multi-leader).
   */
  shardLeaders(): Map<number, HostId> | null {
    if (this.everyNodeLeads) return null;
    const leaders = new Map<number, HostId>();
    for (const shard of this.shardsInUse()) {
      const group = this.hosts.shards[shard];
      const leading = group?.nodes.filter((node) => this.roleOf(node) === "leader") ?? [];
      if (leading.length !== 1) return null;
      leaders.set(shard, leading[0] as HostId);
    }
    return leaders;
  }

  /** The version a key holds on a replica (0: its loaded value), undefined when absent. */
  valueOn(node: HostId, key: string): number | undefined {
    const table = storageOf(this.sim.disk(node)).table;
    const row = table.find(key);
    return row < 0 ? undefined : table.version(row);
  }

  /** Every record a replica holds that its shard owns now, with its value, in key order. */
  recordsOn(node: HostId, shard: number, each: (key: string, value: number) => void): void {
    const table = storageOf(this.sim.disk(node)).table;
    table.index.scan("", Number.POSITIVE_INFINITY, (key, row) => {
      if (this.ownerOf(key) === shard) each(key, table.version(row));
    });
  }

  /** Values of every write a replica's log stands by, compacted parts included. */
  logWritesOn(node: HostId): WriteSet {
    return logWrites(this.sim.disk(node));
  }

  /** What a node's buffer pool and disk did since the run began (the live counters). */
  ioStatsOn(node: HostId): IoStats {
    return storageOf(this.sim.disk(node)).io;
  }

  /** What a node's client connections did since the run began, and its active requests (live). */
  connectionsOn(node: HostId): ConnectionStats {
    return storageOf(this.sim.disk(node)).connections;
  }

  /** Pages of a node's tables and indexes. */
  dataPagesOn(node: HostId): number {
    return storageOf(this.sim.disk(node)).pages.pageCount;
  }

  /** Log entries a node holds but has not applied to its data yet. */
  applyBacklogOn(node: HostId): number {
    return this.sim.disk(node).length - storageOf(this.sim.disk(node)).applied_lsn;
  }

  /** A replica's query database (null unless the cluster serves a domain workload). */
  databaseOn(node: HostId): Database | null {
    return storageOf(this.sim.disk(node)).db;
  }

  /** Values of the writes the shards' single leaders' logs hold (null without them): what survived. */
  leaderLogWrites(): WriteSet | null {
    const leaders = this.shardLeaders();
    if (leaders === null) return null;
    const values = new WriteSet();
    for (const leader of leaders.values()) values.addAll(this.logWritesOn(leader));
    return values;
  }

  /** What each key holds on its shard's leader (null: its loaded value or absent); null without leaders. */
  leaderValues(keys: Iterable<string>): Map<string, number | null> | null {
    const leaders = this.shardLeaders();
    if (leaders === null) return null;
    const values = new Map<string, number | null>();
    for (const key of keys) {
      const leader = leaders.get(this.ownerOf(key));
      const version = leader === undefined ? 0 : (this.valueOn(leader, key) ?? 0);
      values.set(key, version === 0 ? null : version);
    }
    return values;
  }

  /** Every record each shard's leader holds and owns, with its value; null without leaders. */
  leaderRecords(): Map<string, number> | null {
    const leaders = this.shardLeaders();
    if (leaders === null) return null;
    const values = new Map<string, number>();
    for (const [shard, leader] of leaders)
      this.recordsOn(leader, shard, (key, value) => values.set(key, value));
    return values;
  }

  /** Each key's newest committed value among a replica's transactional keys. */
  txnValuesOn(node: HostId, keys: readonly string[]): Map<string, TxnValue> {
    const store = storageOf(this.sim.disk(node)).txn;
    return new Map(keys.map((key) => [key, store.latest(key)]));
  }

  /** txnValuesOn shard 0's leader (the transactions' one shard); null without one. */
  leaderTxnValues(keys: readonly string[]): Map<string, TxnValue> | null {
    const leader = this.shardLeaders()?.get(0);
    return leader === undefined ? null : this.txnValuesOn(leader, keys);
  }

  /** Keys each shard's leader owns (null for a shard without a single leader). */
  ownedKeys(shard: number): number | null {
    const leader = this.shardLeaders()?.get(shard);
    if (leader === undefined) return null;
    let keys = 0;
    this.recordsOn(leader, shard, () => keys++);
    return keys;
  }

  /** The query database the cluster ends with: shard 0's single leader's, else its first node's. */
  finalDatabase(): Database | null {
    const node = this.shardLeaders()?.get(0) ?? (this.hosts.nodes[0] as HostId);
    return this.databaseOn(node);
  }
}
