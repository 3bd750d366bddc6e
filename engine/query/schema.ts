// Typed table schemas: columns, their types, the primary key, and the sizes that decide how many
// entries fit on a page.
//
// API:
//   COLUMN_TYPES = ["int", "float", "string", "timestamp", "bool"]; type ColumnType
//   type Value = number | string | boolean          (timestamp: integer microseconds; no nulls)
//   type Row = Readonly<Record<string, Value>>      one value per column
//   interface ColumnDef { name; type; bytes? }      bytes: average stored width of a string column
//   interface TableSchema { name; columns; primary_key }   primary_key: one or more column names
//   validateTables(tables): TableInfo[]             throws SchemaError, path relative to the list:
//                                                   [1, "primary_key", 0]: unknown column 'x' ...
//   class TableInfo                                 a validated schema with column positions
//   checkValue(type, value): string | null          why `value` is not a `type` (null: it is)
//   valueBytes(column), PAGE_BYTES_DEFAULT, fanoutForEntry(bytes, page_bytes)
//
// Values of a row are stored as an array in column order (`StoredRow`); rows given to and returned
// by the engine are plain objects keyed by column name.

import { listNames, SchemaError } from "./errors.js";

export const COLUMN_TYPES = ["int", "float", "string", "timestamp", "bool"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** A column value. `int` and `timestamp` (µs) are safe integers, `float` finite numbers. No nulls. */
export type Value = number | string | boolean;
export type Row = Readonly<Record<string, Value>>;
/** A row as stored: values in column order. */
export type StoredRow = readonly Value[];

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  /** Average stored width in bytes of a `string` column's values (default 24); fixed for others. */
  readonly bytes?: number;
}

export interface TableSchema {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  /** Column names, in key order: rows are stored ordered by them, column by column. */
  readonly primary_key: readonly string[];
}

/** The default page size: B+tree fan-out and hash bucket capacity follow from entry widths. */
export const PAGE_BYTES_DEFAULT = 8192;
/** Bytes of bookkeeping per stored entry (row header, index tuple header, child pointer). */
export const ENTRY_OVERHEAD_BYTES = 8;
export const STRING_BYTES_DEFAULT = 24;
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function valueBytes(column: ColumnDef): number {
  switch (column.type) {
    case "bool":
      return 1;
    case "string":
      return column.bytes ?? STRING_BYTES_DEFAULT;
    default:
      return 8;
  }
}

/** Entries of `entryBytes` per page of `pageBytes`, within the B+tree's fan-out limits 4..1024. */
export function fanoutForEntry(entryBytes: number, pageBytes: number): number {
  return Math.max(4, Math.min(1024, Math.floor(pageBytes / (entryBytes + ENTRY_OVERHEAD_BYTES))));
}

/** Why `value` does not fit a column of `type`, or null when it does. */
export function checkValue(type: ColumnType, value: unknown): string | null {
  switch (type) {
    case "int":
    case "timestamp":
      return typeof value === "number" && Number.isSafeInteger(value)
        ? null
        : `expected ${type === "int" ? "an int" : "a timestamp (integer µs)"}, got ${describe(value)}`;
    case "float":
      return typeof value === "number" && Number.isFinite(value)
        ? null
        : `expected a finite float, got ${describe(value)}`;
    case "string":
      return typeof value === "string" ? null : `expected a string, got ${describe(value)}`;
    case "bool":
      return typeof value === "boolean" ? null : `expected a bool, got ${describe(value)}`;
  }
}

export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return String(value);
}

export class TableInfo {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  readonly columnNames: readonly string[];
  /** Positions of the primary key columns, in key order. */
  readonly pk: readonly number[];
  /** Estimated bytes of a stored row. */
  readonly rowBytes: number;
  private readonly positions: Map<string, number>;

  constructor(schema: TableSchema) {
    this.name = schema.name;
    this.columns = schema.columns.map((c) => ({ ...c }));
    this.columnNames = this.columns.map((c) => c.name);
    this.positions = new Map(this.columnNames.map((name, i) => [name, i]));
    this.pk = schema.primary_key.map((name) => this.positions.get(name) as number);
    this.rowBytes = this.columns.reduce((sum, c) => sum + valueBytes(c), 0);
  }

  /** Position of a column, or -1. */
  position(name: string): number {
    return this.positions.get(name) ?? -1;
  }

  column(position: number): ColumnDef {
    return this.columns[position] as ColumnDef;
  }

  /** "unknown column 'foo' of table orders (columns: id, customer_id, ...)" */
  unknownColumn(name: unknown): string {
    return `unknown column ${typeof name === "string" ? `'${name}'` : describe(name)} of table ${this.name} (columns: ${listNames(this.columnNames)})`;
  }

  /** The schema back as plain data. */
  schema(): TableSchema {
    return {
      name: this.name,
      columns: this.columns.map((c) => ({ ...c })),
      primary_key: this.pk.map((p) => this.column(p).name),
    };
  }
}

function checkName(value: unknown, path: (string | number)[], what: string): string {
  if (typeof value !== "string" || !NAME_PATTERN.test(value)) {
    throw new SchemaError(
      path,
      `${what} must be a name of letters, digits and _ (not starting with a digit), got ${describe(value)}`,
    );
  }
  return value;
}

/** Validates table schemas; paths are relative to the list (`[1, "columns", 2, "type"]`). */
export function validateTables(tables: readonly TableSchema[]): TableInfo[] {
  if (!Array.isArray(tables)) throw new SchemaError([], `expected a list of tables, got ${describe(tables)}`);
  const names = new Set<string>();
  return tables.map((table, t) => {
    const name = checkName(table?.name, [t, "name"], "a table name");
    if (names.has(name)) throw new SchemaError([t, "name"], `duplicate table name '${name}'`);
    names.add(name);
    if (!Array.isArray(table.columns) || table.columns.length === 0) {
      throw new SchemaError([t, "columns"], `table ${name} needs at least one column`);
    }
    const columns = new Set<string>();
    (table.columns as readonly ColumnDef[]).forEach((column, c) => {
      const columnName = checkName(column?.name, [t, "columns", c, "name"], "a column name");
      if (columns.has(columnName)) {
        throw new SchemaError([t, "columns", c, "name"], `duplicate column '${columnName}' in table ${name}`);
      }
      columns.add(columnName);
      if (!(COLUMN_TYPES as readonly unknown[]).includes(column.type)) {
        throw new SchemaError(
          [t, "columns", c, "type"],
          `expected one of ${COLUMN_TYPES.join(", ")}, got ${describe(column.type)}`,
        );
      }
      if (column.bytes !== undefined) {
        if (column.type !== "string") {
          throw new SchemaError(
            [t, "columns", c, "bytes"],
            `only string columns take bytes (${columnName} is ${column.type})`,
          );
        }
        if (!(Number.isInteger(column.bytes) && column.bytes >= 1 && column.bytes <= 4096)) {
          throw new SchemaError(
            [t, "columns", c, "bytes"],
            `expected an integer in 1..4096, got ${describe(column.bytes)}`,
          );
        }
      }
    });
    if (!Array.isArray(table.primary_key) || table.primary_key.length === 0) {
      throw new SchemaError([t, "primary_key"], `table ${name} needs a primary key of one or more columns`);
    }
    const seen = new Set<string>();
    (table.primary_key as readonly unknown[]).forEach((key, k) => {
      if (typeof key !== "string" || !columns.has(key)) {
        throw new SchemaError(
          [t, "primary_key", k],
          `unknown column ${typeof key === "string" ? `'${key}'` : describe(key)} of table ${name} (columns: ${listNames([...columns])})`,
        );
      }
      if (seen.has(key))
        throw new SchemaError([t, "primary_key", k], `column '${key}' appears twice in the primary key`);
      seen.add(key);
    });
    return new TableInfo(table);
  });
}
