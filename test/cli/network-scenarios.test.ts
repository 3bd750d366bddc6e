// Link bandwidth through whole runs: a message costs its size / bandwidth, so large scans and
// migration batches take longer on thin links; and what scenarios/resharding-thin-link.yaml's
// comment says at seed 1.

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import type { Report } from "../../reports/report-schema.js";
import { MESSAGE_HEADER_BYTES } from "../../sim/host.js";
import { loadScenario } from "../../workloads/scenario/load.js";

async function run(text: string, overrides: string[] = [], sourceName?: string): Promise<Report> {
  const scenario = loadScenario(text, { overrides, ...(sourceName === undefined ? {} : { sourceName }) });
  return (await executeRun(scenario, 1, { metrics: false, files: "failed" })).report;
}

// Scans of exactly 100 rows of 1000 bytes on one node, 50 a second: the link is never busy for long.
const SCANS = `name: scans
duration: 5s
warmup: 1s
network: { latency: { dist: constant, value: 200us } }
workload:
  preset: e
  mix: { scan: 0.5, read: 0.5 }
  records: 2000
  scan_length: { min: 100, max: 100 }
  rate: 100/s
  clients: 8
`;

describe("link bandwidth in a run", () => {
  it("makes a scan's response cost its rows: 100 rows of 1 KB take 8 ms more at 100 Mbit/s", async () => {
    const unlimited = await run(SCANS);
    const thin = await run(SCANS, ["network.bandwidth=100Mbit/s"]);
    const p50 = (report: Report, op: string) => report.ops[op]?.latency_us.p50 ?? Number.NaN;
    // A response: a header and 100 rows, each a key (here 23 characters or fewer) and 10 x 100 bytes.
    const scanBytes = MESSAGE_HEADER_BYTES + 100 * (1000 + 23);
    const transfer_us = (scanBytes / 12.5e6) * 1e6; // 8.2 ms
    expect(p50(thin, "scan") - p50(unlimited, "scan")).toBeGreaterThan(0.9 * transfer_us);
    expect(p50(thin, "scan") - p50(unlimited, "scan")).toBeLessThan(1.1 * transfer_us);
    // A read's response is one record: about 85 µs.
    expect(p50(thin, "read") - p50(unlimited, "read")).toBeLessThan(200);
    // The report counts what crossed the links, whatever the bandwidth.
    for (const report of [unlimited, thin]) {
      const network = report.network;
      expect(network).toBeDefined();
      const messages = Object.values(network?.messages_by_kind ?? {}).reduce((a, b) => a + b, 0);
      expect(messages).toBe(report.sim.messages);
      const resp = network?.bytes_by_kind.resp ?? 0;
      expect(resp / (network?.messages_by_kind.resp ?? 1)).toBeGreaterThan(scanBytes / 2 - 1000);
    }
  }, 120_000);
});

describe("scenarios/resharding-thin-link.yaml at seed 1", () => {
  const PATH = "scenarios/resharding-thin-link.yaml";
  const TEXT = readFileSync(PATH, "utf8");
  const reports = new Map<string, Report>();
  beforeAll(async () => {
    reports.set("as shipped", await run(TEXT, [], PATH));
    reports.set("10Gbit/s", await run(TEXT, ["network.bandwidth=10Gbit/s"], PATH));
    reports.set("batch 32", await run(TEXT, ["cluster.sharding.migration.batch=32"], PATH));
  }, 600_000);
  const reshard = (name: string) => reports.get(name)?.sharding?.reshards[0];
  const p99 = (name: string, when: "during_reshards" | "outside_reshards") =>
    reports.get(name)?.sharding?.latency_us[when]?.p99;

  it("moves the same keys in 6.99 s over 100 Mbit/s, 0.42 s over 10 Gbit/s, 10.79 s in batches of 32", () => {
    for (const name of reports.keys()) {
      expect(reshard(name)?.moved_keys).toBe(7975);
      expect(reports.get(name)?.checks.lost_writes?.valid).toBe(true);
      expect(reports.get(name)?.checks.linearizable?.valid).toBe(true);
    }
    expect(reshard("as shipped")?.duration_s).toBeCloseTo(6.99, 2);
    expect(reshard("10Gbit/s")?.duration_s).toBeCloseTo(0.42, 2);
    expect(reshard("batch 32")?.duration_s).toBeCloseTo(10.79, 2);
  });

  it("shows the tail while data moves: 385.8 ms, against 17.7 ms on 10 Gbit/s and 97.0 ms in batches of 32", () => {
    expect(p99("as shipped", "during_reshards")).toBe(385_791);
    expect(p99("as shipped", "outside_reshards")).toBe(14_511);
    expect(p99("10Gbit/s", "during_reshards")).toBe(17_663);
    expect(p99("batch 32", "during_reshards")).toBe(96_959);
    const comment = TEXT.split("\n")
      .filter((line) => line.startsWith("#"))
      .join(" ");
    for (const quoted of [
      "in 6.99s",
      "5.13ms/385.8ms, otherwise 3.78ms/14.5ms",
      "0.42 s",
      "17.7 ms",
      "10.79 s",
      "97.0 ms",
    ])
      expect(comment).toContain(quoted);
  });
});
