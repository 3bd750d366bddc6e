import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../../engine/events.js";
import { IoStats } from "../../../engine/node/io-stats.js";
import { RunMetrics, type RunView } from "../../../reports/metrics/run-metrics.js";
import type { FaultRecord } from "../../../workloads/nemesis/injector.js";
import { completedOperation } from "../completed-operation.js";

const op = completedOperation;

function setup(
  options: { transactions?: boolean; disk_faults?: boolean; clientRegions?: readonly string[] } = {},
) {
  const state = new Map<number, "leader" | "follower" | "candidate" | "down">([
    [0, "leader"],
    [1, "follower"],
  ]);
  const faults: FaultRecord[] = [];
  const clock = { now_us: 0, events: 0 };
  const requests = new Map<number, number>();
  const io = new Map([
    [0, new IoStats()],
    [1, new IoStats()],
  ]);
  const view: RunView = {
    now_us: () => clock.now_us,
    events: () => clock.events,
    messagesByKind: () => new Map([["req", 3]]),
    bytesByKind: () => new Map([["req", 192]]),
    nodeState: (node) => state.get(node) ?? "down",
    faults,
    requestsByShard: () => requests,
    io: (node) => io.get(node) as IoStats,
    applyBacklog: (node) => (node === 1 ? 7 : 0),
    connections: () => null,
    activeRequests: (node) => (node === 0 ? 3 : 0),
  };
  const metrics = new RunMetrics({
    run: "t/seed-1",
    nodeNames: new Map([
      [0, "shard0/n0"],
      [1, "shard0/n1"],
    ]),
    view,
    checks: ["lost_writes"],
    ...options,
  });
  return { metrics, state, faults, clock, requests, io };
}

/** name{labels} -> value, labels sorted, `run` left out. */
async function values(metrics: RunMetrics): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const family of await metrics.snapshot()) {
    for (const v of family.values) {
      expect(v.labels.run).toBe("t/seed-1");
      const labels = Object.entries(v.labels)
        .filter(([k]) => k !== "run")
        .map(([k, x]) => `${k}=${x}`)
        .sort()
        .join(",");
      out.set(`${v.metricName ?? family.name}{${labels}}`, v.value);
    }
  }
  return out;
}

describe("RunMetrics", () => {
  it("counts transactions by result, aborts by reason and commit latency, only in runs of transactions", async () => {
    const txn = (fields: Parameters<typeof op>[0]) =>
      op({ op: "txn", sent_us: 1000, completed_us: 4000, ...fields });
    const plain = setup();
    plain.metrics.onOperation(txn({}));
    expect([...(await values(plain.metrics)).keys()].filter((name) => name.startsWith("dbsim_txn"))).toEqual(
      [],
    );

    const { metrics } = setup({ transactions: true });
    metrics.onOperation(txn({}));
    metrics.onOperation(txn({ completed_us: 31_000 }));
    metrics.onOperation(txn({ result: "fail", error: "conflict" }));
    metrics.onOperation(txn({ result: "fail", error: "validation" }));
    metrics.onOperation(txn({ result: "info", error: "timeout" }));
    metrics.onOperation(op()); // a read: not a transaction
    const v = await values(metrics);
    expect(v.get("dbsim_txn_total{result=committed}")).toBe(2);
    expect(v.get("dbsim_txn_total{result=aborted}")).toBe(2);
    expect(v.get("dbsim_txn_total{result=unknown}")).toBe(1);
    expect(v.get("dbsim_txn_aborts_total{reason=conflict}")).toBe(1);
    expect(v.get("dbsim_txn_aborts_total{reason=validation}")).toBe(1);
    expect(v.has("dbsim_txn_aborts_total{reason=timeout}")).toBe(false); // unknown: it may have committed
    // First statement sent to the commit's ok: 3 ms and 30 ms.
    expect(v.get("dbsim_txn_commit_latency_seconds_bucket{le=0.005}")).toBe(1);
    expect(v.get("dbsim_txn_commit_latency_seconds_bucket{le=0.05}")).toBe(2);
    expect(v.get("dbsim_txn_commit_latency_seconds_sum{}")).toBeCloseTo(0.033, 9);
  });

  it("has disk series (faults by disk kind, corrupt entries found, entries repaired) only with disk faults", async () => {
    const without = await values(setup().metrics);
    expect([...without.keys()].filter((name) => /disk_corruption|dbsim_disk_(corr|entr)/.test(name))).toEqual(
      [],
    );
    const { metrics, faults } = setup({ disk_faults: true });
    faults.push({ at_s: 1, kind: "torn_write", targets: ["shard0/n0"], for_s: 1 });
    metrics.onEngineEvent({ type: "corruption", node: 0, corrupt: 1, dropped: 3 }, 2_000_000);
    metrics.onEngineEvent({ type: "repaired", node: 0, entries: 1 }, 2_100_000);
    metrics.onEngineEvent({ type: "repaired", node: 0, entries: 1 }, 2_100_000);
    const v = await values(metrics);
    expect(v.get("dbsim_faults_total{kind=torn_write}")).toBe(1);
    expect(v.get("dbsim_faults_active{kind=torn_write}")).toBe(1);
    expect(v.get("dbsim_faults_total{kind=slow_disk}")).toBe(0);
    expect(v.get("dbsim_disk_corruptions_detected_total{node=shard0/n0,shard=shard0}")).toBe(1);
    expect(v.get("dbsim_disk_entries_repaired_total{node=shard0/n0,shard=shard0}")).toBe(2);
    expect(v.get("dbsim_disk_entries_repaired_total{node=shard0/n1,shard=shard0}")).toBe(0);
  });

  it("observes ok operations' latency per client region with a topology, and not without", async () => {
    const { metrics } = setup({ clientRegions: ["us-west", "eu-west"] });
    metrics.onOperation(op({ client_region: "eu-west", latency_us: 140_000 }));
    metrics.onOperation(op({ client_region: "eu-west", op: "update", latency_us: 220_000 }));
    metrics.onOperation(op({ client_region: "us-west", latency_us: 1_000 }));
    metrics.onOperation(op({ client_region: "us-west", result: "fail", error: "timeout" }));
    const v = await values(metrics);
    expect(v.get("dbsim_client_region_latency_seconds_count{op=read,region=eu-west}")).toBe(1);
    expect(v.get("dbsim_client_region_latency_seconds_sum{op=update,region=eu-west}")).toBe(0.22);
    expect(v.get("dbsim_client_region_latency_seconds_count{op=read,region=us-west}")).toBe(1);
    expect(v.get("dbsim_client_region_latency_seconds_bucket{le=0.1,op=read,region=eu-west}")).toBe(0);
    const without = setup();
    without.metrics.onOperation(op({ client_region: null }));
    const names = [...(await values(without.metrics)).keys()];
    expect(names.filter((name) => name.startsWith("dbsim_client_region"))).toEqual([]);
  });

  it("reports shards: keys as last reported, requests routed, keys moved at cut-overs, resharding in progress", async () => {
    const { metrics, requests } = setup();
    let v = await values(metrics);
    expect([...v.keys()].filter((name) => name.startsWith("dbsim_shard"))).toEqual([]); // unsharded: none
    expect(v.get("dbsim_resharding{}")).toBe(0);
    metrics.onEngineEvent({ type: "shard_stats", shard: 0, keys: 500 }, 1_000_000);
    metrics.onEngineEvent({ type: "shard_stats", shard: 1, keys: 480 }, 1_000_000);
    metrics.onEngineEvent({ type: "reshard_begin", change: "reshard to 3 shards", sources: 2 }, 1_500_000);
    requests.set(0, 40).set(1, 38);
    v = await values(metrics);
    expect(v.get("dbsim_shard_keys{shard=shard1}")).toBe(480);
    expect(v.get("dbsim_shard_ops_total{shard=shard0}")).toBe(40);
    expect(v.get("dbsim_resharding{}")).toBe(1);
    metrics.onEngineEvent({ type: "cutover", source: 0, moved_keys: 170 }, 1_700_000);
    metrics.onEngineEvent(
      {
        type: "reshard_end",
        change: "reshard to 3 shards",
        moved_keys: 330,
        examined_keys: 980,
        duration_us: 1,
        restarts: 0,
      },
      1_800_000,
    );
    v = await values(metrics);
    expect(v.get("dbsim_shard_moved_keys_total{shard=shard0}")).toBe(170);
    expect(v.get("dbsim_resharding{}")).toBe(0);
  });

  it("counts operations by outcome and reason, and ok latencies into the buckets", async () => {
    const { metrics } = setup();
    metrics.onOperation(op({ latency_us: 10 })); // <= 10 µs
    metrics.onOperation(op({ latency_us: 11 }));
    metrics.onOperation(op({ latency_us: 20_000_000 })); // above 10 s
    metrics.onOperation(op({ result: "info", error: "timeout", latency_us: 2_000_000 }));
    metrics.onOperation(op({ op: "update", result: "fail", error: "not_leader" }));
    const v = await values(metrics);
    expect(v.get("dbsim_ops_total{op=read,result=ok}")).toBe(3);
    expect(v.get("dbsim_ops_total{op=read,result=info}")).toBe(1);
    expect(v.get("dbsim_ops_total{op=read,result=fail}")).toBe(0);
    expect(v.get("dbsim_ops_total{op=update,result=fail}")).toBe(1);
    expect(v.get("dbsim_op_errors_total{op=read,reason=timeout}")).toBe(1);
    expect(v.get("dbsim_op_errors_total{op=update,reason=not_leader}")).toBe(1);
    expect(v.get("dbsim_op_latency_seconds_bucket{le=0.00001,op=read}")).toBe(1);
    expect(v.get("dbsim_op_latency_seconds_bucket{le=0.00002,op=read}")).toBe(2);
    expect(v.get("dbsim_op_latency_seconds_bucket{le=10,op=read}")).toBe(2);
    expect(v.get("dbsim_op_latency_seconds_bucket{le=+Inf,op=read}")).toBe(3);
    expect(v.get("dbsim_op_latency_seconds_count{op=read}")).toBe(3);
    expect(v.get("dbsim_op_latency_seconds_sum{op=read}")).toBeCloseTo(20.000021, 9);
    expect(v.get("dbsim_op_latency_seconds_count{op=update}")).toBe(0);
  });

  it("reports replication: lag per sample interval, roles, failovers after time 0, conflicts, truncations, snapshots", async () => {
    const { metrics, state } = setup();
    const event = (e: EngineEvent, t: number) => metrics.onEngineEvent(e, t);
    event({ type: "role", node: 0, role: "leader", term: 1 }, 0);
    event({ type: "lag", node: 1, lag_us: 300 }, 10);
    event({ type: "lag", node: 1, lag_us: 900 }, 20);
    event({ type: "lag", node: 1, lag_us: 100 }, 30);
    let v = await values(metrics);
    expect(v.has("dbsim_replication_lag_seconds{node=shard0/n1,shard=shard0}")).toBe(false); // not sampled yet
    metrics.closeInterval();
    v = await values(metrics);
    expect(v.get("dbsim_replication_lag_seconds{node=shard0/n1,shard=shard0}")).toBe(0.0009);
    metrics.closeInterval(); // nothing applied since: unchanged
    expect((await values(metrics)).get("dbsim_replication_lag_seconds{node=shard0/n1,shard=shard0}")).toBe(
      0.0009,
    );
    state.set(0, "down");
    state.set(1, "leader");
    event({ type: "role", node: 1, role: "leader", term: 2 }, 5_000_000);
    event({ type: "conflict", node: 1, key: "k" }, 5_000_001);
    event({ type: "truncate", node: 0, entries: 7 }, 5_000_002);
    event({ type: "snapshot", node: 0, lsn: 40 }, 5_000_003);
    v = await values(metrics);
    expect(v.get("dbsim_replication_lag_seconds{node=shard0/n1,shard=shard0}")).toBe(0);
    expect(v.get("dbsim_failovers_total{shard=shard0}")).toBe(1);
    expect(v.get("dbsim_replication_conflicts_total{node=shard0/n1,shard=shard0}")).toBe(1);
    expect(v.get("dbsim_replication_truncated_entries_total{node=shard0/n0,shard=shard0}")).toBe(7);
    expect(v.get("dbsim_replication_snapshots_installed_total{node=shard0/n0,shard=shard0}")).toBe(1);
    expect(v.get("dbsim_replication_snapshots_installed_total{node=shard0/n1,shard=shard0}")).toBe(0);
    expect(v.get("dbsim_node_up{node=shard0/n0,role=leader}")).toBe(0);
    expect(v.get("dbsim_node_up{node=shard0/n0,role=follower}")).toBe(0);
    expect(v.get("dbsim_node_up{node=shard0/n1,role=leader}")).toBe(1);
    expect(v.get("dbsim_node_up{node=shard0/n1,role=candidate}")).toBe(0);
  });

  it("reads each node's buffer pool and disk counters, and the entries it has yet to apply", async () => {
    const { metrics, io } = setup();
    Object.assign(io.get(1) as IoStats, {
      hits: 90,
      misses: 10,
      evictions: 4,
      disk_reads: 10,
      disk_writes: 2,
      fsyncs: 5,
      pool_pages: 64,
    });
    const v = await values(metrics);
    expect(v.get("dbsim_buffer_pool_requests_total{node=shard0/n1,result=hit}")).toBe(90);
    expect(v.get("dbsim_buffer_pool_requests_total{node=shard0/n1,result=miss}")).toBe(10);
    expect(v.get("dbsim_buffer_pool_requests_total{node=shard0/n0,result=miss}")).toBe(0);
    expect(v.get("dbsim_buffer_pool_evictions_total{node=shard0/n1}")).toBe(4);
    expect(v.get("dbsim_buffer_pool_pages{node=shard0/n1}")).toBe(64);
    expect(v.get("dbsim_disk_operations_total{kind=read,node=shard0/n1}")).toBe(10);
    expect(v.get("dbsim_disk_operations_total{kind=write,node=shard0/n1}")).toBe(2);
    expect(v.get("dbsim_disk_operations_total{kind=fsync,node=shard0/n1}")).toBe(5);
    expect(v.get("dbsim_replication_apply_backlog_entries{node=shard0/n1,shard=shard0}")).toBe(7);
  });

  it("reads faults fired and in force, the simulator's counts, and the checks' verdicts", async () => {
    const { metrics, faults, clock } = setup();
    let v = await values(metrics);
    expect(v.get("dbsim_faults_total{kind=crash}")).toBe(0);
    expect(v.get("dbsim_check_violations_total{check=lost_writes}")).toBe(0);
    expect(v.get("dbsim_partition_active{}")).toBe(0);
    faults.push({ at_s: 1, kind: "partition", targets: ["shard0/n0"], for_s: 2 });
    faults.push({ at_s: 1, kind: "crash", targets: ["shard0/n1"] });
    faults.push({ at_s: 1, kind: "crash", targets: [], detail: { note: "no node" } }); // hit nothing
    faults.push({ at_s: 1, kind: "heal", targets: [] });
    clock.now_us = 1_500_000;
    clock.events = 42;
    v = await values(metrics);
    expect(v.get("dbsim_partition_active{}")).toBe(1);
    expect(v.get("dbsim_faults_active{kind=partition}")).toBe(1);
    expect(v.get("dbsim_faults_active{kind=crash}")).toBe(1);
    expect(v.get("dbsim_faults_active{kind=heal}")).toBe(0);
    expect(v.get("dbsim_faults_total{kind=crash}")).toBe(2);
    expect(v.get("dbsim_sim_virtual_seconds{}")).toBe(1.5);
    expect(v.get("dbsim_sim_events_total{}")).toBe(42);
    expect(v.get("dbsim_messages_total{kind=req}")).toBe(3);
    expect(v.get("dbsim_network_bytes_total{kind=req}")).toBe(192);
    (faults[0] as FaultRecord).end_s = 3;
    metrics.setCheckVerdicts({ lost_writes: { valid: false } });
    v = await values(metrics);
    expect(v.get("dbsim_partition_active{}")).toBe(0);
    expect(v.get("dbsim_check_violations_total{check=lost_writes}")).toBe(1);
  });

  it("snapshots are copies: later counts do not change them", async () => {
    const { metrics } = setup();
    metrics.onOperation(op({}));
    const before = await metrics.snapshot();
    metrics.onOperation(op({}));
    const ops = before.find((f) => f.name === "dbsim_ops_total");
    expect(ops?.values.find((v) => v.labels.result === "ok")?.value).toBe(1);
  });
});
