import { describe, expect, it } from "vitest";
import { cli, scenarioFile } from "./helpers.js";

describe("dbsim explain", () => {
  it("prints each template's EXPLAIN line on the initial data, then index advice (stable text)", async () => {
    const { code, stdout, stderr } = await cli("explain", "scenarios/index-none.yaml");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual(
      [
        "index-none: ecommerce workload, initial data of seed 1; indexes: none",
        "storage: customers 1000 rows in 17 pages; products 200 rows in 4 pages; orders 10000 rows in 120 pages; order_items 24967 rows in 297 pages",
        "orders_by_customer: TableScan orders → 10000 rows, 120 pages, filter (customer_id = ?)",
        "recent_orders_by_customer: TableScan orders → 10000 rows, 120 pages, filter (customer_id = ?), sort (created_at desc), limit 10",
        "orders_by_status_in_range: TableScan orders → 10000 rows, 120 pages, filter (status = ? AND created_at >= ? AND created_at < ?)",
        "new_order: Batch: Insert orders (1 row) | Insert order_items (2 rows)",
        "update_order_status: Update orders set status via PrimaryKeyGet orders (id = ?) → 1 row, 2 pages",
        "index advice: orders_by_customer (30.0% of operations) runs as a full scan (TableScan orders, filter (customer_id = ?)); add to cluster.indexes: { name: orders_by_customer_id_created_at, table: orders, columns: [customer_id, created_at] }",
        "index advice: recent_orders_by_customer (30.0% of operations) runs as a full scan (TableScan orders, filter (customer_id = ?), sort (created_at desc), limit 10); add to cluster.indexes: { name: orders_by_customer_id_created_at, table: orders, columns: [customer_id, created_at] }",
        "index advice: orders_by_status_in_range (10.0% of operations) runs as a full scan (TableScan orders, filter (status = ? AND created_at >= ? AND created_at < ?)); add to cluster.indexes: { name: orders_by_status_created_at, table: orders, columns: [status, created_at] }",
      ].concat([""]),
    );
  });

  it("says why a hash index cannot serve a range or an order, and advises the B+tree that would", async () => {
    const { code, stdout } = await cli("explain", "scenarios/index-hash.yaml");
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual(
      [
        "index-hash: ecommerce workload, initial data of seed 1; indexes: { name: orders_by_customer, table: orders, columns: [customer_id], kind: hash }; { name: orders_by_status_created, table: orders, columns: [status, created_at], kind: hash }",
        "storage: customers 1000 rows in 17 pages; products 200 rows in 4 pages; orders 10000 rows in 120 pages (+ orders_by_customer 45 pages, orders_by_status_created 64 pages); order_items 24967 rows in 297 pages",
        "orders_by_customer: HashLookup orders_by_customer (customer_id = ?) → 10 rows, 21 pages, table lookup",
        "recent_orders_by_customer: HashLookup orders_by_customer (customer_id = ?) → 10 rows, 21 pages, table lookup, sort (created_at desc), limit 10; orders_by_status_created not usable: hash index keeps no order, for ORDER BY created_at",
        "orders_by_status_in_range: TableScan orders → 10000 rows, 120 pages, filter (status = ? AND created_at >= ? AND created_at < ?); orders_by_status_created not usable: hash index supports equality only, not the range on created_at",
        "new_order: Batch: Insert orders (1 row), maintains orders_by_customer, orders_by_status_created | Insert order_items (2 rows)",
        "update_order_status: Update orders set status, maintains orders_by_status_created via PrimaryKeyGet orders (id = ?) → 1 row, 2 pages",
        "index advice: orders_by_status_in_range (10.0% of operations) runs as a full scan (TableScan orders, filter (status = ? AND created_at >= ? AND created_at < ?); orders_by_status_created not usable: hash index supports equality only, not the range on created_at); add to cluster.indexes: { name: orders_by_status_created_at, table: orders, columns: [status, created_at] }",
      ].concat([""]),
    );
  });

  it("prints JSON with --json: the plans, estimates, the storage of tables and indexes, advice", async () => {
    const { code, stdout } = await cli("explain", "scenarios/index-covering.yaml", "--json");
    expect(code).toBe(0);
    const explained = JSON.parse(stdout);
    expect(explained).toMatchObject({
      scenario: "index-covering",
      workload: "ecommerce",
      seed: 1,
      index_advice: [],
    });
    expect(explained.templates.map((t: { template: string }) => t.template)).toEqual([
      "orders_by_customer",
      "recent_orders_by_customer",
      "orders_by_status_in_range",
      "new_order",
      "update_order_status",
    ]);
    expect(explained.templates[0]).toMatchObject({
      weight: 0.3,
      access: "IndexRangeScan",
      index: "orders_by_customer_created",
      covering: true,
      shape: "IndexRangeScan orders_by_customer_created (customer_id = ?), covering",
      estimate: { rows: 10, pages: 2 },
    });
    expect(explained.templates[3]).toMatchObject({ access: null, estimate: null });
    const orders = explained.storage.find((t: { table: string }) => t.table === "orders");
    expect(orders.indexes.map((i: { name: string }) => i.name)).toEqual([
      "orders_by_customer_created",
      "orders_by_status_created",
    ]);
  });

  it("plans with --set overrides (a hash index chosen for equality), on the data of --seed", async () => {
    const { code, stdout } = await cli(
      "explain",
      "scenarios/index-none.yaml",
      "--seed",
      "2",
      "--set",
      "cluster.indexes=[{name: by_customer, table: orders, columns: [customer_id], kind: hash}]",
    );
    expect(code).toBe(0);
    expect(stdout).toContain("initial data of seed 2");
    expect(stdout).toContain("orders_by_customer: HashLookup by_customer (customer_id = ?)");
    expect(stdout).not.toContain("index advice: orders_by_customer ");
    expect(stdout).toContain("index advice: orders_by_status_in_range");
  });

  it("refuses a scenario without queries, in one line (exit 2)", async () => {
    const { code, stdout, stderr } = await cli("explain", "scenarios/ycsb-a.yaml");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "dbsim: scenarios/ycsb-a.yaml: explain needs a domain workload (workload.type ecommerce, social or timeseries); workload.type ycsb runs no queries to plan\n",
    );
  });

  it("reports a bad index as the scenario error naming its path (exit 2)", async () => {
    const path = scenarioFile(
      "name: x\nworkload: { type: ecommerce }\ncluster:\n  indexes: [{ name: a, table: orders, columns: [foo] }]\n",
    );
    const { code, stderr } = await cli("explain", path);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `dbsim: ${path}:4:49: cluster.indexes.0.columns.0: unknown column 'foo' of table orders (columns: id, customer_id, status, created_at, total)\n`,
    );
    expect((await cli("explain", "scenarios/index-none.yaml", "--seed", "x")).code).toBe(2);
    expect((await cli("explain", "no/such.yaml")).stderr).toBe(
      "dbsim: cannot read scenario no/such.yaml: no such file\n",
    );
  });

  it("explains the social and timeseries workloads too", async () => {
    for (const type of ["social", "timeseries"]) {
      const path = scenarioFile(`name: ${type}\nworkload: { type: ${type} }\n`);
      const { code, stdout } = await cli("explain", path);
      expect(code, type).toBe(0);
      expect(stdout.split("\n").length, type).toBeGreaterThan(5);
    }
  });
});
