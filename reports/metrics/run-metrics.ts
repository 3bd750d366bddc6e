// A run's Prometheus metrics: one prom-client Registry per run (never the global one), built from
// the catalogue. RunMetrics is an Observer: operations and engine events are counted into flat
// arrays on the hot path, and every metric reads them (and the run's state, through a RunView) in
// its prom-client `collect` hook, i.e. whenever the registry is read: by the virtual-time sampler
// at each sample boundary, or by a scrape of the live endpoint between two slices of the run.
//
// Nothing here touches the simulation: the view only reads it, so metrics cannot perturb a run
// (test/cli/metrics.test.ts: same trace hash with and without).

import { Counter, Gauge, Registry } from "prom-client";
import type { CacheStats } from "../../engine/cache/stats.js";
import type { EngineEvent, Role } from "../../engine/events.js";
import type { IoStats } from "../../engine/node/io-stats.js";
import type { RangeSpread } from "../../engine/topology.js";
import type { ConnectionGauges } from "../../workloads/connection-gauges.js";
import type { FaultRecord, ResolvedFault } from "../../workloads/nemesis/injector.js";
// Disk fault kinds: their series exist only in a run with disk faults (other runs keep theirs).
import { DISK_FAULT_KINDS } from "../../workloads/nemesis/schema.js";
import type { CompletedOperation, Observer } from "../../workloads/observer.js";
import { BucketHistogram, type BucketSeries } from "./bucket-histogram.js";
import { registerCacheMetrics } from "./cache-metrics.js";
import { LATENCY_BUCKETS_US, latencyBucket, METRICS, metricOptions, RUN_LABEL } from "./catalogue.js";
import { registerConnectionMetrics } from "./connection-metrics.js";
import { copySnapshot, type MetricsSnapshot } from "./exposition.js";
import { registerRangeMetrics } from "./range-metrics.js";
import { TxnMetrics } from "./txn-metrics.js";

/** Node roles dbsim_node_up reports (a node that is down is 0 in every role). */
export const NODE_ROLES = ["leader", "follower", "candidate"] as const satisfies readonly Role[];

/** Fault kinds, for dbsim_faults_total and dbsim_faults_active (every one starts at 0). */
export const FAULT_KINDS = [
  "partition",
  "heal",
  "crash",
  "restart",
  "pause",
  "clock_skew",
  "link",
  "zone_outage",
  "region_outage",
  "region_partition",
] as const satisfies readonly ResolvedFault["kind"][];
// A fault kind added to the injector must be added above (and to the dashboards' documentation).
const everyFaultKindListed: [
  Exclude<ResolvedFault["kind"], (typeof FAULT_KINDS)[number] | (typeof DISK_FAULT_KINDS)[number]>,
] extends [never]
  ? true
  : false = true;
void everyFaultKindListed;

/** Kinds that happen at an instant: never "in force". */
const INSTANT_FAULTS: ReadonlySet<string> = new Set(["heal", "restart"]);

const RESULTS = ["ok", "fail", "info"] as const;

/** What the metrics read of a run, as it is now (between two slices, or at its end). */
export interface RunView {
  /** Virtual time now, in µs. */
  now_us(): number;
  /** Simulator events executed so far. */
  events(): number;
  /** Messages sent so far, by message kind. */
  messagesByKind(): ReadonlyMap<string, number>;
  /** Bytes sent so far, by message kind. */
  bytesByKind(): ReadonlyMap<string, number>;
  /** The role each database node believes it has, or "down" when it is not running. */
  nodeState(node: number): Role | "down";
  /** Faults fired so far, each with its end once over (the injector's log, appended to as they fire). */
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
  /** Each cache host's counters, by cache node number (absent or empty: no cache, no cache metric). */
  cacheStats?(): readonly CacheStats[];
  /** Multi-raft: ranges, leaseholders and CPU per physical node (absent or null: no range metric). */
  rangeSpread?(): RangeSpread | null;
}

export interface RunMetricsOptions {
  /** The value of the `run` label on every series (catalogue: `runLabel(scenario, seed)`). */
  run: string;
  /** Host id -> name of every database node ("shard0/n1"). */
  nodeNames: ReadonlyMap<number, string>;
  view: RunView;
  /** The scenario's checks: dbsim_check_violations_total starts at 0 for each. */
  checks: readonly string[];
  /** The clients run transactions: the dbsim_txn_* metrics are registered (absent: not). */
  transactions?: boolean;
  /** The run injects disk faults: their kinds and the disk metrics are registered (else absent). */
  disk_faults?: boolean;
  /** The client hosts' regions (absent or empty: no topology, no per-region latency metric). */
  clientRegions?: readonly string[];
}

interface OpStats {
  readonly results: Float64Array;
  readonly errors: Map<string, number>;
  /** Latency bucket counts (not cumulative), last = above 10 s. */
  readonly buckets: Float64Array;
  /** Sum of latencies in µs (exact: integers). */
  sum_us: number;
}

interface NodeStats {
  readonly name: string;
  readonly shard: string;
  /** Largest lag (µs) applied since the last sample; -1 when none. */
  lagMax_us: number;
  /** Last sampled lag in seconds; null until the node has applied a replicated entry. */
  lag_s: number | null;
  conflicts: number;
  truncated: number;
  /** Snapshots it installed. */
  snapshots: number;
  /** Corrupt log entries it found, and entries it dropped then got back from a peer. */
  corruptions: number;
  repaired: number;
}

/** `op`'s stats in `ops`, made on first use. */
function opStatsIn(ops: Map<string, OpStats>, op: string): OpStats {
  let stats = ops.get(op);
  if (stats === undefined) {
    stats = {
      results: new Float64Array(RESULTS.length),
      errors: new Map(),
      buckets: new Float64Array(LATENCY_BUCKETS_US.length + 1),
      sum_us: 0,
    };
    ops.set(op, stats);
  }
  return stats;
}

/** The shard part of a node name ("shard0/n1" -> "shard0"). */
function shardOf(name: string): string {
  const slash = name.indexOf("/");
  return slash < 0 ? name : name.slice(0, slash);
}

export class RunMetrics implements Observer {
  readonly registry = new Registry();
  readonly run: string;
  private readonly view: RunView;
  private readonly ops = new Map<string, OpStats>();
  /** Per client region, per operation: ok operations' latency buckets (`results` unused). */
  private readonly regionOps = new Map<string, Map<string, OpStats>>();
  private readonly nodes = new Map<number, NodeStats>();
  private readonly failovers = new Map<string, number>();
  private readonly violations = new Map<string, number>();
  /** Sharding: rows each shard last reported, keys moved away from each source, changes in progress. */
  private readonly shardKeys = new Map<number, number>();
  private readonly movedKeys = new Map<number, number>();
  private reshardsInProgress = 0;
  private readonly txn: TxnMetrics | null;
  private readonly faultKinds: readonly string[];
  private readonly diskFaults: boolean;

  constructor(options: RunMetricsOptions) {
    this.run = options.run;
    this.view = options.view;
    this.diskFaults = options.disk_faults ?? false;
    this.faultKinds = this.diskFaults ? [...FAULT_KINDS, ...DISK_FAULT_KINDS] : FAULT_KINDS;
    for (const [id, name] of options.nodeNames) {
      const shard = shardOf(name);
      const stats = { name, shard, lagMax_us: -1, lag_s: null, conflicts: 0, truncated: 0, snapshots: 0 };
      this.nodes.set(id, { ...stats, corruptions: 0, repaired: 0 });
      this.failovers.set(shard, 0);
    }
    for (const check of options.checks) this.violations.set(check, 0);
    for (const region of options.clientRegions ?? []) this.regionOps.set(region, new Map());
    this.registry.setDefaultLabels({ [RUN_LABEL]: options.run });
    this.txn = options.transactions === true ? new TxnMetrics(this.registry) : null;
    this.register();
  }

  onOperation(op: CompletedOperation): void {
    if (op.op === "txn") this.txn?.onOperation(op);
    const stats = this.opStats(op.op);
    const result = op.result === "ok" ? 0 : op.result === "fail" ? 1 : 2;
    stats.results[result] = (stats.results[result] as number) + 1;
    if (result === 0) {
      const latency_us = op.latency_us;
      const b = latencyBucket(latency_us);
      stats.buckets[b] = (stats.buckets[b] as number) + 1;
      stats.sum_us += latency_us;
      const byOp = op.client_region == null ? undefined : this.regionOps.get(op.client_region);
      if (byOp !== undefined) {
        const regionStats = opStatsIn(byOp, op.op);
        regionStats.buckets[b] = (regionStats.buckets[b] as number) + 1;
        regionStats.sum_us += latency_us;
      }
    } else {
      const reason = op.error ?? "unknown";
      stats.errors.set(reason, (stats.errors.get(reason) ?? 0) + 1);
    }
  }

  onEngineEvent(event: EngineEvent, time_us: number): void {
    if (!("node" in event)) {
      this.onCoordinatorEvent(event);
      return;
    }
    const node = this.nodes.get(event.node);
    if (node === undefined) return;
    switch (event.type) {
      case "lag":
        if (event.lag_us > node.lagMax_us) node.lagMax_us = event.lag_us;
        break;
      case "role":
        if (event.role === "leader") {
          if (node.lag_s !== null) node.lag_s = 0;
          node.lagMax_us = -1;
          // The first leader is elected at time 0; every later promotion is a failover.
          if (time_us > 0) this.failovers.set(node.shard, (this.failovers.get(node.shard) ?? 0) + 1);
        }
        break;
      case "conflict":
        node.conflicts++;
        break;
      case "truncate":
        node.truncated += event.entries;
        break;
      case "snapshot":
        node.snapshots++;
        break;
      case "corruption":
        node.corruptions += event.corrupt;
        break;
      case "repaired":
        node.repaired += event.entries;
        break;
    }
  }

  /** The sharding coordinator's reports (they are about shards, not nodes). */
  private onCoordinatorEvent(event: Exclude<EngineEvent, { node: number }>): void {
    switch (event.type) {
      case "shard_stats":
        this.shardKeys.set(event.shard, event.keys);
        break;
      case "cutover":
        this.movedKeys.set(event.source, (this.movedKeys.get(event.source) ?? 0) + event.moved_keys);
        break;
      case "reshard_begin":
        this.reshardsInProgress++;
        break;
      case "reshard_end":
        this.reshardsInProgress = Math.max(0, this.reshardsInProgress - 1);
        break;
    }
  }

  /**
   * Ends a sample interval (call at each virtual-time sample boundary, before reading): the lag
   * gauges take the largest lag applied during the interval.
   */
  closeInterval(): void {
    for (const node of this.nodes.values()) {
      if (node.lagMax_us >= 0) node.lag_s = node.lagMax_us / 1e6;
      node.lagMax_us = -1;
    }
  }

  /** Records the checks' verdicts (after the run): 1 violation per check whose verdict is false. */
  setCheckVerdicts(verdicts: Readonly<Record<string, { valid: boolean | "unknown" }>>): void {
    for (const [check, verdict] of Object.entries(verdicts))
      this.violations.set(check, verdict.valid === false ? 1 : 0);
  }

  /** A copy of every metric's current values (prom-client's JSON, copied: no live references). */
  async snapshot(): Promise<MetricsSnapshot> {
    return copySnapshot(await this.registry.getMetricsAsJSON());
  }

  private opStats(op: string): OpStats {
    return opStatsIn(this.ops, op);
  }

  /** Creates every run-scoped metric of the catalogue in this run's registry. */
  private register(): void {
    const registers = [this.registry];
    const self = this;
    const m = METRICS;
    const cacheStats = this.view.cacheStats;
    if (cacheStats !== undefined && cacheStats().length > 0)
      registerCacheMetrics(this.registry, () => cacheStats());
    const rangeSpread = this.view.rangeSpread;
    const spread = rangeSpread?.();
    if (rangeSpread !== undefined && spread !== null && spread !== undefined)
      registerRangeMetrics(this.registry, () => rangeSpread() ?? spread);
    new Gauge({
      ...metricOptions(m.shardKeys),
      labelNames: m.shardKeys.labels,
      registers,
      collect() {
        this.reset();
        for (const [shard, keys] of self.shardKeys) this.set({ shard: `shard${shard}` }, keys);
      },
    });
    new Counter({
      ...metricOptions(m.shardOps),
      labelNames: m.shardOps.labels,
      registers,
      collect() {
        this.reset();
        for (const [shard, count] of self.view.requestsByShard()) this.inc({ shard: `shard${shard}` }, count);
      },
    });
    new Counter({
      ...metricOptions(m.shardMovedKeys),
      labelNames: m.shardMovedKeys.labels,
      registers,
      collect() {
        this.reset();
        for (const [shard, count] of self.movedKeys) this.inc({ shard: `shard${shard}` }, count);
      },
    });
    new Gauge({
      ...metricOptions(m.resharding),
      registers,
      collect() {
        this.set(self.reshardsInProgress > 0 ? 1 : 0);
      },
    });

    new Counter({
      ...metricOptions(m.ops),
      labelNames: m.ops.labels,
      registers,
      collect() {
        this.reset();
        for (const [op, stats] of self.ops)
          for (const [i, result] of RESULTS.entries()) this.inc({ op, result }, stats.results[i] as number);
      },
    });
    new Counter({
      ...metricOptions(m.opErrors),
      labelNames: m.opErrors.labels,
      registers,
      collect() {
        this.reset();
        for (const [op, stats] of self.ops)
          for (const [reason, count] of stats.errors) this.inc({ op, reason }, count);
      },
    });
    new BucketHistogram(
      {
        ...metricOptions(m.opLatency),
        labelNames: m.opLatency.labels,
        buckets: m.opLatency.buckets ?? [],
        registers,
        aggregator: "sum",
      },
      function* (): Iterable<BucketSeries> {
        for (const [op, stats] of self.ops)
          yield { labels: { op }, counts: stats.buckets, sum: stats.sum_us / 1e6 };
      },
    );
    if (this.regionOps.size > 0) {
      new BucketHistogram(
        {
          ...metricOptions(m.clientRegionLatency),
          labelNames: m.clientRegionLatency.labels,
          buckets: m.clientRegionLatency.buckets ?? [],
          registers,
          aggregator: "sum",
        },
        function* (): Iterable<BucketSeries> {
          for (const [region, byOp] of self.regionOps)
            for (const [op, stats] of byOp)
              yield { labels: { region, op }, counts: stats.buckets, sum: stats.sum_us / 1e6 };
        },
      );
    }

    new Gauge({
      ...metricOptions(m.replicationLag),
      labelNames: m.replicationLag.labels,
      registers,
      collect() {
        this.reset();
        for (const node of self.nodes.values())
          if (node.lag_s !== null) this.set({ shard: node.shard, node: node.name }, node.lag_s);
      },
    });
    new Counter({
      ...metricOptions(m.replicationConflicts),
      labelNames: m.replicationConflicts.labels,
      registers,
      collect() {
        this.reset();
        for (const node of self.nodes.values())
          this.inc({ shard: node.shard, node: node.name }, node.conflicts);
      },
    });
    new Counter({
      ...metricOptions(m.replicationTruncated),
      labelNames: m.replicationTruncated.labels,
      registers,
      collect() {
        this.reset();
        for (const node of self.nodes.values())
          this.inc({ shard: node.shard, node: node.name }, node.truncated);
      },
    });
    new Counter({
      ...metricOptions(m.replicationSnapshots),
      labelNames: m.replicationSnapshots.labels,
      registers,
      collect() {
        this.reset();
        for (const node of self.nodes.values())
          this.inc({ shard: node.shard, node: node.name }, node.snapshots);
      },
    });
    new Gauge({
      ...metricOptions(m.applyBacklog),
      labelNames: m.applyBacklog.labels,
      registers,
      collect() {
        this.reset();
        for (const [id, node] of self.nodes)
          this.set({ shard: node.shard, node: node.name }, self.view.applyBacklog(id));
      },
    });
    new Gauge({
      ...metricOptions(m.nodeUp),
      labelNames: m.nodeUp.labels,
      registers,
      collect() {
        this.reset();
        for (const [id, node] of self.nodes) {
          const state = self.view.nodeState(id);
          for (const role of NODE_ROLES) this.set({ node: node.name, role }, state === role ? 1 : 0);
        }
      },
    });
    new Counter({
      ...metricOptions(m.failovers),
      labelNames: m.failovers.labels,
      registers,
      collect() {
        this.reset();
        for (const [shard, count] of self.failovers) this.inc({ shard }, count);
      },
    });

    new Counter({
      ...metricOptions(m.bufferPoolRequests),
      labelNames: m.bufferPoolRequests.labels,
      registers,
      collect() {
        this.reset();
        for (const [id, node] of self.nodes) {
          const io = self.view.io(id);
          this.inc({ node: node.name, result: "hit" }, io.hits);
          this.inc({ node: node.name, result: "miss" }, io.misses);
        }
      },
    });
    new Counter({
      ...metricOptions(m.bufferPoolEvictions),
      labelNames: m.bufferPoolEvictions.labels,
      registers,
      collect() {
        this.reset();
        for (const [id, node] of self.nodes) this.inc({ node: node.name }, self.view.io(id).evictions);
      },
    });
    new Gauge({
      ...metricOptions(m.bufferPoolPages),
      labelNames: m.bufferPoolPages.labels,
      registers,
      collect() {
        this.reset();
        for (const [id, node] of self.nodes) this.set({ node: node.name }, self.view.io(id).pool_pages);
      },
    });
    new Counter({
      ...metricOptions(m.diskOperations),
      labelNames: m.diskOperations.labels,
      registers,
      collect() {
        this.reset();
        for (const [id, node] of self.nodes) {
          const io = self.view.io(id);
          this.inc({ node: node.name, kind: "read" }, io.disk_reads);
          this.inc({ node: node.name, kind: "write" }, io.disk_writes);
          this.inc({ node: node.name, kind: "fsync" }, io.fsyncs);
        }
      },
    });
    registerConnectionMetrics(
      registers,
      self.nodes,
      (node) => self.view.connections(node),
      (node) => self.view.activeRequests(node),
    );

    new Gauge({
      ...metricOptions(m.partitionActive),
      registers,
      collect() {
        this.set(self.faultsInForce().get("partition") ?? 0);
      },
    });
    new Counter({
      ...metricOptions(m.faults),
      labelNames: m.faults.labels,
      registers,
      collect() {
        this.reset();
        const fired = new Map<string, number>(self.faultKinds.map((kind) => [kind, 0]));
        for (const record of self.view.faults) fired.set(record.kind, (fired.get(record.kind) ?? 0) + 1);
        for (const [kind, count] of fired) this.inc({ kind }, count);
      },
    });
    new Gauge({
      ...metricOptions(m.faultsActive),
      labelNames: m.faultsActive.labels,
      registers,
      collect() {
        this.reset();
        const active = self.faultsInForce();
        for (const kind of self.faultKinds) this.set({ kind }, active.get(kind) ?? 0);
      },
    });
    if (this.diskFaults) this.registerDiskMetrics(registers);
    new Counter({
      ...metricOptions(m.messages),
      labelNames: m.messages.labels,
      registers,
      collect() {
        this.reset();
        for (const [kind, count] of self.view.messagesByKind()) this.inc({ kind }, count);
      },
    });
    new Counter({
      ...metricOptions(m.networkBytes),
      labelNames: m.networkBytes.labels,
      registers,
      collect() {
        this.reset();
        for (const [kind, bytes] of self.view.bytesByKind()) this.inc({ kind }, bytes);
      },
    });

    new Counter({
      ...metricOptions(m.checkViolations),
      labelNames: m.checkViolations.labels,
      registers,
      collect() {
        this.reset();
        for (const [check, count] of self.violations) this.inc({ check }, count);
      },
    });

    new Gauge({
      ...metricOptions(m.simVirtualSeconds),
      registers,
      collect() {
        this.set(self.view.now_us() / 1e6);
      },
    });
    new Counter({
      ...metricOptions(m.simEvents),
      registers,
      collect() {
        this.reset();
        this.inc(self.view.events());
      },
    });
  }

  /** Corrupt entries found and entries repaired, per node (only in a run with disk faults). */
  private registerDiskMetrics(registers: Registry[]): void {
    const self = this;
    const m = METRICS;
    new Counter({
      ...metricOptions(m.diskCorruptions),
      labelNames: m.diskCorruptions.labels,
      registers,
      collect() {
        this.reset();
        for (const node of self.nodes.values())
          this.inc({ shard: node.shard, node: node.name }, node.corruptions);
      },
    });
    new Counter({
      ...metricOptions(m.diskRepaired),
      labelNames: m.diskRepaired.labels,
      registers,
      collect() {
        this.reset();
        for (const node of self.nodes.values())
          this.inc({ shard: node.shard, node: node.name }, node.repaired);
      },
    });
  }

  /** Faults in force now, by kind: fired on at least one host, not instantaneous, not yet over. */
  private faultsInForce(): Map<string, number> {
    const active = new Map<string, number>();
    for (const record of this.view.faults) {
      if (INSTANT_FAULTS.has(record.kind) || record.targets.length === 0 || record.end_s !== undefined)
        continue;
      active.set(record.kind, (active.get(record.kind) ?? 0) + 1);
    }
    return active;
  }
}
