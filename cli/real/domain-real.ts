// A domain workload (ecommerce, social, timeseries) on PostgreSQL: its tables and `cluster.indexes`
// created, the initial data a simulated run at the seed loads, and the same stream of queries,
// each translated to SQL (sql.ts).

import type { Database } from "../../engine/query/database.js";
import type { IndexDefinition } from "../../engine/query/indexes.js";
import type { Row, TableSchema, Value } from "../../engine/query/schema.js";
import type { Rng } from "../../sim/rng.js";
import type { DomainWorkload } from "../../workloads/generators/domain/domain.js";
import { opNameOf } from "../../workloads/generators/domain/domain-client.js";
import { OK, type Outcome, type RealOperation, type RealWorkload } from "./driver.js";
import { errorOutcome } from "./outcome.js";
import { createIndexSql, createTableSql, querySql, quoteIdent } from "./sql.js";
import type { SqlPool, SqlSession } from "./sql-pool.js";

/**
 * Creates `db`'s tables and rows and the indexes on `session`, then VACUUM ANALYZE (statistics for
 * the planner, and the visibility map index-only scans need). Returns what could not be made as
 * declared (a hash index of several columns).
 */
export async function loadDomainTables(
  session: SqlSession,
  db: Database,
  indexes: readonly Required<IndexDefinition>[],
): Promise<string[]> {
  const notes: string[] = [];
  for (const table of db.tables()) {
    await session.exec(createTableSql(table));
    await insertRows(session, table, db.rows(table.name));
  }
  const tables = new Map(db.tables().map((t) => [t.name, t]));
  for (const index of indexes) {
    const table = tables.get(index.table);
    if (table === undefined) throw new Error(`index ${index.name}: no table ${index.table}`);
    const { sql, note } = createIndexSql(index, table);
    if (sql !== null) await session.exec(sql);
    if (note !== null) notes.push(note);
  }
  await session.exec("VACUUM ANALYZE");
  return notes;
}

async function insertRows(session: SqlSession, table: TableSchema, rows: readonly Row[]): Promise<void> {
  const names = table.columns.map((c) => c.name);
  const batch = Math.max(1, Math.min(1000, Math.floor(60_000 / names.length)));
  const head = `INSERT INTO ${quoteIdent(table.name)} (${names.map(quoteIdent).join(", ")}) VALUES `;
  for (let from = 0; from < rows.length; from += batch) {
    const slice = rows.slice(from, from + batch);
    const params: Value[] = [];
    const tuples = slice.map((row) => {
      const first = params.length + 1;
      for (const name of names) params.push(row[name] as Value);
      return `(${names.map((_, i) => `$${first + i}`).join(", ")})`;
    });
    await session.query(head + tuples.join(", "), params);
  }
}

export type DomainRealOperation = RealOperation & { readonly query: NonNullable<RealOperation["query"]> };

export class DomainReal implements RealWorkload<DomainRealOperation> {
  private readonly workload: DomainWorkload;
  private readonly queries: Rng;
  private readonly pool: SqlPool;
  private readonly tables: ReadonlyMap<string, TableSchema>;

  /** `queries`: the stream the simulated run's queries draw from (`workload -> query`). */
  constructor(workload: DomainWorkload, queries: Rng, pool: SqlPool) {
    this.workload = workload;
    this.queries = queries;
    this.pool = pool;
    this.tables = new Map(workload.tables.map((t) => [t.name, t]));
  }

  next(intended_us: number): DomainRealOperation {
    const { template, query } = this.workload.next(this.queries, intended_us);
    return { op: opNameOf(query), key: "", query: { template, query, outcome: null } };
  }

  async run(op: DomainRealOperation, client: number): Promise<Outcome> {
    const { query } = op.query;
    const statement = querySql(query, this.tables);
    const session = this.pool.session(client);
    try {
      if (query.kind === "batch") {
        await session.exec(statement.text);
        return OK;
      }
      const result = await session.query(statement.text, statement.params);
      return query.kind === "get" && result.rows.length === 0 ? { result: "fail", error: "not_found" } : OK;
    } catch (error) {
      return errorOutcome(error);
    }
  }

  finished(): void {}
}
