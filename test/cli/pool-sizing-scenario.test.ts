// scenarios/pool-sizing.yaml teaches what its comment says at seed 1: p99 against the pool's size is
// a U with its knee at 32; too small a pool waits on the client, too large one collapses the node,
// and past max_connections requests are refused.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import type { Report } from "../../reports/report-schema.js";
import { loadScenario } from "../../workloads/scenario/load.js";

async function run(size: number): Promise<Report> {
  const scenario = loadScenario(readFileSync("scenarios/pool-sizing.yaml", "utf8"), {
    overrides: [`workload.pool.size=${size}`],
  });
  return (await executeRun(scenario, 1, { metrics: false, files: "failed" })).report;
}

describe("scenarios/pool-sizing.yaml at seed 1", () => {
  it("p99 against the pool's size is a U with its knee at 32", async () => {
    const reports = new Map<number, Report>();
    for (const size of [2, 8, 32, 128, 512]) reports.set(size, await run(size));
    const all = (size: number) => reports.get(size)?.ops.all;
    const p99 = (size: number) => all(size)?.latency_us.p99 ?? Number.NaN;
    // The knee: every request served, without waiting for a connection.
    expect(all(32)?.fail).toBe(0);
    expect(all(32)?.pool_wait_us?.p99).toBe(0);
    expect(p99(32)).toBeLessThan(3_000);
    // Too small: requests wait on the client for one of too few connections.
    expect(p99(8)).toBeGreaterThan(2 * p99(32));
    expect(all(8)?.pool_wait_us?.p99).toBeGreaterThan(1_000);
    expect(p99(2)).toBeGreaterThan(p99(8));
    // Too large: the node thrashes (each request costs more CPU) and falls behind for good.
    expect(p99(128)).toBeGreaterThan(1_000 * p99(32));
    expect(all(128)?.service_us.mean).toBeGreaterThan(2 * (all(32)?.service_us.mean ?? Number.NaN));
    // Past max_connections (200) the node refuses connections.
    expect(p99(512)).toBeGreaterThan(10 * p99(32));
    expect(all(512)?.errors.too_many_connections).toBeGreaterThan(0);
    expect(reports.get(512)?.connections?.nodes["shard0/n0"]?.open_peak).toBe(200);
  }, 600_000);
});
