// Secondary indexes: their definitions (as a scenario declares them), validation, and storage with
// maintenance costs.
//
// API:
//   INDEX_KINDS = ["btree", "hash"]
//   interface IndexDefinition { name, table, columns, kind?: "btree" | "hash" (default btree), include? }
//   validateIndexes(defs, tables): ResolvedIndex[]
//       throws SchemaError with a path relative to the list, e.g. [2, "columns", 0] and the detail
//       "unknown column 'foo' of table orders (columns: id, customer_id, ...)"; the scenario loader
//       adds its prefix: err.withPrefix(["cluster", "indexes"]).
//       Checked: a name (letters, digits, _), unique; a known table; a non-empty list of known,
//       distinct columns; a known kind; include columns known and not repeated.
//   interface ResolvedIndex    positions of the key columns and of every stored (covered) column
//   class BtreeIndex / HashIndex extends SecondaryIndex: insert, remove, update (each adding its
//       pages to a PageCounter), entries(), plus their storage for the executor.
//
// What an index stores. A B+tree index maps the key (index columns, then the primary key columns,
// encoded column by column: entries are unique and ordered by the index columns, ties by primary
// key) to an IndexEntry. A hash index maps the index columns' encoding to IndexEntry per row. An
// IndexEntry holds the row's encoded primary key and the values of the covered columns (index
// columns, include columns and primary key columns) at their table positions, so filters and
// results can be evaluated on it exactly as on a table row when the index covers the query.

import { BPlusTree } from "../index/btree.js";
import type { PageSpace } from "../index/page-space.js";
import type { PageCounter } from "./cost.js";
import { listNames, SchemaError } from "./errors.js";
import { LinearHashIndex } from "./hash-index.js";
import { encodeAt } from "./keys.js";
import {
  describe,
  fanoutForEntry,
  type StoredRow,
  type TableInfo,
  type Value,
  valueBytes,
} from "./schema.js";

export const INDEX_KINDS = ["btree", "hash"] as const;
export type IndexKind = (typeof INDEX_KINDS)[number];

export interface IndexDefinition {
  readonly name: string;
  readonly table: string;
  /** Key columns, in order. A B+tree serves equality on a prefix and a range on the next one. */
  readonly columns: readonly string[];
  /** Default "btree". */
  readonly kind?: IndexKind;
  /** Extra columns stored in the index (a covering index): queries reading only stored columns skip the table. */
  readonly include?: readonly string[];
}

export interface ResolvedIndex {
  readonly name: string;
  readonly kind: IndexKind;
  readonly table: TableInfo;
  /** Positions of the index columns. */
  readonly columns: readonly number[];
  /** Positions of the include columns. */
  readonly include: readonly number[];
  /** The B+tree key's columns: the index columns, then the primary key columns. */
  readonly keyColumns: readonly number[];
  /** Per table position: whether the index stores that column's value. */
  readonly stored: readonly boolean[];
  /** Estimated bytes of one entry. */
  readonly entryBytes: number;
  /** The definition as given (kind and include filled in). */
  readonly definition: Required<IndexDefinition>;
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates index definitions against tables; paths are relative to the list. */
export function validateIndexes(
  defs: readonly IndexDefinition[],
  tables: readonly TableInfo[],
): ResolvedIndex[] {
  if (!Array.isArray(defs)) throw new SchemaError([], `expected a list of indexes, got ${describe(defs)}`);
  const byName = new Map<string, number>();
  const tableNames = tables.map((t) => t.name);
  return defs.map((def, i) => {
    if (typeof def !== "object" || def === null) {
      throw new SchemaError(
        [i],
        `expected an index {name, table, columns, kind, include}, got ${describe(def)}`,
      );
    }
    const name = def.name;
    if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
      throw new SchemaError(
        [i, "name"],
        `an index name must be letters, digits and _ (not starting with a digit), got ${describe(name)}`,
      );
    }
    const earlier = byName.get(name);
    if (earlier !== undefined)
      throw new SchemaError([i, "name"], `duplicate index name '${name}' (also index ${earlier})`);
    byName.set(name, i);
    const table = tables.find((t) => t.name === def.table);
    if (table === undefined) {
      throw new SchemaError(
        [i, "table"],
        `unknown table ${typeof def.table === "string" ? `'${def.table}'` : describe(def.table)} (tables: ${listNames(tableNames)})`,
      );
    }
    const kind = def.kind ?? "btree";
    if (!(INDEX_KINDS as readonly unknown[]).includes(kind)) {
      throw new SchemaError([i, "kind"], `expected one of ${INDEX_KINDS.join(", ")}, got ${describe(kind)}`);
    }
    if (!Array.isArray(def.columns))
      throw new SchemaError([i, "columns"], `expected a list of columns, got ${describe(def.columns)}`);
    if (def.columns.length === 0)
      throw new SchemaError([i, "columns"], `index ${name} needs at least one column`);
    const columns = resolveColumns(def.columns, table, [i, "columns"], "the index's columns");
    const includeList = def.include ?? [];
    if (!Array.isArray(includeList))
      throw new SchemaError([i, "include"], `expected a list of columns, got ${describe(includeList)}`);
    const include = resolveColumns(includeList, table, [i, "include"], "include");
    return resolveIndex(
      { name, table: table.name, columns: def.columns, kind, include: includeList },
      table,
      columns,
      include,
    );
  });
}

function resolveColumns(
  names: readonly unknown[],
  table: TableInfo,
  path: (string | number)[],
  what: string,
): number[] {
  const seen = new Set<number>();
  return names.map((name, j) => {
    const position = typeof name === "string" ? table.position(name) : -1;
    if (position < 0) throw new SchemaError([...path, j], table.unknownColumn(name));
    if (seen.has(position))
      throw new SchemaError([...path, j], `column '${name as string}' appears twice in ${what}`);
    seen.add(position);
    return position;
  });
}

function resolveIndex(
  definition: Required<IndexDefinition>,
  table: TableInfo,
  columns: number[],
  include: number[],
): ResolvedIndex {
  const stored = table.columns.map(() => false);
  for (const p of [...columns, ...include, ...table.pk]) stored[p] = true;
  let entryBytes = 0;
  for (let p = 0; p < stored.length; p++) if (stored[p]) entryBytes += valueBytes(table.column(p));
  return {
    name: definition.name,
    kind: definition.kind,
    table,
    columns,
    include,
    keyColumns: [...columns, ...table.pk],
    stored,
    entryBytes,
    definition: { ...definition, columns: [...definition.columns], include: [...definition.include] },
  };
}

/** What an index holds per row: the encoded primary key and the covered columns' values. */
export interface IndexEntry {
  readonly pk: string;
  /** Table-wide positions; only the index's stored columns are set. */
  readonly row: readonly (Value | undefined)[];
}

export interface StorageOptions {
  /** Page size that sets fan-out and bucket capacity from the entry width. */
  readonly page_bytes: number;
  /** A fixed fan-out / bucket capacity for every structure (tests), instead of page_bytes. */
  readonly fanout?: number;
  /** Hash indexes: buckets before the first split. */
  readonly hash_initial_buckets?: number;
  /** Hash indexes: average page fill past which a bucket splits. */
  readonly hash_max_load?: number;
}

export abstract class SecondaryIndex {
  readonly def: ResolvedIndex;

  constructor(def: ResolvedIndex) {
    this.def = def;
  }

  get name(): string {
    return this.def.name;
  }

  get kind(): IndexKind {
    return this.def.kind;
  }

  abstract get size(): number;
  abstract get pageCount(): number;
  /** Its pages join a node's page space (index/page-space.ts); unbind gives their ids back. */
  abstract bindPages(space: PageSpace): void;
  abstract unbindPages(): void;

  abstract insert(row: StoredRow, pk: string, cost: PageCounter): void;
  abstract remove(row: StoredRow, pk: string, cost: PageCounter): void;
  /** Replaces the stored values of a row whose key columns did not change. */
  protected abstract replaceCovered(row: StoredRow, pk: string, cost: PageCounter): void;

  /** Maintains the index for a row changed from `before` to `after`; false when it was untouched. */
  update(before: StoredRow, after: StoredRow, pk: string, cost: PageCounter): boolean {
    const def = this.def;
    for (const p of def.columns) {
      if (before[p] !== after[p]) {
        this.remove(before, pk, cost);
        this.insert(after, pk, cost);
        return true;
      }
    }
    for (const p of def.include) {
      if (before[p] !== after[p]) {
        this.replaceCovered(after, pk, cost);
        return true;
      }
    }
    return false;
  }

  /** Every entry as (index key, entry), for consistency checks; not charged. */
  abstract entries(): IterableIterator<[string, IndexEntry]>;

  /** The entry a row must have: its stored columns at their positions. */
  entryOf(row: StoredRow, pk: string): IndexEntry {
    const stored = this.def.stored;
    const values: (Value | undefined)[] = new Array(stored.length);
    for (let p = 0; p < stored.length; p++) values[p] = stored[p] ? row[p] : undefined;
    return { pk, row: values };
  }

  /** The key under which `row` is filed (B+tree: index columns + primary key; hash: index columns). */
  abstract keyOf(row: StoredRow, pk: string): string;

  abstract checkInvariants(): void;
}

export class BtreeIndex extends SecondaryIndex {
  readonly tree: BPlusTree<string, IndexEntry>;

  constructor(def: ResolvedIndex, storage: StorageOptions) {
    super(def);
    this.tree = new BPlusTree<string, IndexEntry>({
      fanout: storage.fanout ?? fanoutForEntry(def.entryBytes, storage.page_bytes),
    });
  }

  get size(): number {
    return this.tree.size;
  }

  get pageCount(): number {
    return this.tree.pageCount;
  }

  bindPages(space: PageSpace): void {
    this.tree.bindPages(space);
  }

  unbindPages(): void {
    this.tree.unbindPages();
  }

  keyOf(row: StoredRow, pk: string): string {
    return encodeAt(row, this.def.columns) + pk;
  }

  insert(row: StoredRow, pk: string, cost: PageCounter): void {
    if (!this.tree.set(this.keyOf(row, pk), this.entryOf(row, pk))) {
      throw new Error(`index ${this.name}: entry of row ${JSON.stringify(pk)} already present`);
    }
    cost.pages_read += this.tree.lastPagesRead;
    cost.pages_written += this.tree.lastPagesWritten;
  }

  remove(row: StoredRow, pk: string, cost: PageCounter): void {
    if (!this.tree.delete(this.keyOf(row, pk))) {
      throw new Error(`index ${this.name}: no entry for row ${JSON.stringify(pk)}`);
    }
    cost.pages_read += this.tree.lastPagesRead;
    cost.pages_written += this.tree.lastPagesWritten;
  }

  protected replaceCovered(row: StoredRow, pk: string, cost: PageCounter): void {
    this.tree.set(this.keyOf(row, pk), this.entryOf(row, pk));
    cost.pages_read += this.tree.lastPagesRead;
    cost.pages_written += this.tree.lastPagesWritten;
  }

  entries(): IterableIterator<[string, IndexEntry]> {
    return this.tree.entries();
  }

  checkInvariants(): void {
    this.tree.checkInvariants();
  }
}

export class HashIndex extends SecondaryIndex {
  readonly table: LinearHashIndex<IndexEntry>;

  constructor(def: ResolvedIndex, storage: StorageOptions) {
    super(def);
    this.table = new LinearHashIndex<IndexEntry>({
      bucket_capacity: storage.fanout ?? fanoutForEntry(def.entryBytes, storage.page_bytes),
      ...(storage.hash_initial_buckets === undefined
        ? {}
        : { initial_buckets: storage.hash_initial_buckets }),
      ...(storage.hash_max_load === undefined ? {} : { max_load: storage.hash_max_load }),
    });
  }

  get size(): number {
    return this.table.size;
  }

  get pageCount(): number {
    return this.table.pageCount;
  }

  bindPages(space: PageSpace): void {
    this.table.bindPages(space);
  }

  unbindPages(): void {
    this.table.unbindPages();
  }

  keyOf(row: StoredRow): string {
    return encodeAt(row, this.def.columns);
  }

  insert(row: StoredRow, pk: string, cost: PageCounter): void {
    this.table.insert(this.keyOf(row), pk, this.entryOf(row, pk));
    cost.pages_read += this.table.lastPagesRead;
    cost.pages_written += this.table.lastPagesWritten;
  }

  remove(_row: StoredRow, pk: string, cost: PageCounter): void {
    if (!this.table.remove(pk)) throw new Error(`index ${this.name}: no entry for row ${JSON.stringify(pk)}`);
    cost.pages_read += this.table.lastPagesRead;
    cost.pages_written += this.table.lastPagesWritten;
  }

  protected replaceCovered(row: StoredRow, pk: string, cost: PageCounter): void {
    this.table.replace(pk, this.entryOf(row, pk));
    cost.pages_read += this.table.lastPagesRead;
    cost.pages_written += this.table.lastPagesWritten;
  }

  *entries(): IterableIterator<[string, IndexEntry]> {
    for (const e of this.table.entries()) yield [e.key, e.value];
  }

  checkInvariants(): void {
    this.table.checkInvariants();
  }
}

export function createIndexStorage(def: ResolvedIndex, storage: StorageOptions): SecondaryIndex {
  return def.kind === "hash" ? new HashIndex(def, storage) : new BtreeIndex(def, storage);
}
