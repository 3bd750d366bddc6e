// Renders metric snapshots (prom-client's getMetricsAsJSON shape) as Prometheus exposition text:
// the classic text format 0.0.4 or OpenMetrics 1.0.0, chosen by a scrape's Accept header. One
// renderer for the live endpoint and the virtual-time timeline (timeline.ts adds timestamps), so
// both expose the same names, label sets and number formats.

/** One sample of a metric family, as prom-client's getMetricsAsJSON returns it. */
export interface SnapshotValue {
  value: number;
  labels: Record<string, string | number>;
  /** A histogram's `<name>_bucket`, `_sum` or `_count`; absent: the family's name. */
  metricName?: string;
}

/** One metric family, as prom-client's getMetricsAsJSON returns it. */
export interface SnapshotFamily {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: SnapshotValue[];
}

export type MetricsSnapshot = SnapshotFamily[];

/**
 * A copy of prom-client's getMetricsAsJSON() result that shares nothing with it (its value objects
 * are the registry's live ones). The same as structuredClone for this plain data, and about 14
 * times faster (ycsb-a: 0.015 ms against 0.22 ms, more than the 0.18 ms of reading the registry).
 */
export function copySnapshot(json: readonly unknown[]): MetricsSnapshot {
  return (json as readonly SnapshotFamily[]).map((family) => ({
    name: family.name,
    help: family.help,
    type: family.type,
    aggregator: family.aggregator,
    values: family.values.map((value) => {
      const copy: SnapshotValue = { value: value.value, labels: { ...value.labels } };
      if (value.metricName !== undefined) copy.metricName = value.metricName;
      return copy;
    }),
  }));
}

export type ExpositionFormat = "text" | "openmetrics";

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  text: "text/plain; version=0.0.4; charset=utf-8",
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
};

/**
 * The format a scrape asked for: OpenMetrics when its Accept header lists
 * `application/openmetrics-text` with a weight at least that of every text format it accepts
 * (Prometheus asks so); else the classic text format (curl's `*\/*`, a browser, no header).
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined) return "text";
  let openmetrics = 0;
  let text = 0;
  for (const entry of accept.split(",")) {
    const [type = "", ...params] = entry.split(";").map((part) => part.trim().toLowerCase());
    let q = 1;
    for (const param of params) {
      const match = /^q=([0-9.]+)$/.exec(param);
      if (match) q = Number(match[1]);
    }
    if (!(q > 0)) continue;
    if (type === "application/openmetrics-text") openmetrics = Math.max(openmetrics, q);
    else if (type === "text/plain" || type === "text/*" || type === "*/*") text = Math.max(text, q);
  }
  return openmetrics > 0 && openmetrics >= text ? "openmetrics" : "text";
}

/** A sample value: shortest round-trip decimal, `NaN`, `+Inf` or `-Inf`. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

function escapeHelp(help: string, format: ExpositionFormat): string {
  const escaped = help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
  return format === "openmetrics" ? escaped.replaceAll('"', '\\"') : escaped;
}

/** `{a="1",b="2"}` with `le` last (empty string when there are no labels). */
export function formatLabels(labels: Readonly<Record<string, string | number>>): string {
  const names = Object.keys(labels).filter((name) => name !== "le");
  if ("le" in labels) names.push("le");
  if (names.length === 0) return "";
  const parts = names.map((name) => {
    const raw = labels[name] as string | number;
    const value = typeof raw === "number" ? formatValue(raw) : raw;
    return `${name}="${escapeLabelValue(value)}"`;
  });
  return `{${parts.join(",")}}`;
}

/**
 * The `# HELP` and `# TYPE` lines of a family. OpenMetrics names a counter family without its
 * `_total` suffix (its samples keep it); the text format names it as its samples.
 */
export function familyHeader(
  family: Pick<SnapshotFamily, "name" | "help" | "type">,
  format: ExpositionFormat,
): string {
  const name =
    format === "openmetrics" && family.type === "counter" && family.name.endsWith("_total")
      ? family.name.slice(0, -"_total".length)
      : family.name;
  return `# HELP ${name} ${escapeHelp(family.help, format)}\n# TYPE ${name} ${family.type}\n`;
}

/** A snapshot as exposition text; families without samples are left out. */
export function renderExposition(snapshot: MetricsSnapshot, format: ExpositionFormat): string {
  let out = "";
  for (const family of snapshot) {
    if (family.values.length === 0) continue;
    out += familyHeader(family, format);
    for (const value of family.values) {
      out += `${value.metricName ?? family.name}${formatLabels(value.labels)} ${formatValue(value.value)}\n`;
    }
  }
  return format === "openmetrics" ? `${out}# EOF\n` : out;
}
