// The buffer pool and replica-lag scenarios teach what their comments say, at seed 1; a covering
// index wins once pages are cold; fsync_policy: always competes with reads for the disk.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import type { Report } from "../../reports/report-schema.js";
import { loadScenario } from "../../workloads/scenario/load.js";

async function run(name: string, overrides: string[] = []): Promise<Report> {
  const scenario = loadScenario(readFileSync(`scenarios/${name}.yaml`, "utf8"), { overrides });
  return (await executeRun(scenario, 1, { metrics: false, files: "failed" })).report;
}

const readP50 = (report: Report) => report.ops.read?.latency_us.p50 ?? Number.NaN;
const pool = (report: Report, node = "shard0/n0") => report.storage?.nodes[node];

describe("buffer-pool-zipf-vs-uniform", () => {
  it("with a pool a tenth of the table, zipfian reads miss less than uniform ones and their p50 is well below", async () => {
    const zipfian = await run("buffer-pool-zipf-vs-uniform");
    const uniform = await run("buffer-pool-zipf-vs-uniform", ["workload.distribution=uniform"]);
    expect(pool(zipfian)?.data_pages).toBeGreaterThanOrEqual(10 * (pool(zipfian)?.pool_pages ?? 0) - 50);
    expect(pool(zipfian)?.hit_ratio).toBeGreaterThan((pool(uniform)?.hit_ratio ?? 1) + 0.03);
    expect(readP50(zipfian)).toBeLessThan(0.5 * readP50(uniform));
    // The pages read from disk are what the reads waited for.
    expect(zipfian.ops.read?.disk_us?.p50).toBeLessThan(uniform.ops.read?.disk_us?.p50 ?? 0);
  }, 120_000);

  it("fsync_policy: always competes with the reads for the disk: reads are slower than under never", async () => {
    const writes = ["workload.preset=a", "workload.rate=600/s"];
    const always = await run("buffer-pool-zipf-vs-uniform", [...writes, "cluster.node.fsync_policy=always"]);
    const never = await run("buffer-pool-zipf-vs-uniform", [...writes, "cluster.node.fsync_policy=never"]);
    expect(pool(always)?.fsyncs).toBeGreaterThan(1000);
    expect(pool(never)?.fsyncs).toBe(0);
    // The same pages are read either way; only the disk's queue differs.
    expect(Math.abs((pool(always)?.disk_reads ?? 0) - (pool(never)?.disk_reads ?? 0))).toBeLessThan(100);
    expect(readP50(always)).toBeGreaterThan(1.3 * readP50(never));
  }, 120_000);
});

describe("a covering index once pages are cold", () => {
  it("wins clearly on p99: no table lookup to read from disk", async () => {
    const cold = [
      "cluster.node.buffer_pool.pages=60",
      "cluster.node.disk={read: {dist: lognormal, median: 1ms, p99: 4ms}, iops: 3000}",
    ];
    const btree = await run("index-btree", cold);
    const covering = await run("index-covering", cold);
    for (const template of ["orders_by_customer", "recent_orders_by_customer"]) {
      const plain = btree.queries?.templates[template];
      const covered = covering.queries?.templates[template];
      expect(plain?.table_lookup, template).toBe(true);
      expect(covered?.covering, template).toBe(true);
      expect(covered?.latency_us.p99, template).toBeLessThan(0.75 * (plain?.latency_us.p99 ?? 0));
    }
  }, 120_000);
});

describe("replica-lag-write-heavy", () => {
  it("a paused follower falls 10 s behind and catches up; the other keeps up", async () => {
    const report = await run("replica-lag-write-heavy");
    const lag = report.replication.lag_us;
    expect(lag["shard0/n1"]?.p50).toBeLessThan(20_000);
    expect(lag["shard0/n2"]?.max).toBeGreaterThan(9_000_000);
    expect(lag["shard0/n2"]?.last).toBeLessThan(50_000);
    // The leader keeps serving throughout: a paused follower costs the clients nothing.
    expect(report.replication.failovers).toEqual([]);
    expect(report.ops.all?.fail).toBe(0);
    const timeline = report.timeline.replication_lag_us;
    const peak = timeline.indexOf(Math.max(...timeline));
    const caughtUp = timeline.findIndex((lag_us, i) => i > peak && lag_us < 100_000);
    // Catching up takes far longer than the pause: the applier has little spare capacity.
    expect(report.timeline.t_s[caughtUp]).toBeGreaterThan(50);
  }, 120_000);

  it("writes past what a follower applies: every follower falls behind for good while the leader keeps up", async () => {
    const report = await run("replica-lag-write-heavy", ["workload.rate=1400/s", "faults.schedule=[]"]);
    for (const node of ["shard0/n1", "shard0/n2"]) {
      const lag = report.replication.lag_us[node];
      expect(lag?.trend_us_per_s, node).toBeGreaterThan(20_000);
      expect(lag?.last, node).toBeGreaterThan(2_000_000);
    }
    expect(report.ops.all?.latency_us.p50).toBeLessThan(10_000);
    expect(report.ops.all?.info).toBe(0);
  }, 120_000);
});
