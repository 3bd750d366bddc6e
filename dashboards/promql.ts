// PromQL for the dashboards, built from the metric catalogue: a selector names a catalogue entry
// and only labels that entry declares (checked by the compiler), so a renamed metric or label
// breaks the build instead of leaving a panel without data. Every selector is scoped to the
// dashboard's `run` variable.

import { type MetricDef, RUN_LABEL } from "../reports/metrics/catalogue.js";

/** The label names a catalogue entry declares. */
export type LabelOf<D> = D extends MetricDef<infer L> ? L : never;

/** A label matcher: an exact value, or `{ not: v }` for `!=`. */
export type Matcher = string | { readonly not: string };

/** The window of rate() and increase(): Grafana's `$__rate_interval` (at least 4 scrape intervals). */
export const RATE_WINDOW = "$__rate_interval";

function quote(value: string): string {
  return JSON.stringify(value);
}

/** `name{run="$run",label="value",...}`; `part` picks a histogram's _bucket, _sum or _count series. */
export function sel<D extends MetricDef>(
  def: D,
  matchers: Partial<Record<LabelOf<D>, Matcher>> = {},
  part?: "bucket" | "sum" | "count",
): string {
  if (part !== undefined && def.type !== "histogram") throw new Error(`${def.name} is not a histogram`);
  const terms = [`${RUN_LABEL}="$run"`];
  for (const [label, matcher] of Object.entries(matchers) as [string, Matcher][]) {
    terms.push(
      typeof matcher === "string" ? `${label}=${quote(matcher)}` : `${label}!=${quote(matcher.not)}`,
    );
  }
  return `${def.name}${part === undefined ? "" : `_${part}`}{${terms.join(",")}}`;
}

export function rate(selector: string): string {
  return `rate(${selector}[${RATE_WINDOW}])`;
}

export function increase(selector: string): string {
  return `increase(${selector}[${RATE_WINDOW}])`;
}

/** `sum by (labels) (expr)`, the labels being the entry's; `sum (expr)` without labels. */
export function sumBy<D extends MetricDef>(_def: D, labels: readonly LabelOf<D>[], expr: string): string {
  return labels.length === 0 ? `sum(${expr})` : `sum by (${labels.join(", ")}) (${expr})`;
}

export function maxBy<D extends MetricDef>(_def: D, labels: readonly LabelOf<D>[], expr: string): string {
  return labels.length === 0 ? `max(${expr})` : `max by (${labels.join(", ")}) (${expr})`;
}

/** A quantile of a histogram's rate over the window, per `by` labels. */
export function quantile<D extends MetricDef>(
  def: D,
  q: number,
  by: readonly LabelOf<D>[],
  matchers: Partial<Record<LabelOf<D>, Matcher>> = {},
): string {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile ${q}`);
  const labels = ["le", ...by].join(", ");
  return `histogram_quantile(${q}, sum by (${labels}) (${rate(sel(def, matchers, "bucket"))}))`;
}
