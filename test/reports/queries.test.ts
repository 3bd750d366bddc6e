import { describe, expect, it } from "vitest";
import type { QueryOutcome } from "../../engine/protocol.js";
import { Database } from "../../engine/query/database.js";
import { eq, type Query } from "../../engine/query/query.js";
import { QueriesRecorder } from "../../reports/queries.js";
import { ECOMMERCE_TABLES } from "../../workloads/generators/domain/ecommerce.js";
import type { CompletedOperation, OpResult } from "../../workloads/observer.js";
import { completedOperation } from "./completed-operation.js";

const BY_CUSTOMER: Query = { kind: "select", table: "orders", where: [eq("customer_id", 7)] };
const NEW_ORDER: Query = {
  kind: "insert",
  table: "orders",
  rows: [{ id: 1, customer_id: 1, status: "pending", created_at: 0, total: 1 }],
};

function outcome(
  shape: string,
  access: QueryOutcome["access"],
  pages_read: number,
  pages_written = 0,
): QueryOutcome {
  return {
    kind: access === null ? "insert" : "select",
    shape,
    access,
    index: access === "IndexRangeScan" ? "by_customer" : null,
    covering: false,
    table_lookup: access === "IndexRangeScan",
    rows_returned: 1,
    rows_examined: access === "TableScan" ? 100 : 1,
    rows_sorted: 0,
    pages_read,
    pages_written,
  };
}

function op(
  template: string,
  query: Query,
  answer: QueryOutcome | null,
  latency_us: number,
  options: { measured?: boolean; result?: OpResult } = {},
): CompletedOperation {
  return completedOperation({
    op: query.kind === "select" ? "read" : "insert",
    result: options.result ?? "ok",
    key: "",
    completed_us: latency_us,
    latency_us,
    measured: options.measured ?? true,
    error: options.result === "fail" ? "overloaded" : null,
    query: { template, query, outcome: answer },
  });
}

describe("QueriesRecorder", () => {
  it("reports per template its count, most frequent plan, means and latency; advises an index for a frequent scan", () => {
    const recorder = new QueriesRecorder(["orders_by_customer", "new_order", "never_ran"]);
    const scan = outcome("TableScan orders, filter (customer_id = ?)", "TableScan", 10);
    const range = outcome("IndexRangeScan by_customer (customer_id = ?), table lookup", "IndexRangeScan", 4);
    recorder.onOperation(op("orders_by_customer", BY_CUSTOMER, scan, 900, { measured: false })); // warmup
    const pages = (pages_hit: number, pages_missed: number) => ({ pages_hit, pages_missed });
    recorder.onOperation({ ...op("orders_by_customer", BY_CUSTOMER, scan, 1000), ...pages(8, 2) });
    recorder.onOperation({ ...op("orders_by_customer", BY_CUSTOMER, scan, 3000), ...pages(8, 2) });
    recorder.onOperation({ ...op("orders_by_customer", BY_CUSTOMER, range, 2000), ...pages(4, 0) });
    recorder.onOperation({
      ...op("orders_by_customer", BY_CUSTOMER, null, 5000, { result: "fail" }),
      ...pages(0, 5), // not ok: not counted
    });
    for (let i = 0; i < 16; i++) {
      recorder.onOperation(op("new_order", NEW_ORDER, outcome("Insert orders", null, 2, 3), 500));
    }
    recorder.onOperation({ ...op("x", NEW_ORDER, null, 1), query: undefined }); // not a domain operation
    const report = recorder.finish(new Database({ tables: ECOMMERCE_TABLES }));
    expect(Object.keys(report.templates)).toEqual(["orders_by_customer", "new_order"]);
    expect(report.templates.orders_by_customer).toEqual({
      count: 4,
      ok: 3,
      share: 0.2,
      plan: "TableScan orders, filter (customer_id = ?)",
      plans: {
        "TableScan orders, filter (customer_id = ?)": 2,
        "IndexRangeScan by_customer (customer_id = ?), table lookup": 1,
      },
      access: "TableScan",
      index: null,
      covering: false,
      table_lookup: false,
      rows_returned_mean: 1,
      rows_examined_mean: 67,
      pages_read_mean: 8,
      pages_written_mean: 0,
      hit_ratio: 0.8333, // 20 of 24 lookups
      // HDR reads 3000 back as the top of its bucket, 3001: clamped to the exact max.
      latency_us: { p50: 2000, p90: 3000, p99: 3000, p999: 3000, max: 3000, mean: 2000 },
    });
    expect(report.templates.new_order).toMatchObject({
      count: 16,
      share: 0.8,
      pages_written_mean: 3,
      access: null,
      hit_ratio: null, // no lookup counted
    });
    expect(report.index_advice).toEqual([
      {
        template: "orders_by_customer",
        share: 0.2,
        plan: "TableScan orders, filter (customer_id = ?)",
        suggestion: {
          name: "orders_by_customer_id",
          table: "orders",
          columns: ["customer_id"],
          kind: "btree",
          include: [],
        },
        line:
          "index advice: orders_by_customer (20.0% of operations) runs as a full scan (TableScan orders, " +
          "filter (customer_id = ?)); add to cluster.indexes: { name: orders_by_customer_id, table: orders, columns: [customer_id] }",
      },
    ]);
  });

  it("gives no advice below 5% of the operations, or without a database", () => {
    const recorder = new QueriesRecorder(["orders_by_customer", "new_order"]);
    recorder.onOperation(
      op("orders_by_customer", BY_CUSTOMER, outcome("TableScan orders", "TableScan", 10), 1),
    );
    for (let i = 0; i < 20; i++)
      recorder.onOperation(op("new_order", NEW_ORDER, outcome("Insert orders", null, 2), 1));
    expect(recorder.finish(new Database({ tables: ECOMMERCE_TABLES })).index_advice).toEqual([]);
    const frequent = new QueriesRecorder(["orders_by_customer"]);
    frequent.onOperation(
      op("orders_by_customer", BY_CUSTOMER, outcome("TableScan orders", "TableScan", 10), 1),
    );
    expect(frequent.finish(null).index_advice).toEqual([]);
    expect(frequent.finish(new Database({ tables: ECOMMERCE_TABLES })).index_advice).toHaveLength(1);
  });
});
