// dbsim's workloads as PostgreSQL SQL: the domain workloads' tables, `cluster.indexes` and queries
// (engine/query's Query objects), YCSB's usertable, and the bank's accounts.
//
// API:
//   quoteIdent(name), sqlLiteral(value)
//   createTableSql(table): CREATE TABLE with its primary key (timestamps as bigint µs, strings as
//     text COLLATE "C": code-unit order, as dbsim's keys)
//   createIndexSql(index): { sql, note }   sql null when PostgreSQL has no equivalent (note says why)
//   querySql(query, tables): SqlStatement   one parameterized statement; a batch is one text of
//     several statements with their values inlined (sent at once, PostgreSQL runs them as one
//     implicit transaction: all or nothing, one round trip, as dbsim's batch request)
//   batchStatements(batch, tables): string[]   a batch's statements, values inlined
//   YCSB_TABLE, ycsbCreateSql(fields), ycsbStatements(fields), ycsbFieldValue(value, length)
//   BANK_TABLE, bankCreateSql(), BANK_SQL

import type { IndexDefinition } from "../../engine/query/indexes.js";
import type { BatchQuery, Condition, Query, SelectQuery, WriteQuery } from "../../engine/query/query.js";
import type { ColumnType, Row, TableSchema, Value } from "../../engine/query/schema.js";

/** A statement and its parameters ($1, $2, ...). */
export interface SqlStatement {
  readonly text: string;
  readonly params: readonly Value[];
}

const SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  int: "bigint",
  float: "double precision",
  string: 'text COLLATE "C"',
  timestamp: "bigint",
  bool: "boolean",
};

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A value as a SQL literal (strings quoted with '' escaped: standard_conforming_strings). */
export function sqlLiteral(value: Value): string {
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`sqlLiteral: not a finite number: ${value}`);
    return String(value);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

export function createTableSql(table: TableSchema): string {
  const columns = table.columns.map((c) => `${quoteIdent(c.name)} ${SQL_TYPES[c.type]} NOT NULL`);
  const key = `PRIMARY KEY (${table.primary_key.map(quoteIdent).join(", ")})`;
  return `CREATE TABLE ${quoteIdent(table.name)} (${[...columns, key].join(", ")})`;
}

/**
 * An index of `cluster.indexes` on `table` in PostgreSQL. A B+tree index is a btree index whose
 * INCLUDE holds its include columns and the primary key's (dbsim's index entries store both, so the
 * same queries are covered); a hash index of one column is a hash index without include columns
 * (hash indexes take none); a hash index of several columns has no equivalent (PostgreSQL's hash
 * indexes take one column) and is not created.
 */
export function createIndexSql(
  index: Required<IndexDefinition>,
  table: TableSchema,
): { sql: string | null; note: string | null } {
  const columns = index.columns.map(quoteIdent).join(", ");
  const head = `CREATE INDEX ${quoteIdent(index.name)} ON ${quoteIdent(index.table)}`;
  if (index.kind === "btree") {
    const stored = [...index.include, ...table.primary_key].filter(
      (c, i, all) => !index.columns.includes(c) && all.indexOf(c) === i,
    );
    const include = stored.length === 0 ? "" : ` INCLUDE (${stored.map(quoteIdent).join(", ")})`;
    return { sql: `${head} (${columns})${include}`, note: null };
  }
  if (index.columns.length > 1) {
    return {
      sql: null,
      note: `${index.name} not created: PostgreSQL's hash indexes take one column, not (${index.columns.join(", ")})`,
    };
  }
  return {
    sql: `${head} USING hash (${columns})`,
    note:
      index.include.length === 0
        ? null
        : `${index.name} created without include (${index.include.join(", ")}): PostgreSQL's hash indexes store none`,
  };
}

/** Parameters of one statement: each value once, named $1, $2, ... in order. */
class Params {
  readonly values: Value[] = [];
  add(value: Value): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

type Render = (value: Value) => string;

function whereSql(where: readonly Condition[] | undefined, render: Render): string {
  if (where === undefined || where.length === 0) return "";
  return ` WHERE ${where.map((c) => `${quoteIdent(c.column)} ${c.op} ${render(c.value)}`).join(" AND ")}`;
}

function selectSql(query: SelectQuery, render: Render): string {
  const aggregates = query.aggregates ?? [];
  const output =
    aggregates.length > 0
      ? aggregates
          .map((a) =>
            a.fn === "count"
              ? `count(*) AS "count"`
              : `sum(${quoteIdent(a.column)}) AS ${quoteIdent(`sum_${a.column}`)}`,
          )
          .join(", ")
      : query.columns === undefined
        ? "*"
        : query.columns.map(quoteIdent).join(", ");
  const order =
    query.order_by === undefined || query.order_by.length === 0
      ? ""
      : ` ORDER BY ${query.order_by.map((o) => `${quoteIdent(o.column)}${o.direction === "desc" ? " DESC" : ""}`).join(", ")}`;
  // LIMIT is part of the template (EXPLAIN shows it), not a value: written as a literal.
  const limit = query.limit === undefined ? "" : ` LIMIT ${Math.trunc(query.limit)}`;
  return `SELECT ${output} FROM ${quoteIdent(query.table)}${whereSql(query.where, render)}${order}${limit}`;
}

function writeSql(query: WriteQuery, table: TableSchema, render: Render): string {
  switch (query.kind) {
    case "insert": {
      const names = table.columns.map((c) => c.name);
      const rows = query.rows.map(
        (row: Row) => `(${names.map((name) => render(row[name] as Value)).join(", ")})`,
      );
      return `INSERT INTO ${quoteIdent(table.name)} (${names.map(quoteIdent).join(", ")}) VALUES ${rows.join(", ")}`;
    }
    case "update": {
      const set = Object.entries(query.set).map(
        ([column, value]) => `${quoteIdent(column)} = ${render(value)}`,
      );
      return `UPDATE ${quoteIdent(table.name)} SET ${set.join(", ")}${whereSql(query.where, render)}`;
    }
    case "delete":
      return `DELETE FROM ${quoteIdent(table.name)}${whereSql(query.where, render)}`;
  }
}

function tableOf(tables: ReadonlyMap<string, TableSchema>, name: string): TableSchema {
  const table = tables.get(name);
  if (table === undefined) throw new RangeError(`querySql: unknown table ${name}`);
  return table;
}

/** A dbsim query as SQL (see the file's comment for a batch). */
export function querySql(query: Query, tables: ReadonlyMap<string, TableSchema>): SqlStatement {
  const params = new Params();
  const bind: Render = (value) => params.add(value);
  switch (query.kind) {
    case "select":
      return { text: selectSql(query, bind), params: params.values };
    case "get": {
      const table = tableOf(tables, query.table);
      const where = table.primary_key.map((column) => ({
        column,
        op: "=" as const,
        value: query.key[column] as Value,
      }));
      return { text: selectSql({ kind: "select", table: query.table, where }, bind), params: params.values };
    }
    case "batch":
      return { text: batchStatements(query, tables).join("; "), params: [] };
    default:
      return { text: writeSql(query, tableOf(tables, query.table), bind), params: params.values };
  }
}

/** A batch's statements, each with its values written in as literals. */
export function batchStatements(query: BatchQuery, tables: ReadonlyMap<string, TableSchema>): string[] {
  return query.queries.map((q) => writeSql(q, tableOf(tables, q.table), sqlLiteral));
}

// YCSB: usertable (ycsb_key, field0 .. fieldN-1), as YCSB's JDBC binding creates it.

export const YCSB_TABLE = "usertable";

export function ycsbFieldNames(fields: number): string[] {
  return Array.from({ length: fields }, (_, i) => `field${i}`);
}

export function ycsbCreateSql(fields: number): string {
  const columns = ycsbFieldNames(fields).map((f) => `${f} text NOT NULL`);
  return `CREATE TABLE ${YCSB_TABLE} (ycsb_key text COLLATE "C" PRIMARY KEY, ${columns.join(", ")})`;
}

/** YCSB's statements: read and scan read every field; an update writes one. */
export function ycsbStatements(fields: number): {
  read: string;
  scan: string;
  insert: string;
  update: (field: number) => string;
} {
  const names = ycsbFieldNames(fields);
  const values = names.map((_, i) => `$${i + 2}`).join(", ");
  const updates = names.map((name) => `UPDATE ${YCSB_TABLE} SET ${name} = $2 WHERE ycsb_key = $1`);
  return {
    read: `SELECT * FROM ${YCSB_TABLE} WHERE ycsb_key = $1`,
    scan: `SELECT * FROM ${YCSB_TABLE} WHERE ycsb_key >= $1 ORDER BY ycsb_key LIMIT $2`,
    insert: `INSERT INTO ${YCSB_TABLE} (ycsb_key, ${names.join(", ")}) VALUES ($1, ${values})`,
    update: (field) => updates[field] as string,
  };
}

/**
 * What a write puts in a field: `length` characters made from the write's value (unique per
 * write; 0 for the loaded records), so the bytes moved are YCSB's without a random generator.
 */
export function ycsbFieldValue(value: number, length: number): string {
  const unit = `${value.toString(36)}.`;
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

// The bank: accounts (id, balance); a transfer is one call of a function that locks both accounts in
// key order (no deadlock between opposite transfers), checks the balance and moves the money: one
// transaction and one round trip, as dbsim's `transfer` request.

export const BANK_TABLE = "accounts";

export function bankCreateSql(): string[] {
  return [
    `CREATE TABLE ${BANK_TABLE} (id text COLLATE "C" PRIMARY KEY, balance bigint NOT NULL)`,
    `CREATE FUNCTION dbsim_transfer(src text, dst text, amount bigint) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE available bigint;
BEGIN
  PERFORM 1 FROM ${BANK_TABLE} WHERE id IN (src, dst) ORDER BY id FOR UPDATE;
  SELECT balance INTO available FROM ${BANK_TABLE} WHERE id = src;
  IF available IS NULL OR available < amount THEN RETURN false; END IF;
  UPDATE ${BANK_TABLE} SET balance = balance - amount WHERE id = src;
  UPDATE ${BANK_TABLE} SET balance = balance + amount WHERE id = dst;
  RETURN true;
END $$`,
  ];
}

export const BANK_SQL = {
  /** Moves $3 from $1 to $2; returns ok = false when $1 holds less. */
  transfer: "SELECT dbsim_transfer($1, $2, $3) AS ok",
  readAll: `SELECT id, balance FROM ${BANK_TABLE} ORDER BY id`,
  read: `SELECT balance FROM ${BANK_TABLE} WHERE id = $1`,
  write: `UPDATE ${BANK_TABLE} SET balance = $2 WHERE id = $1`,
} as const;
