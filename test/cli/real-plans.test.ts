import { describe, expect, it } from "vitest";
import { compareWithPostgres, pgPlanOf, withinTwice } from "../../cli/real/plans.js";
import { Database } from "../../engine/query/database.js";
import { eq } from "../../engine/query/query.js";
import { ECOMMERCE_TABLES } from "../../workloads/generators/domain/ecommerce.js";

/** EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) results as PostgreSQL writes them (the fields read). */
const seqScan = [
  {
    Plan: {
      "Node Type": "Seq Scan",
      "Relation Name": "orders",
      "Plan Rows": 10,
      "Actual Rows": 11,
      "Actual Loops": 1,
      "Rows Removed by Filter": 9989,
      "Shared Hit Blocks": 90,
      "Shared Read Blocks": 3,
    },
  },
];
const bitmap = [
  {
    Plan: {
      "Node Type": "Limit",
      "Actual Rows": 10,
      "Shared Hit Blocks": 11,
      "Shared Read Blocks": 1,
      Plans: [
        {
          "Node Type": "Sort",
          Plans: [
            {
              "Node Type": "Bitmap Heap Scan",
              "Relation Name": "orders",
              "Plan Rows": 10,
              "Actual Rows": 11,
              "Actual Loops": 1,
              "Rows Removed by Index Recheck": 0,
              Plans: [{ "Node Type": "Bitmap Index Scan", "Index Name": "by_customer" }],
            },
          ],
        },
      ],
    },
  },
];
const indexOnlyBackward = [
  {
    Plan: {
      "Node Type": "Limit",
      "Actual Rows": 10,
      "Shared Hit Blocks": 3,
      Plans: [
        {
          "Node Type": "Index Only Scan",
          "Scan Direction": "Backward",
          "Index Name": "by_customer",
          "Relation Name": "orders",
          "Plan Rows": 10,
          "Actual Rows": 10,
          "Actual Loops": 1,
        },
      ],
    },
  },
];
const insert = [
  {
    Plan: {
      "Node Type": "ModifyTable",
      Operation: "Insert",
      "Relation Name": "orders",
      "Actual Rows": 0,
      "Shared Hit Blocks": 9,
      "Shared Dirtied Blocks": 2,
      Plans: [{ "Node Type": "Result", "Actual Rows": 1 }],
    },
  },
];

describe("PostgreSQL's plans, summarized", () => {
  it("finds the access node, its index, rows examined (filtered out included) and buffers", () => {
    expect(pgPlanOf(seqScan)).toMatchObject({
      access: "Seq Scan",
      index: null,
      table: "orders",
      rows_examined: 10_000,
      rows_returned: 11,
      buffers_hit: 90,
      buffers_read: 3,
      shape: "Seq Scan on orders",
      text: "Seq Scan on orders → 10000 rows examined, 11 returned, 93 buffers (90 hit, 3 read)",
    });
    expect(pgPlanOf(bitmap)).toMatchObject({
      nodes: ["Limit", "Sort", "Bitmap Heap Scan"],
      access: "Bitmap Heap Scan",
      index: "by_customer",
      shape: "Bitmap Heap Scan using by_customer on orders (under Limit, Sort)",
    });
    expect(pgPlanOf(indexOnlyBackward)).toMatchObject({
      access: "Index Only Scan",
      backward: true,
      shape: "Index Only Scan Backward using by_customer on orders (under Limit)",
    });
    expect(pgPlanOf(insert)).toMatchObject({
      access: null,
      buffers_dirtied: 2,
      text: "Insert (no rows to find) → 0 rows, 9 buffers (9 hit, 0 read)",
    });
  });
});

describe("dbsim's plan against PostgreSQL's", () => {
  const database = (
    indexes: { name: string; table: string; columns: string[]; kind?: "btree" | "hash" }[],
  ) => {
    const db = new Database({ tables: ECOMMERCE_TABLES, indexes, fanout: 8 });
    for (let id = 0; id < 1000; id++) {
      db.load("orders", { id, customer_id: id % 100, status: "paid", created_at: id, total: 1 });
    }
    return db;
  };
  const byCustomer = { kind: "select", table: "orders", where: [eq("customer_id", 7)] } as const;

  it("agrees on the same index with rows within 2x, and remarks when only one covers the query", () => {
    const db = database([{ name: "by_customer", table: "orders", columns: ["customer_id"] }]);
    const plan = db.plan(byCustomer);
    const agreement = compareWithPostgres(plan, 10, pgPlanOf(bitmap), []);
    expect(agreement).toEqual({
      agree: true,
      dbsim_path: "index by_customer",
      postgres_path: "index by_customer",
      dbsim_rows: 10,
      postgres_rows: 11,
      why: [],
      remarks: [],
    });
    const covering = db.plan({ ...byCustomer, columns: ["id", "customer_id"] });
    expect(compareWithPostgres(covering, 10, pgPlanOf(bitmap), []).remarks).toEqual([
      "dbsim answers from the index alone, PostgreSQL reads the table too (Bitmap Heap Scan): it expects the heap fetches cheap enough",
    ]);
  });

  it("says why when PostgreSQL scans the table where dbsim uses an index", () => {
    const db = database([{ name: "by_customer", table: "orders", columns: ["customer_id"] }]);
    const agreement = compareWithPostgres(db.plan(byCustomer), 10, pgPlanOf(seqScan), []);
    expect(agreement.agree).toBe(false);
    expect(agreement.postgres_path).toBe("scan");
    expect(agreement.why[0]).toMatch(
      /^PostgreSQL reads the whole table where dbsim uses by_customer: it expects 10 rows/,
    );
    expect(agreement.why[1]).toMatch(
      /^rows examined: dbsim's path 10, PostgreSQL's 10000 \(more than 2x apart\)/,
    );
  });

  it("names the index PostgreSQL could not have, and a scan dbsim chose with its planner's notes", () => {
    const hash = database([{ name: "by_customer", table: "orders", columns: ["customer_id"], kind: "hash" }]);
    const note = "by_customer not created: PostgreSQL's hash indexes take one column, not (a, b)";
    expect(compareWithPostgres(hash.plan(byCustomer), 10, pgPlanOf(seqScan), [note]).why[0]).toBe(note);
    const none = database([]);
    const scan = compareWithPostgres(none.plan(byCustomer), 1000, pgPlanOf(bitmap), []);
    expect(scan).toMatchObject({ agree: false, dbsim_path: "scan", postgres_path: "index by_customer" });
    expect(scan.why[0]).toMatch(
      /^PostgreSQL uses by_customer \(Bitmap Heap Scan\) where dbsim scans the table/,
    );
  });

  it("agrees on writes that find no rows, and compares an update's row-finding path", () => {
    const db = database([]);
    const newOrder = db.plan({
      kind: "batch",
      queries: [
        {
          kind: "insert",
          table: "orders",
          rows: [{ id: 5000, customer_id: 1, status: "pending", created_at: 1, total: 1 }],
        },
      ],
    });
    expect(compareWithPostgres(newOrder, 0, pgPlanOf(insert), [])).toMatchObject({
      agree: true,
      dbsim_path: "none",
      postgres_path: "none",
      dbsim_rows: null,
    });
    const update = db.plan({
      kind: "update",
      table: "orders",
      where: [eq("id", 3)],
      set: { status: "shipped" },
    });
    const pgUpdate = pgPlanOf([
      {
        Plan: {
          "Node Type": "ModifyTable",
          Operation: "Update",
          "Relation Name": "orders",
          Plans: [
            {
              "Node Type": "Index Scan",
              "Index Name": "orders_pkey",
              "Relation Name": "orders",
              "Actual Rows": 1,
            },
          ],
        },
      },
    ]);
    expect(pgUpdate.shape).toBe("Update via Index Scan using orders_pkey on orders");
    expect(compareWithPostgres(update, 1, pgUpdate, [])).toMatchObject({
      agree: true,
      dbsim_path: "index orders_pkey",
    });
  });

  it("counts rows as within 2x counting zero as one", () => {
    expect(withinTwice(0, 1)).toBe(true);
    expect(withinTwice(10, 20)).toBe(true);
    expect(withinTwice(10, 21)).toBe(false);
  });
});
