import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../workloads/scenario/load.js";
import { DEFAULT_MAX_MEMORY_BYTES, estimateMemory } from "../../../workloads/scenario/memory.js";

const estimate = (text: string, overrides: string[] = []) =>
  estimateMemory(loadScenario(text, { overrides }).resolved);
const part = (text: string, name: string, overrides: string[] = []) =>
  estimate(text, overrides).parts.find((p) => p.name === name)?.bytes ?? 0;

const YCSB = "{name: m, duration: 60s, workload: {rate: 1000/s}}";

describe("estimateMemory", () => {
  it("fits every shipped scenario, with every check it allows, under the default limit", () => {
    for (const file of readdirSync("scenarios")) {
      const text = readFileSync(join("scenarios", file), "utf8");
      const type = loadScenario(text).doc.workload.type;
      const checks = type === "ycsb" ? ["checks=[linearizable,lost_writes,stale_reads]"] : [];
      const { total_bytes } = estimate(text, checks);
      expect(total_bytes, file).toBeLessThan(DEFAULT_MAX_MEMORY_BYTES / 4);
    }
  });

  it("counts records x fields x replicas, not the fields' length", () => {
    const records = (overrides: string[]) => part(YCSB, "records", overrides);
    const base = records(["workload.records=1000000"]);
    expect(records(["workload.records=2000000"])).toBeCloseTo(2 * base, -3);
    expect(records(["workload.records=1000000", "cluster.replicas=3"])).toBeCloseTo(3 * base, -3);
    expect(records(["workload.records=1000000", "workload.field_count=100"])).toBeGreaterThan(6 * base);
    expect(records(["workload.records=1000000", "workload.field_length=1000000"])).toBe(base);
    // The user's scenario that went past 11 GB.
    const big = estimate(YCSB, [
      "workload.records=5000000",
      "workload.field_count=100",
      "cluster.replicas=3",
    ]);
    expect(big.total_bytes).toBeGreaterThan(DEFAULT_MAX_MEMORY_BYTES * 4);
  });

  it("counts the history only with checks, as rate x (warmup + duration)", () => {
    expect(part(YCSB, "history")).toBe(0);
    const checks = ["checks=[linearizable]", "final_reads.enabled=false"];
    const history = part(YCSB, "history", checks);
    expect(history).toBeGreaterThan(0);
    expect(estimate(YCSB, checks).operations).toBe(60_000);
    expect(part(YCSB, "history", [...checks, "warmup=60s"])).toBeCloseTo(2 * history, -3);
    expect(part(YCSB, "history", [...checks, "workload.rate=2000/s"])).toBeCloseTo(2 * history, -3);
  });

  it("expects a load shape's integral: a ramp from 0/s to 2000/s over the run offers what 1000/s does", () => {
    expect(estimate(YCSB, ["workload.rate=[{for: 60s, to: 2000/s}]"]).operations).toBe(60_000);
    // Stages past the run's end offer nothing to it; the last rate holds to the end.
    expect(
      estimate(YCSB, ["workload.rate=[{for: 30s, rate: 500/s}, {for: 90s, rate: 9000/s}]"]).operations,
    ).toBe(285_000);
    expect(
      estimate(YCSB, [
        "workload.rate=[{for: 10s, rate: 3000/s}, {for: 10s, to: 0/s}, {for: 1s, rate: 100/s}]",
      ]).operations,
    ).toBe(30_000 + 15_000 + 100 * 40);
  });

  it("counts the final reads: every record from every replica", () => {
    const checks = ["checks=[linearizable]", "cluster.replicas=3"];
    const without = part(YCSB, "history", [...checks, "final_reads.enabled=false"]);
    const records = estimate(YCSB).parts.find((p) => p.name === "records")?.detail ?? "";
    const keys = Number(/^([\d,]+) records/.exec(records)?.[1]?.replace(/,/g, ""));
    const perOperation = without / estimate(YCSB, checks).operations;
    expect(part(YCSB, "history", checks) - without).toBeCloseTo(keys * 3 * perOperation, -3);
  });

  it("counts a read-modify-write as two history operations, its read and its write", () => {
    const checks = ["checks=[linearizable]", "final_reads.enabled=false"];
    const history = part(YCSB, "history", [...checks, "workload.preset=a"]);
    expect(part(YCSB, "history", [...checks, "workload.preset=f"])).toBeCloseTo(1.5 * history, -3);
  });

  it("counts a bank read's balances, a domain workload's rows and a closed loop's operations", () => {
    const bank = "{name: b, workload: {type: bank, rate: 100/s, bank: {accounts: 1000}}, checks: [bank]}";
    expect(part(bank, "history", ["workload.bank.accounts=10000"])).toBeGreaterThan(
      5 * part(bank, "history"),
    );
    const shop = "{name: e, workload: {type: ecommerce, rate: 100/s}}";
    expect(part(shop, "rows", ["workload.ecommerce.customers=10000"])).toBeGreaterThan(
      8 * part(shop, "rows"),
    );
    const closed = "{name: c, duration: 10s, network: {latency: {dist: constant, value: 500us}}}";
    // 32 clients, each one operation per round trip (1 ms + 50 µs of service).
    expect(estimate(closed).operations).toBe(Math.ceil(((32 * 1e6) / 1050) * 10));
  });
});
