// What the tests need to run the dashboards' queries outside Grafana: Grafana's macros and the
// dashboards' variables substituted, and a PromQL syntax check with Prometheus's own Lezer grammar.

import { parser } from "@prometheus-io/lezer-promql";

/**
 * A query as Grafana would send it: `$__rate_interval` = max($__interval + scrape interval,
 * 4 x scrape interval), `$__interval`, `$__range` and the `run` variable substituted.
 */
export function substitute(
  expr: string,
  vars: { run: string; interval_s?: number; scrape_s?: number; range_s?: number },
): string {
  const interval = vars.interval_s ?? 1;
  const scrape = vars.scrape_s ?? 1;
  const rateInterval = Math.max(interval + scrape, 4 * scrape);
  return (
    expr
      .replaceAll("$__rate_interval", `${rateInterval}s`)
      .replaceAll("$__interval", `${interval}s`)
      .replaceAll("$__range", `${vars.range_s ?? 3600}s`)
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax
      .replaceAll("${run}", vars.run)
      .replaceAll("$run", vars.run)
  );
}

export interface ParsedQuery {
  /** Text of each syntax error node (empty: the query parses). */
  errors: string[];
  /** Metric names of the vector selectors. */
  metrics: string[];
  /** Label names matched in selectors, per metric name. */
  matchedLabels: [string, string][];
}

export function parsePromql(expr: string): ParsedQuery {
  const errors: string[] = [];
  const metrics: string[] = [];
  const matchedLabels: [string, string][] = [];
  let selector: string | null = null;
  parser.parse(expr).iterate({
    enter(node) {
      const text = expr.slice(node.from, node.to);
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(text)}`);
      if (node.name === "VectorSelector") selector = null;
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") {
        selector = text;
        metrics.push(text);
      }
      if (node.name === "LabelName" && node.node.parent?.name === "UnquotedLabelMatcher" && selector !== null)
        matchedLabels.push([selector, text]);
    },
  });
  return { errors, metrics, matchedLabels };
}
