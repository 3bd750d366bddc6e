// Every shipped scenario teaches what its comment says, at seed 1. (The failover, random-nemesis,
// index and sharding scenarios have files of their own: failover-scenarios, random-nemesis-scenario,
// index-scenarios, sharding-scenarios.)

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import type { Report } from "../../reports/report-schema.js";
import { loadScenario } from "../../workloads/scenario/load.js";

async function run(name: string, overrides: string[] = []): Promise<Report> {
  const scenario = loadScenario(readFileSync(`scenarios/${name}.yaml`, "utf8"), { overrides });
  return (await executeRun(scenario, 1, { metrics: false, files: "failed" })).report;
}

const p50 = (report: Report, op: string) => report.ops[op]?.latency_us.p50 ?? Number.NaN;
const p99 = (report: Report, op: string) => report.ops[op]?.latency_us.p99 ?? Number.NaN;

describe("the bank scenarios", () => {
  it("bank-failover: transfers as transactions keep the total through a failover; read-then-write, read committed and multi-leader break it", async () => {
    const report = await run("bank-failover");
    expect(report.checks.bank?.valid).toBe(true);
    expect(report.replication.failovers.length).toBeGreaterThanOrEqual(1);
    expect((await run("bank-failover", ["workload.bank.transfer=read_then_write"])).checks.bank?.valid).toBe(
      false,
    );
    expect((await run("bank-failover", ["cluster.replication.mode=multi-leader"])).checks.bank?.valid).toBe(
      false,
    );
    const readCommitted = await run("bank-failover", ["cluster.transactions.isolation=read-committed"]);
    expect(readCommitted.checks.bank?.valid).toBe(false);
    expect(report.ops.transfer?.errors).toHaveProperty("conflict"); // one of two conflicting transfers aborts
  });

  it("bank-read-then-write: lost updates without any fault; as transactions, none", async () => {
    expect((await run("bank-read-then-write")).checks.bank?.valid).toBe(false);
    expect(
      (await run("bank-read-then-write", ["workload.bank.transfer=transaction"])).checks.bank?.valid,
    ).toBe(true);
  });
});

describe("the replication scenarios", () => {
  it("follower-reads: each follower's lag is reported", async () => {
    const report = await run("follower-reads");
    expect(Object.keys(report.replication.lag_us).sort()).toEqual(["shard0/n1", "shard0/n2"]);
  });

  it("multi-leader-clock-skew: the skewed clock's writes lose to older ones: conflicts grow", async () => {
    const skewed = (await run("multi-leader-clock-skew")).replication.conflicts;
    const unskewed = (await run("multi-leader-clock-skew", ["faults.schedule=[]"])).replication.conflicts;
    expect(skewed).toBeGreaterThan(10 * unskewed);
  });
});

describe("the sharding scenarios", () => {
  it("resharding-consistent-vs-mod: a ring moves about 1/5 of the keys, hash mod N about 4/5, and nothing is lost", async () => {
    const ring = await run("resharding-consistent-vs-mod");
    const mod = await run("resharding-consistent-vs-mod", ["cluster.sharding.strategy=hash"]);
    for (const report of [ring, mod]) {
      expect(report.checks.lost_writes?.valid).toBe(true);
      expect(report.checks.linearizable?.valid).toBe(true);
    }
    expect(ring.sharding?.moved_fraction).toBeGreaterThan(0.1);
    expect(ring.sharding?.moved_fraction).toBeLessThan(0.3);
    expect(mod.sharding?.moved_fraction).toBeGreaterThan(0.7);
  });

  it("sharding-hotkey: about half the load on one shard whatever the strategy; the move isolates the key", async () => {
    for (const strategy of ["hash", "range"]) {
      const report = await run("sharding-hotkey", [`cluster.sharding.strategy=${strategy}`, "changes=[]"]);
      expect(report.sharding?.skew, strategy).toBeGreaterThan(2.2);
      expect(report.sharding?.skew, strategy).toBeLessThan(2.8);
    }
    const moved = await run("sharding-hotkey");
    expect(moved.sharding?.moved_keys).toBe(1);
  });
});

describe("the YCSB scenarios", () => {
  it("B reads mostly: fewer fsyncs than A, a lower tail; C reads only; D inserts and reads what exists", async () => {
    const [a, b, c, d] = await Promise.all(["ycsb-a", "ycsb-b", "ycsb-c", "ycsb-d"].map((name) => run(name)));
    expect(p99(b as Report, "all")).toBeLessThan(p99(a as Report, "all"));
    expect(Object.keys((c as Report).ops).sort()).toEqual(["all", "read"]);
    expect(p99(c as Report, "all")).toBeLessThan(p99(a as Report, "update"));
    expect((d as Report).ops.insert?.ok).toBeGreaterThan(0);
    expect((d as Report).ops.read?.errors).toEqual({});
  });

  it("E scans: a scan's service time grows with the rows it examines; F: a read-modify-write costs two round trips", async () => {
    const e = await run("ycsb-e");
    const c = await run("ycsb-c");
    expect(e.ops.scan?.service_us.p50).toBeGreaterThan(1.5 * (c.ops.read?.service_us.p50 ?? 0));
    const f = await run("ycsb-f");
    expect(p50(f, "rmw")).toBeGreaterThan(2 * p50(f, "read"));
  });
});

describe("the load-shape scenario", () => {
  it("ramp-to-saturation: achieved follows the offered ramp, then flattens at one node's capacity while p99 climbs", async () => {
    const { timeline } = await run("ramp-to-saturation");
    const offered = timeline.offered_ops_per_s as number[];
    const second = (t_s: number) => timeline.t_s.indexOf(t_s);
    // The shape: 1000/s held for 5 s, then up to 8000/s at 35 s (Poisson arrivals: within noise).
    expect(offered[second(2)]).toBeGreaterThan(900);
    expect(offered[second(2)]).toBeLessThan(1100);
    expect(offered[second(34)]).toBeGreaterThan(7400);
    // Up to 19 s the node keeps up: achieved within 2% of offered, p99 under 20 ms.
    for (let i = second(1); i <= second(19); i++) {
      expect(Math.abs((timeline.ops_per_s[i] as number) / (offered[i] as number) - 1)).toBeLessThan(0.02);
      expect(timeline.p99_us[i]).toBeLessThan(20_000);
    }
    // From 22 s on it serves about 4,760/s whatever is offered; the backlog grows, and p99 with it.
    for (let i = second(22); i <= second(34); i++) {
      expect(timeline.ops_per_s[i]).toBeGreaterThan(4700);
      expect(timeline.ops_per_s[i]).toBeLessThan(4820);
    }
    expect((offered[second(34)] as number) - (timeline.ops_per_s[second(34)] as number)).toBeGreaterThan(
      2500,
    );
    expect(timeline.p99_us[second(22)]).toBeGreaterThan(50_000);
    expect(timeline.p99_us[second(34)]).toBeGreaterThan(2_500_000);
  }, 60_000);
});
