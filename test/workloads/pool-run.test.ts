// Connection pooling through whole runs: the pool's wait is recorded apart and counted in latency,
// waits run out (pool_timeout), a full node refuses connections (too_many_connections), a crash
// closes them, scans and proxy routing work with a pool, and a run without one is as before.

import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import type { Report } from "../../reports/report-schema.js";
import { loadScenario } from "../../workloads/scenario/load.js";

async function run(yaml: string, seed = 1): Promise<Report> {
  const scenario = loadScenario(yaml, { sourceName: "pool.yaml" });
  return (await executeRun(scenario, seed, { metrics: false, files: "failed" })).report;
}

const base = (workload: string, cluster = "") => `name: pool
duration: 3s
warmup: 1s
cluster: { node: { buffer_pool: { pages: 50 } ${cluster} } }
network: { latency: { dist: lognormal, median: 200us, p99: 1ms } }
workload: { preset: b, records: 5000, ${workload} }
`;

describe("connection pooling in a run", () => {
  it("without a pool: no connections section, no pool_wait_us", async () => {
    const report = await run(base("rate: 2000/s, clients: 16"));
    expect(report.connections).toBeUndefined();
    expect(report.ops.all?.pool_wait_us).toBeUndefined();
  });

  it("records the wait for a connection apart, inside the latency from intended start", async () => {
    const report = await run(base("rate: 4000/s, clients: 64, pool: { size: 2 }"), 1);
    const all = report.ops.all;
    expect(all?.fail).toBe(0);
    expect(all?.pool_wait_us?.p99).toBeGreaterThan(0);
    expect(all?.latency_us.p99).toBeGreaterThanOrEqual(all?.pool_wait_us?.p99 ?? Number.NaN);
    expect(all?.latency_us.mean).toBeGreaterThan(
      (all?.pool_wait_us?.mean ?? 0) + (all?.queue_us.mean ?? 0) + (all?.service_us.mean ?? 0),
    );
    expect(report.connections).toMatchObject({
      pool_size: 2,
      pool_timeouts: 0,
      nodes: { "shard0/n0": { max_connections: 100, opened: 2, open_peak: 2, refused: 0, pool_open: 2 } },
    });
    expect(report.connections?.nodes["shard0/n0"]?.pool_waiters_peak).toBeGreaterThan(0);
  });

  it("fails a request that waited max_wait for a connection: pool_timeout, a definite failure", async () => {
    const report = await run(base("rate: 8000/s, clients: 256, pool: { size: 1, max_wait: 2ms }"));
    const all = report.ops.all;
    expect(all?.errors.pool_timeout).toBeGreaterThan(0);
    expect(all?.info).toBe(0);
    expect(all?.fail).toBe(all?.errors.pool_timeout);
    expect(report.connections?.pool_timeouts).toBeGreaterThanOrEqual(all?.errors.pool_timeout ?? Number.NaN);
    // Those that got a connection waited at most max_wait for it.
    expect(all?.pool_wait_us?.max).toBeLessThanOrEqual(2000);
  });

  it("a request still waiting for a connection when its timeout fires was never sent: pool_timeout, fail", async () => {
    const report = await run(
      base("rate: 8000/s, clients: 256, timeout: 3ms, pool: { size: 1, max_wait: 10s }"),
    );
    const all = report.ops.all;
    expect(all?.errors.pool_timeout).toBeGreaterThan(0);
    expect(all?.fail).toBe(all?.errors.pool_timeout);
    expect(all?.info).toBe(all?.errors.timeout ?? 0);
    expect(report.connections?.pool_timeouts).toBe(0); // no wait reached max_wait
  });

  it("follows redirects on pooled connections through a failover", async () => {
    const report = await run(`name: pool-failover
duration: 4s
warmup: 1s
cluster: { replicas: 3, replication: { read_from: leader, failover: { detect_after: 300ms } } }
workload: { preset: a, records: 2000, rate: 1000/s, clients: 32, timeout: 500ms, pool: { size: 4 } }
faults: { schedule: [{ at: 2s, kind: crash, target: leader }] }
`);
    expect(report.replication.failovers.length).toBe(1);
    const promoted = report.replication.failovers[0]?.leader as string;
    // The clients moved to the new leader: it opened connections and served most writes after.
    expect(report.connections?.nodes[promoted]?.opened).toBeGreaterThan(0);
    expect(report.ops.update?.ok).toBeGreaterThan(0.8 * (report.ops.update?.count ?? 0));
  });

  it("a node past its connections' max refuses more: too_many_connections", async () => {
    const report = await run(
      base("rate: 6000/s, clients: 64, pool: { size: 16 }", ", connections: { max: 3 }"),
    );
    const node = report.connections?.nodes["shard0/n0"];
    expect(report.ops.all?.errors.too_many_connections).toBeGreaterThan(0);
    expect(node?.open_peak).toBe(3);
    expect(node?.opened).toBe(3);
    expect(node?.refused).toBeGreaterThanOrEqual(report.ops.all?.errors.too_many_connections ?? Number.NaN);
  });

  it("each active request costs the others CPU: a bigger pool, more service time per request", async () => {
    const small = await run(base("rate: 6000/s, clients: 128, pool: { size: 4 }"));
    const large = await run(base("rate: 6000/s, clients: 128, pool: { size: 64 }"));
    expect(large.connections?.nodes["shard0/n0"]?.active_peak).toBeGreaterThan(4);
    expect(small.connections?.nodes["shard0/n0"]?.active_peak).toBeLessThanOrEqual(4);
    expect(large.ops.all?.service_us.mean).toBeGreaterThan(small.ops.all?.service_us.mean ?? Number.NaN);
  });

  it("a crash closes a node's connections; the pool's reopen on their next requests", async () => {
    const report = await run(`${base("rate: 1000/s, clients: 16, timeout: 200ms, pool: { size: 2 }")}
faults: { schedule: [{ at: 2s, kind: crash, target: shard0/n0, restart_after: 200ms }] }
`);
    expect(report.connections?.nodes["shard0/n0"]?.opened).toBeGreaterThan(2);
    expect(report.connections?.nodes["shard0/n0"]?.open_peak).toBe(2);
  });

  it("scans scattered over shards take a connection to each node; the same seed gives the same run", async () => {
    const yaml = `name: pool-scan
duration: 2s
warmup: 500ms
cluster: { shards: 3 }
workload: { preset: e, records: 3000, rate: 1000/s, clients: 32, pool: { size: 2 } }
`;
    const [a, b] = [await run(yaml), await run(yaml)];
    expect(a.trace_hash).toBe(b.trace_hash);
    expect(a.ops.scan?.ok).toBeGreaterThan(0);
    expect(a.ops.all?.fail).toBe(0);
    const nodes = Object.values(a.connections?.nodes ?? {});
    expect(nodes).toHaveLength(3);
    for (const node of nodes) expect(node.opened).toBe(2);
  });

  it("with routing: proxy the pool holds connections to the router; the nodes see none", async () => {
    const report = await run(`name: pool-proxy
duration: 2s
warmup: 500ms
cluster: { shards: 2, sharding: { routing: proxy } }
workload: { preset: b, records: 2000, rate: 1000/s, clients: 16, pool: { size: 2 } }
`);
    expect(report.ops.all?.fail).toBe(0);
    expect(report.ops.all?.pool_wait_us).toBeDefined();
    for (const node of Object.values(report.connections?.nodes ?? {})) expect(node.opened).toBe(0);
  });
}, 120_000);
