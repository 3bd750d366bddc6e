// One scenario + one seed -> one run, composed of: the workload's plugin (what the cluster loads,
// the clients' workload, its checks), the topology (the cluster's hosts, by name, and the
// inspector), the dispatchers and the client driver, the fault injector, and Jepsen's final
// phase. The runner drives the simulation in slices so the caller can report progress between
// them, and returns what the simulator saw; results reach the caller through the Observer as
// operations complete.

import { CacheHost } from "../engine/cache/cache-host.js";
import { CachingDispatcher } from "../engine/cache/caching-dispatcher.js";
import { type CacheStats, copyCacheStats, newCacheStats } from "../engine/cache/stats.js";
import { builtInProtocol } from "../engine/cluster.js";
import type { EngineEvent, Role } from "../engine/events.js";
import { copyIoStats, type IoStats } from "../engine/node/io-stats.js";
import { configureRegionLinks, hostPlaces, nearestReplicas, placeLatency } from "../engine/regions/links.js";
import type { Place } from "../engine/regions/placement.js";
import type { CreateProtocol } from "../engine/replication/protocol.js";
import { ConnectionPools } from "../engine/sharding/connection-pool.js";
import { Coordinator } from "../engine/sharding/coordinator.js";
import { Dispatcher } from "../engine/sharding/dispatcher.js";
import {
  ConsistentPartitioner,
  DirectoryPartitioner,
  HashPartitioner,
  type Partitioner,
  RangePartitioner,
} from "../engine/sharding/partitioners.js";
import { ReplicaRouter } from "../engine/sharding/replica-router.js";
import { RouterHost } from "../engine/sharding/router-host.js";
import { ConfigStore, ShardMap } from "../engine/sharding/shard-map.js";
import {
  buildTopology,
  type ClusterInspector,
  type NodeState,
  type RangeSpread,
  type TopologyHosts,
  type TopologySpec,
} from "../engine/topology.js";
import { messageSizer } from "../engine/wire-size.js";
import type { WriteSet } from "../engine/write-set.js";
import type { HostId } from "../sim/host.js";
import { Simulation } from "../sim/simulation.js";
import type { TraceCheckpoint } from "../sim/trace.js";
import { ClientDriver, DRIVER_POOL_TIMER } from "./client/driver.js";
import { ClientHost } from "./client/final-reads.js";
import { clientShares } from "./client/shares.js";
import { type ConnectionGauges, connectionGauges } from "./connection-gauges.js";
import { type FinalPhase, runFinalPhase } from "./final-phase.js";
import {
  buildWorkload,
  type LoadSpec,
  type WorkloadPlugin,
  type WorkloadSetup,
} from "./generators/plugin.js";
import { TXN_WORKLOAD_TYPES, WORKLOAD_PLUGINS } from "./generators/plugins.js";
import { connectLoopbacks, fateGroups, rangeLayout, rangeMoves, rebalancing } from "./multi-raft.js";
import { FaultInjector, type FaultRecord } from "./nemesis/injector.js";
import type { Observer } from "./observer.js";
import { ScenarioError } from "./scenario/errors.js";
import type { ResolvedScenario } from "./scenario/resolve.js";

export interface RunOptions {
  seed: number;
  observer: Observer;
  /** The module `replication.protocol` names, loaded by the caller (cli/protocol-module.ts). */
  protocol?: CreateProtocol;
  /** Trace checkpoint interval in events (default 100,000). */
  checkpointEvery?: number;
}

export interface RunProgress {
  readonly now_us: number;
  /** Virtual time at which the measured phase ends (the run drains after it). */
  readonly end_us: number;
  readonly events: number;
  readonly operations: number;
}

/** What observers read of a run as it goes (the metrics); ScenarioRun.state. */
export interface RunState {
  /** Virtual time now, in µs. */
  now_us(): number;
  /** Simulator events executed so far. */
  events(): number;
  /** Messages sent so far, by message kind. */
  messagesByKind(): ReadonlyMap<string, number>;
  /** Bytes sent so far, by message kind (engine/wire-size.ts sizes them). */
  bytesByKind(): ReadonlyMap<string, number>;
  /** The role each database node believes it has, or "down" when it is not running. */
  nodeState(node: number): Role | "down";
  /** Faults fired so far, each with its end once over. */
  readonly faults: readonly FaultRecord[];
  /** On a sharded cluster: requests routed to each shard so far (empty when unsharded). */
  requestsByShard(): ReadonlyMap<number, number>;
  /** What a database node's buffer pool and disk did so far. */
  io(node: number): IoStats;
  /** Log entries a database node holds but has not applied yet. */
  applyBacklog(node: number): number;
  /** A database node's connections and the client host's pool to it (null without a pool). */
  connections(node: number): ConnectionGauges | null;
  /** Requests active at a database node (queued, on the CPU or reading pages). */
  activeRequests(node: number): number;
  /** Each cache host's counters so far, by cache node number (empty without a cache). */
  cacheStats(): readonly CacheStats[];
  /** Multi-raft: ranges, leaseholders and CPU busy time per physical node, moves done (null without nodes). */
  rangeSpread(): RangeSpread | null;
}

export interface RunResult {
  readonly seed: number;
  readonly trace_hash: string;
  readonly checkpoints: readonly TraceCheckpoint[];
  readonly events: number;
  /** Virtual time simulated in all: warmup, measured phase and the drain of in-flight operations. */
  readonly virtual_us: number;
  readonly operations: number;
  readonly messages: number;
  /** Messages and bytes sent, by message kind, in first-sent order. */
  readonly messages_by_kind: ReadonlyMap<string, number>;
  readonly bytes_by_kind: ReadonlyMap<string, number>;
}

const EMPTY_COUNTS: ReadonlyMap<number, number> = new Map();

/** The shard map at the start: range boundaries default to equal parts of the loaded keys. */
function initialPartitioner(cluster: ResolvedScenario["cluster"], load: LoadSpec): Partitioner {
  const { sharding, shards } = cluster;
  switch (sharding.strategy) {
    case "hash":
      return new HashPartitioner(shards);
    case "consistent":
      return new ConsistentPartitioner(shards, sharding.vnodes);
    case "directory":
      return new DirectoryPartitioner(new HashPartitioner(shards));
    case "range":
      if (sharding.boundaries !== null) return RangePartitioner.fromBoundaries(sharding.boundaries);
      return buildWorkload(() =>
        RangePartitioner.evenlyOver(
          Array.from({ length: load.count }, (_, n) => load.key(n)),
          shards,
        ),
      );
  }
}

/** Each shard group of the scenario's cluster: its replicas, their protocol, each node's settings, what they load. */
function shardConfig(scenario: ResolvedScenario, load: LoadSpec, options: RunOptions): TopologySpec["shard"] {
  const { replicas, replication, node } = scenario.cluster;
  const own = ownProtocol(replication.protocol, options);
  const changes = scenario.replica_changes;
  return {
    replicas,
    ...(changes.length === 0 ? {} : { spares: scenario.cluster.spares, membership: changes }),
    protocol:
      own?.({ detect_after_us: replication.failover.detect_after_us }) ??
      builtInProtocol(replication.mode, replication),
    node,
    transactions: scenario.cluster.transactions,
    field_count: load.field_count,
    load,
    ...(load.database === undefined ? {} : { database: load.database }),
  };
}

/** The clients' dispatcher with routing: proxy: every request goes to the router host. */
function dispatcherTo(router: HostId, pools: ConnectionPools | null): Dispatcher {
  return new Dispatcher({
    shards: new Map([[0, new ReplicaRouter({ nodes: [router], multiLeader: false, read_from: "leader" })]]),
    map: null,
    readYourWrites: false,
    ...(pools === null ? {} : { pools }),
  });
}

export class ScenarioRun {
  readonly scenario: ResolvedScenario;
  readonly seed: number;
  /** The simulation and its hosts, for fault injection (and tests) between slices. */
  readonly sim: Simulation;
  /** Every host of the cluster, by what it is. */
  readonly hosts: TopologyHosts;
  /** The engine's truth (who leads, what each replica holds), for the final phase, reports and tests. */
  readonly cluster: ClusterInspector;
  /** What the fault schedule and the nemesis did, as it happened (filled in as faults fire). */
  readonly faultLog: readonly FaultRecord[];
  /** Host id -> name of every database node ("shard0/n1"). */
  readonly nodeNames: ReadonlyMap<number, string>;
  /** Each cache host's counters, by cache node number (empty without a cache); they outlive crashes. */
  readonly cacheStats: readonly CacheStats[];
  /** The scenario's workload plugin, and what it set up: the clients' workload and its checks. */
  readonly plugin: WorkloadPlugin;
  readonly workload: WorkloadSetup;
  /** Each client host's driver and host behaviour (one per client region; the first: `client`). */
  private readonly drivers: readonly {
    readonly driver: { readonly backlogSize: number; readonly completed: number };
    readonly clientHost: ClientHost;
  }[];
  /** The shard map's store (null: unsharded). */
  private readonly store: ConfigStore | null;
  /** Routes requests by the shard map: the first client host's (routing: client) or the router host's. */
  private readonly dispatcher: Dispatcher;
  /** Every dispatcher that routes by the shard map: the client hosts' (routing: client) or the router host's. */
  private readonly shardDispatchers: Dispatcher[] = [];
  /** Each client host's connection pools ([]: no `workload.pool`). */
  readonly pools: readonly ConnectionPools[];
  private readonly end_us: number;
  /** The run must have drained by then: the last operations time out at the latest. */
  private readonly deadline_us: number;
  private finished = false;
  private readonly injector: FaultInjector;
  /** Engine events reach the observer (not during the final phase, which measures nothing). */
  private reporting = true;
  /** The run as it ended, once the final phase has begun (`state` then reads this). */
  private atEnd: {
    now_us: number;
    events: number;
    messages: ReadonlyMap<string, number>;
    bytes: ReadonlyMap<string, number>;
    roles: ReadonlyMap<number, Role | "down">;
    faults: readonly FaultRecord[];
    requests: ReadonlyMap<number, number>;
    io: ReadonlyMap<number, IoStats>;
    backlog: ReadonlyMap<number, number>;
    connections: ReadonlyMap<number, ConnectionGauges>;
    cache: readonly CacheStats[];
    ranges: RangeSpread | null;
  } | null = null;
  /** What the cluster did during the final phase, before its reads ended. */
  private readonly finalPhaseEvents = { leader_changes: 0, truncated_entries: 0 };

  constructor(scenario: ResolvedScenario, options: RunOptions) {
    this.scenario = scenario;
    this.seed = options.seed;
    const sim = new Simulation({
      seed: options.seed,
      latency: scenario.network.latency,
      bandwidth_bytes_per_s: scenario.network.bandwidth_bytes_per_s,
      ...(options.checkpointEvery === undefined ? {} : { checkpointEvery: options.checkpointEvery }),
    });
    this.sim = sim;
    const w = scenario.workload;
    this.plugin = WORKLOAD_PLUGINS[w.type];
    const setup = this.plugin.setup(scenario, sim.rng.split("workload"));
    const { load } = setup;
    sim.sizeMessagesBy(
      messageSizer({
        field_count: load.field_count,
        field_bytes: load.field_bytes,
        key_bytes: load.count > 0 ? load.key(0).length : 0,
      }),
    );
    this.workload = setup;
    const { replication: r, sharding: sh } = scenario.cluster;
    const observer = options.observer;
    const sharded = scenario.cluster.provisioned > 1;
    const events = (event: EngineEvent) => {
      if (this.reporting) observer.onEngineEvent?.(event, sim.now_us);
      else if (event.type === "role" && event.role === "leader") this.finalPhaseEvents.leader_changes++;
      else if (event.type === "truncate") this.finalPhaseEvents.truncated_entries += event.entries;
    };
    this.store = sharded
      ? new ConfigStore(new ShardMap(1, initialPartitioner(scenario.cluster, setup.load)))
      : null;
    const store = this.store;
    const proxy = sharded && sh.routing === "proxy";
    this.end_us = scenario.warmup_us + scenario.duration_us;
    this.deadline_us = this.end_us + 2 * w.timeout_us + 1_000_000;
    const topology = buildTopology(sim, {
      shards: scenario.cluster.provisioned,
      shard: shardConfig(scenario, setup.load, options),
      every_node_leads: r.mode === "multi-leader",
      ...(scenario.cluster.ranges === null ? {} : { ranges: rangeLayout(scenario.cluster) }),
      events,
      sharding: store === null ? null : { store, router: proxy },
      caches: scenario.cluster.cache?.nodes ?? 0,
      ...(scenario.topology === null
        ? {}
        : { client_regions: scenario.topology.client_hosts.map((place) => place.region) }),
    });
    const hosts = topology.hosts;
    this.hosts = hosts;
    this.cluster = topology.inspector;
    // With a topology: where each host sits, and the delay between two places.
    const topo = scenario.topology;
    const placed =
      topo === null
        ? null
        : {
            places: hostPlaces(hosts.shards, hosts.clients, sim.hostCount, topo),
            latencyOf: placeLatency(topo, scenario.network.latency),
          };
    // Each client host's share of the clients (one host per client region).
    const shares = clientShares(w, topo?.client_hosts.map((place) => place.region) ?? []);
    // Each client host's connection pools (workload.pool; none without), on its driver's timer tag.
    const pool = w.pool;
    this.pools = pool === null ? [] : shares.map(() => new ConnectionPools(pool, DRIVER_POOL_TIMER));
    // Who routes by the shard map: the clients, or the router host (the clients then know only it).
    // A dispatcher to the shards: a client host's (with its pools, when it routes itself) or a
    // cache host's own (read-through strategies: never the client's pools).
    // All count their requests in one place: report.json's requests per shard are the database's.
    // `from`: the client host's host id, whose place `read_from: nearest` measures from.
    const sentToShard: number[] = [];
    // Every router, by shard: each follows its shard's committed configurations (raft membership).
    const routers = hosts.shards.map((): ReplicaRouter[] => []);
    this.cluster.onMembership((shard, members) => {
      for (const router of routers[shard] ?? []) router.setNodes(members);
    });
    /** A router of `shard` for the client host `from` (nearest reads: the replicas nearest it). */
    const routerOf = (shard: number, from: HostId): ReplicaRouter => {
      const members = this.cluster.membersOf(shard);
      const router = new ReplicaRouter({
        nodes: members,
        multiLeader: r.mode === "multi-leader",
        read_from: r.read_from,
        ...(placed === null
          ? {}
          : {
              nearest: nearestReplicas(
                members,
                placed.places,
                placed.places.get(from) as Place,
                placed.latencyOf,
              ),
            }),
      });
      routers[shard]?.push(router);
      return router;
    };
    const routing = (
      withPools: ConnectionPools | null,
      from: HostId = hosts.client,
    ): ConstructorParameters<typeof Dispatcher>[0] => ({
      shards: new Map(hosts.shards.map((_, shard) => [shard, routerOf(shard, from)])),
      map: store?.map ?? null,
      readYourWrites: r.read_your_writes,
      sentToShard,
      ...(withPools === null ? {} : { pools: withPools }),
    });
    const cache = scenario.cluster.cache;
    const shardDispatcher = (withPools: ConnectionPools | null, from?: HostId): Dispatcher =>
      cache === null
        ? new Dispatcher(routing(withPools, from))
        : new CachingDispatcher(routing(withPools, from), { settings: cache, hosts: hosts.caches });
    // The pools are the client hosts': with a router host, its dispatcher has none (docs/model.md).
    this.dispatcher = shardDispatcher(hosts.router === null ? (this.pools[0] ?? null) : null);
    this.cacheStats = hosts.caches.map(() => newCacheStats());
    hosts.caches.forEach((host, i) => {
      const settings = cache as NonNullable<typeof cache>;
      // A restart is cold: a new host, with a dispatcher of its own (cache-aside needs none).
      topology.bindFactory(
        host,
        () =>
          new CacheHost({
            settings,
            stats: this.cacheStats[i] as CacheStats,
            dispatcher: settings.strategy === "cache-aside" ? null : new Dispatcher(routing(null)),
            timeout_us: w.timeout_us,
          }),
      );
    });
    // Every client host's driver; the run stops once all have drained. Stamped writes count on
    // one counter, so a value is unique to its write whichever host wrote it.
    let writes = 0;
    let draining = shares.length;
    this.drivers = shares.map((share, i) => {
      const host = hosts.clients[i] as HostId;
      const pools = this.pools[i] ?? null;
      const dispatcher =
        hosts.router !== null
          ? dispatcherTo(hosts.router, pools)
          : i === 0
            ? this.dispatcher
            : shardDispatcher(pools, host);
      if (hosts.router === null) this.shardDispatchers.push(dispatcher);
      const driver = new ClientDriver({
        config: {
          rate: share.rate,
          arrival: w.arrival,
          clients: share.clients,
          timeout_us: w.timeout_us,
          max_backlog: share.max_backlog,
          warmup_us: scenario.warmup_us,
          end_us: this.end_us,
          shards_known: hosts.router === null,
          region: share.region,
          first_process: share.first_process,
          processes: w.clients,
        },
        workload: setup.clients,
        arrivals: sim.rng.split(share.arrivals),
        dispatcher,
        observer,
        onDrained: () => {
          if (--draining === 0) sim.stop();
        },
        nextValue: () => ++writes,
      });
      const clientHost = new ClientHost(driver);
      topology.bind(host, clientHost);
      return { driver, clientHost };
    });
    if (hosts.router !== null) this.shardDispatchers.push(this.dispatcher);
    if (store !== null && hosts.coordinator !== null) {
      const coordinator = new Coordinator({
        store,
        // The initial voters first: the coordinator presumes the first leads.
        groups: new Map(
          hosts.shards.map((group, shard) => [
            shard,
            [...group.members, ...group.nodes.filter((node) => !group.members.includes(node))],
          ]),
        ),
        subscribers: hosts.router === null ? hosts.clients : [hosts.router],
        changes: scenario.changes,
        ...(hosts.machines.length === 0
          ? {}
          : {
              ranges: {
                ...rangeMoves(hosts.shards, scenario.replica_changes),
                ...rebalancing(scenario.cluster.ranges?.rebalance ?? null, hosts.machines, placed?.places),
              },
            }),
        ...sh,
        request_timeout_us: w.timeout_us,
        events,
      });
      topology.bind(hosts.coordinator, coordinator);
    }
    if (hosts.router !== null) {
      const dispatcher = this.dispatcher;
      // With transactions it coordinates them: a restart is a new host, recovering from its disk.
      const transactions = TXN_WORKLOAD_TYPES.includes(w.type) ? scenario.cluster.transactions : null;
      topology.bindFactory(hosts.router, () => new RouterHost(dispatcher, w.timeout_us, transactions));
    }
    this.nodeNames = new Map(this.cluster.nodes.map((node) => [node.id, node.name]));
    const clientViews = hosts.clients.map((id, i) => ({ id, region: shares[i]?.region ?? null }));
    const injector = new FaultInjector(
      sim,
      scenario.faults,
      { nodes: () => this.faultTargets(), clients: () => clientViews, fate: fateGroups(hosts.machines) },
      sim.rng.split("faults"),
    );
    this.faultLog = injector.log;
    this.injector = injector;
    sim.start();
    injector.install();
    const { loss, duplicate } = scenario.network;
    if (placed !== null) {
      configureRegionLinks(sim, placed.places, placed.latencyOf, scenario.network);
    } else if (loss > 0 || duplicate > 0) {
      for (let a = 0; a < sim.hostCount; a++) {
        for (let b = 0; b < sim.hostCount; b++) if (a !== b) sim.setLink(a, b, { loss, duplicate });
      }
    }
    connectLoopbacks(sim, hosts.machines);
  }

  /**
   * The hosts faults may target: the database nodes, then the cache hosts and the router host (never
   * in service, so a role picks none; a fault names one: `cache0`, `router`).
   */
  private faultTargets(): NodeState[] {
    const nodes = this.cluster.nodeStates();
    const { router, caches } = this.hosts;
    if (caches.length === 0 && router === null) return nodes;
    const host = (id: HostId, name: string): NodeState => ({
      id,
      name,
      shard: -1,
      role: this.sim.isUp(id) ? "follower" : "down",
      in_service: false,
    });
    const routers = router === null ? [] : [host(router, "router")];
    return [...nodes, ...caches.map((id, i) => host(id, `cache${i}`)), ...routers];
  }

  /**
   * Values of the writes the final leaders' logs hold, compacted parts included (null unless
   * exactly one node leads each shard in use, or in multi-leader mode): what survived the run.
   * Only a workload whose writes write values unique to each can tell which survived.
   */
  survivingWrites(): WriteSet | null {
    return this.workload.clients.uniqueWrites ? this.cluster.leaderLogWrites() : null;
  }

  /** Per shard in use: its final keys (owned rows on its leader) and the requests it was sent. */
  shardUsage(): {
    strategy: string;
    shards: { id: number; keys: number | null; requests: number }[];
    cross_shard_ops: number;
    map_version: number;
  } | null {
    if (this.store === null) return null;
    const map = this.store.map;
    const ids = new Set([...map.shardIds, ...this.dispatcher.requestsByShard.keys()]);
    const shards = [...ids]
      .sort((a, b) => a - b)
      .map((id) => ({
        id,
        keys: this.cluster.ownedKeys(id),
        requests: this.dispatcher.requestsByShard.get(id) ?? 0,
      }));
    return {
      strategy: map.current.strategy,
      shards,
      cross_shard_ops: this.shardDispatchers.reduce((sum, dispatcher) => sum + dispatcher.crossShard, 0),
      map_version: map.version,
    };
  }

  /**
   * The run as observers read it (the metrics): live while it goes, and as it ended once the final
   * phase has begun, so nothing measured changes.
   */
  readonly state: RunState = (() => {
    const run = this;
    return {
      now_us: () => run.atEnd?.now_us ?? run.sim.now_us,
      events: () => run.atEnd?.events ?? run.sim.events,
      messagesByKind: () => run.atEnd?.messages ?? run.sim.messagesByKind(),
      bytesByKind: () => run.atEnd?.bytes ?? run.sim.bytesByKind(),
      nodeState: (node: number) => run.atEnd?.roles.get(node) ?? run.cluster.roleOf(node),
      get faults() {
        return run.atEnd?.faults ?? run.faultLog;
      },
      requestsByShard: () => run.atEnd?.requests ?? run.requestsByShard(),
      io: (node: number) => run.atEnd?.io.get(node) ?? run.cluster.ioStatsOn(node),
      applyBacklog: (node: number) => run.atEnd?.backlog.get(node) ?? run.cluster.applyBacklogOn(node),
      connections: (node: number) =>
        run.pools.length === 0 ? null : (run.atEnd?.connections.get(node) ?? run.connectionGauges(node)),
      activeRequests: (node: number) =>
        run.atEnd?.connections.get(node)?.active ?? run.cluster.connectionsOn(node).active,
      cacheStats: () => run.atEnd?.cache ?? run.cacheStats,
      rangeSpread: () => (run.atEnd === null ? run.cluster.rangeSpread() : run.atEnd.ranges),
    };
  })();

  /** A database node's connections and the client hosts' pools to it, now. */
  connectionGauges(node: number): ConnectionGauges {
    return connectionGauges(
      this.cluster.connectionsOn(node),
      this.pools.map((pools) => pools.nodes.get(node)),
    );
  }

  /** Copies of every database node's I/O counters now (report.json `storage` subtracts two of them). */
  ioStats(): Map<number, IoStats> {
    return new Map(this.hosts.nodes.map((node) => [node, copyIoStats(this.cluster.ioStatsOn(node))]));
  }

  /** Requests routed to each shard so far (empty when unsharded). */
  requestsByShard(): ReadonlyMap<number, number> {
    return this.store === null ? EMPTY_COUNTS : this.dispatcher.requestsByShard;
  }

  /**
   * Runs up to `maxEvents` more events; returns true once the run is complete. With `until_us`, also
   * stops once every event at or before that virtual time has run (the clock then reads `until_us`),
   * so an observer can sample the state at a virtual-time boundary; the events run are the same.
   */
  advance(maxEvents: number, until_us = Number.POSITIVE_INFINITY): boolean {
    if (this.finished) return true;
    const bounded = until_us < this.deadline_us;
    const outcome = this.sim.runSlice(maxEvents, bounded ? until_us : this.deadline_us);
    if (outcome === "slice" || (bounded && outcome === "until")) return false;
    if (outcome !== "stopped") {
      throw new Error(
        `run did not drain: ${this.drivers.reduce((sum, { driver }) => sum + driver.backlogSize, 0)} operations backlogged at ${this.sim.now_us}us ` +
          `(seed=${this.seed}; reproduce with --seed=${this.seed})`,
      );
    }
    this.finished = true;
    return true;
  }

  /**
   * After the run has finished: simulates `for_us` more virtual time with no new operations, so
   * that replication catches up and restarted nodes rejoin, to inspect the engine at rest (tests).
   * Call result() before: this adds events to the trace.
   */
  settle(for_us: number): void {
    if (!this.finished) throw new Error("settle(): the run has not finished");
    this.sim.resume();
    this.sim.run({ until_us: this.sim.now_us + for_us });
  }

  /**
   * Jepsen's final phase, once the run has finished (call result() first: the run's trace hash does
   * not cover it): ends every fault, lets the cluster run for the scenario's `final_reads.settle`,
   * and reads each of `keys` (a bank: every balance) from every replica of the shard that owns it
   * then. The observer hears nothing of it (no operation, no engine event) and `state` stays as the
   * run ended: the run's figures stay as they were.
   */
  finalPhase(keys: readonly string[]): FinalPhase {
    if (!this.finished) throw new Error("finalPhase(): the run has not finished");
    this.reporting = false;
    this.atEnd = {
      now_us: this.sim.now_us,
      events: this.sim.events,
      messages: this.sim.messagesByKind(),
      bytes: this.sim.bytesByKind(),
      roles: new Map(this.hosts.nodes.map((node) => [node, this.cluster.roleOf(node)])),
      faults: this.faultLog.map((record) => ({ ...record })),
      requests: new Map(this.requestsByShard()),
      io: this.ioStats(),
      backlog: new Map(this.hosts.nodes.map((node) => [node, this.cluster.applyBacklogOn(node)])),
      connections: new Map(this.hosts.nodes.map((node) => [node, this.connectionGauges(node)])),
      cache: this.cacheStats.map(copyCacheStats),
      ranges: this.cluster.rangeSpread(),
    };
    return runFinalPhase({
      sim: this.sim,
      injector: this.injector,
      cluster: this.cluster,
      clientHost: (this.drivers[0] as (typeof this.drivers)[number]).clientHost,
      targets: () => this.workload.checks.finalReads(this.cluster, keys),
      settle_us: this.scenario.final_reads.settle_us,
      timeout_us: this.scenario.workload.timeout_us,
      during: this.finalPhaseEvents,
    });
  }

  /** Runs to completion. */
  runToEnd(): RunResult {
    while (!this.advance(1_000_000)) {}
    return this.result();
  }

  /** Operations completed so far by every client host. */
  private operations(): number {
    return this.drivers.reduce((sum, { driver }) => sum + driver.completed, 0);
  }

  get progress(): RunProgress {
    return {
      now_us: this.sim.now_us,
      end_us: this.end_us,
      events: this.sim.events,
      operations: this.operations(),
    };
  }

  result(): RunResult {
    if (!this.finished) throw new Error("result(): the run has not finished");
    return {
      seed: this.seed,
      trace_hash: this.sim.traceHash(),
      checkpoints: this.sim.checkpoints,
      events: this.sim.events,
      virtual_us: this.sim.now_us,
      operations: this.operations(),
      messages: this.sim.messagesSent,
      messages_by_kind: this.sim.messagesByKind(),
      bytes_by_kind: this.sim.bytesByKind(),
    };
  }
}

/** The protocol module `replication.protocol` names, as the caller loaded it; null for a built-in mode. */
function ownProtocol(path: string | null, options: RunOptions): CreateProtocol | null {
  if (path === null) return null;
  if (options.protocol === undefined) {
    const message = `cluster.replication.protocol: ${path} is loaded by dbsim run, sweep, matrix, replay and shrink only`;
    throw new ScenarioError(message, { path: "cluster.replication.protocol" });
  }
  return options.protocol;
}
