// `dbsim explain --against pglite|postgres://...`: each template's query planned by dbsim and run
// under PostgreSQL's EXPLAIN ANALYZE on the same tables, initial data and indexes, side by side,
// with whether the two plans agree and why not (plans.ts).

import type { Database } from "../../engine/query/database.js";
import type { IndexDefinition } from "../../engine/query/indexes.js";
import type { Query } from "../../engine/query/query.js";
import type { Explained, PlannedTemplate } from "../commands/explain.js";
import { loadDomainTables } from "./domain-real.js";
import { compareWithPostgres, explainOnPostgres, type PgPlan, type PlanAgreement } from "./plans.js";
import { openSqlPool } from "./sql-pool.js";
import type { Target } from "./target.js";

export interface AgainstTemplate {
  readonly template: string;
  readonly postgres: PgPlan;
  readonly agreement: PlanAgreement;
}

export interface ExplainedAgainst {
  /** The target without credentials, and what it says it is. */
  readonly target: string;
  readonly version: string;
  /** What the translation could not make as declared (a hash index of several columns). */
  readonly notes: readonly string[];
  readonly templates: readonly AgainstTemplate[];
  readonly agreeing: number;
  readonly total: number;
}

/** A single EXPLAIN ANALYZE never takes longer than this on the initial data. */
const STATEMENT_TIMEOUT_MS = 60_000;

export async function explainAgainst(
  planned: { readonly db: Database; readonly planned: readonly PlannedTemplate[] },
  indexes: readonly Required<IndexDefinition>[],
  target: Target,
): Promise<ExplainedAgainst> {
  const pool = await openSqlPool(target, 1, STATEMENT_TIMEOUT_MS);
  try {
    const session = pool.session(0);
    const notes = await loadDomainTables(session, planned.db, indexes);
    const tables = new Map(planned.db.tables().map((t) => [t.name, t]));
    const templates: AgainstTemplate[] = [];
    for (const { template, query, plan } of planned.planned) {
      const postgres = await explainOnPostgres(session, query, tables);
      const examined = rowsExamined(planned.db, query);
      templates.push({ template, postgres, agreement: compareWithPostgres(plan, examined, postgres, notes) });
    }
    return {
      target: target.name,
      version: pool.version,
      notes,
      templates,
      agreeing: templates.filter((t) => t.agreement.agree).length,
      total: templates.length,
    };
  } finally {
    await pool.close();
  }
}

/** The rows dbsim's plan of `query` examines on `db` (a write runs on a copy: `db` stays as it was). */
function rowsExamined(db: Database, query: Query): number {
  const reads = query.kind === "select" || query.kind === "get";
  return (reads ? db : db.copy()).execute(query).cost.rows_examined;
}

/** The per-template lines of `dbsim explain --against`: both plans, then agree or why not. */
export function againstLines(explained: Explained, against: ExplainedAgainst): string[] {
  const lines = [`against ${against.target}: ${against.version}`, ...against.notes.map((n) => `note: ${n}`)];
  against.templates.forEach((t, i) => {
    const { agreement: a } = t;
    const rows = a.dbsim_rows === null ? "" : `; rows ${a.dbsim_rows} vs ${a.postgres_rows}`;
    lines.push(
      `${t.template}:`,
      `  dbsim       ${explained.templates[i]?.plan ?? "?"}`,
      `  PostgreSQL  ${t.postgres.text}`,
      a.agree
        ? `  agree: ${a.dbsim_path === "none" ? "no rows to find" : a.dbsim_path}${rows}${a.remarks.map((r) => `; ${r}`).join("")}`
        : `  differ: dbsim ${a.dbsim_path}, PostgreSQL ${a.postgres_path}${rows}; ${[...a.why, ...a.remarks].join("; ")}`,
    );
  });
  lines.push(
    `plans agree on ${against.agreeing} of ${against.total} templates ` +
      "(both scan the table or both use an index, the same index, rows examined within 2x)",
  );
  return lines;
}
