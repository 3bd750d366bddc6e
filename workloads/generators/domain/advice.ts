// Index advice: a frequent query template that runs as a full table scan, and the B+tree index that
// would serve it (Database.suggestIndex on one of its queries). Shared by the run's report
// (report.json `queries.index_advice`) and `dbsim explain`.
//
// API:
//   ADVICE_MIN_SHARE = 0.05     a template needs at least this share of the operations
//   indexAdvice(db, templates): IndexAdvice[]   in the order given
//   indexDefinitionText(def): "{ name: x, table: t, columns: [a, b] }" (YAML, ready for cluster.indexes)

import type { Database } from "../../../engine/query/database.js";
import type { IndexDefinition } from "../../../engine/query/indexes.js";
import type { AccessKind } from "../../../engine/query/planner.js";
import type { Query } from "../../../engine/query/query.js";

export const ADVICE_MIN_SHARE = 0.05;

/** A template as the advice sees it: how often it runs, how it runs, and one of its queries. */
export interface TemplateRun {
  readonly template: string;
  /** Share of the operations, 0..1. */
  readonly share: number;
  /** The access path of its (most frequent) plan; null for inserts and batches. */
  readonly access: AccessKind | null;
  /** Its plan's EXPLAIN shape. */
  readonly plan: string;
  readonly query: Query;
}

export interface IndexAdvice {
  readonly template: string;
  readonly share: number;
  readonly plan: string;
  readonly suggestion: Required<IndexDefinition>;
  /** One line for a terminal: what runs as a scan, and the index to add. */
  readonly line: string;
}

/** `{ name: orders_by_customer_id, table: orders, columns: [customer_id] }` (plus kind and include when not the defaults). */
export function indexDefinitionText(def: IndexDefinition): string {
  const parts = [`name: ${def.name}`, `table: ${def.table}`, `columns: [${def.columns.join(", ")}]`];
  if (def.kind !== undefined && def.kind !== "btree") parts.push(`kind: ${def.kind}`);
  if (def.include !== undefined && def.include.length > 0) parts.push(`include: [${def.include.join(", ")}]`);
  return `{ ${parts.join(", ")} }`;
}

/** `a`'s columns are a proper prefix of `b`'s, on the same table: an index on `b` serves `a`'s query too. */
function servedBy(a: Required<IndexDefinition>, b: Required<IndexDefinition>): boolean {
  return (
    a.table === b.table &&
    a.columns.length < b.columns.length &&
    a.columns.every((column, i) => b.columns[i] === column)
  );
}

/**
 * Advice for each template of at least ADVICE_MIN_SHARE that runs as a TableScan and that an index
 * would serve. When one suggested index's columns begin with another's, both templates get the
 * longer one: a single index serves them both.
 */
export function indexAdvice(db: Database, templates: readonly TemplateRun[]): IndexAdvice[] {
  const wanted = templates.flatMap((t) => {
    if (t.share < ADVICE_MIN_SHARE || t.access !== "TableScan") return [];
    const suggested = db.suggestIndex(t.query);
    if (suggested === null) return [];
    const suggestion: Required<IndexDefinition> = {
      name: suggested.name,
      table: suggested.table,
      columns: suggested.columns,
      kind: suggested.kind ?? "btree",
      include: suggested.include ?? [],
    };
    return [{ t, suggestion }];
  });
  return wanted.map(({ t, suggestion: own }) => {
    let suggestion = own;
    for (const other of wanted) if (servedBy(suggestion, other.suggestion)) suggestion = other.suggestion;
    const percent = `${(t.share * 100).toFixed(1)}%`;
    return {
      template: t.template,
      share: Math.round(t.share * 10_000) / 10_000,
      plan: t.plan,
      suggestion,
      line:
        `index advice: ${t.template} (${percent} of operations) runs as a full scan (${t.plan}); ` +
        `add to cluster.indexes: ${indexDefinitionText(suggestion)}`,
    };
  });
}
