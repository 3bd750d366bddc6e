// dbsim explain <scenario> [--set path=value]... [--seed N] [--json] [--against pglite|postgres://...]
//
// Plans one query of each template of a domain workload on the database a run at the seed starts
// with (its tables, initial data and `cluster.indexes`), without running anything: one EXPLAIN
// line per template, then index advice for frequent templates that would run as full scans.
// --against: PostgreSQL's plan of each template's query beside dbsim's, and whether they agree
// (cli/real/explain-against.ts).

import type { Database, Plan } from "../../engine/query/database.js";
import type { IndexDefinition } from "../../engine/query/indexes.js";
import type { AccessKind, Estimate } from "../../engine/query/planner.js";
import type { Query } from "../../engine/query/query.js";
import {
  type IndexAdvice,
  indexAdvice,
  indexDefinitionText,
} from "../../workloads/generators/domain/advice.js";
import { sampleQueries } from "../../workloads/generators/domain/domain.js";
import { initialQueryDatabase } from "../../workloads/generators/domain/plugin.js";
import type { LoadedScenario } from "../../workloads/scenario/load.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_OK } from "../exit-codes.js";
import { againstLines, explainAgainst } from "../real/explain-against.js";
import { parseTarget } from "../real/target.js";
import { readScenarioFile } from "../scenario-file.js";
import { parseSeed } from "../seeds.js";

export interface ExplainArgs {
  scenario: string;
  set: string[];
  seed: string;
  json: boolean;
  /** A PostgreSQL target (pglite, postgres://...) whose plans to print beside dbsim's. */
  against?: string;
}

export interface ExplainedTemplate {
  template: string;
  /** Share of the mix. */
  weight: number;
  /** EXPLAIN, with the planner's estimate. */
  plan: string;
  /** EXPLAIN without the estimate (what report.json `queries` names as a template's plan). */
  shape: string;
  /** null for inserts and batches, which find no rows. */
  access: AccessKind | null;
  index: string | null;
  covering: boolean;
  estimate: Estimate | null;
}

export interface Explained {
  scenario: string;
  workload: string;
  seed: number;
  indexes: Required<IndexDefinition>[];
  storage: ReturnType<Database["storage"]>;
  templates: ExplainedTemplate[];
  index_advice: IndexAdvice[];
}

/** The plans of a loaded scenario's templates at `seed` (a domain workload's; else bad input). */
export function explainScenario(loaded: LoadedScenario, seed: number, source: string): Explained {
  return planTemplates(loaded, seed, source).explained;
}

/** A template's sampled query and dbsim's plan of it. */
export interface PlannedTemplate {
  readonly template: string;
  readonly query: Query;
  readonly plan: Plan;
}

/**
 * explainScenario's plans, with the database they were made on (its tables and initial data, not
 * changed by planning) and each template's sampled query: what `--against` runs on PostgreSQL.
 */
export function planTemplates(
  loaded: LoadedScenario,
  seed: number,
  source: string,
): { explained: Explained; db: Database; planned: PlannedTemplate[] } {
  const { resolved } = loaded;
  if (resolved.workload.domain === null) {
    throw new CliError(
      `${source}: explain needs a domain workload (workload.type ecommerce, social or timeseries); ` +
        `workload.type ${resolved.workload.type} runs no queries to plan`,
    );
  }
  const { db, workload, queries } = initialQueryDatabase(resolved, seed);
  // Shares of the mix, rounded (normalized weights are sums of fractions: 0.30000000000000004).
  const weights = new Map(workload.templates.map((t) => [t.name, Math.round(t.weight * 1e6) / 1e6]));
  const templates = sampleQueries(workload, queries).map(
    ({
      template,
      query,
    }): ExplainedTemplate & {
      query: Query;
      planned: PlannedTemplate;
    } => {
      const plan = db.plan(query);
      const access = plan.access;
      return {
        planned: { template, query, plan },
        template,
        weight: weights.get(template) ?? 0,
        plan: plan.text,
        shape: plan.shape,
        access: access?.access ?? null,
        index: access?.index ?? null,
        covering: access?.covering ?? false,
        estimate: access?.estimate ?? null,
        query,
      };
    },
  );
  const advice = indexAdvice(
    db,
    templates.map((t) => ({
      template: t.template,
      share: t.weight,
      access: t.access,
      plan: t.shape,
      query: t.query,
    })),
  );
  const explained: Explained = {
    scenario: resolved.name,
    workload: resolved.workload.type,
    seed,
    indexes: resolved.cluster.indexes.map((index) => ({
      name: index.name,
      table: index.table,
      columns: [...index.columns],
      kind: index.kind,
      include: [...index.include],
    })),
    storage: db.storage(),
    templates: templates.map(({ query: _query, planned: _planned, ...rest }) => rest),
    index_advice: advice,
  };
  return { explained, db, planned: templates.map((t) => t.planned) };
}

/** The text `dbsim explain` prints; `templateLines` replaces the one line per template (--against). */
export function explainText(explained: Explained, templateLines?: readonly string[]): string {
  const indexes =
    explained.indexes.length === 0 ? "none" : explained.indexes.map(indexDefinitionText).join("; ");
  const storage = explained.storage
    .map((table) => {
      const own = `${table.table} ${table.rows} rows in ${table.pages} pages`;
      const secondary = table.indexes.map((i) => `${i.name} ${i.pages} pages`);
      return secondary.length === 0 ? own : `${own} (+ ${secondary.join(", ")})`;
    })
    .join("; ");
  const lines = [
    `${explained.scenario}: ${explained.workload} workload, initial data of seed ${explained.seed}; indexes: ${indexes}`,
    `storage: ${storage}`,
    ...(templateLines ?? explained.templates.map((t) => `${t.template}: ${t.plan}`)),
    ...explained.index_advice.map((a) => a.line),
  ];
  return `${lines.join("\n")}\n`;
}

export async function explainCommand(args: ExplainArgs, io: CliIo): Promise<number> {
  const target = args.against === undefined ? null : parseTarget(args.against, "--against");
  if (target?.kind === "redis") {
    throw new CliError(
      `--against: ${target.name} is Redis, which has no query planner; use pglite or a postgres:// URL`,
    );
  }
  const seed = parseSeed(args.seed);
  const loaded = readScenarioFile(args.scenario, args.set);
  if (target === null) {
    const explained = explainScenario(loaded, seed, args.scenario);
    io.stdout.write(args.json ? `${JSON.stringify(explained, null, 2)}\n` : explainText(explained));
    return EXIT_OK;
  }
  const planned = planTemplates(loaded, seed, args.scenario);
  const against = await explainAgainst(planned, loaded.resolved.cluster.indexes, target);
  io.stdout.write(
    args.json
      ? `${JSON.stringify({ ...planned.explained, against }, null, 2)}\n`
      : explainText(planned.explained, againstLines(planned.explained, against)),
  );
  return EXIT_OK;
}
