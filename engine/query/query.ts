// The query form: plain typed objects, not SQL text.
//
// API:
//   type Query = SelectQuery | GetQuery | InsertQuery | UpdateQuery | DeleteQuery | BatchQuery
//   { kind: "select", table, where?, order_by?, limit?, columns?, aggregates? }
//       where: conditions ANDed: { column, op: "=" | "<" | "<=" | ">" | ">=", value }
//       order_by: [{ column, direction?: "asc" | "desc" }]; ties are broken by the primary key
//         columns, in the direction of the last order_by term, so a result never depends on the plan;
//         without order_by, rows come in the access path's order (LIMIT takes the first ones found);
//       limit: a non-negative integer; columns: the columns returned (default: all);
//       aggregates: [{ fn: "count" } | { fn: "sum", column }] -> one row { count, sum_<column> };
//         not combined with order_by, limit or columns.
//   { kind: "get", table, key: { <every primary key column>: value } }    point get by primary key
//   { kind: "insert", table, rows: [row, ...] }      every column, no more; all or nothing
//   { kind: "update", table, where?, set: { column: value } }   primary key columns cannot be set
//   { kind: "delete", table, where? }
//   { kind: "batch", queries: [insert | update | delete, ...] }  applied in order, all or nothing
//   Condition helpers: eq(column, value), lt, le, gt, ge.
//
// normalize*() check a query against its table and throw QueryError with the path of the bad
// field, relative to the query: `where[1].value: expected an int, got "7"`.

import { listNames, QueryError } from "./errors.js";
import { checkValue, describe, type Row, type StoredRow, type TableInfo, type Value } from "./schema.js";

export const COMPARE_OPS = ["=", "<", "<=", ">", ">="] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export interface Condition {
  readonly column: string;
  readonly op: CompareOp;
  readonly value: Value;
}

export interface OrderTerm {
  readonly column: string;
  /** Default "asc". */
  readonly direction?: "asc" | "desc";
}

export type Aggregate = { readonly fn: "count" } | { readonly fn: "sum"; readonly column: string };

export interface SelectQuery {
  readonly kind: "select";
  readonly table: string;
  readonly where?: readonly Condition[];
  readonly order_by?: readonly OrderTerm[];
  readonly limit?: number;
  readonly columns?: readonly string[];
  readonly aggregates?: readonly Aggregate[];
}

export interface GetQuery {
  readonly kind: "get";
  readonly table: string;
  /** A value for every primary key column. */
  readonly key: Row;
}

export interface InsertQuery {
  readonly kind: "insert";
  readonly table: string;
  readonly rows: readonly Row[];
}

export interface UpdateQuery {
  readonly kind: "update";
  readonly table: string;
  readonly where?: readonly Condition[];
  readonly set: Row;
}

export interface DeleteQuery {
  readonly kind: "delete";
  readonly table: string;
  readonly where?: readonly Condition[];
}

export type WriteQuery = InsertQuery | UpdateQuery | DeleteQuery;

export interface BatchQuery {
  readonly kind: "batch";
  readonly queries: readonly WriteQuery[];
}

export type Query = SelectQuery | GetQuery | InsertQuery | UpdateQuery | DeleteQuery | BatchQuery;
export type QueryKind = Query["kind"];

export const eq = (column: string, value: Value): Condition => ({ column, op: "=", value });
export const lt = (column: string, value: Value): Condition => ({ column, op: "<", value });
export const le = (column: string, value: Value): Condition => ({ column, op: "<=", value });
export const gt = (column: string, value: Value): Condition => ({ column, op: ">", value });
export const ge = (column: string, value: Value): Condition => ({ column, op: ">=", value });

// ---------------------------------------------------------------------------------------------
// Normalized forms (positions instead of names), what the planner and executor work on.

export interface BoundCondition {
  readonly position: number;
  readonly op: CompareOp;
  readonly value: Value;
}

export interface BoundOrder {
  readonly position: number;
  readonly desc: boolean;
}

export interface BoundAggregate {
  readonly fn: "count" | "sum";
  /** -1 for count. */
  readonly position: number;
  /** Output column: "count" or "sum_<column>". */
  readonly name: string;
}

/** A read (select, get) or the row-finding part of an update or delete. */
export interface ReadSpec {
  readonly conditions: readonly BoundCondition[];
  readonly order: readonly BoundOrder[];
  /** Infinity when there is no limit. */
  readonly limit: number;
  /** Columns returned, by position. */
  readonly output: readonly number[];
  readonly aggregates: readonly BoundAggregate[];
  /** Per position: whether the query reads the column (filters, order, output, aggregates). */
  readonly needed: readonly boolean[];
  /** Get: a missing row is `not_found`. */
  readonly pointGet: boolean;
}

type Path = (string | number)[];

function expectArray(value: unknown, path: Path, what: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new QueryError(path, `expected a list of ${what}, got ${describe(value)}`);
  return value;
}

function expectObject(value: unknown, path: Path, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new QueryError(path, `expected ${what}, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function columnAt(table: TableInfo, name: unknown, path: Path): number {
  const position = typeof name === "string" ? table.position(name) : -1;
  if (position < 0) throw new QueryError(path, table.unknownColumn(name));
  return position;
}

function boundValue(table: TableInfo, position: number, value: unknown, path: Path): Value {
  const problem = checkValue(table.column(position).type, value);
  if (problem !== null) {
    const name = table.column(position).name;
    throw new QueryError(path, path[path.length - 1] === name ? problem : `${name}: ${problem}`);
  }
  return value as Value;
}

export function normalizeWhere(table: TableInfo, where: unknown, path: Path): BoundCondition[] {
  return expectArray(where, path, "conditions").map((raw, i) => {
    const c = expectObject(raw, [...path, i], "a condition {column, op, value}");
    const position = columnAt(table, c.column, [...path, i, "column"]);
    if (!(COMPARE_OPS as readonly unknown[]).includes(c.op)) {
      throw new QueryError(
        [...path, i, "op"],
        `expected one of ${COMPARE_OPS.join(" ")}, got ${describe(c.op)}`,
      );
    }
    return {
      position,
      op: c.op as CompareOp,
      value: boundValue(table, position, c.value, [...path, i, "value"]),
    };
  });
}

function neededOf(table: TableInfo, positions: Iterable<number>): boolean[] {
  const needed = table.columns.map(() => false);
  for (const p of positions) needed[p] = true;
  return needed;
}

export function normalizeSelect(table: TableInfo, query: SelectQuery): ReadSpec {
  const conditions = normalizeWhere(table, query.where, ["where"]);
  const order = expectArray(query.order_by, ["order_by"], "order terms").map((raw, i) => {
    const term = expectObject(raw, ["order_by", i], "an order term {column, direction}");
    const position = columnAt(table, term.column, ["order_by", i, "column"]);
    const direction = term.direction ?? "asc";
    if (direction !== "asc" && direction !== "desc") {
      throw new QueryError(["order_by", i, "direction"], `expected asc or desc, got ${describe(direction)}`);
    }
    return { position, desc: direction === "desc" };
  });
  let limit = Number.POSITIVE_INFINITY;
  if (query.limit !== undefined) {
    if (!(Number.isSafeInteger(query.limit) && query.limit >= 0)) {
      throw new QueryError(["limit"], `expected a non-negative integer, got ${describe(query.limit)}`);
    }
    limit = query.limit;
  }
  const output =
    query.columns === undefined
      ? table.columns.map((_, p) => p)
      : expectArray(query.columns, ["columns"], "columns").map((name, i) =>
          columnAt(table, name, ["columns", i]),
        );
  const aggregates = expectArray(query.aggregates, ["aggregates"], "aggregates").map(
    (raw, i): BoundAggregate => {
      const a = expectObject(raw, ["aggregates", i], "an aggregate {fn: count} or {fn: sum, column}");
      if (a.fn === "count") return { fn: "count", position: -1, name: "count" };
      if (a.fn !== "sum")
        throw new QueryError(["aggregates", i, "fn"], `expected count or sum, got ${describe(a.fn)}`);
      const position = columnAt(table, a.column, ["aggregates", i, "column"]);
      const type = table.column(position).type;
      if (type === "string" || type === "bool") {
        throw new QueryError(
          ["aggregates", i, "column"],
          `sum needs a numeric column; ${a.column as string} is ${type}`,
        );
      }
      return { fn: "sum", position, name: `sum_${a.column as string}` };
    },
  );
  if (aggregates.length > 0) {
    if (order.length > 0)
      throw new QueryError(["order_by"], "an aggregate query returns one row: drop order_by");
    if (query.limit !== undefined)
      throw new QueryError(["limit"], "an aggregate query returns one row: drop limit");
    if (query.columns !== undefined)
      throw new QueryError(["columns"], "an aggregate query returns its aggregates: drop columns");
  }
  const read = [
    ...conditions.map((c) => c.position),
    ...order.map((o) => o.position),
    ...(aggregates.length > 0 ? [] : output),
    ...aggregates.filter((a) => a.position >= 0).map((a) => a.position),
  ];
  return {
    conditions,
    order,
    limit,
    output: aggregates.length > 0 ? [] : output,
    aggregates,
    needed: neededOf(table, read),
    pointGet: false,
  };
}

export function normalizeGet(table: TableInfo, query: GetQuery): ReadSpec {
  const key = expectObject(query.key, ["key"], "the primary key's values {column: value}");
  const pkNames = table.pk.map((p) => table.column(p).name);
  for (const name of Object.keys(key)) {
    if (!pkNames.includes(name)) {
      throw new QueryError(
        ["key", name],
        `not a primary key column of table ${table.name} (primary key: ${listNames(pkNames)})`,
      );
    }
  }
  const conditions = table.pk.map((p) => {
    const name = table.column(p).name;
    if (!(name in key))
      throw new QueryError(
        ["key"],
        `missing primary key column '${name}' (primary key: ${listNames(pkNames)})`,
      );
    return { position: p, op: "=" as const, value: boundValue(table, p, key[name], ["key", name]) };
  });
  return {
    conditions,
    order: [],
    limit: Number.POSITIVE_INFINITY,
    output: table.columns.map((_, p) => p),
    aggregates: [],
    needed: table.columns.map(() => true),
    pointGet: true,
  };
}

/** The row-finding part of an update or delete: every column is needed (indexes are maintained). */
export function normalizeWriteWhere(table: TableInfo, where: unknown): ReadSpec {
  return {
    conditions: normalizeWhere(table, where, ["where"]),
    order: [],
    limit: Number.POSITIVE_INFINITY,
    output: [],
    aggregates: [],
    needed: table.columns.map(() => true),
    pointGet: false,
  };
}

/** A complete row for an insert, as stored (column order). */
export function normalizeRow(table: TableInfo, raw: unknown, path: Path): StoredRow {
  const row = expectObject(raw, path, `a row {${table.columnNames.join(", ")}}`);
  for (const name of Object.keys(row)) {
    if (table.position(name) < 0) throw new QueryError([...path, name], table.unknownColumn(name));
  }
  return table.columns.map((column, p) => {
    if (!(column.name in row))
      throw new QueryError(path, `missing column '${column.name}' of table ${table.name}`);
    return boundValue(table, p, row[column.name], [...path, column.name]);
  });
}

/** The assignments of an update: position -> value. */
export function normalizeSet(table: TableInfo, raw: unknown): Map<number, Value> {
  const set = expectObject(raw, ["set"], "assignments {column: value}");
  const out = new Map<number, Value>();
  for (const [name, value] of Object.entries(set)) {
    const position = columnAt(table, name, ["set", name]);
    if (table.pk.includes(position)) {
      throw new QueryError(
        ["set", name],
        `primary key column '${name}' cannot be updated (delete and insert the row)`,
      );
    }
    out.set(position, boundValue(table, position, value, ["set", name]));
  }
  if (out.size === 0) throw new QueryError(["set"], "nothing to set");
  return out;
}

/** A stored row as a row object (all columns, or those at `positions`). */
export function rowObject(
  table: TableInfo,
  row: readonly (Value | undefined)[],
  positions?: readonly number[],
): Row {
  const out: Record<string, Value> = {};
  if (positions === undefined) {
    for (let p = 0; p < table.columns.length; p++) out[table.column(p).name] = row[p] as Value;
  } else {
    for (const p of positions) out[table.column(p).name] = row[p] as Value;
  }
  return out;
}
