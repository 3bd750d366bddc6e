import { describe, expect, it } from "vitest";
import {
  bankCreateSql,
  batchStatements,
  createIndexSql,
  createTableSql,
  querySql,
  sqlLiteral,
  ycsbCreateSql,
  ycsbFieldValue,
  ycsbStatements,
} from "../../cli/real/sql.js";
import { eq, ge, lt } from "../../engine/query/query.js";
import { ECOMMERCE_TABLES } from "../../workloads/generators/domain/ecommerce.js";

const tables = new Map(ECOMMERCE_TABLES.map((t) => [t.name, t]));
const orders = tables.get("orders");
if (orders === undefined) throw new Error("no orders table");

describe("SQL translation of the domain workloads", () => {
  it("creates a table with its types, NOT NULL columns and primary key (strings in code-unit order)", () => {
    expect(createTableSql(orders)).toBe(
      'CREATE TABLE "orders" ("id" bigint NOT NULL, "customer_id" bigint NOT NULL, "status" text COLLATE "C" NOT NULL, ' +
        '"created_at" bigint NOT NULL, "total" double precision NOT NULL, PRIMARY KEY ("id"))',
    );
    const items = tables.get("order_items");
    expect(items && createTableSql(items)).toContain('PRIMARY KEY ("order_id", "line")');
  });

  it("makes a B+tree index a btree index storing its include and primary key columns, as dbsim's entries do", () => {
    const index = {
      name: "by_customer",
      table: "orders",
      columns: ["customer_id", "created_at"],
      kind: "btree",
      include: ["total"],
    } as const;
    expect(
      createIndexSql({ ...index, include: [...index.include], columns: [...index.columns] }, orders),
    ).toEqual({
      sql: 'CREATE INDEX "by_customer" ON "orders" ("customer_id", "created_at") INCLUDE ("total", "id")',
      note: null,
    });
    expect(
      createIndexSql({ name: "by_id", table: "orders", columns: ["id"], kind: "btree", include: [] }, orders)
        .sql,
    ).toBe('CREATE INDEX "by_id" ON "orders" ("id")');
  });

  it("makes a one-column hash index a hash index, and says what PostgreSQL cannot store or make", () => {
    expect(
      createIndexSql(
        { name: "h", table: "orders", columns: ["customer_id"], kind: "hash", include: [] },
        orders,
      ),
    ).toEqual({
      sql: 'CREATE INDEX "h" ON "orders" USING hash ("customer_id")',
      note: null,
    });
    expect(
      createIndexSql(
        { name: "h", table: "orders", columns: ["customer_id"], kind: "hash", include: ["total"] },
        orders,
      ).note,
    ).toBe("h created without include (total): PostgreSQL's hash indexes store none");
    expect(
      createIndexSql(
        { name: "h2", table: "orders", columns: ["status", "created_at"], kind: "hash", include: [] },
        orders,
      ),
    ).toEqual({
      sql: null,
      note: "h2 not created: PostgreSQL's hash indexes take one column, not (status, created_at)",
    });
  });

  it("translates a select's columns, conditions, order and limit, values as parameters", () => {
    expect(
      querySql(
        {
          kind: "select",
          table: "orders",
          columns: ["id", "status"],
          where: [eq("customer_id", 7), ge("created_at", 100), lt("created_at", 200)],
          order_by: [{ column: "created_at", direction: "desc" }, { column: "id" }],
          limit: 10,
        },
        tables,
      ),
    ).toEqual({
      text:
        'SELECT "id", "status" FROM "orders" WHERE "customer_id" = $1 AND "created_at" >= $2 AND "created_at" < $3 ' +
        'ORDER BY "created_at" DESC, "id" LIMIT 10',
      params: [7, 100, 200],
    });
    expect(querySql({ kind: "select", table: "orders" }, tables)).toEqual({
      text: 'SELECT * FROM "orders"',
      params: [],
    });
  });

  it("translates aggregates to count(*) and sum(column) named as dbsim names them", () => {
    expect(
      querySql(
        {
          kind: "select",
          table: "orders",
          where: [eq("status", "paid")],
          aggregates: [{ fn: "count" }, { fn: "sum", column: "total" }],
        },
        tables,
      ),
    ).toEqual({
      text: 'SELECT count(*) AS "count", sum("total") AS "sum_total" FROM "orders" WHERE "status" = $1',
      params: ["paid"],
    });
  });

  it("translates a get to equality on every primary key column", () => {
    expect(querySql({ kind: "get", table: "order_items", key: { line: 2, order_id: 9 } }, tables)).toEqual({
      text: 'SELECT * FROM "order_items" WHERE "order_id" = $1 AND "line" = $2',
      params: [9, 2],
    });
  });

  it("translates insert (columns in table order), update and delete", () => {
    const row = { total: 1.5, id: 1, customer_id: 2, status: "pending", created_at: 3 };
    expect(querySql({ kind: "insert", table: "orders", rows: [row, { ...row, id: 2 }] }, tables)).toEqual({
      text: 'INSERT INTO "orders" ("id", "customer_id", "status", "created_at", "total") VALUES ($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10)',
      params: [1, 2, "pending", 3, 1.5, 2, 2, "pending", 3, 1.5],
    });
    expect(
      querySql({ kind: "update", table: "orders", where: [eq("id", 5)], set: { status: "paid" } }, tables),
    ).toEqual({
      text: 'UPDATE "orders" SET "status" = $1 WHERE "id" = $2',
      params: ["paid", 5],
    });
    expect(querySql({ kind: "delete", table: "orders", where: [lt("created_at", 9)] }, tables)).toEqual({
      text: 'DELETE FROM "orders" WHERE "created_at" < $1',
      params: [9],
    });
  });

  it("sends a batch as one text of statements with literal values (one implicit transaction)", () => {
    const batch = {
      kind: "batch",
      queries: [
        {
          kind: "insert",
          table: "orders",
          rows: [{ id: 1, customer_id: 2, status: "it's", created_at: 3, total: 4.25 }],
        },
        { kind: "update", table: "orders", where: [eq("id", 1)], set: { status: "paid" } },
      ],
    } as const;
    const statements = batchStatements(batch, tables);
    expect(statements).toEqual([
      `INSERT INTO "orders" ("id", "customer_id", "status", "created_at", "total") VALUES (1, 2, 'it''s', 3, 4.25)`,
      `UPDATE "orders" SET "status" = 'paid' WHERE "id" = 1`,
    ]);
    expect(querySql(batch, tables)).toEqual({ text: statements.join("; "), params: [] });
  });

  it("writes literals safely: quotes doubled, booleans, finite numbers only", () => {
    expect(sqlLiteral("a'; DROP TABLE x; --")).toBe("'a''; DROP TABLE x; --'");
    expect(sqlLiteral(true)).toBe("true");
    expect(sqlLiteral(-1.5e-7)).toBe("-1.5e-7");
    expect(() => sqlLiteral(Number.NaN)).toThrow(RangeError);
  });
});

describe("SQL of YCSB and the bank", () => {
  it("keeps YCSB's usertable: a key and one column per field; reads and scans read every field", () => {
    expect(ycsbCreateSql(2)).toBe(
      'CREATE TABLE usertable (ycsb_key text COLLATE "C" PRIMARY KEY, field0 text NOT NULL, field1 text NOT NULL)',
    );
    const sql = ycsbStatements(3);
    expect(sql.read).toBe("SELECT * FROM usertable WHERE ycsb_key = $1");
    expect(sql.scan).toBe("SELECT * FROM usertable WHERE ycsb_key >= $1 ORDER BY ycsb_key LIMIT $2");
    expect(sql.insert).toBe(
      "INSERT INTO usertable (ycsb_key, field0, field1, field2) VALUES ($1, $2, $3, $4)",
    );
    expect(sql.update(2)).toBe("UPDATE usertable SET field2 = $2 WHERE ycsb_key = $1");
  });

  it("fills a field with field_length characters made from the write's value", () => {
    expect(ycsbFieldValue(0, 5)).toBe("0.0.0");
    expect(ycsbFieldValue(36, 7)).toBe("10.10.1");
    expect(ycsbFieldValue(12345, 100)).toHaveLength(100);
  });

  it("moves money in one function call that locks both accounts in key order", () => {
    const [table, transfer] = bankCreateSql();
    expect(table).toContain("CREATE TABLE accounts");
    expect(transfer).toContain("WHERE id IN (src, dst) ORDER BY id FOR UPDATE");
    expect(transfer).toContain("IF available IS NULL OR available < amount THEN RETURN false");
  });
});
