// The dashboards against a real Prometheus (the system's prometheus and promtool): a run with a
// crash and a partition, and a Raft run with disk faults, are backfilled with `dbsim export-tsdb`,
// Prometheus serves the blocks, and every query of every dashboard (Grafana's macros substituted,
// the run variable resolved through the label-values API) must return data over the first run's
// time range (the disk metrics' queries: over the second's, the only one that has them; the
// transactions dashboard's: over a SmallBank run's). The same Prometheus then
// scrapes a running sweep's live endpoint, and the live dashboard's queries must return data too.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timelineSpan } from "../../cli/commands/export-tsdb.js";
import { DASHBOARDS, dashboardQueries } from "../../dashboards/index.js";
import { RUN_VARIABLE_QUERY } from "../../dashboards/layout.js";
import { cli, scenarioFile, tempDir } from "../cli/helpers.js";
import { substitute } from "../dashboards/promql.js";

/**
 * Two shards of three replicas, a reshard to three, a leader crash and a leader partition, a
 * cache smaller than the records (it evicts), and clients in two regions (the replicas in
 * us-east, 62 ms round trip from us-west): every panel has something to show.
 */
const SCENARIO = `name: e2e-faults
duration: 20s
warmup: 1s
cluster: { shards: 2, replicas: 3, replication: { mode: async }, cache: { nodes: 2, capacity: 200 } }
changes: [{ at: 9s, kind: reshard, shards: 3 }]
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
topology: { regions: [{ name: us-east }, { name: us-west }], placement: zones, clients: [us-east, us-west] }
workload: { preset: a, records: 1000, rate: 500/s, clients: 128, timeout: 1s, pool: { size: 8 } }
faults:
  schedule:
    - { at: 5s, kind: crash, target: leader, restart_after: 3s }
    - { at: 12s, kind: partition, isolate: leader, for: 3s }
checks: [lost_writes, stale_reads]
`;

/** SmallBank under contention (aborts of both reasons) and a crash: the transactions dashboard's run. */
const TXN_SCENARIO = `name: e2e-txn
duration: 10s
cluster: { replicas: 1, transactions: { isolation: serializable } }
workload: { type: smallbank, smallbank: { hot_accounts: 10, hot_fraction: 0.9 }, rate: 500/s, clients: 16, timeout: 1s }
faults: { schedule: [{ at: 5s, kind: crash, target: leader, restart_after: 1s }] }
`;

/** Raft with disk faults: a torn write and corrupt entries (the disk panel's series exist only here). */
const DISK_SCENARIO = `name: e2e-disk
duration: 12s
warmup: 1s
cluster: { replicas: 3, replication: { mode: raft, failover: { detect_after: 1s } } }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: a, records: 1000, rate: 500/s, clients: 8, timeout: 1s }
faults:
  schedule:
    - { at: 3s, kind: torn_write, target: leader, restart_after: 1s }
    - { at: 6s, kind: disk_corruption, target: followers, entries: 5 }
    - { at: 8s, kind: slow_disk, target: leader, for: 2s }
`;

/** Ranges on physical nodes, a node crash and a replica move (the range panels' series exist only here). */
const RANGES_SCENARIO = `name: e2e-ranges
duration: 10s
warmup: 1s
cluster:
  shards: 3
  replicas: 3
  nodes: 4
  sharding: { strategy: range }
  replication: { mode: raft, failover: { detect_after: 500ms } }
workload: { preset: a, records: 600, rate: 500/s, clients: 8, timeout: 1s }
changes: [{ at: 4s, kind: move_replica, shard: 0, from: 0, to: 3 }]
faults: { schedule: [{ at: 7s, kind: crash, target: node1, restart_after: 1s }] }
`;

/** Metrics only a run with physical nodes has: their queries are judged on the ranges run. */
const RANGE_METRICS =
  /\bdbsim_(ranges|leaseholders|range_moves_total|lease_transfers_total|node_cpu_busy_seconds_total)\b/;

/** Metrics only a run with disk faults has: their queries are judged on the disk run. */
const DISK_METRICS = /\bdbsim_disk_/;

/** The live dashboard reads the endpoint; the others a run's timeline (and a live endpoint too). */
const LIVE_ONLY = new Set(["dbsim-live"]);
/** The transactions dashboard reads a transaction workload's run (TXN_SCENARIO). */
const TXN_ONLY = new Set(["dbsim-transactions"]);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface PromResponse<T> {
  status: string;
  data: T;
  error?: string;
}

type RangeResult = {
  resultType: string;
  result: { metric: Record<string, string>; values: [number, string][] }[];
};

describe("the dashboards on a real Prometheus", () => {
  const hasPrometheus = spawnSync("prometheus", ["--version"]).error === undefined;
  let prometheus: ChildProcess | null = null;
  let api = "";
  let livePort = 0;
  let span = { run: "", first_ms: 0, last_ms: 0 };
  let txnSpan = { run: "", first_ms: 0, last_ms: 0 };
  let diskSpan = { run: "", first_ms: 0, last_ms: 0 };
  let rangesSpan = { run: "", first_ms: 0, last_ms: 0 };
  let prometheusLog = "";

  async function get<T>(path: string, params: Record<string, string | string[]>): Promise<T> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params))
      for (const v of Array.isArray(value) ? value : [value]) query.append(key, v);
    const response = await fetch(`${api}${path}?${query}`);
    const body = (await response.json()) as PromResponse<T>;
    if (body.status !== "success") throw new Error(`${path} ${query}: ${body.error}`);
    return body.data;
  }

  /** The `run` variable's values in [start, end], as Grafana resolves label_values(metric, run). */
  async function runValues(start_s: number, end_s: number): Promise<string[]> {
    const [, metric] = /^label_values\(([^,]+), run\)$/.exec(RUN_VARIABLE_QUERY) ?? [];
    return get<string[]>("/api/v1/label/run/values", {
      "match[]": metric as string,
      start: String(start_s),
      end: String(end_s),
    });
  }

  /** Runs a dashboard query over [start, end] as Grafana would; returns the series with a finite value. */
  async function rangeQuery(expr: string, run: string, start_s: number, end_s: number) {
    const query = substitute(expr, { run, interval_s: 1, scrape_s: 1, range_s: Math.ceil(end_s - start_s) });
    const data = await get<RangeResult>("/api/v1/query_range", {
      query,
      start: String(start_s),
      end: String(end_s),
      step: "1",
    });
    return data.result.filter((series) => series.values.some(([, v]) => Number.isFinite(Number(v))));
  }

  beforeAll(async () => {
    if (!hasPrometheus) throw new Error("prometheus is not installed (Debian: apt-get install prometheus)");
    const dir = tempDir();
    const runDir = join(dir, "run");
    const tsdb = join(dir, "tsdb");
    const ran = await cli("run", scenarioFile(SCENARIO), "--out", runDir, "--seed", "1", "--no-progress");
    expect([0, 1], ran.stderr).toContain(ran.code); // 1: a check found lost writes (async failover)
    const diskDir = join(dir, "disk");
    const disk = await cli(
      "run",
      scenarioFile(DISK_SCENARIO),
      "--out",
      diskDir,
      "--seed",
      "1",
      "--no-progress",
    );
    expect(disk.code, disk.stderr).toBe(0);
    const rangesDir = join(dir, "ranges");
    const ranges = await cli(
      "run",
      scenarioFile(RANGES_SCENARIO),
      "--out",
      rangesDir,
      "--seed",
      "1",
      "--no-progress",
    );
    expect(ranges.code, ranges.stderr).toBe(0);
    rangesSpan = timelineSpan(readFileSync(join(rangesDir, "metrics.om"), "utf8"), "metrics.om");
    const exported = await cli("export-tsdb", runDir, diskDir, rangesDir, "--to", tsdb);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain("--storage.tsdb.retention.time=");
    span = timelineSpan(readFileSync(join(runDir, "metrics.om"), "utf8"), "metrics.om");
    const txnDir = join(dir, "txn");
    const txnRan = await cli(
      "run",
      scenarioFile(TXN_SCENARIO),
      "--out",
      txnDir,
      "--seed",
      "1",
      "--no-progress",
    );
    expect(txnRan.code, txnRan.stderr).toBe(0);
    const txnExported = await cli("export-tsdb", txnDir, "--to", tsdb);
    expect(txnExported.code, txnExported.stderr).toBe(0);
    txnSpan = timelineSpan(readFileSync(join(txnDir, "metrics.om"), "utf8"), "metrics.om");
    diskSpan = timelineSpan(readFileSync(join(diskDir, "metrics.om"), "utf8"), "metrics.om");

    const port = await freePort();
    livePort = await freePort();
    const config = join(dir, "prometheus.yml");
    writeFileSync(
      config,
      `global: { scrape_interval: 1s, evaluation_interval: 1m }\n` +
        `scrape_configs:\n  - job_name: dbsim-live\n    static_configs: [{ targets: ["127.0.0.1:${livePort}"] }]\n`,
    );
    prometheus = spawn(
      "prometheus",
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${tsdb}`,
        "--storage.tsdb.retention.time=3650d",
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    prometheus.stderr?.on("data", (chunk: Buffer) => {
      prometheusLog += chunk.toString();
    });
    api = `http://127.0.0.1:${port}`;
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await fetch(`${api}/-/ready`)).ok) break;
      } catch {}
      if (attempt > 300 || prometheus.exitCode !== null)
        throw new Error(`prometheus did not start:\n${prometheusLog}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    if (prometheus === null) return;
    const exited = new Promise((resolve) => prometheus?.once("exit", resolve));
    prometheus.kill("SIGTERM");
    await exited;
  });

  it("finds the run through the label-values API", async () => {
    expect(span.run).toBe("e2e-faults/seed-1");
    expect(await runValues(span.first_ms / 1000, span.last_ms / 1000)).toContain(span.run);
  });

  it("returns data for every query of every dashboard over the run's range", async () => {
    const [run] = (await runValues(span.first_ms / 1000, span.last_ms / 1000)).filter((r) => r === span.run);
    const empty: string[] = [];
    let queries = 0;
    for (const spec of DASHBOARDS.filter((d) => !LIVE_ONLY.has(d.uid) && !TXN_ONLY.has(d.uid))) {
      for (const { where, expr } of dashboardQueries(spec)) {
        queries++;
        const on = DISK_METRICS.test(expr)
          ? diskSpan
          : RANGE_METRICS.test(expr)
            ? rangesSpan
            : { ...span, run: run as string };
        const series = await rangeQuery(expr, on.run, on.first_ms / 1000, on.last_ms / 1000);
        if (series.length === 0) empty.push(`${where}: ${expr}`);
      }
    }
    expect(queries).toBeGreaterThan(20);
    expect(empty).toEqual([]);
  });

  it("returns data for every query of the transactions dashboard over a SmallBank run", async () => {
    const start = txnSpan.first_ms / 1000;
    const end = txnSpan.last_ms / 1000;
    expect(await runValues(start, end)).toContain("e2e-txn/seed-1");
    const empty: string[] = [];
    for (const spec of DASHBOARDS.filter((d) => TXN_ONLY.has(d.uid)))
      for (const { where, expr } of dashboardQueries(spec))
        if ((await rangeQuery(expr, "e2e-txn/seed-1", start, end)).length === 0)
          empty.push(`${where}: ${expr}`);
    expect(empty).toEqual([]);
  });

  it("shows the faults where they happened: a crash, a partition, a failover", async () => {
    const start = span.first_ms / 1000;
    const end = span.last_ms / 1000;
    const value = async (query: string) => {
      const data = await get<RangeResult>("/api/v1/query_range", {
        query,
        start: String(start),
        end: String(end),
        step: "1",
      });
      return data.result[0]?.values.map(([t, v]) => [Math.round(t - start), Number(v)] as const) ?? [];
    };
    const partition = await value(`dbsim_partition_active{run="${span.run}"}`);
    const inForce = partition.filter(([, v]) => v === 1).map(([t]) => t);
    expect(inForce.length).toBeGreaterThanOrEqual(3);
    expect(Math.min(...inForce)).toBeGreaterThanOrEqual(12);
    const crashes = await value(`max(dbsim_faults_total{run="${span.run}",kind="crash"})`);
    expect(crashes[crashes.length - 1]?.[1]).toBe(1);
    const failovers = await value(`sum(dbsim_failovers_total{run="${span.run}"})`);
    expect(failovers[failovers.length - 1]?.[1]).toBeGreaterThanOrEqual(1);
  });

  it("counts the disk faults and the corrupt entries the nodes found", async () => {
    /** The query's value at the disk run's end (NaN: no series). */
    const last = async (query: string) => {
      const data = await get<{ result: { value: [number, string] }[] }>("/api/v1/query", {
        query,
        time: String(diskSpan.last_ms / 1000),
      });
      return Number(data.result[0]?.value[1] ?? Number.NaN);
    };
    expect(diskSpan.run).toBe("e2e-disk/seed-1");
    expect(await last(`sum(dbsim_faults_total{run="${diskSpan.run}",kind="disk_corruption"})`)).toBe(1);
    expect(await last(`sum(dbsim_disk_corruptions_detected_total{run="${diskSpan.run}"})`)).toBeGreaterThan(
      1,
    );
    // A run without disk faults has no disk series (its metrics are as they were).
    expect(await last(`count(dbsim_disk_corruptions_detected_total{run="${span.run}"})`)).toBeNaN();
  });

  it("tells the client regions' latency apart: us-west pays its round trip to us-east", async () => {
    const p50 = async (region: string) => {
      const query =
        `histogram_quantile(0.5, sum by (le) (rate(dbsim_client_region_latency_seconds_bucket` +
        `{run="${span.run}",region="${region}",op="read"}[5s])))`;
      const data = await get<{ result: { value: [number, string] }[] }>("/api/v1/query", {
        query,
        time: String(span.last_ms / 1000),
      });
      return Number(data.result[0]?.value[1]);
    };
    const east = await p50("us-east");
    const west = await p50("us-west");
    expect(east).toBeLessThan(0.02);
    expect(west - east).toBeGreaterThan(0.05);
  });

  it("scrapes a running sweep's live endpoint; the live dashboard has data", async () => {
    const from_s = Date.now() / 1000;
    const sweep = await cli(
      "sweep",
      scenarioFile(SCENARIO),
      "--seeds",
      "1..4",
      "--workers",
      "2",
      "--out",
      join(tempDir(), "sweep"),
      "--no-progress",
      "--metrics-port",
      String(livePort),
      "--metrics-hold",
      "6",
    );
    expect([0, 1], sweep.stderr).toContain(sweep.code);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let Prometheus commit the last scrape
    const to_s = Date.now() / 1000;
    const up = await get<RangeResult>("/api/v1/query_range", {
      query: 'up{job="dbsim-live"}',
      start: String(from_s),
      end: String(to_s),
      step: "1",
    });
    expect(
      up.result[0]?.values.some(([, v]) => v === "1"),
      prometheusLog,
    ).toBe(true);
    const runs = await runValues(from_s, to_s);
    expect(runs).toContain("e2e-faults/sweep");
    const empty: string[] = [];
    for (const spec of DASHBOARDS.filter((d) => LIVE_ONLY.has(d.uid))) {
      for (const { where, expr } of dashboardQueries(spec)) {
        const series = await rangeQuery(expr, "e2e-faults/sweep", from_s, to_s);
        if (series.length === 0) empty.push(`${where}: ${expr}`);
      }
    }
    // What Prometheus holds of the sweep's counters, to tell a missing series from too few samples.
    const samples = async () => {
      const raw = await get<RangeResult>("/api/v1/query_range", {
        query: 'dbsim_ops_total{run="e2e-faults/sweep",result="ok"}',
        start: String(from_s),
        end: String(to_s),
        step: "1",
      });
      return JSON.stringify(raw.result.map((r) => [r.metric.op, r.values.length]));
    };
    expect(empty, empty.length === 0 ? "" : await samples()).toEqual([]);
    const done = await get<RangeResult>("/api/v1/query_range", {
      query: 'sum(dbsim_sweep_seeds_done_total{run="e2e-faults/sweep"})',
      start: String(from_s),
      end: String(to_s),
      step: "1",
    });
    const values = done.result[0]?.values.map(([, v]) => Number(v)) ?? [];
    expect(Math.max(...values)).toBe(4);
  });
});
