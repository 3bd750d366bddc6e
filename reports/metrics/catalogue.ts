// The metric catalogue: every Prometheus metric dbsim emits, declared once. The run's registry is
// built from it (reports/metrics/run-metrics.ts), the live endpoint's progress metrics too, and the
// Grafana dashboards (dashboards/) build their queries from these entries, so renaming a metric or
// a label breaks the build rather than a panel.
//
// Conventions (DESIGN.md, "Metrics"): the `dbsim_` prefix, base units in the name (`_seconds`),
// `_total` on counters, few and bounded labels. Every series also carries `run` (the registry's
// default label): `<scenario>/seed-<seed>` for a run, `<scenario>/sweep` for a live sweep.
//
// Subsystems add their metrics here in the change that builds them.

/** prom-client's ways of combining one metric across registries (a sweep's runs). */
export type Aggregator = "sum" | "max" | "min" | "average" | "first" | "omit";

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricDef<L extends string = string> {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** Label names besides `run` (and `le` on histogram buckets). */
  readonly labels: readonly L[];
  /** Histogram bucket upper bounds, in the metric's unit. */
  readonly buckets?: readonly number[];
  /**
   * How a live sweep combines the runs in progress on its workers (counters and histograms also
   * keep the runs that finished): `omit` for the state of one run, meaningless summed over several.
   */
  readonly aggregator: Aggregator;
  /** `run`: in every run's registry (timeline and live); `live`: only on the live endpoint. */
  readonly scope: "run" | "live";
}

/** The label every series carries: which run (or live sweep) it belongs to. */
export const RUN_LABEL = "run";

/** The `run` label of a run: `<scenario>/seed-<seed>`. */
export function runLabel(scenario: string, seed: number): string {
  return `${scenario}/seed-${seed}`;
}

/** The `run` label of a live sweep's aggregate: `<scenario>/sweep`. */
export function sweepRunLabel(scenario: string): string {
  return `${scenario}/sweep`;
}

/**
 * Operation latency buckets, in seconds: 1-2-5 steps from 10 µs to 10 s (19 bounds, then +Inf).
 * Latency in dbsim is whole microseconds, so the bounds are exact in µs (LATENCY_BUCKETS_US).
 */
export const LATENCY_BUCKETS_US: readonly number[] = [
  10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
  1_000_000, 2_000_000, 5_000_000, 10_000_000,
];
export const LATENCY_BUCKETS_S: readonly number[] = LATENCY_BUCKETS_US.map((us) => us / 1e6);

/** The bucket of a latency (index into LATENCY_BUCKETS_US; its length: above every bound). */
export function latencyBucket(latency_us: number): number {
  let b = 0;
  while (b < LATENCY_BUCKETS_US.length && latency_us > (LATENCY_BUCKETS_US[b] as number)) b++;
  return b;
}

/** The options of a prom-client metric for a catalogue entry (labels added by the caller). */
export function metricOptions(def: MetricDef): { name: string; help: string; aggregator: Aggregator } {
  return { name: def.name, help: def.help, aggregator: def.aggregator };
}

function metric<const L extends string>(def: MetricDef<L>): MetricDef<L> {
  return def;
}

export const METRICS = {
  // The clients.
  ops: metric({
    name: "dbsim_ops_total",
    type: "counter",
    help: "Operations completed, by operation and outcome (ok: took effect; fail: did not; info: unknown, e.g. a timeout), warmup and drain included.",
    labels: ["op", "result"],
    aggregator: "sum",
    scope: "run",
  }),
  opErrors: metric({
    name: "dbsim_op_errors_total",
    type: "counter",
    help: "Operations that failed or whose outcome is unknown, by operation and reason (timeout, overloaded, not_leader, not_found, backlog_full, ...).",
    labels: ["op", "reason"],
    aggregator: "sum",
    scope: "run",
  }),
  opLatency: metric({
    name: "dbsim_op_latency_seconds",
    type: "histogram",
    help: "Latency of ok operations from their intended start to completion (open loop: waiting for a client counts), by operation.",
    labels: ["op"],
    buckets: LATENCY_BUCKETS_S,
    aggregator: "sum",
    scope: "run",
  }),
  // Only in runs with a topology.
  clientRegionLatency: metric({
    name: "dbsim_client_region_latency_seconds",
    type: "histogram",
    help: "Latency of ok operations from their intended start to completion, by the region of the client host that sent them, and operation (only with a topology).",
    labels: ["region", "op"],
    buckets: LATENCY_BUCKETS_S,
    aggregator: "sum",
    scope: "run",
  }),

  // Transactions (runs of a transaction workload only).
  txns: metric({
    name: "dbsim_txn_total",
    type: "counter",
    help: "Transactions completed, by result (committed; aborted: definitely not; unknown: e.g. a timeout), warmup and drain included.",
    labels: ["result"],
    aggregator: "sum",
    scope: "run",
  }),
  txnAborts: metric({
    name: "dbsim_txn_aborts_total",
    type: "counter",
    help: "Aborted transactions (definitely not committed), by reason (conflict, validation, timeout, unknown_txn, ...).",
    labels: ["reason"],
    aggregator: "sum",
    scope: "run",
  }),
  txnCommitLatency: metric({
    name: "dbsim_txn_commit_latency_seconds",
    type: "histogram",
    help: "Latency of committed transactions from their first statement sent to the commit's ok.",
    labels: [],
    buckets: LATENCY_BUCKETS_S,
    aggregator: "sum",
    scope: "run",
  }),

  // Replication.
  replicationLag: metric({
    name: "dbsim_replication_lag_seconds",
    type: "gauge",
    help: "Replication lag of a follower: the largest lag (leader's log time to the follower's apply time, by their clocks) of the entries it applied since the previous sample; unchanged when it applied none, 0 while it leads.",
    labels: ["shard", "node"],
    aggregator: "max",
    scope: "run",
  }),
  replicationConflicts: metric({
    name: "dbsim_replication_conflicts_total",
    type: "counter",
    help: "Writes discarded by last-writer-wins conflict resolution (multi-leader), by node.",
    labels: ["shard", "node"],
    aggregator: "sum",
    scope: "run",
  }),
  replicationTruncated: metric({
    name: "dbsim_replication_truncated_entries_total",
    type: "counter",
    help: "Log entries a replica discarded because they diverged from its new leader's log, by node.",
    labels: ["shard", "node"],
    aggregator: "sum",
    scope: "run",
  }),
  replicationSnapshots: metric({
    name: "dbsim_replication_snapshots_installed_total",
    type: "counter",
    help: "Snapshots a replica installed because its log was too far behind its leader's (or, with cluster.nodes, to join its range), by node.",
    labels: ["shard", "node"],
    aggregator: "sum",
    scope: "run",
  }),
  diskCorruptions: metric({
    name: "dbsim_disk_corruptions_detected_total",
    type: "counter",
    help: "Log entries whose checksum failed (a corrupt or torn entry), found by their node, by node. Only in a run with disk faults.",
    labels: ["shard", "node"],
    aggregator: "sum",
    scope: "run",
  }),
  diskRepaired: metric({
    name: "dbsim_disk_entries_repaired_total",
    type: "counter",
    help: "Log entries a node dropped on finding corruption and then got back from its leader, by node. Only in a run with disk faults.",
    labels: ["shard", "node"],
    aggregator: "sum",
    scope: "run",
  }),
  applyBacklog: metric({
    name: "dbsim_replication_apply_backlog_entries",
    type: "gauge",
    help: "Log entries a node holds but has not applied to its data yet (a follower whose applier falls behind), by node.",
    labels: ["shard", "node"],
    aggregator: "max",
    scope: "run",
  }),
  nodeUp: metric({
    name: "dbsim_node_up",
    type: "gauge",
    help: "1 when the node is running in this role (leader, follower, candidate), else 0; every role is 0 while the node is down.",
    labels: ["node", "role"],
    aggregator: "omit",
    scope: "run",
  }),
  failovers: metric({
    name: "dbsim_failovers_total",
    type: "counter",
    help: "Promotions of a new leader after the initial one, by shard.",
    labels: ["shard"],
    aggregator: "sum",
    scope: "run",
  }),

  // Storage: each node's buffer pool and disk.
  bufferPoolRequests: metric({
    name: "dbsim_buffer_pool_requests_total",
    type: "counter",
    help: "Page lookups in a node's buffer pool, by result (hit: the page was in memory; miss: it was read from disk).",
    labels: ["node", "result"],
    aggregator: "sum",
    scope: "run",
  }),
  bufferPoolEvictions: metric({
    name: "dbsim_buffer_pool_evictions_total",
    type: "counter",
    help: "Pages a node's buffer pool evicted to make room (a dirty one is written back first).",
    labels: ["node"],
    aggregator: "sum",
    scope: "run",
  }),
  bufferPoolPages: metric({
    name: "dbsim_buffer_pool_pages",
    type: "gauge",
    help: "Pages a node's buffer pool holds (empty again after a crash).",
    labels: ["node"],
    aggregator: "omit",
    scope: "run",
  }),
  // The caching tier (only in runs with `cluster.cache`).
  cacheRequests: metric({
    name: "dbsim_cache_requests_total",
    type: "counter",
    help: "Requests a cache host served, by result (hit; miss; lease_wait: a miss that waited for another reader's lease; set; set_refused: a set whose lease a write voided; invalidate: a write's delete or update; write: a write-through or write-behind write).",
    labels: ["node", "result"],
    aggregator: "sum",
    scope: "run",
  }),
  cacheEvictions: metric({
    name: "dbsim_cache_evictions_total",
    type: "counter",
    help: "Entries a cache host evicted to make room (LRU or LFU).",
    labels: ["node"],
    aggregator: "sum",
    scope: "run",
  }),
  cacheEntries: metric({
    name: "dbsim_cache_entries",
    type: "gauge",
    help: "Entries a cache host holds (empty again after a crash: a restart is cold).",
    labels: ["node"],
    aggregator: "omit",
    scope: "run",
  }),
  cacheDirtyLost: metric({
    name: "dbsim_cache_dirty_lost_total",
    type: "counter",
    help: "write-behind: dirty entries a cache host's crash lost (acknowledged writes the database never got).",
    labels: ["node"],
    aggregator: "sum",
    scope: "run",
  }),
  diskOperations: metric({
    name: "dbsim_disk_operations_total",
    type: "counter",
    help: "Operations on a node's disk, by kind (read: a page missing from the pool; write: a dirty page evicted; fsync: of the log).",
    labels: ["node", "kind"],
    aggregator: "sum",
    scope: "run",
  }),

  // Connections: each node's load, and with a pool (workload.pool) its connections and the clients' pool.
  nodeActiveRequests: metric({
    name: "dbsim_node_active_requests",
    type: "gauge",
    help: "Requests active at a node: queued, on the CPU or waiting for their pages (its queue depth).",
    labels: ["node"],
    aggregator: "max",
    scope: "run",
  }),
  nodeConnections: metric({
    name: "dbsim_node_connections",
    type: "gauge",
    help: "Client connections open at a node, by state (active: carrying a request at the node; idle); only with workload.pool.",
    labels: ["node", "state"],
    aggregator: "max",
    scope: "run",
  }),
  poolConnections: metric({
    name: "dbsim_pool_connections",
    type: "gauge",
    help: "The client host's pooled connections to a node, by state (busy: a request sent on it awaits its answer; idle); only with workload.pool.",
    labels: ["node", "state"],
    aggregator: "max",
    scope: "run",
  }),
  poolWaiters: metric({
    name: "dbsim_pool_waiters",
    type: "gauge",
    help: "Requests waiting on the client host for a pooled connection to a node; only with workload.pool.",
    labels: ["node"],
    aggregator: "max",
    scope: "run",
  }),

  // Faults and the network.
  partitionActive: metric({
    name: "dbsim_partition_active",
    type: "gauge",
    help: "Network partitions in force.",
    labels: [],
    aggregator: "max",
    scope: "run",
  }),
  faults: metric({
    name: "dbsim_faults_total",
    type: "counter",
    help: "Faults fired by the schedule or the random nemesis, by kind (partition, heal, crash, restart, pause, clock_skew, link; with disk faults also disk_corruption, torn_write, lost_fsync, slow_disk).",
    labels: ["kind"],
    aggregator: "sum",
    scope: "run",
  }),
  faultsActive: metric({
    name: "dbsim_faults_active",
    type: "gauge",
    help: "Faults in force, by kind: fired on at least one host and not yet over (a crash lasts until its restart).",
    labels: ["kind"],
    aggregator: "max",
    scope: "run",
  }),
  messages: metric({
    name: "dbsim_messages_total",
    type: "counter",
    help: "Messages sent through the simulated network (including those it then lost), by message kind.",
    labels: ["kind"],
    aggregator: "sum",
    scope: "run",
  }),
  networkBytes: metric({
    name: "dbsim_network_bytes_total",
    type: "counter",
    help: "Bytes sent through the simulated network (including messages it then lost), by message kind: each message's size from what it carries.",
    labels: ["kind"],
    aggregator: "sum",
    scope: "run",
  }),

  // Sharding (only on a sharded cluster).
  shardKeys: metric({
    name: "dbsim_shard_keys",
    type: "gauge",
    help: "Rows each shard's leader holds, as it last reported them (every second); during a reshard copies not yet owned and moved rows not yet purged count too.",
    labels: ["shard"],
    aggregator: "omit",
    scope: "run",
  }),
  shardOps: metric({
    name: "dbsim_shard_ops_total",
    type: "counter",
    help: "Requests routed to each shard by the clients or the router host (each part of a scatter-gather scan counts).",
    labels: ["shard"],
    aggregator: "sum",
    scope: "run",
  }),
  shardMovedKeys: metric({
    name: "dbsim_shard_moved_keys_total",
    type: "counter",
    help: "Keys moved away from each source shard by changes of the shard map (counted at each cut-over).",
    labels: ["shard"],
    aggregator: "sum",
    scope: "run",
  }),
  // Multi-raft (only with cluster.nodes: docs/ranges.md).
  ranges: metric({
    name: "dbsim_ranges",
    type: "gauge",
    help: "Range replicas (voters and learners of each range's latest committed configuration) each physical node holds.",
    labels: ["node"],
    aggregator: "omit",
    scope: "run",
  }),
  leaseholders: metric({
    name: "dbsim_leaseholders",
    type: "gauge",
    help: "Ranges whose leader (leaseholder) is on each physical node: replicas that believe they lead.",
    labels: ["node"],
    aggregator: "omit",
    scope: "run",
  }),
  rangeMoves: metric({
    name: "dbsim_range_moves_total",
    type: "counter",
    help: "Range replicas moved off a node (a committed configuration removed the old replica after its replacement joined).",
    labels: [],
    aggregator: "sum",
    scope: "run",
  }),
  leaseTransfers: metric({
    name: "dbsim_lease_transfers_total",
    type: "counter",
    help: "Range leaderships (leases) transferred to another replica: the target won its election (by the rebalancer, before a move removes a leader, or scheduled).",
    labels: [],
    aggregator: "sum",
    scope: "run",
  }),
  nodeCpuBusy: metric({
    name: "dbsim_node_cpu_busy_seconds_total",
    type: "counter",
    help: "Time each physical node's CPU, shared by its range replicas, was busy: its rate is the node's CPU utilisation.",
    labels: ["node"],
    aggregator: "sum",
    scope: "run",
  }),
  resharding: metric({
    name: "dbsim_resharding",
    type: "gauge",
    help: "1 while a change of the shard map moves data (from its start to the end of its last purge), else 0.",
    labels: [],
    aggregator: "max",
    scope: "run",
  }),

  // Checks (judged after the run: the run's last sample carries them).
  checkViolations: metric({
    name: "dbsim_check_violations_total",
    type: "counter",
    help: "Checks that found a violation in the run's history (1 per failed check, set at the end of the run), by check.",
    labels: ["check"],
    aggregator: "sum",
    scope: "run",
  }),

  // The simulator.
  simVirtualSeconds: metric({
    name: "dbsim_sim_virtual_seconds",
    type: "gauge",
    help: "Virtual time simulated so far.",
    labels: [],
    aggregator: "omit",
    scope: "run",
  }),
  simEvents: metric({
    name: "dbsim_sim_events_total",
    type: "counter",
    help: "Simulator events executed (timers, message deliveries, host starts, scheduled faults).",
    labels: [],
    aggregator: "sum",
    scope: "run",
  }),

  // Wall-clock progress, on the live endpoint only.
  simEventsPerWallSecond: metric({
    name: "dbsim_sim_events_per_wall_second",
    type: "gauge",
    help: "Simulator events executed per second of wall-clock time, over the last half second or more (summed over a sweep's workers).",
    labels: [],
    aggregator: "sum",
    scope: "live",
  }),
  runProgress: metric({
    name: "dbsim_run_progress_ratio",
    type: "gauge",
    help: "Share of the run's planned virtual time (warmup + duration) simulated so far, 0 to 1.",
    labels: [],
    aggregator: "omit",
    scope: "live",
  }),
  sweepSeeds: metric({
    name: "dbsim_sweep_seeds",
    type: "gauge",
    help: "Seeds the sweep is to run.",
    labels: [],
    aggregator: "first",
    scope: "live",
  }),
  sweepSeedsDone: metric({
    name: "dbsim_sweep_seeds_done_total",
    type: "counter",
    help: "Seeds the sweep has finished, by result (pass, fail: a check found a violation, unknown: a check could not decide, crashed).",
    labels: ["result"],
    aggregator: "sum",
    scope: "live",
  }),
} as const;

/** Every metric of the catalogue, in declaration order. */
export const ALL_METRICS: readonly MetricDef[] = Object.values(METRICS);

/** Labels a metric's series may carry: its own, `run`, and `le` on histogram buckets. */
export function labelNamesOf(def: MetricDef): string[] {
  return [...def.labels, RUN_LABEL, ...(def.type === "histogram" ? ["le"] : [])];
}

/** The names of the series a metric exposes (a histogram's _bucket, _sum and _count). */
export function seriesNamesOf(def: MetricDef): string[] {
  return def.type === "histogram"
    ? [`${def.name}_bucket`, `${def.name}_sum`, `${def.name}_count`]
    : [def.name];
}
