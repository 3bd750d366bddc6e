// What a domain workload's queries did, per template: how many, how they were planned (the most
// frequent plan, its index, whether it covered the query), the rows and pages they touched and
// their latency; and index advice for a frequent template that ran as a full table scan. An
// Observer fed by the run; report.json `queries` (null for other workloads).

import type { QueryOutcome } from "../engine/protocol.js";
import type { Database } from "../engine/query/database.js";
import type { Query } from "../engine/query/query.js";
import { indexAdvice } from "../workloads/generators/domain/advice.js";
import type { CompletedOperation, Observer } from "../workloads/observer.js";
import { type Histogram, newHistogram, summarize } from "./latency.js";
import type { QueriesReport } from "./report-schema.js";
import { ratio } from "./storage.js";

interface PlanCount {
  count: number;
  readonly outcome: QueryOutcome;
}

class TemplateStats {
  count = 0;
  ok = 0;
  /** ok operations answered with a plan: the denominators of the means. */
  answered = 0;
  rowsReturned = 0;
  rowsExamined = 0;
  pagesRead = 0;
  pagesWritten = 0;
  /** Buffer pool lookups of its ok operations' pages: found in memory, read from disk. */
  pagesHit = 0;
  pagesMissed = 0;
  readonly plans = new Map<string, PlanCount>();
  readonly latency: Histogram = newHistogram();
  latencySum_us = 0;
  latencyMax_us = 0;
  /** One query of the template (the first seen): what index advice plans. */
  sample: Query | null = null;

  record(op: CompletedOperation, outcome: QueryOutcome | null): void {
    this.count++;
    if (op.result !== "ok") return;
    this.ok++;
    this.latency.recordValue(op.latency_us);
    this.latencySum_us += op.latency_us;
    if (op.latency_us > this.latencyMax_us) this.latencyMax_us = op.latency_us;
    this.pagesHit += op.pages_hit;
    this.pagesMissed += op.pages_missed;
    if (outcome === null) return;
    this.answered++;
    this.rowsReturned += outcome.rows_returned;
    this.rowsExamined += outcome.rows_examined;
    this.pagesRead += outcome.pages_read;
    this.pagesWritten += outcome.pages_written;
    const plan = this.plans.get(outcome.shape);
    if (plan === undefined) this.plans.set(outcome.shape, { count: 1, outcome });
    else plan.count++;
  }

  /** The plan most ok operations ran with (ties: the one seen first). */
  mostFrequent(): PlanCount | null {
    let best: PlanCount | null = null;
    for (const plan of this.plans.values()) if (best === null || plan.count > best.count) best = plan;
    return best;
  }
}

function mean(sum: number, n: number): number {
  return n === 0 ? 0 : Math.round((sum / n) * 100) / 100;
}

export class QueriesRecorder implements Observer {
  private readonly templates = new Map<string, TemplateStats>();
  private measured = 0;

  /** `templates`: the workload's template names, in the order the report lists them. */
  constructor(templates: readonly string[]) {
    for (const name of templates) this.templates.set(name, new TemplateStats());
  }

  onOperation(op: CompletedOperation): void {
    const data = op.query;
    if (data === undefined) return;
    let stats = this.templates.get(data.template);
    if (stats === undefined) {
      stats = new TemplateStats();
      this.templates.set(data.template, stats);
    }
    stats.sample ??= data.query;
    if (!op.measured) return;
    this.measured++;
    stats.record(op, data.outcome);
  }

  /**
   * report.json `queries`: the templates that ran in the measured phase, and index advice planned
   * on `db` (the run's final query database; none without one).
   */
  finish(db: Database | null): NonNullable<QueriesReport> {
    const templates: NonNullable<QueriesReport>["templates"] = {};
    const runs: Parameters<typeof indexAdvice>[1][number][] = [];
    for (const [name, stats] of this.templates) {
      if (stats.count === 0) continue;
      const plan = stats.mostFrequent();
      const outcome = plan?.outcome ?? null;
      const share = stats.count / this.measured;
      templates[name] = {
        count: stats.count,
        ok: stats.ok,
        share: Math.round(share * 10_000) / 10_000,
        plan: outcome?.shape ?? null,
        plans: Object.fromEntries([...stats.plans].map(([shape, p]) => [shape, p.count])),
        access: outcome?.access ?? null,
        index: outcome?.index ?? null,
        covering: outcome?.covering ?? false,
        table_lookup: outcome?.table_lookup ?? false,
        rows_returned_mean: mean(stats.rowsReturned, stats.answered),
        rows_examined_mean: mean(stats.rowsExamined, stats.answered),
        pages_read_mean: mean(stats.pagesRead, stats.answered),
        pages_written_mean: mean(stats.pagesWritten, stats.answered),
        hit_ratio: ratio(stats.pagesHit, stats.pagesHit + stats.pagesMissed),
        latency_us: summarize(stats.latency, stats.latencySum_us, stats.latencyMax_us),
      };
      if (outcome !== null && stats.sample !== null) {
        runs.push({
          template: name,
          share,
          access: outcome.access,
          plan: outcome.shape,
          query: stats.sample,
        });
      }
    }
    const advice = db === null ? [] : indexAdvice(db, runs);
    return {
      templates,
      index_advice: advice.map((a) => ({
        template: a.template,
        share: a.share,
        plan: a.plan,
        suggestion: {
          name: a.suggestion.name,
          table: a.suggestion.table,
          columns: [...a.suggestion.columns],
          kind: a.suggestion.kind,
          include: [...a.suggestion.include],
        },
        line: a.line,
      })),
    };
  }
}
