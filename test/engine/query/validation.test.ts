import { describe, expect, it } from "vitest";
import { Database } from "../../../engine/query/database.js";
import { formatFieldPath, QueryError, SchemaError } from "../../../engine/query/errors.js";
import { type IndexDefinition, validateIndexes } from "../../../engine/query/indexes.js";
import type { Query } from "../../../engine/query/query.js";
import { type TableSchema, validateTables } from "../../../engine/query/schema.js";
import { ORDER_ITEMS, ORDERS, ordersDb } from "./fixtures.js";

function schemaError(run: () => unknown): SchemaError {
  try {
    run();
  } catch (e) {
    if (e instanceof SchemaError) return e;
    throw e;
  }
  throw new Error("no SchemaError thrown");
}

function queryError(run: () => unknown): QueryError {
  try {
    run();
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
  throw new Error("no QueryError thrown");
}

const tables = validateTables([ORDERS, ORDER_ITEMS]);

describe("index definitions", () => {
  const good: IndexDefinition = { name: "by_customer", table: "orders", columns: ["customer_id"] };

  it("an unknown column: the path and message a scenario loader shows", () => {
    const e = schemaError(() =>
      validateIndexes(
        [
          good,
          { name: "b", table: "orders", columns: ["status"] },
          { name: "c", table: "orders", columns: ["foo"] },
        ],
        tables,
      ),
    );
    expect(e.path).toEqual([2, "columns", 0]);
    expect(e.detail).toBe(
      "unknown column 'foo' of table orders (columns: id, customer_id, status, created_at, total)",
    );
    expect(e.withPrefix(["cluster", "indexes"]).message).toBe(
      "cluster.indexes[2].columns[0]: unknown column 'foo' of table orders (columns: id, customer_id, status, created_at, total)",
    );
    expect(e.withPrefix(["cluster", "indexes"])).toBeInstanceOf(SchemaError);
  });

  it("every other bad definition names its field", () => {
    const cases: [unknown, string][] = [
      [
        { name: "x", table: "order", columns: ["id"] },
        "[0].table: unknown table 'order' (tables: orders, order_items)",
      ],
      [{ name: "x", table: "orders", columns: [] }, "[0].columns: index x needs at least one column"],
      [{ name: "x", table: "orders" }, "[0].columns: expected a list of columns, got nothing"],
      [
        { name: "x", table: "orders", columns: ["status", "status"] },
        "[0].columns[1]: column 'status' appears twice in the index's columns",
      ],
      [
        { name: "x", table: "orders", columns: ["status"], kind: "bitmap" },
        '[0].kind: expected one of btree, hash, got "bitmap"',
      ],
      [
        { name: "x", table: "orders", columns: ["status"], include: ["totl"] },
        "[0].include[0]: unknown column 'totl' of table orders (columns: id, customer_id, status, created_at, total)",
      ],
      [
        { name: "1x", table: "orders", columns: ["status"] },
        '[0].name: an index name must be letters, digits and _ (not starting with a digit), got "1x"',
      ],
    ];
    for (const [def, message] of cases) {
      expect(schemaError(() => validateIndexes([def as IndexDefinition], tables)).message, message).toBe(
        message,
      );
    }
    expect(schemaError(() => validateIndexes([good, { ...good }], tables)).message).toBe(
      "[1].name: duplicate index name 'by_customer' (also index 0)",
    );
  });

  it("the database prefixes its own option paths, and createIndex checks against existing indexes", () => {
    expect(
      schemaError(
        () =>
          new Database({ tables: [ORDERS], indexes: [{ name: "x", table: "orders", columns: ["nope"] }] }),
      ).message,
    ).toBe(
      "indexes[0].columns[0]: unknown column 'nope' of table orders (columns: id, customer_id, status, created_at, total)",
    );
    const db = ordersDb([good]);
    const e = schemaError(() => db.createIndex({ ...good }));
    expect(e.path).toEqual(["name"]);
    expect(e.message).toBe("name: duplicate index name 'by_customer' (also index 0)");
    expect(schemaError(() => db.createIndex({ name: "y", table: "orders", columns: [] })).message).toBe(
      "columns: index y needs at least one column",
    );
  });
});

describe("table schemas", () => {
  it("names the bad field", () => {
    const cases: [TableSchema[], string][] = [
      [[ORDERS, ORDERS], "[1].name: duplicate table name 'orders'"],
      [
        [{ ...ORDERS, primary_key: [] }],
        "[0].primary_key: table orders needs a primary key of one or more columns",
      ],
      [
        [{ ...ORDERS, primary_key: ["id", "nope"] }],
        "[0].primary_key[1]: unknown column 'nope' of table orders (columns: id, customer_id, status, created_at, total)",
      ],
      [
        [
          {
            name: "t",
            columns: [
              { name: "a", type: "int" },
              { name: "a", type: "int" },
            ],
            primary_key: ["a"],
          },
        ],
        "[0].columns[1].name: duplicate column 'a' in table t",
      ],
      [
        [{ name: "t", columns: [{ name: "a", type: "decimal" as "int" }], primary_key: ["a"] }],
        '[0].columns[0].type: expected one of int, float, string, timestamp, bool, got "decimal"',
      ],
    ];
    for (const [schemas, message] of cases)
      expect(schemaError(() => validateTables(schemas)).message).toBe(message);
    expect(schemaError(() => new Database({ tables: [ORDERS, ORDERS] })).message).toBe(
      "tables[1].name: duplicate table name 'orders'",
    );
  });

  it("formats paths", () => {
    expect(formatFieldPath(["cluster", "indexes", 2, "columns", 0])).toBe("cluster.indexes[2].columns[0]");
    expect(formatFieldPath([1, "a"])).toBe("[1].a");
    expect(formatFieldPath([])).toBe("");
  });
});

describe("queries that do not fit their table", () => {
  const db = ordersDb();
  const cases: [unknown, string][] = [
    [{ kind: "select", table: "nope" }, "table: unknown table 'nope' (tables: orders, order_items)"],
    [
      { kind: "select", table: "orders", where: [{ column: "x", op: "=", value: 1 }] },
      "where[0].column: unknown column 'x' of table orders (columns: id, customer_id, status, created_at, total)",
    ],
    [
      { kind: "select", table: "orders", where: [{ column: "id", op: "=", value: "7" }] },
      'where[0].value: id: expected an int, got "7"',
    ],
    [
      { kind: "select", table: "orders", where: [{ column: "id", op: "!=", value: 7 }] },
      'where[0].op: expected one of = < <= > >=, got "!="',
    ],
    [{ kind: "select", table: "orders", limit: -1 }, "limit: expected a non-negative integer, got -1"],
    [
      { kind: "select", table: "orders", order_by: [{ column: "id", direction: "up" }] },
      'order_by[0].direction: expected asc or desc, got "up"',
    ],
    [
      { kind: "select", table: "orders", aggregates: [{ fn: "sum", column: "status" }] },
      "aggregates[0].column: sum needs a numeric column; status is string",
    ],
    [
      { kind: "select", table: "orders", aggregates: [{ fn: "count" }], limit: 3 },
      "limit: an aggregate query returns one row: drop limit",
    ],
    [
      { kind: "get", table: "order_items", key: { order_id: 1 } },
      "key: missing primary key column 'line' (primary key: order_id, line)",
    ],
    [
      {
        kind: "insert",
        table: "orders",
        rows: [{ id: 1, customer_id: 1, status: "x", created_at: 1.5, total: 1 }],
      },
      "rows[0].created_at: expected a timestamp (integer µs), got 1.5",
    ],
    [
      { kind: "insert", table: "orders", rows: [{ id: 1 }] },
      "rows[0]: missing column 'customer_id' of table orders",
    ],
    [
      { kind: "update", table: "orders", set: { id: 3 } },
      "set.id: primary key column 'id' cannot be updated (delete and insert the row)",
    ],
    [
      {
        kind: "batch",
        queries: [
          { kind: "delete", table: "orders" },
          { kind: "update", table: "orders", set: { total: "x" } },
        ],
      },
      'queries[1].set.total: expected a finite float, got "x"',
    ],
    [
      { kind: "batch", queries: [{ kind: "select", table: "orders" }] },
      'queries[0].kind: expected an insert, update or delete, got "select"',
    ],
    [
      { kind: "drop", table: "orders" },
      'kind: expected one of select, get, insert, update, delete, batch, got "drop"',
    ],
  ];
  it("throw QueryError with the path of the bad field", () => {
    for (const [query, message] of cases) {
      expect(queryError(() => db.execute(query as Query)).message, message).toBe(message);
    }
  });

  it("a batch is checked whole before any of it runs", () => {
    const before = db.rowCount("orders");
    expect(() =>
      db.execute({
        kind: "batch",
        queries: [
          { kind: "delete", table: "orders" },
          { kind: "update", table: "orders", set: { nope: 1 } },
        ],
      }),
    ).toThrow(QueryError);
    expect(db.rowCount("orders")).toBe(before);
  });
});
