import { describe, expect, it } from "vitest";
import { DEFAULT_COST_CONSTANTS, serviceTime_us } from "../../../engine/query/cost.js";
import { Database } from "../../../engine/query/database.js";
import type { IndexDefinition } from "../../../engine/query/indexes.js";
import { eq, type Query } from "../../../engine/query/query.js";
import { ORDERS, ordersDb } from "./fixtures.js";

const byCustomer: IndexDefinition = { name: "by_customer", table: "orders", columns: ["customer_id"] };
const byStatusCovering: IndexDefinition = {
  name: "by_status",
  table: "orders",
  columns: ["status"],
  include: ["total"],
};
const statusHash: IndexDefinition = { name: "status_h", table: "orders", columns: ["status"], kind: "hash" };
const newOrder: Query = {
  kind: "insert",
  table: "orders",
  rows: [{ id: 1000, customer_id: 3, status: "new", created_at: 9, total: 5 }],
};

describe("write amplification", () => {
  it("an insert pays for the table and for every index, listed per index", () => {
    const plain = ordersDb().execute(newOrder).cost;
    expect(plain.index_maintenance).toEqual([]);
    const one = ordersDb([byCustomer]).execute(newOrder).cost;
    const three = ordersDb([byCustomer, byStatusCovering, statusHash]).execute(newOrder).cost;
    expect(one.index_maintenance.map((m) => m.index)).toEqual(["by_customer"]);
    expect(three.index_maintenance.map((m) => m.index)).toEqual(["by_customer", "by_status", "status_h"]);
    for (const cost of [one, three]) {
      const maintenance = cost.index_maintenance.reduce((s, m) => s + m.pages_written, 0);
      expect(cost.pages_written).toBe(plain.pages_written + maintenance);
      for (const m of cost.index_maintenance) expect(m.pages_written).toBeGreaterThanOrEqual(1);
    }
    expect(serviceTime_us(three)).toBeGreaterThan(serviceTime_us(one));
    expect(serviceTime_us(one)).toBeGreaterThan(serviceTime_us(plain));
  });

  it("an update maintains only the indexes whose columns it changes", () => {
    const db = ordersDb([byCustomer, byStatusCovering, statusHash]);
    const untouched = db.execute({
      kind: "update",
      table: "orders",
      where: [eq("id", 5)],
      set: { created_at: 7 },
    });
    expect(untouched.cost.index_maintenance).toEqual([]);
    expect(untouched.cost.pages_written).toBe(1);
    // `total` is only included by by_status: its entry is rewritten in place (one page).
    const included = db.execute({
      kind: "update",
      table: "orders",
      where: [eq("id", 5)],
      set: { total: 99 },
    });
    expect(included.cost.index_maintenance).toEqual([
      { index: "by_status", pages_read: 3, pages_written: 1 },
    ]);
    // `status` keys two indexes: each entry moves (delete + insert).
    const keyed = db.execute({
      kind: "update",
      table: "orders",
      where: [eq("id", 5)],
      set: { status: "zzz" },
    });
    expect(keyed.cost.index_maintenance.map((m) => m.index)).toEqual(["by_status", "status_h"]);
    for (const m of keyed.cost.index_maintenance) expect(m.pages_written).toBeGreaterThanOrEqual(2);
    db.checkConsistency();
  });

  it("the service time follows the node's model: service + page x pages + row x (rows + sorted)", () => {
    const cost = { pages_read: 10, pages_written: 2, rows_examined: 30, rows_sorted: 5 };
    expect(serviceTime_us(cost)).toBe(50 + 2 * 12 + 1 * 35);
    expect(serviceTime_us(cost, { service_time_us: 0, page_time_us: 10, row_time_us: 0.5 })).toBe(137.5);
    expect(DEFAULT_COST_CONSTANTS).toEqual({ service_time_us: 50, page_time_us: 2, row_time_us: 1 });
  });

  it("the planner weighs pages and rows with the configured constants", () => {
    // Half the rows match: 100 lookups x 3 pages read more than the 51-page scan, but examine
    // half the rows.
    const query: Query = { kind: "select", table: "orders", where: [eq("customer_id", 1)] };
    const planWith = (page_time_us: number, row_time_us: number) => {
      const db = new Database({
        tables: [ORDERS],
        indexes: [byCustomer],
        fanout: 8,
        cost: { service_time_us: 0, page_time_us, row_time_us },
      });
      for (let id = 0; id < 200; id++)
        db.load("orders", { id, customer_id: id % 2, status: "s", created_at: id, total: 1 });
      return db.plan(query).access?.access;
    };
    expect(planWith(1, 0)).toBe("TableScan");
    expect(planWith(0, 1)).toBe("IndexRangeScan");
  });
});

describe("indexes added and dropped at run time", () => {
  it("createIndex builds over the current rows and charges the build; dropIndex forgets it", () => {
    const db = ordersDb();
    const query: Query = { kind: "select", table: "orders", where: [eq("customer_id", 7)] };
    expect(db.plan(query).access?.access).toBe("TableScan");
    const build = db.createIndex(byCustomer);
    expect(build.rows_examined).toBe(200);
    expect(build.pages_written).toBeGreaterThan(200);
    expect(build.index_maintenance.map((m) => m.index)).toEqual(["by_customer"]);
    db.checkConsistency();
    expect(db.plan(query).access?.index).toBe("by_customer");
    expect(db.indexes()).toEqual([{ ...byCustomer, kind: "btree", include: [] }]);
    expect(db.statistics("orders")).toEqual({ rows: 200, distinct: { id: 200, customer_id: 20 } });
    expect(db.dropIndex("by_customer")).toBe(true);
    expect(db.dropIndex("by_customer")).toBe(false);
    expect(db.plan(query).access?.access).toBe("TableScan");
  });
});

describe("atomic writes, change records, undo and redo", () => {
  it("an insert hitting an existing key changes nothing; a failing batch undoes its earlier steps", () => {
    const db = ordersDb([byCustomer, statusHash]);
    const before = db.rows("orders");
    const dup = db.execute({
      kind: "insert",
      table: "orders",
      rows: [
        { id: 500, customer_id: 1, status: "x", created_at: 1, total: 1 },
        { id: 5, customer_id: 1, status: "x", created_at: 1, total: 1 },
      ],
    });
    expect(dup.status).toBe("duplicate_key");
    expect(dup.affected).toBe(0);
    expect(dup.changes).toEqual([]);
    expect(db.rows("orders")).toEqual(before);
    const batch = db.execute({
      kind: "batch",
      queries: [
        { kind: "delete", table: "orders", where: [eq("customer_id", 3)] },
        { kind: "update", table: "orders", where: [eq("customer_id", 4)], set: { status: "gone" } },
        {
          kind: "insert",
          table: "orders",
          rows: [{ id: 0, customer_id: 1, status: "x", created_at: 1, total: 1 }],
        },
      ],
    });
    expect(batch.status).toBe("duplicate_key");
    expect(batch.cost.pages_written).toBeGreaterThan(0); // the undone work was done, and paid for
    expect(db.rows("orders")).toEqual(before);
    db.checkConsistency();
  });

  it("changes redo on a replica and undo on the origin", () => {
    const origin = ordersDb([byCustomer]);
    const replica = ordersDb([statusHash]);
    const before = origin.rows("orders");
    const result = origin.execute({
      kind: "batch",
      queries: [
        { kind: "update", table: "orders", where: [eq("customer_id", 7)], set: { status: "vip" } },
        { kind: "delete", table: "orders", where: [eq("id", 3)] },
        newOrder as Exclude<Query, { kind: "select" | "get" | "batch" }>,
      ],
    });
    expect(result.status).toBe("ok");
    expect(result.affected).toBe(12);
    expect(result.changes[0]).toEqual({
      table: "orders",
      before: { id: 1, customer_id: 7, status: "done", created_at: 1_001_000, total: 1.25 },
      after: { id: 1, customer_id: 7, status: "vip", created_at: 1_001_000, total: 1.25 },
    });
    expect(result.changes.at(-1)).toEqual({ table: "orders", before: null, after: newOrder.rows[0] });
    const redo = replica.apply(result.changes);
    expect(redo.pages_written).toBeGreaterThan(0);
    expect(replica.rows("orders")).toEqual(origin.rows("orders"));
    replica.checkConsistency();
    origin.revert(result.changes);
    expect(origin.rows("orders")).toEqual(before);
    origin.checkConsistency();
  });

  it("storage() reports every structure's size", () => {
    const db = ordersDb([byCustomer, statusHash]);
    const [orders] = db.storage();
    expect(orders).toMatchObject({ table: "orders", rows: 200, height: 3 });
    expect(orders?.indexes.map((i) => [i.name, i.kind, i.entries])).toEqual([
      ["by_customer", "btree", 200],
      ["status_h", "hash", 200],
    ]);
  });
});
