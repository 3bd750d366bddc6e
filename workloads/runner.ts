// One scenario + one seed -> one run. The runner builds the simulation (the database node and the
// client host), drives it in slices so the caller can report progress between them, and returns
// what the simulator saw. Results reach the caller through the Observer as operations complete.

import { addShard, builtInProtocol, type Shard } from "../engine/cluster.js";
import type { EngineEvent, Role } from "../engine/events.js";
import { logWrites } from "../engine/node/log.js";
import { storageOf } from "../engine/node/storage.js";
import { Database } from "../engine/query/database.js";
import { Coordinator } from "../engine/sharding/coordinator.js";
import { Dispatcher } from "../engine/sharding/dispatcher.js";
import {
  ConsistentPartitioner,
  DirectoryPartitioner,
  HashPartitioner,
  type Partitioner,
  RangePartitioner,
} from "../engine/sharding/partitioners.js";
import { Router } from "../engine/sharding/replica-router.js";
import { RouterHost } from "../engine/sharding/router-host.js";
import { ConfigStore, ShardMap } from "../engine/sharding/shard-map.js";
import { WriteSet } from "../engine/write-set.js";
import { Rng } from "../sim/rng.js";
import { Simulation } from "../sim/simulation.js";
import type { TraceCheckpoint } from "../sim/trace.js";
import { BankWorkload } from "./bank/bank-workload.js";
import type { ClientOperation, ClientWorkload } from "./client-workload.js";
import type { DomainWorkload, InitialRow } from "./domain/domain.js";
import { DomainClientWorkload } from "./domain/domain-client.js";
import { createDomainWorkload } from "./domain/registry.js";
import { ClientDriver } from "./driver.js";
import { FaultInjector, type FaultRecord } from "./faults/injector.js";
import { ClientHost, type FinalRead, FinalReader, type FinalReadTarget } from "./final-reads.js";
import type { Observer } from "./observer.js";
import { ScenarioError } from "./scenario/load.js";
import type { ResolvedScenario } from "./scenario/resolve.js";
import { type YcsbConfig, YcsbWorkload } from "./ycsb/core-workload.js";
import { YcsbClientWorkload } from "./ycsb/ycsb-client.js";

export interface RunOptions {
  seed: number;
  observer: Observer;
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
  /** The role each database node believes it has, or "down" when it is not running. */
  nodeState(node: number): Role | "down";
  /** Faults fired so far, each with its end once over. */
  readonly faults: readonly FaultRecord[];
  /** On a sharded cluster: requests routed to each shard so far (empty when unsharded). */
  requestsByShard(): ReadonlyMap<number, number>;
}

/** Jepsen's final phase, as it went (ScenarioRun.finalPhase). */
export interface FinalPhase {
  /** When every fault was ended (the clients had drained), and when the reads began and ended. */
  readonly healed_us: number;
  readonly reads_from_us: number;
  readonly end_us: number;
  readonly settle_us: number;
  readonly reads: readonly FinalRead[];
  /** Nodes that believed they led when the reads began. */
  readonly leaders: readonly number[];
  /** What the cluster did meanwhile: promotions, and log entries replicas discarded. */
  readonly leader_changes: number;
  readonly truncated_entries: number;
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
}

/**
 * Builds a workload generator; a combination of settings it cannot serve (say, a hotspot of 20% of
 * one record) is bad input, reported like any other scenario error.
 */
function buildWorkload<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof RangeError)
      throw new ScenarioError(`workload: ${error.message}`, { path: "workload" });
    throw error;
  }
}

/** What the cluster loads before the run, and what the clients then do. */
interface WorkloadSetup {
  readonly records: number;
  readonly key: (n: number) => string;
  /** Every field of every loaded record holds it (YCSB: 0, no write's value; bank: the balance). */
  readonly value: number;
  readonly field_count: number;
  readonly clients: ClientWorkload<ClientOperation>;
  /** A domain workload: the generator, and its query database as each replica builds it. */
  readonly domain?: { readonly workload: DomainWorkload; readonly database: () => Database };
}

function ycsbConfig(scenario: ResolvedScenario): YcsbConfig {
  const w = scenario.workload;
  return {
    records: w.records,
    mix: w.mix,
    distribution: w.distribution,
    fieldCount: w.field_count,
    fieldLength: w.field_length,
    scanLengthMin: w.scan_length_min,
    scanLengthMax: w.scan_length_max,
    scanLengthDistribution: w.scan_length_distribution,
    insertOrder: w.insert_order,
    zeroPadding: w.zero_padding,
    hotspotDataFraction: w.hotspot_data_fraction,
    hotspotOpsFraction: w.hotspot_ops_fraction,
    zipfianConstant: w.zipfian_constant,
    exponentialPercentile: w.exponential_percentile,
    exponentialFrac: w.exponential_frac,
    // YCSB sizes the zipfian key space for the inserts its operation count implies; the open-loop
    // schedule implies rate x run time (a closed loop keeps YCSB's default, the record count).
    ...(w.rate_per_s === null
      ? {}
      : { operationCount: Math.ceil((w.rate_per_s * (scenario.warmup_us + scenario.duration_us)) / 1e6) }),
  };
}

/** The scenario's YCSB generator (a run's, and `dbsim real`'s); knobs it cannot serve are a scenario error. */
export function ycsbWorkload(scenario: ResolvedScenario, rng: Rng): YcsbWorkload {
  return buildWorkload(() => new YcsbWorkload(ycsbConfig(scenario), rng));
}

function ycsbSetup(scenario: ResolvedScenario, rng: Rng): WorkloadSetup {
  const w = scenario.workload;
  const ycsb = ycsbWorkload(scenario, rng);
  return {
    records: w.records,
    key: (n) => ycsb.loadKey(n),
    value: 0,
    field_count: w.field_count,
    clients: new YcsbClientWorkload(ycsb),
  };
}

const EMPTY_COUNTS: ReadonlyMap<number, number> = new Map();

/** The shard map at the start: range boundaries default to equal parts of the loaded keys. */
function initialPartitioner(sharding: ResolvedScenario["sharding"], setup: WorkloadSetup): Partitioner {
  switch (sharding.strategy) {
    case "hash":
      return new HashPartitioner(sharding.shards);
    case "consistent":
      return new ConsistentPartitioner(sharding.shards, sharding.vnodes);
    case "directory":
      return new DirectoryPartitioner(new HashPartitioner(sharding.shards));
    case "range":
      if (sharding.boundaries !== null) return RangePartitioner.fromBoundaries(sharding.boundaries);
      return buildWorkload(() =>
        RangePartitioner.evenlyOver(
          Array.from({ length: setup.records }, (_, n) => setup.key(n)),
          sharding.shards,
        ),
      );
  }
}

function bankSetup(scenario: ResolvedScenario, rng: Rng): WorkloadSetup {
  const config = scenario.workload.bank;
  const bank = buildWorkload(() => new BankWorkload(config, rng));
  return {
    records: config.accounts,
    key: (n) => bank.keys[n] as string,
    value: config.initial_balance,
    field_count: 1,
    clients: bank,
  };
}

/**
 * A domain workload: no YCSB records; every replica builds the query database (tables, the
 * scenario's indexes) and loads the initial data from its own copy of the stream `data`, so the
 * copies are identical. Queries draw from the stream `query`.
 */
function domainSetup(scenario: ResolvedScenario, rng: Rng): WorkloadSetup {
  const workload = domainWorkloadOf(scenario);
  // Generated once, loaded into every replica: the same rows as each drawing its own copy.
  let rows: InitialRow[] | null = null;
  const database = (): Database => {
    rows ??= [...workload.initialData(rng.split("data"))];
    return loadedDatabase(scenario, workload, rows);
  };
  return {
    records: 0,
    key: () => "",
    value: 0,
    field_count: 1,
    clients: new DomainClientWorkload(workload, rng),
    domain: { workload, database },
  };
}

function domainWorkloadOf(scenario: ResolvedScenario): DomainWorkload {
  const domain = scenario.workload.domain;
  if (domain === null) throw new Error(`not a domain workload: workload.type ${scenario.workload.type}`);
  return createDomainWorkload(domain.type, domain.knobs);
}

/** A replica's query database: the workload's tables, the scenario's indexes, the initial rows. */
function loadedDatabase(
  scenario: ResolvedScenario,
  workload: DomainWorkload,
  rows: Iterable<InitialRow>,
): Database {
  const node = scenario.node;
  const db = new Database({
    tables: workload.tables,
    indexes: scenario.indexes,
    cost: {
      service_time_us: node.service_time_us,
      page_time_us: node.page_time_us,
      row_time_us: node.row_time_us,
    },
  });
  for (const { table, row } of rows) {
    if (!db.load(table, row)) throw new Error(`initial data: duplicate key inserting into ${table}`);
  }
  return db;
}

/**
 * What a run of a domain workload at `seed` starts with, without running it (`dbsim explain`): the
 * query database every replica loads, a fresh copy of the workload, and the stream its queries
 * draw from.
 */
export function initialQueryDatabase(
  scenario: ResolvedScenario,
  seed: number,
): { db: Database; workload: DomainWorkload; queries: Rng } {
  const rng = Rng.fromSeed(seed).split("workload"); // as the run's: sim.rng.split("workload")
  const workload = domainWorkloadOf(scenario);
  const rows = workload.initialData(rng.split("data"));
  return { db: loadedDatabase(scenario, workload, rows), workload, queries: rng.split("query") };
}

export class ScenarioRun {
  readonly scenario: ResolvedScenario;
  readonly seed: number;
  /** The simulation and its hosts, for fault injection (and tests) between slices. */
  readonly sim: Simulation;
  readonly hosts: { readonly nodes: readonly number[]; readonly client: number };
  /** What the fault schedule and the nemesis did, as it happened (filled in as faults fire). */
  readonly faultLog: readonly FaultRecord[];
  /** Host id -> name of every database node ("shard0/n1"). */
  readonly nodeNames: ReadonlyMap<number, string>;
  /** The domain workload the clients run (null for ycsb and bank). */
  readonly domain: DomainWorkload | null;
  /** Each node's role as last reported, for fault targets ("leader", "follower"). */
  private readonly roles = new Map<number, Role>();
  private readonly driver: { readonly backlogSize: number; readonly completed: number };
  /** The workload writes values unique to each write (YCSB), so surviving writes can be named. */
  private readonly uniqueWrites: boolean;
  /** The shard groups (spares included), the shard map's store (null: unsharded). */
  private readonly groups: readonly Shard[];
  private readonly store: ConfigStore | null;
  /** Routes requests by the shard map: the clients' (routing: client) or the router host's. */
  private readonly dispatcher: Dispatcher;
  private readonly end_us: number;
  /** The run must have drained by then: the last operations time out at the latest. */
  private readonly deadline_us: number;
  private finished = false;
  private readonly injector: FaultInjector;
  private readonly clientHost: ClientHost;
  /** A bank's accounts (its final reads read every balance at once), null for other workloads. */
  private readonly bankAccounts: { readonly first: string; readonly count: number } | null;
  /** Engine events reach the observer (not during the final phase, which measures nothing). */
  private reporting = true;
  /** The run as it ended, once the final phase has begun (`state` then reads this). */
  private atEnd: {
    now_us: number;
    events: number;
    messages: ReadonlyMap<string, number>;
    roles: ReadonlyMap<number, Role | "down">;
    faults: readonly FaultRecord[];
    requests: ReadonlyMap<number, number>;
  } | null = null;
  /** What the cluster did during the final phase, before its reads ended. */
  private readonly finalPhaseEvents = { leader_changes: 0, truncated_entries: 0 };

  constructor(scenario: ResolvedScenario, options: RunOptions) {
    this.scenario = scenario;
    this.seed = options.seed;
    const sim = new Simulation({
      seed: options.seed,
      latency: scenario.network.latency,
      ...(options.checkpointEvery === undefined ? {} : { checkpointEvery: options.checkpointEvery }),
    });
    this.sim = sim;
    const w = scenario.workload;
    const rng = sim.rng.split("workload");
    const setup =
      w.domain !== null
        ? domainSetup(scenario, rng)
        : w.type === "bank"
          ? bankSetup(scenario, rng)
          : ycsbSetup(scenario, rng);
    this.uniqueWrites = setup.clients.uniqueWrites;
    this.bankAccounts = w.type === "bank" ? { first: setup.key(0), count: setup.records } : null;
    this.domain = setup.domain?.workload ?? null;
    const r = scenario.replication;
    const observer = options.observer;
    const sh = scenario.sharding;
    const sharded = sh.provisioned > 1;
    const events = (event: EngineEvent) => {
      if (event.type === "role") this.roles.set(event.node, event.role);
      if (this.reporting) observer.onEngineEvent?.(event, sim.now_us);
      else if (event.type === "role" && event.role === "leader") this.finalPhaseEvents.leader_changes++;
      else if (event.type === "truncate") this.finalPhaseEvents.truncated_entries += event.entries;
    };
    // Host ids: the shard groups' nodes, then the client, the coordinator and the router host.
    const client_id = sh.provisioned * r.replicas;
    const coordinator_id = client_id + 1;
    const router_id = client_id + 2;
    this.store = sharded ? new ConfigStore(new ShardMap(1, initialPartitioner(sh, setup))) : null;
    const groups: Shard[] = [];
    for (let shard = 0; shard < sh.provisioned; shard++) {
      groups.push(
        addShard(sim, {
          replicas: r.replicas,
          protocol: builtInProtocol(r.mode, {
            failover: r.failover,
            reads: { consistency: r.read_consistency, max_clock_error_us: r.max_clock_error_us },
          }),
          node: {
            service_time_us: scenario.node.service_time_us,
            page_time_us: scenario.node.page_time_us,
            row_time_us: scenario.node.row_time_us,
            fsync_policy: scenario.node.fsync_policy,
            queue_limit: scenario.node.queue_limit,
          },
          fsync_us: scenario.node.fsync_us,
          btree_fanout: scenario.node.btree_fanout,
          field_count: setup.field_count,
          load: { count: setup.records, key: setup.key, value: setup.value },
          ...(setup.domain === undefined ? {} : { database: setup.domain.database }),
          events,
          ...(this.store === null
            ? {}
            : { sharding: { shard, store: this.store, coordinator: coordinator_id } }),
        }),
      );
    }
    this.groups = groups;
    const routers = (): Map<number, Router> =>
      new Map(
        groups.map((group, shard) => [
          shard,
          new Router({
            nodes: group.nodes,
            multiLeader: r.mode === "multi-leader",
            read_from: r.read_from,
          }),
        ]),
      );
    const proxy = sharded && sh.routing === "proxy";
    // Who routes by the shard map: the clients, or the router host (the clients then know only it).
    this.dispatcher = new Dispatcher({
      shards: routers(),
      map: this.store?.map ?? null,
      readYourWrites: r.read_your_writes,
    });
    const clientDispatcher = proxy
      ? new Dispatcher({
          shards: new Map([
            [
              0,
              new Router({
                nodes: [router_id],
                multiLeader: false,
                read_from: "leader",
              }),
            ],
          ]),
          map: null,
          readYourWrites: false,
        })
      : this.dispatcher;
    this.end_us = scenario.warmup_us + scenario.duration_us;
    this.deadline_us = this.end_us + 2 * w.timeout_us + 1_000_000;
    const driver = new ClientDriver({
      config: {
        rate_per_s: w.rate_per_s,
        arrival: w.arrival,
        clients: w.clients,
        timeout_us: w.timeout_us,
        max_backlog: w.max_backlog,
        warmup_us: scenario.warmup_us,
        end_us: this.end_us,
        shards_known: !proxy,
      },
      workload: setup.clients,
      arrivals: sim.rng.split("arrivals"),
      dispatcher: clientDispatcher,
      observer,
      onDrained: () => sim.stop(),
    });
    this.driver = driver;
    this.clientHost = new ClientHost(driver);
    const client = sim.addHost("client", () => this.clientHost);
    if (client !== client_id) throw new Error(`runner: client host ${client}, expected ${client_id}`);
    if (this.store !== null) {
      const store = this.store;
      const coordinator = new Coordinator({
        store,
        groups: new Map(groups.map((group, shard) => [shard, group.nodes])),
        subscribers: [proxy ? router_id : client_id],
        changes: scenario.changes,
        vnodes: sh.vnodes,
        split_at: sh.split_at,
        split_load: sh.split_load,
        batch: sh.batch,
        pause_us: sh.pause_us,
        request_timeout_us: w.timeout_us,
        events,
      });
      if (sim.addHost("coordinator", () => coordinator) !== coordinator_id)
        throw new Error("runner: coordinator host id");
      if (proxy) {
        const host = new RouterHost(this.dispatcher, w.timeout_us);
        if (sim.addHost("router", () => host) !== router_id) throw new Error("runner: router host id");
      }
    }
    const nodes = groups.flatMap((group, shard) =>
      group.nodes.map((id, i) => ({ id, name: group.names[i] as string, shard })),
    );
    this.hosts = { nodes: nodes.map((node) => node.id), client };
    this.nodeNames = new Map(nodes.map((node) => [node.id, node.name]));
    const injector = new FaultInjector(
      sim,
      scenario.faults,
      {
        nodes: () => {
          const inService = new Set(this.store?.map.shardIds ?? [0]);
          return nodes.map((node) => ({
            ...node,
            role: this.roleOf(node.id),
            in_service: inService.has(node.shard),
          }));
        },
        client: () => client,
      },
      sim.rng.split("faults"),
    );
    this.faultLog = injector.log;
    this.injector = injector;
    sim.start();
    injector.install();
    const { loss, duplicate } = scenario.network;
    if (loss > 0 || duplicate > 0) {
      for (let a = 0; a < sim.hostCount; a++) {
        for (let b = 0; b < sim.hostCount; b++) if (a !== b) sim.setLink(a, b, { loss, duplicate });
      }
    }
  }

  /**
   * Values of the writes the final leaders' logs hold, compacted parts included (null unless
   * exactly one node leads each shard in use, or in multi-leader mode): what survived the run.
   * Inspects the engine, after the run.
   */
  survivingWrites(): WriteSet | null {
    // Only a workload whose writes write values unique to each can tell which survived.
    if (this.scenario.replication.mode === "multi-leader" || !this.uniqueWrites) return null;
    const leaders = this.shardLeaders();
    if (leaders === null) return null;
    const values = new WriteSet();
    for (const leader of leaders.values()) values.addAll(logWrites(this.sim.disk(leader)));
    return values;
  }

  /**
   * What each key holds at the end on its shard's final leader (null: the initial value), for
   * lost_writes; null for the whole map when a shard has no single leader (or in multi-leader mode).
   */
  finalValues(keys: Iterable<string>): Map<string, number | null> | null {
    const records = this.finalLookup();
    if (records === null) return null;
    const values = new Map<string, number | null>();
    for (const key of keys) {
      const version = records(key) ?? 0;
      values.set(key, version === 0 ? null : version);
    }
    return values;
  }

  /**
   * The value every record holds at the end on its shard's final leader (a bank's balances), or
   * null without a single leader per shard (or in multi-leader mode).
   */
  finalRecords(): Map<string, number> | null {
    const leaders = this.shardLeaders();
    if (leaders === null) return null;
    const values = new Map<string, number>();
    for (const [shard, leader] of leaders) {
      const table = storageOf(this.sim.disk(leader)).table;
      table.index.scan("", Number.POSITIVE_INFINITY, (key, row) => {
        if (this.ownerOf(key) === shard) values.set(key, table.version(row));
      });
    }
    return values;
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
    const leaders = this.shardLeaders();
    const ids = new Set([...map.shardIds, ...this.dispatcher.requestsByShard.keys()]);
    const shards = [...ids]
      .sort((a, b) => a - b)
      .map((id) => {
        const leader = leaders?.get(id);
        let keys: number | null = null;
        if (leader !== undefined) {
          keys = 0;
          const table = storageOf(this.sim.disk(leader)).table;
          table.index.scan("", Number.POSITIVE_INFINITY, (key) => {
            if (map.ownerOf(key) === id) keys = (keys as number) + 1;
          });
        }
        return { id, keys, requests: this.dispatcher.requestsByShard.get(id) ?? 0 };
      });
    return {
      strategy: map.current.strategy,
      shards,
      cross_shard_ops: this.dispatcher.crossShard,
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
      nodeState: (node: number) => run.atEnd?.roles.get(node) ?? run.roleOf(node),
      get faults() {
        return run.atEnd?.faults ?? run.faultLog;
      },
      requestsByShard: () => run.atEnd?.requests ?? run.requestsByShard(),
    };
  })();

  /** Requests routed to each shard so far (empty when unsharded). */
  requestsByShard(): ReadonlyMap<number, number> {
    return this.store === null ? EMPTY_COUNTS : this.dispatcher.requestsByShard;
  }

  private ownerOf(key: string): number {
    return this.store === null ? 0 : this.store.map.ownerOf(key);
  }

  /** Looks a key up on its owner's final leader (undefined: absent), or null without leaders. */
  private finalLookup(): ((key: string) => number | undefined) | null {
    const leaders = this.shardLeaders();
    if (leaders === null) return null;
    return (key) => {
      const leader = leaders.get(this.ownerOf(key));
      if (leader === undefined) return undefined;
      const table = storageOf(this.sim.disk(leader)).table;
      const row = table.find(key);
      return row < 0 ? undefined : table.version(row);
    };
  }

  /** The one leader of each shard the map uses (null if one has none or several, or multi-leader). */
  private shardLeaders(): Map<number, number> | null {
    if (this.scenario.replication.mode === "multi-leader") return null;
    const used = this.store === null ? [0] : this.store.map.shardIds;
    const leaders = new Map<number, number>();
    for (const shard of used) {
      const group = this.groups[shard];
      const leading = group?.nodes.filter((node) => this.roleOf(node) === "leader") ?? [];
      if (leading.length !== 1) return null;
      leaders.set(shard, leading[0] as number);
    }
    return leaders;
  }

  /** A node's query database (null for ycsb and bank). Inspects the engine. */
  database(node: number): Database | null {
    return storageOf(this.sim.disk(node)).db;
  }

  /**
   * The query database the run ends with: the single leader's (else the first node's); null for
   * ycsb and bank. For the report's index advice and tests.
   */
  finalDatabase(): Database | null {
    const leaders = this.shardLeaders();
    const node = leaders?.get(0) ?? (this.hosts.nodes[0] as number);
    return this.database(node);
  }

  /** Nodes that believe they lead now. */
  leaders(): number[] {
    return this.hosts.nodes.filter((n) => this.roleOf(n) === "leader");
  }

  /** A node's role as it last reported it, or "down" when it is not running. */
  roleOf(node: number): Role | "down" {
    if (!this.sim.isUp(node)) return "down";
    return this.roles.get(node) ?? "follower";
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
        `run did not drain: ${this.driver.backlogSize} operations backlogged at ${this.sim.now_us}us ` +
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
      roles: new Map(this.hosts.nodes.map((node) => [node, this.roleOf(node)])),
      faults: this.faultLog.map((record) => ({ ...record })),
      requests: new Map(this.requestsByShard()),
    };
    const healed_us = this.sim.now_us;
    this.injector.endAll();
    const { settle_us } = this.scenario.final_reads;
    const reads_from_us = healed_us + settle_us;
    const phase: { reader: FinalReader | null; leaders: number[] } = { reader: null, leaders: [] };
    this.sim.at(reads_from_us, () => {
      phase.leaders = this.leaders();
      const stop = () => this.sim.stop();
      phase.reader = new FinalReader(this.finalReadTargets(keys), this.scenario.workload.timeout_us, stop);
      this.clientHost.startFinalReads(phase.reader);
    });
    this.sim.resume();
    while (phase.reader === null || !phase.reader.done) {
      const outcome = this.sim.runSlice(1_000_000);
      if (outcome === "idle") throw new Error("final phase: no event left before the reads ended (a bug)");
      if (outcome === "stopped" && phase.reader?.done !== true) this.sim.resume();
    }
    return {
      healed_us,
      reads_from_us,
      end_us: this.sim.now_us,
      settle_us,
      reads: phase.reader.reads,
      leaders: phase.leaders,
      ...this.finalPhaseEvents,
    };
  }

  /** Each key from every replica of the shard owning it now; a bank's every balance from each replica. */
  private finalReadTargets(keys: readonly string[]): FinalReadTarget[] {
    const bank = this.bankAccounts;
    if (bank !== null) {
      const nodes = (this.groups[0] as Shard).nodes;
      return [{ op: "read_all", key: bank.first, limit: bank.count, nodes }];
    }
    return keys.map((key) => ({
      op: "read",
      key,
      nodes: (this.groups[this.ownerOf(key)] as Shard).nodes,
    }));
  }

  /** Runs to completion. */
  runToEnd(): RunResult {
    while (!this.advance(1_000_000)) {}
    return this.result();
  }

  get progress(): RunProgress {
    return {
      now_us: this.sim.now_us,
      end_us: this.end_us,
      events: this.sim.events,
      operations: this.driver.completed,
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
      operations: this.driver.completed,
      messages: this.sim.messagesSent,
    };
  }
}
