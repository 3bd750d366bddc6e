import { describe, expect, it, vi } from "vitest";
import { Database } from "../../engine/query/database.js";
import { QueriesRecorder } from "../../reports/queries.js";
import type { CompletedOperation } from "../../workloads/observer.js";
import { ScenarioRun } from "../../workloads/runner.js";
import { loadScenario } from "../../workloads/scenario/load.js";

/** A small ecommerce load with both suggested B+tree indexes, on three replicas. */
const ECOMMERCE = `
duration: 4s
warmup: 500ms
cluster:
  replicas: 3
  replication: { mode: async, failover: { detect_after: 500ms } }
  indexes:
    - { name: orders_by_customer_created, table: orders, columns: [customer_id, created_at] }
    - { name: orders_by_status_created, table: orders, columns: [status, created_at], include: [total] }
network: { latency: { dist: constant, value: 200us } }
workload:
  type: ecommerce
  ecommerce: { customers: 100, products: 30, orders_per_customer: 5, items_per_order: 3 }
  rate: 300/s
  clients: 8
  timeout: 1s
`;

const TABLES = ["customers", "products", "orders", "order_items"];

function runWith(yaml: string, seed: number, overrides: string[] = []) {
  const { resolved } = loadScenario(`name: t\n${yaml}`, { overrides });
  const ops: CompletedOperation[] = [];
  const run = new ScenarioRun(resolved, { seed, observer: { onOperation: (op) => ops.push(op) } });
  const result = run.runToEnd();
  return { run, result, ops };
}

/** Every replica's rows equal the leader's, and every replica's indexes and statistics agree with its rows. */
function expectReplicasEqual(run: ScenarioRun): void {
  const leader = run.cluster.finalDatabase() as Database;
  expect(leader).toBeInstanceOf(Database);
  for (const node of run.hosts.nodes) {
    const db = run.cluster.databaseOn(node) as Database;
    db.checkConsistency();
    for (const table of TABLES)
      expect(db.rows(table), `${run.nodeNames.get(node)} ${table}`).toEqual(leader.rows(table));
  }
}

describe("a domain workload run", () => {
  it("serves every query, and every replica ends with the leader's rows and consistent indexes", () => {
    const { run, ops } = runWith(ECOMMERCE, 1);
    expect(run.cluster.leaders()).toHaveLength(1);
    expect(ops.length).toBeGreaterThan(1000);
    expect(ops.every((op) => op.result === "ok")).toBe(true);
    // Report names: selects are reads, new orders (batches of inserts) inserts, status updates updates.
    const names = new Set(ops.map((op) => `${op.query?.template}:${op.op}`));
    expect([...names].sort()).toEqual([
      "new_order:insert",
      "orders_by_customer:read",
      "orders_by_status_in_range:read",
      "recent_orders_by_customer:read",
      "update_order_status:update",
    ]);
    const recent = ops.find((op) => op.query?.template === "recent_orders_by_customer");
    expect(recent?.query?.outcome).toMatchObject({
      kind: "select",
      access: "IndexRangeScan",
      index: "orders_by_customer_created",
      covering: false,
      table_lookup: true,
    });
    expect(recent?.query?.outcome?.shape).toContain("backward, limit 10");
    const leader = run.cluster.finalDatabase() as Database;
    expect(leader.rowCount("orders")).toBeGreaterThan(500); // the initial 500 and the new ones
    run.settle(2_000_000); // let the followers apply the last entries
    expectReplicasEqual(run);
  });

  it("is deterministic: the same seed gives the same trace, operations and queries report", () => {
    const report = (ops: CompletedOperation[], run: ScenarioRun) => {
      const recorder = new QueriesRecorder(run.workload.domain?.templates.map((t) => t.name) ?? []);
      for (const op of ops) recorder.onOperation(op);
      return recorder.finish(run.cluster.finalDatabase());
    };
    const a = runWith(ECOMMERCE, 5);
    const b = runWith(ECOMMERCE, 5);
    expect(b.result.trace_hash).toBe(a.result.trace_hash);
    expect(b.ops).toEqual(a.ops);
    expect(report(b.ops, b.run)).toEqual(report(a.ops, a.run));
    expect(runWith(ECOMMERCE, 6).result.trace_hash).not.toBe(a.result.trace_hash);
  });

  it("undoes the writes a crash loses (fsync interval): replicas stay consistent through failover", () => {
    const revert = vi.spyOn(Database.prototype, "revert");
    try {
      const { run, ops } = runWith(ECOMMERCE, 2, [
        "cluster.node.fsync_policy=interval:200ms",
        "faults.schedule=[{at: 2s, kind: crash, target: leader, restart_after: 1s}]",
      ]);
      // The crashed leader lost its unsynced tail on restart: those writes were undone row by row.
      expect(revert).toHaveBeenCalled();
      expect(ops.some((op) => op.result === "info" || op.result === "fail")).toBe(true);
      expect(run.cluster.leaders()).toHaveLength(1);
      run.settle(3_000_000);
      expectReplicasEqual(run);
    } finally {
      revert.mockRestore();
    }
  });

  it("reads on followers with read_from: follower, writes on the leader", () => {
    const { run, ops } = runWith(ECOMMERCE, 3, ["cluster.replication.read_from=follower"]);
    const leader = run.cluster.leaders()[0];
    const reads = ops.filter((op) => op.op === "read");
    const writes = ops.filter((op) => op.op !== "read");
    expect(reads.every((op) => op.node !== leader)).toBe(true);
    expect(writes.every((op) => op.node === leader)).toBe(true);
    expect(ops.every((op) => op.result === "ok")).toBe(true);
  });
});
