import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import { formatUs } from "../../reports/compare.js";
import type { Report } from "../../reports/report-schema.js";
import { loadScenario } from "../../workloads/scenario/load.js";

const PATH = "scenarios/sharding-hash-vs-range.yaml";
const TEXT = readFileSync(PATH, "utf8");
const STRATEGIES = ["hash", "range"] as const;
type Strategy = (typeof STRATEGIES)[number];

/** The shipped scenario at seed 1, as it is (range) and with hash. */
async function run(strategy: Strategy): Promise<Report> {
  const scenario = loadScenario(TEXT, {
    sourceName: PATH,
    overrides: [`cluster.sharding.strategy=${strategy}`],
  });
  return (await executeRun(scenario, 1, { metrics: false })).report;
}

/** The scenario's leading comment, on one line. */
function comment(): string {
  const lines = TEXT.split("\n");
  return lines
    .slice(
      0,
      lines.findIndex((line) => !line.startsWith("#")),
    )
    .map((line) => line.replace(/^#\s?/, ""))
    .join(" ");
}

const thousands = (n: number) => Math.round(n).toLocaleString("en-US");

describe("scenarios/sharding-hash-vs-range.yaml at seed 1", () => {
  const reports = new Map<Strategy, Report>();
  beforeAll(async () => {
    for (const strategy of STRATEGIES) reports.set(strategy, await run(strategy));
  }, 300_000);
  const report = (strategy: Strategy) => reports.get(strategy) as Report;

  it("shows the lesson: range saturates its last shard at one node's throughput, hash serves the rate", () => {
    const target = 10_000;
    const hash = report("hash");
    const range = report("range");
    expect(range.sharding?.skew).toBeGreaterThan(3.9);
    expect(hash.sharding?.skew).toBeLessThan(1.05);
    expect(hash.throughput_ops_per_s).toBeGreaterThan(target * 0.99);
    expect(range.throughput_ops_per_s).toBeLessThan(target * 0.95);
    expect(hash.ops.all?.fail).toBe(0);
    expect(range.ops.all?.errors.not_sent).toBeGreaterThan(1000);
    const p50 = (r: Report) => r.ops.all?.latency_us.p50 as number;
    expect(p50(hash)).toBeLessThan(5_000);
    expect(p50(range)).toBeGreaterThan(500_000);
  });

  it("has a comment that quotes what the runs print", () => {
    const text = comment();
    const hash = report("hash");
    const range = report("range");
    const p50 = (r: Report) => formatUs(r.ops.all?.latency_us.p50 as number).replace(/(s|ms)$/, " $1");
    expect(text).toContain(`load skew ${range.sharding?.skew?.toFixed(2)}`);
    expect(text).toContain(`${thousands(range.throughput_ops_per_s)} ok ops/s`);
    expect(text).toContain(`p50 is ${p50(range)}`);
    expect(text).toContain(`${thousands(range.ops.all?.errors.not_sent ?? 0)} operations are never sent`);
    expect(text).toContain(`the skew is ${hash.sharding?.skew?.toFixed(2)}`);
    expect(text).toContain(`all ${thousands(hash.throughput_ops_per_s)} ops/s at p50 ${p50(hash)}`);
  });
});

describe("scenarios/raft-range-splits.yaml at seed 1", () => {
  const path = "scenarios/raft-range-splits.yaml";
  const text = readFileSync(path, "utf8");
  let report: Report;
  beforeAll(async () => {
    report = (await executeRun(loadScenario(text, { sourceName: path }), 1, { metrics: false })).report;
  }, 300_000);

  it("splits the big cold range by size, then the hot one by load, under raft, losing nothing", () => {
    expect(report.replication.mode).toBe("raft");
    const [bySize, byLoad] = report.sharding?.reshards ?? [];
    expect(bySize?.change).toMatch(
      /^automatic split of shard0 \(3500 keys, over split_at 3000\) .* into shard2$/,
    );
    expect(byLoad?.change).toMatch(
      /^automatic split of shard1 \(\d+ requests\/s, over split_load 1500\) .* into shard3$/,
    );
    const keys = (report.shards ?? []).map((shard) => shard.keys ?? 0);
    expect(keys[0]).toBe(1750);
    expect(keys[2]).toBe(1750);
    // The hot end moved to shard3 and grew on there.
    expect(Math.max(...keys)).toBe(keys[3]);
    expect(report.checks.lost_writes?.valid).toBe(true);
    expect(report.checks.linearizable?.valid).toBe(true);
  });

  it("has a comment that quotes what the run prints", () => {
    const comment = text
      .split("\n")
      .filter((line) => line.startsWith("#"))
      .map((line) => line.replace(/^#\s?/, ""))
      .join(" ");
    const [bySize, byLoad] = report.sharding?.reshards ?? [];
    const quote = (r: typeof bySize) =>
      `${r?.moved_keys} keys moved (${((r?.moved_fraction ?? 0) * 100).toFixed(1)}%) in ${r?.duration_s?.toFixed(2)}s`;
    expect(comment).toContain(quote(bySize));
    expect(comment).toContain(quote(byLoad));
    const shard3 = report.shards?.[3];
    expect(comment).toContain(`${thousands(shard3?.keys ?? 0)} keys`);
    expect(comment).toContain(`${((shard3?.load_share ?? 0) * 100).toFixed(1)}% of the`);
    expect(comment).toContain(`load skew ${report.sharding?.skew?.toFixed(2)}`);
    const p99 = (during: boolean) =>
      (
        (report.sharding?.latency_us?.[during ? "during_reshards" : "outside_reshards"]?.p99 ?? 0) / 1000
      ).toFixed(1);
    expect(comment).toContain(`p99 ${p99(true)} ms against ${p99(false)} ms`);
  });
});
