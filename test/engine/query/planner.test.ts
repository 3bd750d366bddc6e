import { describe, expect, it } from "vitest";
import type { IndexDefinition } from "../../../engine/query/indexes.js";
import { eq, ge, lt, type Query } from "../../../engine/query/query.js";
import { ordersDb } from "./fixtures.js";

const byCustomer: IndexDefinition = { name: "by_customer", table: "orders", columns: ["customer_id"] };
const customerHash: IndexDefinition = {
  name: "customer_h",
  table: "orders",
  columns: ["customer_id"],
  kind: "hash",
};
const byCreated: IndexDefinition = { name: "by_created", table: "orders", columns: ["created_at"] };
const createdHash: IndexDefinition = {
  name: "created_h",
  table: "orders",
  columns: ["created_at"],
  kind: "hash",
};
const byCustomerCreated: IndexDefinition = {
  name: "by_customer_created",
  table: "orders",
  columns: ["customer_id", "created_at"],
  include: ["total"],
};

const customer7: Query = { kind: "select", table: "orders", where: [eq("customer_id", 7)] };
const createdRange: Query = {
  kind: "select",
  table: "orders",
  where: [ge("created_at", 1_050_000), lt("created_at", 1_060_000)],
};
const recentOfCustomer7: Query = {
  kind: "select",
  table: "orders",
  where: [eq("customer_id", 7)],
  order_by: [{ column: "created_at", direction: "desc" }],
  limit: 3,
};

describe("planner choices on a 200-row table", () => {
  it("equality: a B+tree index instead of a full scan", () => {
    const db = ordersDb([byCustomer]);
    expect(db.explain(customer7)).toBe(
      "IndexRangeScan by_customer (customer_id = ?) → 10 rows, 34 pages, table lookup",
    );
    const result = db.execute(customer7);
    expect(result.rows.map((r) => r.id)).toEqual([1, 21, 41, 61, 81, 101, 121, 141, 161, 181]);
    expect(result.cost.rows_examined).toBe(10);
    expect(result.cost.table_lookups).toBe(10);
    expect(ordersDb([]).explain(customer7)).toBe(
      "TableScan orders → 200 rows, 51 pages, filter (customer_id = ?)",
    );
  });

  it("equality: a hash index, and the cheaper of hash and B+tree when both exist", () => {
    expect(ordersDb([customerHash]).explain(customer7)).toBe(
      "HashLookup customer_h (customer_id = ?) → 10 rows, 34 pages, table lookup",
    );
    // On a unique column a hash lookup reads one bucket page, the B+tree its descent and a leaf.
    const point: Query = { kind: "select", table: "orders", where: [eq("created_at", 1_077_000)] };
    const both = ordersDb([byCreated, createdHash]);
    expect(both.explain(point)).toBe("HashLookup created_h (created_at = ?) → 1 row, 4 pages, table lookup");
    expect(both.plan(point).access?.alternatives.map((a) => a.shape)).toEqual([
      "HashLookup created_h (created_at = ?), table lookup",
      "IndexRangeScan by_created (created_at = ?), table lookup",
      "TableScan orders, filter (created_at = ?)",
    ]);
    const result = both.execute(point);
    expect(result.rows).toEqual([
      { id: 77, customer_id: 19, status: "shipped", created_at: 1_077_000, total: 27.25 },
    ]);
    expect(result.cost.pages_read).toBe(4);
  });

  it("range: a B+tree index only; a hash index is never used for a range, and EXPLAIN says why", () => {
    expect(ordersDb([createdHash, byCreated]).explain(createdRange)).toBe(
      "IndexRangeScan by_created (created_at >= ? AND created_at < ?) → 10 rows, 36 pages, table lookup; " +
        "created_h not usable: hash index supports equality only, not the range on created_at",
    );
    const hashOnly = ordersDb([createdHash]);
    expect(hashOnly.explain(createdRange)).toBe(
      "TableScan orders → 200 rows, 51 pages, filter (created_at >= ? AND created_at < ?); " +
        "created_h not usable: hash index supports equality only, not the range on created_at",
    );
    expect(hashOnly.execute(createdRange).rows.map((r) => r.id)).toEqual([
      50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
    ]);
  });

  it("a hash index needs equality on every one of its columns and gives no order", () => {
    const composite: IndexDefinition = {
      name: "cust_status_h",
      table: "orders",
      columns: ["customer_id", "status"],
      kind: "hash",
    };
    const db = ordersDb([composite]);
    expect(db.explain(customer7)).toBe(
      "TableScan orders → 200 rows, 51 pages, filter (customer_id = ?); " +
        "cust_status_h not usable: hash index needs equality on all of (customer_id, status); none on status",
    );
    expect(
      db.explain({ kind: "select", table: "orders", where: [eq("customer_id", 7), eq("status", "paid")] }),
    ).toBe("HashLookup cust_status_h (customer_id = ? AND status = ?) → 3 rows, 10 pages, table lookup");
    const statusHash: IndexDefinition = {
      name: "status_h",
      table: "orders",
      columns: ["status"],
      kind: "hash",
    };
    expect(
      ordersDb([statusHash]).explain({
        kind: "select",
        table: "orders",
        order_by: [{ column: "status" }],
        limit: 4,
      }),
    ).toBe(
      "TableScan orders → 200 rows, 51 pages, sort (status asc), limit 4; " +
        "status_h not usable: hash index keeps no order, for ORDER BY status",
    );
  });

  it("covering: no table lookup when the index holds every column the query reads", () => {
    const db = ordersDb([byCustomerCreated]);
    const covered: Query = {
      kind: "select",
      table: "orders",
      columns: ["id", "created_at", "total"],
      where: [eq("customer_id", 7)],
    };
    expect(db.explain(covered)).toBe(
      "IndexRangeScan by_customer_created (customer_id = ?) → 10 rows, 4 pages, covering",
    );
    const result = db.execute(covered);
    expect(result.table_lookup).toBe(false);
    expect(result.cost.table_lookups).toBe(0);
    expect(result.rows[0]).toEqual({ id: 1, created_at: 1_001_000, total: 1.25 });
    // `status` is not in the index: every row is fetched from the table.
    const uncovered: Query = { ...covered, columns: ["id", "status"] };
    expect(db.explain(uncovered)).toBe(
      "IndexRangeScan by_customer_created (customer_id = ?) → 10 rows, 34 pages, table lookup",
    );
    const fetched = db.execute(uncovered);
    expect(fetched.table_lookup).toBe(true);
    expect(fetched.cost.table_lookups).toBe(10);
    // Aggregates over covered columns need no lookup either.
    const sum: Query = {
      kind: "select",
      table: "orders",
      where: [eq("customer_id", 7)],
      aggregates: [{ fn: "count" }, { fn: "sum", column: "total" }],
    };
    expect(db.explain(sum)).toBe(
      "IndexRangeScan by_customer_created (customer_id = ?) → 10 rows, 4 pages, covering, aggregate (count, sum(total))",
    );
    const aggregated = db.execute(sum);
    expect(aggregated.rows).toEqual([{ count: 10, sum_total: 212.5 }]);
    expect(aggregated.table_lookup).toBe(false);
  });

  it("ORDER BY ... LIMIT satisfied by index order: no sort, the scan stops at the limit", () => {
    const ordered = ordersDb([
      { name: "by_customer_created", table: "orders", columns: ["customer_id", "created_at"] },
    ]);
    expect(ordered.explain(recentOfCustomer7)).toBe(
      "IndexRangeScan by_customer_created (customer_id = ?) → 3 rows, 12 pages, table lookup, backward, limit 3",
    );
    const fast = ordered.execute(recentOfCustomer7);
    expect(fast.rows.map((r) => r.id)).toEqual([181, 161, 141]);
    expect(fast.cost.rows_sorted).toBe(0);
    expect(fast.cost.rows_examined).toBe(3);

    // Without an index ordered by created_at within a customer, the rows are sorted.
    const unordered = ordersDb([byCustomer]);
    expect(unordered.explain(recentOfCustomer7)).toBe(
      "IndexRangeScan by_customer (customer_id = ?) → 10 rows, 34 pages, table lookup, sort (created_at desc), limit 3",
    );
    const slow = unordered.execute(recentOfCustomer7);
    expect(slow.rows).toEqual(fast.rows);
    expect(slow.cost.rows_sorted).toBe(10);
    expect(slow.cost.rows_examined).toBe(10);

    // A whole index scanned in order serves ORDER BY without any condition.
    const firstFive: Query = {
      kind: "select",
      table: "orders",
      order_by: [{ column: "created_at" }],
      limit: 5,
    };
    expect(ordersDb([byCreated]).explain(firstFive)).toBe(
      "IndexFullScan by_created → 5 rows, 19 pages, table lookup, limit 5",
    );
    expect(
      ordersDb([byCreated])
        .execute(firstFive)
        .rows.map((r) => r.id),
    ).toEqual([0, 1, 2, 3, 4]);
  });

  it("primary key access: a point get, and a range over a prefix of a composite key", () => {
    const db = ordersDb();
    expect(db.explain({ kind: "get", table: "orders", key: { id: 42 } })).toBe(
      "PrimaryKeyGet orders (id = ?) → 1 row, 3 pages",
    );
    const items: Query = { kind: "select", table: "order_items", where: [eq("order_id", 3)] };
    expect(db.explain(items)).toBe("PrimaryKeyRangeScan order_items (order_id = ?) → 3 rows, 4 pages");
    expect(db.execute(items).rows).toEqual([
      { order_id: 3, line: 0, qty: 1 },
      { order_id: 3, line: 1, qty: 2 },
      { order_id: 3, line: 2, qty: 3 },
    ]);
    expect(db.execute({ kind: "get", table: "orders", key: { id: 4242 } }).status).toBe("not_found");
    expect(
      db.explain({
        kind: "select",
        table: "order_items",
        where: [eq("order_id", 3), ge("line", 1)],
        order_by: [{ column: "line", direction: "desc" }],
      }),
    ).toBe("PrimaryKeyRangeScan order_items (order_id = ? AND line >= ?) → 2 rows, 4 pages, backward");
  });

  it("a B+tree index whose leading column has no condition is named when the plan is a full scan", () => {
    const db = ordersDb([{ name: "by_status_created", table: "orders", columns: ["status", "created_at"] }]);
    expect(db.explain(createdRange)).toBe(
      "TableScan orders → 200 rows, 51 pages, filter (created_at >= ? AND created_at < ?); " +
        "by_status_created not usable: no condition on its leading column status",
    );
  });

  it("writes: EXPLAIN names the indexes each write maintains", () => {
    const db = ordersDb([
      byCustomer,
      { name: "status_h", table: "orders", columns: ["status"], kind: "hash" },
    ]);
    expect(
      db.explain({
        kind: "insert",
        table: "orders",
        rows: [{ id: 1000, customer_id: 1, status: "new", created_at: 5, total: 1 }],
      }),
    ).toBe("Insert orders (1 row), maintains by_customer, status_h");
    expect(
      db.explain({ kind: "update", table: "orders", where: [eq("id", 7)], set: { status: "done" } }),
    ).toBe("Update orders set status, maintains status_h via PrimaryKeyGet orders (id = ?) → 1 row, 3 pages");
    expect(
      db.explain({ kind: "update", table: "orders", where: [eq("customer_id", 7)], set: { total: 1 } }),
    ).toBe(
      "Update orders set total via IndexRangeScan by_customer (customer_id = ?) → 10 rows, 34 pages, table lookup",
    );
    expect(db.explain({ kind: "delete", table: "orders", where: [eq("id", 7)] })).toBe(
      "Delete orders, maintains by_customer, status_h via PrimaryKeyGet orders (id = ?) → 1 row, 3 pages",
    );
    const batch = db.plan({
      kind: "batch",
      queries: [
        {
          kind: "insert",
          table: "orders",
          rows: [{ id: 1000, customer_id: 1, status: "new", created_at: 5, total: 1 }],
        },
        {
          kind: "insert",
          table: "order_items",
          rows: [
            { order_id: 1000, line: 0, qty: 1 },
            { order_id: 1000, line: 1, qty: 2 },
          ],
        },
      ],
    });
    expect(batch.text).toBe(
      "Batch: Insert orders (1 row), maintains by_customer, status_h | Insert order_items (2 rows)",
    );
    expect(batch.shape).toBe("Batch: Insert orders, maintains by_customer, status_h | Insert order_items");
  });

  it("the plan's shape is stable across parameter values; its estimate follows the statistics", () => {
    const db = ordersDb([byCreated]);
    const narrow = db.plan(createdRange);
    const wide = db.plan({
      kind: "select",
      table: "orders",
      where: [ge("created_at", 1_000_000), lt("created_at", 1_150_000)],
    });
    expect(narrow.shape).toBe("IndexRangeScan by_created (created_at >= ? AND created_at < ?), table lookup");
    // 150 of 200 rows through the index would cost 450 lookup pages: a full scan is cheaper.
    expect(wide.text).toBe(
      "TableScan orders → 200 rows, 51 pages, filter (created_at >= ? AND created_at < ?)",
    );
    expect(narrow.access?.estimate).toEqual({ rows: 10, pages: 36, rows_sorted: 0, cost_us: 82 });
  });
});
