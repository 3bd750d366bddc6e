// PostgreSQL's plans beside dbsim's: each template's query run under EXPLAIN (ANALYZE, BUFFERS,
// FORMAT JSON) (a write inside a transaction rolled back, so nothing changes), summarized as its
// access node (node type, index, rows, shared buffers), and whether the two planners agree: both
// scan the table or both use an index, the same index, and rows examined within 2x.
//
// API:
//   explainOnPostgres(session, query, tables): PgPlan
//   pgPlanOf(json): PgPlan            one EXPLAIN (FORMAT JSON) result, summarized
//   compareWithPostgres(dbsim, pg, notes): PlanAgreement

import type { Plan } from "../../engine/query/database.js";
import type { Query } from "../../engine/query/query.js";
import type { TableSchema, Value } from "../../engine/query/schema.js";
import { batchStatements, querySql, type SqlStatement, sqlLiteral } from "./sql.js";
import type { SqlSession } from "./sql-pool.js";

/** One statement's plan as EXPLAIN ANALYZE saw it. */
export interface PgPlan {
  /** Node types from the top down to the access node ("Limit", "Index Scan"). */
  readonly nodes: readonly string[];
  /** How rows were found: Seq Scan, Index Scan, Index Only Scan, Bitmap Heap Scan, ...; null: none (an insert). */
  readonly access: string | null;
  readonly table: string | null;
  /** The index (indexes of a BitmapAnd/Or joined by +); null for none. */
  readonly index: string | null;
  readonly backward: boolean;
  /** The planner's estimate of the rows the access node returns. */
  readonly plan_rows: number;
  /** Rows the access node produced, and those its filter or recheck removed: what it examined. */
  readonly rows_examined: number;
  /** Rows the statement returned (or wrote). */
  readonly rows_returned: number;
  readonly buffers_hit: number;
  readonly buffers_read: number;
  readonly buffers_dirtied: number;
  /** The plan without numbers, stable per template: `Index Scan using x on orders (under Limit)`. */
  readonly shape: string;
  /** One line: the shape, the rows and the buffers. */
  readonly text: string;
}

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

const num = (node: PlanNode, key: string): number => {
  const v = node[key];
  return typeof v === "number" ? v : 0;
};
const str = (node: PlanNode, key: string): string | null => {
  const v = node[key];
  return typeof v === "string" ? v : null;
};

/** A node that finds rows in a table: a scan of a relation (not a Values or Function Scan, nor ModifyTable). */
function isAccess(node: PlanNode): boolean {
  return (str(node, "Node Type") ?? "").endsWith("Scan") && str(node, "Relation Name") !== null;
}

/** The path from `node` down to its first access node (depth first), or null. */
function accessPath(node: PlanNode): PlanNode[] | null {
  if (isAccess(node)) return [node];
  for (const child of node.Plans ?? []) {
    const path = accessPath(child);
    if (path !== null) return [node, ...path];
  }
  return null;
}

/** Index names under a bitmap heap scan (Bitmap Index Scan leaves, through BitmapAnd/Or). */
function bitmapIndexes(node: PlanNode): string[] {
  const own = str(node, "Node Type") === "Bitmap Index Scan" ? [str(node, "Index Name") ?? "?"] : [];
  return [...own, ...(node.Plans ?? []).flatMap(bitmapIndexes)];
}

/** Summarizes one EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) result (the value of its one row). */
export function pgPlanOf(json: unknown): PgPlan {
  const root = (Array.isArray(json) ? json[0] : json) as { Plan?: PlanNode } | undefined;
  const top = root?.Plan;
  if (top === undefined) throw new Error("EXPLAIN returned no plan");
  const path = accessPath(top) ?? [top];
  const leaf = path[path.length - 1] as PlanNode;
  const type = str(leaf, "Node Type") ?? "?";
  const access = isAccess(leaf) ? type : null;
  const index =
    access === "Bitmap Heap Scan"
      ? bitmapIndexes(leaf).join("+") || null
      : access === null
        ? null
        : str(leaf, "Index Name");
  const table = access === null ? null : str(leaf, "Relation Name");
  const backward = str(leaf, "Scan Direction") === "Backward";
  const loops = Math.max(1, num(leaf, "Actual Loops"));
  const removed = num(leaf, "Rows Removed by Filter") + num(leaf, "Rows Removed by Index Recheck");
  const nodes = path.map((n) => str(n, "Node Type") ?? "?");
  const above = nodes.slice(0, -1).filter((n) => n !== "ModifyTable");
  const operation = str(top, "Operation");
  const what =
    access === null
      ? `${operation ?? type}${operation === null ? "" : " (no rows to find)"}`
      : `${access}${backward ? " Backward" : ""}${index === null ? "" : ` using ${index}`} on ${table}`;
  const shape = `${operation !== null && access !== null ? `${operation} via ` : ""}${what}${above.length > 0 ? ` (under ${above.join(", ")})` : ""}`;
  const plan: Omit<PgPlan, "text"> = {
    nodes,
    access,
    table,
    index,
    backward,
    plan_rows: num(leaf, "Plan Rows"),
    rows_examined: num(leaf, "Actual Rows") * loops + removed,
    rows_returned: num(top, "Actual Rows"),
    buffers_hit: num(top, "Shared Hit Blocks"),
    buffers_read: num(top, "Shared Read Blocks"),
    buffers_dirtied: num(top, "Shared Dirtied Blocks"),
    shape,
  };
  const buffers = plan.buffers_hit + plan.buffers_read;
  const rows =
    access === null
      ? rowCount(plan.rows_returned)
      : `${rowCount(plan.rows_examined)} examined, ${plan.rows_returned} returned`;
  return {
    ...plan,
    text: `${shape} → ${rows}, ${buffers} buffers (${plan.buffers_hit} hit, ${plan.buffers_read} read)`,
  };
}

/** Several statements' plans (a batch's) as one: the first that finds rows leads, the counts add up. */
function combine(plans: readonly PgPlan[]): PgPlan {
  if (plans.length === 1) return plans[0] as PgPlan;
  const lead = plans.find((p) => p.access !== null) ?? (plans[0] as PgPlan);
  const sum = (key: "rows_examined" | "rows_returned" | "buffers_hit" | "buffers_read" | "buffers_dirtied") =>
    plans.reduce((total, p) => total + p[key], 0);
  return {
    ...lead,
    rows_examined: sum("rows_examined"),
    rows_returned: sum("rows_returned"),
    buffers_hit: sum("buffers_hit"),
    buffers_read: sum("buffers_read"),
    buffers_dirtied: sum("buffers_dirtied"),
    shape: plans.map((p) => p.shape).join(" | "),
    text: plans.map((p) => p.text).join(" | "),
  };
}

/** A statement with its values written in (a batch's statements come that way already). */
function statementsOf(query: Query, tables: ReadonlyMap<string, TableSchema>): string[] {
  return query.kind === "batch" ? batchStatements(query, tables) : [inlined(querySql(query, tables))];
}

function inlined(statement: SqlStatement): string {
  // One pass: a value's literal is never scanned again for $n.
  return statement.text.replace(/\$(\d+)/g, (_, n: string) =>
    sqlLiteral(statement.params[Number(n) - 1] as Value),
  );
}

/**
 * PostgreSQL's plan of `query` on `session`, executed under EXPLAIN ANALYZE. A write runs inside a
 * transaction that is rolled back: the data stay as they were. Values are written into the
 * statement, so the plan is made for them (a custom plan, as for a first execution).
 */
export async function explainOnPostgres(
  session: SqlSession,
  query: Query,
  tables: ReadonlyMap<string, TableSchema>,
): Promise<PgPlan> {
  const writes = query.kind !== "select" && query.kind !== "get";
  const plans: PgPlan[] = [];
  if (writes) await session.exec("BEGIN");
  try {
    for (const text of statementsOf(query, tables)) {
      const result = await session.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`);
      plans.push(pgPlanOf(result.rows[0]?.["QUERY PLAN"]));
    }
  } finally {
    if (writes) await session.exec("ROLLBACK");
  }
  return combine(plans);
}

/** How dbsim's plan and PostgreSQL's compare for one template. */
export interface PlanAgreement {
  readonly agree: boolean;
  /** dbsim's and PostgreSQL's way to the rows: "scan", "index <name>" or "none". */
  readonly dbsim_path: string;
  readonly postgres_path: string;
  /** The rows each plan's path examined, run on the same data (null: no rows to find). */
  readonly dbsim_rows: number | null;
  readonly postgres_rows: number | null;
  /** Why they differ (empty when they agree). */
  readonly why: string[];
  /** Differences that do not count against agreement (one covers the query, the other reads the table). */
  readonly remarks: string[];
}

/** The primary key index PostgreSQL makes for a table (`orders_pkey`), which dbsim's table tree stands for. */
function primaryKeyIndex(table: string): string {
  return `${table}_pkey`;
}

/** dbsim's way to the rows: its access path (the first step's with one, in a batch). */
function dbsimAccess(plan: Plan): Plan["access"] {
  return plan.access ?? plan.steps.find((s) => s.access !== null)?.access ?? null;
}

function dbsimPath(plan: Plan): string {
  const access = dbsimAccess(plan);
  if (access === null) return "none";
  if (access.access === "TableScan") return "scan";
  return `index ${access.index ?? primaryKeyIndex(access.table)}`;
}

function postgresPath(pg: PgPlan): string {
  if (pg.access === null) return "none";
  if (pg.access === "Seq Scan") return "scan";
  return `index ${pg.index ?? "?"}`;
}

/** Rows within a factor of two (counting zero as one: 0 and 1 agree). */
export function withinTwice(a: number, b: number): boolean {
  const [x, y] = [Math.max(a, 1), Math.max(b, 1)];
  return Math.max(x, y) / Math.min(x, y) <= 2;
}

/**
 * Whether dbsim's and PostgreSQL's plans agree, and why not. `examined`: the rows dbsim's plan
 * examined when executed on the same data; `notes`: what the translation could not make as
 * declared (an index PostgreSQL has no form of).
 */
export function compareWithPostgres(
  dbsim: Plan,
  examined: number,
  pg: PgPlan,
  notes: readonly string[],
): PlanAgreement {
  const access = dbsimAccess(dbsim);
  const dbsimWay = dbsimPath(dbsim);
  const pgWay = postgresPath(pg);
  const dbsimRows = access === null ? null : examined;
  const pgRows = pg.access === null ? null : pg.rows_examined;
  const why: string[] = [];
  if (dbsimWay !== pgWay) {
    const missing = notes.find((n) => access?.index != null && n.startsWith(`${access.index} `));
    if (missing !== undefined) why.push(missing);
    else if (pgWay === "scan") {
      why.push(
        `PostgreSQL reads the whole table where dbsim uses ${dbsimWay.slice("index ".length)}: it expects ${pg.plan_rows} rows ` +
          "and charges a random page read 4 times a sequential one (random_page_cost), where dbsim charges every page alike (page_time)",
      );
    } else if (dbsimWay === "scan") {
      const reasons = access?.notes.length ? ` (dbsim: ${access.notes.join("; ")})` : "";
      why.push(
        `PostgreSQL uses ${pgWay.slice("index ".length)} (${pg.access}) where dbsim scans the table${reasons}: ` +
          `PostgreSQL expects ${pg.plan_rows} rows and finds the index cheaper than reading every page`,
      );
    } else {
      why.push(
        `both use an index, but PostgreSQL prefers ${pgWay.slice("index ".length)} (${pg.access}) and dbsim ` +
          `${dbsimWay.slice("index ".length)}: their cost models weigh the paths differently (PostgreSQL: random and ` +
          "sequential pages, tuples and index tuples, correlation; dbsim: page_time x pages + row_time x rows)",
      );
    }
  }
  if (dbsimRows !== null && pgRows !== null && !withinTwice(dbsimRows, pgRows)) {
    why.push(
      `rows examined: dbsim's path ${dbsimRows}, PostgreSQL's ${pgRows} (more than 2x apart): the two ` +
        `paths read different entries (dbsim estimated ${Math.round(access?.estimate.rows ?? 0)}, PostgreSQL ` +
        `${pg.plan_rows}: dbsim counts 1/distinct per equality and interpolates ranges between a column's ` +
        "min and max, PostgreSQL uses its most common values and histograms)",
    );
  }
  const remarks: string[] = [];
  const dbsimCovers = access?.covering === true;
  const pgCovers = pg.access === "Index Only Scan";
  if (access !== null && pg.access !== null && dbsimWay === pgWay && dbsimCovers !== pgCovers) {
    remarks.push(
      dbsimCovers
        ? `dbsim answers from the index alone, PostgreSQL reads the table too (${pg.access}): it expects the heap fetches cheap enough`
        : `PostgreSQL answers from the index alone (Index Only Scan), dbsim reads the table too`,
    );
  }
  return {
    agree: why.length === 0,
    remarks,
    dbsim_path: dbsimWay,
    postgres_path: pgWay,
    dbsim_rows: dbsimRows,
    postgres_rows: pgRows,
    why,
  };
}

function rowCount(n: number): string {
  return `${n} row${n === 1 ? "" : "s"}`;
}
