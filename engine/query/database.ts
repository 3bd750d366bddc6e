// A node's database: typed tables stored by primary key in the engine's B+tree, secondary B+tree
// and hash indexes (covering when they include columns), statistics, a planner and an executor
// that charges every page and row, so that an index's benefit to reads and its cost to writes are
// both measured. Deterministic: no clock, no randomness, insertion-ordered structures only.
//
// API:
//   new Database({ tables, indexes?, page_bytes?, fanout?, hash?, cost? })
//       tables: TableSchema[] (schema.ts); indexes: IndexDefinition[] (indexes.ts);
//       page_bytes (default 8192): every tree's fan-out and every hash bucket's capacity follow
//       from its entry width; fanout: one fixed fan-out / capacity instead (tests);
//       hash: { initial_buckets (default 4), max_load (default 0.75) };
//       cost: the CostConstants the planner weighs pages and rows with (default 50/2/1 µs).
//       Throws SchemaError: path ["tables", i, ...] or ["indexes", i, ...].
//   .execute(query): ExecResult    { status, rows, affected, cost, table_lookup, plan, changes }
//       status: "ok" | "not_found" (a get without its row) | "duplicate_key" (an insert, or a
//       batch step, hit an existing primary key: nothing of the query or batch remains applied).
//       cost: QueryCost (cost.ts); serviceTime_us(result.cost, constants) is the node's CPU time.
//       changes: the rows written, in order, as { table, before, after } (null = absent): the
//       write-ahead log record; apply() redoes them (a follower), revert() undoes them (a crash).
//       Throws QueryError for a query that does not fit its table (path relative to the query).
//   .plan(query): Plan   .explain(query): string (= plan(query).text)
//   .createIndex(def): QueryCost   .dropIndex(name): boolean   .indexes(): IndexDefinition[]
//   .apply(changes): QueryCost     .revert(changes): QueryCost
//   .load(table, row): boolean     an initial-load insert: no plan, no change record, no cost
//   .tables(): TableSchema[]   .rows(table): Row[] (primary key order, not charged)
//   .rowCount(table)   .statistics(table)   .storage(): StorageSummary[]
//   .suggestIndex(query): IndexDefinition | null   the B+tree index that would serve a read
//   .checkConsistency(): void   every index and statistic agrees with the rows (tests)
//   .bindPages(space) / .unbindPages()   its tables' and indexes' pages join a node's page space
//       (index/page-space.ts: ids for the buffer pool, touches recorded); a copy is unbound
//
// EXPLAIN lines (planner.ts has the grammar):
//   IndexRangeScan orders_by_customer (customer_id = ?) → 12 rows, 3 pages, covering
//   Insert orders (1 row), maintains orders_by_customer, orders_by_status
//   Update orders set status, maintains orders_by_status via PrimaryKeyGet orders (id = ?) → 1 row, 2 pages
//   Batch: Insert orders (1 row) | Insert order_items (3 rows)

import type { PageSpace } from "../index/page-space.js";
import { addCost, type CostConstants, DEFAULT_COST_CONSTANTS, emptyCost, type QueryCost } from "./cost.js";
import { listNames, QueryError, SchemaError } from "./errors.js";
import { finishRead, runAccess } from "./executor.js";
import {
  BtreeIndex,
  createIndexStorage,
  type HashIndex,
  type IndexDefinition,
  type ResolvedIndex,
  type StorageOptions,
  validateIndexes,
} from "./indexes.js";
import { type AccessPlan, type ExecPlan, planRead, suggestIndex } from "./planner.js";
import {
  type InsertQuery,
  normalizeGet,
  normalizeRow,
  normalizeSelect,
  normalizeSet,
  normalizeWriteWhere,
  type Query,
  type QueryKind,
  type ReadSpec,
  rowObject,
  type UpdateQuery,
  type WriteQuery,
} from "./query.js";
import {
  describe,
  PAGE_BYTES_DEFAULT,
  type Row,
  type StoredRow,
  type TableInfo,
  type TableSchema,
  type Value,
  validateTables,
} from "./schema.js";
import { TableStore } from "./table-store.js";

export interface DatabaseOptions {
  readonly tables: readonly TableSchema[];
  readonly indexes?: readonly IndexDefinition[];
  /** Page size in bytes (default 8192): sets fan-outs and bucket capacities from entry widths. */
  readonly page_bytes?: number;
  /** A fixed fan-out (and hash bucket capacity) for every structure, 4..1024, instead of page_bytes. */
  readonly fanout?: number;
  readonly hash?: { readonly initial_buckets?: number; readonly max_load?: number };
  /** Constants the planner weighs estimated pages and rows with. */
  readonly cost?: CostConstants;
}

export type ExecStatus = "ok" | "not_found" | "duplicate_key";

/** One row written: `before` and `after` are whole rows, null when the row is absent. */
export interface RowChange {
  readonly table: string;
  readonly before: Row | null;
  readonly after: Row | null;
}

export interface Plan {
  readonly kind: QueryKind;
  /** The table, or null for a batch. */
  readonly table: string | null;
  /** How rows are found (select, get, update, delete). */
  readonly access: AccessPlan | null;
  /** Secondary indexes a write maintains. */
  readonly maintains: readonly string[];
  /** A batch's steps. */
  readonly steps: readonly Plan[];
  /** EXPLAIN without estimates or row counts: stable for every instance of a query template. */
  readonly shape: string;
  /** EXPLAIN. */
  readonly text: string;
}

export interface ExecResult {
  readonly status: ExecStatus;
  /** Result rows of a read (one row for aggregates); empty for writes. */
  readonly rows: Row[];
  /** Rows inserted, updated or deleted. */
  readonly affected: number;
  readonly cost: QueryCost;
  /** Rows were fetched from the table through a secondary index. */
  readonly table_lookup: boolean;
  readonly plan: Plan;
  readonly changes: RowChange[];
}

export interface StorageSummary {
  readonly table: string;
  readonly rows: number;
  readonly height: number;
  readonly pages: number;
  readonly indexes: readonly {
    readonly name: string;
    readonly kind: "btree" | "hash";
    readonly entries: number;
    readonly pages: number;
    /** B+tree height, or hash bucket count. */
    readonly height?: number;
    readonly buckets?: number;
  }[];
}

type Prepared =
  | { kind: "insert"; store: TableStore; rows: StoredRow[] }
  | { kind: "update"; store: TableStore; spec: ReadSpec; set: Map<number, Value> }
  | { kind: "delete"; store: TableStore; spec: ReadSpec };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export class Database {
  private readonly stores = new Map<string, TableStore>();
  private readonly indexDefs: ResolvedIndex[] = [];
  private readonly storageOptions: StorageOptions;
  private readonly constants: CostConstants;
  private readonly scratch = emptyCost();
  private readonly options: DatabaseOptions;

  constructor(options: DatabaseOptions) {
    this.options = options;
    const pageBytes = options.page_bytes ?? PAGE_BYTES_DEFAULT;
    if (!(Number.isInteger(pageBytes) && pageBytes >= 256 && pageBytes <= 1 << 20)) {
      throw new SchemaError(
        ["page_bytes"],
        `expected an integer in 256..1048576, got ${describe(options.page_bytes)}`,
      );
    }
    if (
      options.fanout !== undefined &&
      !(Number.isInteger(options.fanout) && options.fanout >= 4 && options.fanout <= 1024)
    ) {
      throw new SchemaError(["fanout"], `expected an integer in 4..1024, got ${describe(options.fanout)}`);
    }
    this.storageOptions = {
      page_bytes: pageBytes,
      ...(options.fanout === undefined ? {} : { fanout: options.fanout }),
      ...(options.hash?.initial_buckets === undefined
        ? {}
        : { hash_initial_buckets: options.hash.initial_buckets }),
      ...(options.hash?.max_load === undefined ? {} : { hash_max_load: options.hash.max_load }),
    };
    this.constants = options.cost ?? DEFAULT_COST_CONSTANTS;
    let infos: TableInfo[];
    try {
      infos = validateTables(options.tables);
    } catch (e) {
      throw e instanceof SchemaError ? e.withPrefix(["tables"]) : e;
    }
    for (const info of infos) this.stores.set(info.name, new TableStore(info, this.storageOptions));
    let defs: ResolvedIndex[];
    try {
      defs = validateIndexes(options.indexes ?? [], infos);
    } catch (e) {
      throw e instanceof SchemaError ? e.withPrefix(["indexes"]) : e;
    }
    for (const def of defs) this.addIndex(def);
  }

  // -------------------------------------------------------------------------------------------
  // Schema

  tables(): TableSchema[] {
    return [...this.stores.values()].map((s) => s.info.schema());
  }

  tableInfo(name: string): TableInfo {
    return this.store(name, []).info;
  }

  /** The secondary indexes, as defined (kind and include filled in), in creation order. */
  indexes(): Required<IndexDefinition>[] {
    return this.indexDefs.map((d) => ({ ...d.definition }));
  }

  /** Adds an index and builds it over the current rows; returns what the build cost. */
  createIndex(def: IndexDefinition): QueryCost {
    const existing = this.indexDefs.map((d) => d.definition);
    let resolved: ResolvedIndex;
    try {
      resolved = validateIndexes(
        [...existing, def],
        [...this.stores.values()].map((s) => s.info),
      )[existing.length] as ResolvedIndex;
    } catch (e) {
      if (e instanceof SchemaError && e.path[0] === existing.length)
        throw new SchemaError(e.path.slice(1), e.detail);
      throw e;
    }
    return this.addIndex(resolved);
  }

  dropIndex(name: string): boolean {
    const at = this.indexDefs.findIndex((d) => d.name === name);
    if (at < 0) return false;
    const def = this.indexDefs[at] as ResolvedIndex;
    this.indexDefs.splice(at, 1);
    (this.stores.get(def.table.name) as TableStore).removeIndex(name);
    return true;
  }

  private addIndex(def: ResolvedIndex): QueryCost {
    const store = this.stores.get(def.table.name) as TableStore;
    const cost = emptyCost();
    store.addIndex(createIndexStorage(def, this.storageOptions), cost);
    this.indexDefs.push(def);
    return cost;
  }

  private store(name: unknown, path: (string | number)[]): TableStore {
    const store = typeof name === "string" ? this.stores.get(name) : undefined;
    if (store === undefined) {
      throw new QueryError(
        path,
        `unknown table ${typeof name === "string" ? `'${name}'` : describe(name)} (tables: ${listNames([...this.stores.keys()])})`,
      );
    }
    return store;
  }

  // -------------------------------------------------------------------------------------------
  // Planning

  plan(query: Query): Plan {
    return this.prepare(query).plan;
  }

  explain(query: Query): string {
    return this.plan(query).text;
  }

  suggestIndex(query: Query): IndexDefinition | null {
    if (query.kind === "select") {
      const store = this.store(query.table, ["table"]);
      return suggestIndex(store, normalizeSelect(store.info, query));
    }
    if (query.kind === "update" || query.kind === "delete") {
      const store = this.store(query.table, ["table"]);
      return suggestIndex(store, normalizeWriteWhere(store.info, query.where));
    }
    return null;
  }

  private prepare(query: Query): {
    plan: Plan;
    run: (cost: QueryCost) => Omit<ExecResult, "cost" | "plan" | "table_lookup">;
  } {
    if (typeof query !== "object" || query === null)
      throw new QueryError([], `expected a query, got ${describe(query)}`);
    switch (query.kind) {
      case "select":
      case "get": {
        const store = this.store(query.table, ["table"]);
        const spec =
          query.kind === "get" ? normalizeGet(store.info, query) : normalizeSelect(store.info, query);
        const { plan, exec } = planRead(store, spec, this.constants);
        return {
          plan: this.readPlan(query.kind, store, plan),
          run: (cost) => {
            const rows = finishRead(store, exec, runAccess(store, exec, cost), cost);
            return {
              status: spec.pointGet && rows.length === 0 ? "not_found" : "ok",
              rows,
              affected: 0,
              changes: [],
            };
          },
        };
      }
      case "insert":
      case "update":
      case "delete": {
        const prepared = this.prepareWrite(query, []);
        return {
          plan: prepared.plan,
          run: (cost) => {
            const changes: RowChange[] = [];
            const status = this.runWrite(prepared.step, prepared.exec, cost, changes);
            return {
              status,
              rows: [],
              affected: status === "ok" ? changes.length : 0,
              changes: status === "ok" ? changes : [],
            };
          },
        };
      }
      case "batch": {
        if (!Array.isArray(query.queries)) {
          throw new QueryError(
            ["queries"],
            `expected a list of insert, update or delete queries, got ${describe(query.queries)}`,
          );
        }
        const steps = query.queries.map((q, i) => {
          if (typeof q !== "object" || q === null || !["insert", "update", "delete"].includes(q.kind)) {
            throw new QueryError(
              ["queries", i, "kind"],
              `expected an insert, update or delete, got ${describe((q as { kind?: unknown })?.kind)}`,
            );
          }
          return this.prepareWrite(q, ["queries", i]);
        });
        const plan: Plan = {
          kind: "batch",
          table: null,
          access: null,
          maintains: [],
          steps: steps.map((s) => s.plan),
          shape: `Batch: ${steps.map((s) => s.plan.shape).join(" | ")}`,
          text: `Batch: ${steps.map((s) => s.plan.text).join(" | ")}`,
        };
        return {
          plan,
          run: (cost) => {
            const changes: RowChange[] = [];
            for (const s of steps) {
              const status = this.runWrite(s.step, s.exec, cost, changes);
              if (status !== "ok") {
                this.revertInto(changes, cost);
                return { status, rows: [], affected: 0, changes: [] };
              }
            }
            return { status: "ok", rows: [], affected: changes.length, changes };
          },
        };
      }
      default:
        throw new QueryError(
          ["kind"],
          `expected one of select, get, insert, update, delete, batch, got ${describe((query as { kind?: unknown }).kind)}`,
        );
    }
  }

  private readPlan(kind: QueryKind, store: TableStore, access: AccessPlan): Plan {
    return {
      kind,
      table: store.name,
      access,
      maintains: [],
      steps: [],
      shape: access.shape,
      text: access.text,
    };
  }

  private prepareWrite(
    query: WriteQuery,
    prefix: (string | number)[],
  ): { plan: Plan; step: Prepared; exec: ExecPlan | null } {
    try {
      return this.prepareWriteAt(query);
    } catch (e) {
      throw e instanceof QueryError && prefix.length > 0 ? e.withPrefix(prefix) : e;
    }
  }

  private prepareWriteAt(query: WriteQuery): { plan: Plan; step: Prepared; exec: ExecPlan | null } {
    const store = this.store(query.table, ["table"]);
    const info = store.info;
    const all = store.indexes.map((i) => i.name);
    const maintainsText = (names: readonly string[]) =>
      names.length === 0 ? "" : `, maintains ${names.join(", ")}`;
    if (query.kind === "insert") {
      const raw = (query as InsertQuery).rows;
      if (!Array.isArray(raw))
        throw new QueryError(["rows"], `expected a list of rows, got ${describe(raw)}`);
      const rows = raw.map((r, i) => normalizeRow(info, r, ["rows", i]));
      const head = `Insert ${info.name}`;
      return {
        plan: {
          kind: "insert",
          table: info.name,
          access: null,
          maintains: all,
          steps: [],
          shape: `${head}${maintainsText(all)}`,
          text: `${head} (${plural(rows.length, "row")})${maintainsText(all)}`,
        },
        step: { kind: "insert", store, rows },
        exec: null,
      };
    }
    const spec = normalizeWriteWhere(info, query.where);
    const { plan: access, exec } = planRead(store, spec, this.constants);
    if (query.kind === "update") {
      const set = normalizeSet(info, (query as UpdateQuery).set);
      const touched = store.indexes
        .filter((i) => [...i.def.columns, ...i.def.include].some((p) => set.has(p)))
        .map((i) => i.name);
      const head = `Update ${info.name} set ${[...set.keys()].map((p) => info.column(p).name).join(", ")}${maintainsText(touched)} via `;
      return {
        plan: {
          kind: "update",
          table: info.name,
          access,
          maintains: touched,
          steps: [],
          shape: head + access.shape,
          text: head + access.text,
        },
        step: { kind: "update", store, spec, set },
        exec,
      };
    }
    const head = `Delete ${info.name}${maintainsText(all)} via `;
    return {
      plan: {
        kind: "delete",
        table: info.name,
        access,
        maintains: all,
        steps: [],
        shape: head + access.shape,
        text: head + access.text,
      },
      step: { kind: "delete", store, spec },
      exec,
    };
  }

  /** Applies one prepared write; on a duplicate key undoes its own changes and reports it. */
  private runWrite(step: Prepared, exec: ExecPlan | null, cost: QueryCost, changes: RowChange[]): ExecStatus {
    const store = step.store;
    const info = store.info;
    if (step.kind === "insert") {
      const mine: RowChange[] = [];
      for (const row of step.rows) {
        if (!store.insertRow(row, cost)) {
          this.revertInto(mine, cost);
          return "duplicate_key";
        }
        mine.push({ table: info.name, before: null, after: rowObject(info, row) });
      }
      changes.push(...mine);
      cost.rows_returned += mine.length;
      return "ok";
    }
    const found = runAccess(store, exec as ExecPlan, cost) as StoredRow[];
    for (const before of found) {
      const pk = store.pkOf(before);
      if (step.kind === "update") {
        const after = before.slice();
        for (const [p, v] of step.set) after[p] = v;
        store.replaceRow(pk, before, after, cost);
        changes.push({ table: info.name, before: rowObject(info, before), after: rowObject(info, after) });
      } else {
        store.deleteRow(pk, before, cost);
        changes.push({ table: info.name, before: rowObject(info, before), after: null });
      }
    }
    cost.rows_returned += found.length;
    return "ok";
  }

  // -------------------------------------------------------------------------------------------
  // Execution

  /**
   * Inserts one row for an initial load: the same storage work as an insert, without a plan,
   * change record or cost. Returns false (and changes nothing) when the key exists.
   */
  load(table: string, row: Row): boolean {
    const store = this.store(table, ["table"]);
    return store.insertRow(normalizeRow(store.info, row, ["row"]), this.scratch);
  }

  execute(query: Query): ExecResult {
    const { plan, run } = this.prepare(query);
    const cost = emptyCost();
    const result = run(cost);
    return { ...result, cost, table_lookup: cost.table_lookups > 0, plan };
  }

  /** Redoes changes (in order): each row becomes its `after`. */
  apply(changes: readonly RowChange[]): QueryCost {
    const cost = emptyCost();
    for (const change of changes) this.put(change, change.after, cost);
    return cost;
  }

  /** Undoes changes (in reverse order): each row becomes its `before`. */
  revert(changes: readonly RowChange[]): QueryCost {
    const cost = emptyCost();
    this.revertInto(changes, cost);
    return cost;
  }

  private revertInto(changes: readonly RowChange[], cost: QueryCost): void {
    for (let i = changes.length - 1; i >= 0; i--) {
      const change = changes[i] as RowChange;
      this.put(change, change.before, cost);
    }
  }

  private put(change: RowChange, target: Row | null, cost: QueryCost): void {
    const store = this.store(change.table, ["table"]);
    const any = change.after ?? change.before;
    if (any === null) throw new QueryError([], "a row change needs a before or an after row");
    const keyRow = normalizeRow(store.info, any, ["row"]);
    const row = target === null ? null : normalizeRow(store.info, target, ["row"]);
    const step = emptyCost();
    store.putRow(store.pkOf(keyRow), row, step);
    addCost(cost, step);
  }

  // -------------------------------------------------------------------------------------------
  // Inspection (not charged)

  rows(table: string): Row[] {
    const store = this.store(table, []);
    return [...store.storedRows()].map((row) => rowObject(store.info, row));
  }

  rowCount(table: string): number {
    return this.store(table, []).rowCount;
  }

  /** Row count and distinct values per tracked column (primary key and indexed columns). */
  statistics(table: string): { rows: number; distinct: Record<string, number> } {
    return this.store(table, []).stats.summary();
  }

  storage(): StorageSummary[] {
    return [...this.stores.values()].map((store) => ({
      table: store.name,
      rows: store.rowCount,
      height: store.tree.height,
      pages: store.tree.pageCount,
      indexes: store.indexes.map((index) => {
        const base = { name: index.name, kind: index.kind, entries: index.size, pages: index.pageCount };
        return index instanceof BtreeIndex
          ? { ...base, height: index.tree.height }
          : { ...base, buckets: (index as HashIndex).table.bucketCount };
      }),
    }));
  }

  /** An independent copy with the same tables, indexes and rows (a snapshot a follower installs). */
  copy(): Database {
    const copy = new Database({ ...this.options, indexes: this.indexes() });
    for (const name of this.stores.keys()) for (const row of this.rows(name)) copy.load(name, row);
    return copy;
  }

  checkConsistency(): void {
    for (const store of this.stores.values()) store.checkConsistency();
  }

  bindPages(space: PageSpace): void {
    for (const store of this.stores.values()) store.bindPages(space);
  }

  unbindPages(): void {
    for (const store of this.stores.values()) store.unbindPages();
  }
}
