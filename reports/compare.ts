// Compares runs figure by figure: the rows of `dbsim compare` and `dbsim matrix`. The figures carry
// the names the run summary uses (throughput, p50, p90, p99, p99.9, max, mean, ok, fail, info).
// A row's best value is starred only when it stands out of the noise: of the seeds' range in a
// matrix, of the run's own sampling interval (noise.ts) for single runs.

import { parseRatePerS } from "../engine/settings/units.js";
import { meanRatePerS, type RateShape } from "../workloads/client/arrivals.js";
import { resolveRate } from "../workloads/client/settings.js";
import type { Better, Comparison, ComparisonCell, ComparisonColumn, ComparisonRow } from "./comparison.js";
import {
  countInterval,
  type Interval,
  maxInterval,
  meanInterval,
  overlap,
  percentileInterval,
  precisionInterval,
  rateInterval,
} from "./noise.js";
import type { OpReport, Report } from "./report-schema.js";
import { alignedLines } from "./text-table.js";

const OP_ORDER = ["read", "update", "insert", "scan", "rmw", "all"];
/** Latency figures: name, report key, and the interval chance gives it in one run. */
const LATENCY_FIGURES: [string, keyof OpReport["latency_us"], (op: OpReport, value: number) => Interval][] = [
  ["p50", "p50", (op, v) => percentileInterval(op, 50, v)],
  ["p90", "p90", (op, v) => percentileInterval(op, 90, v)],
  ["p99", "p99", (op, v) => percentileInterval(op, 99, v)],
  ["p99.9", "p999", (op, v) => percentileInterval(op, 99.9, v)],
  ["max", "max", (_op, v) => maxInterval(v)],
  ["mean", "mean", meanInterval],
];

interface Figure {
  section: string;
  figure: string;
  unit: string;
  better: Better;
  value: number | string;
  /** How far chance could move it in one run (default: by its unit, see `runNoise`). */
  noise?: Interval;
}

/** The run's target rate in ops/s (stages: their mean over the measured phase); null for a closed loop. */
function targetRate(report: Report): number | null {
  const rate = report.config.workload.rate;
  if (rate === null || rate === undefined) return null;
  if (!Array.isArray(rate)) return parseRatePerS(String(rate));
  const from_us = report.sim.measured_from_s * 1e6;
  const shape = resolveRate(rate) as RateShape;
  return meanRatePerS(shape, from_us, from_us + report.sim.measured_duration_s * 1e6);
}

/** Throughput rows: achieved ops/s, or when the runs had different target rates, achieved over target. */
function throughputFigures(report: Report, targetsDiffer: boolean): Figure[] {
  const all = report.ops.all;
  const seconds = report.sim.measured_duration_s;
  const noise = all === undefined ? undefined : rateInterval(all.ok, seconds);
  const achieved = report.throughput_ops_per_s;
  if (!targetsDiffer) {
    return [
      { section: "throughput", figure: "ops/s", unit: "ops/s", better: "higher", value: achieved, noise },
    ];
  }
  // A run offered more operations completes more: its ops/s says nothing about the strategy.
  const target = targetRate(report);
  const figures: Figure[] = [
    {
      section: "throughput",
      figure: "target ops/s",
      unit: "ops/s",
      better: "none",
      value: target ?? "closed loop",
    },
    {
      section: "throughput",
      figure: "ops/s (targets differ)",
      unit: "ops/s",
      better: "none",
      value: achieved,
    },
  ];
  if (target !== null) {
    figures.push({
      section: "throughput",
      figure: "ops/s / target",
      unit: "ratio",
      better: "higher",
      value: achieved / target,
      ...(noise === undefined ? {} : { noise: [noise[0] / target, noise[1] / target] as Interval }),
    });
  }
  return figures;
}

/** Whether the reports' target rates differ (a closed loop has none). */
/** RPO and RTO of a region fault (none without one). */
function rpoRtoFigures(report: Report): Figure[] {
  const r = report.rpo_rto;
  if (r === undefined) return [];
  const section = `${r.fault.kind} ${r.fault.region}`;
  const figures: Figure[] = [];
  if (r.lost_writes !== null)
    figures.push({
      section,
      figure: "RPO: lost writes",
      unit: "count",
      better: "lower",
      value: r.lost_writes,
    });
  if (r.lost_before_fault_s !== null)
    figures.push({
      section,
      figure: "RPO: data lost before the fault",
      unit: "us",
      better: "lower",
      value: Math.round(r.lost_before_fault_s * 1e6),
    });
  if (r.lost_acked_first_s !== null && r.lost_acked_last_s !== null)
    figures.push({
      section,
      figure: "RPO: lost writes acknowledged over",
      unit: "us",
      better: "none",
      value: Math.round((r.lost_acked_last_s - r.lost_acked_first_s) * 1e6),
    });
  if (r.divergent_writes !== null)
    figures.push({
      section,
      figure: "writes on only some replicas",
      unit: "count",
      better: "lower",
      value: r.divergent_writes,
    });
  if (r.write_outage_s !== null)
    figures.push({
      section,
      figure: "RTO: write outage",
      unit: "us",
      better: "lower",
      value: Math.round(r.write_outage_s * 1e6),
    });
  figures.push({
    section,
    figure: "writes failed or timed out",
    unit: "count",
    better: "lower",
    value: r.writes_failed_or_timed_out,
  });
  return figures;
}

function targetsDiffer(reports: Report[]): boolean {
  return new Set(reports.map(targetRate)).size > 1;
}

/**
 * Every comparable figure of one report, keyed by section and name, in display order.
 * `differentTargets`: the compared runs had different target rates, so throughput is compared
 * as a fraction of each run's target.
 */
export function figuresOf(report: Report, differentTargets = false): Map<string, Figure> {
  const figures = new Map<string, Figure>();
  const add = (f: Figure) => figures.set(`${f.section}\u0000${f.figure}`, f);
  for (const figure of throughputFigures(report, differentTargets)) add(figure);
  const ops = Object.keys(report.ops).sort((a, b) => rank(a) - rank(b));
  for (const op of ops) {
    const r = report.ops[op];
    if (r === undefined || r.ok === 0) continue;
    for (const [figure, key, noise] of LATENCY_FIGURES) {
      const value = r.latency_us[key];
      add({ section: `latency ${op}`, figure, unit: "us", better: "lower", value, noise: noise(r, value) });
    }
  }
  const all = report.ops.all;
  if (all !== undefined) {
    // Counts follow the offered load: with different target rates, they compare no strategy.
    const better = (direction: Better): Better => (differentTargets ? "none" : direction);
    add({ section: "outcomes", figure: "ok", unit: "count", better: better("higher"), value: all.ok });
    add({ section: "outcomes", figure: "fail", unit: "count", better: better("lower"), value: all.fail });
    add({ section: "outcomes", figure: "info", unit: "count", better: better("lower"), value: all.info });
  }
  const r = report.replication;
  if (r.replicas >= 2) {
    const lags = Object.values(r.lag_us);
    if (lags.length > 0) {
      add({
        section: "replication",
        figure: "lag p99 (worst follower)",
        unit: "us",
        better: "lower",
        value: Math.max(...lags.map((l) => l.p99)),
      });
      add({
        section: "replication",
        figure: "lag max",
        unit: "us",
        better: "lower",
        value: Math.max(...lags.map((l) => l.max)),
      });
    }
    add({
      section: "replication",
      figure: "failovers",
      unit: "count",
      better: "none",
      value: r.failovers.length,
    });
    const outages = r.failovers.flatMap((f) => (f.write_outage_s === null ? [] : [f.write_outage_s * 1e6]));
    if (outages.length > 0) {
      add({
        section: "replication",
        figure: "failover write outage (longest)",
        unit: "us",
        better: "lower",
        value: Math.max(...outages),
      });
    }
    if (r.lost_writes !== null)
      add({
        section: "replication",
        figure: "lost writes",
        unit: "count",
        better: "lower",
        value: r.lost_writes,
      });
    if (r.mode === "multi-leader")
      add({
        section: "replication",
        figure: "conflicts",
        unit: "count",
        better: "lower",
        value: r.conflicts,
      });
  }
  for (const figure of rpoRtoFigures(report)) add(figure);
  const sh = report.sharding;
  if (sh !== null) {
    if (sh.skew !== null)
      add({
        section: "sharding",
        figure: "load skew (max/mean)",
        unit: "ratio",
        better: "lower",
        value: sh.skew,
      });
    add({
      section: "sharding",
      figure: "cross-shard ops",
      unit: "count",
      better: "lower",
      value: sh.cross_shard_ops,
    });
    if (sh.reshards.length > 0) {
      add({
        section: "sharding",
        figure: "moved keys",
        unit: "count",
        better: "lower",
        value: sh.moved_keys,
      });
      if (sh.moved_fraction !== null)
        add({
          section: "sharding",
          figure: "moved fraction",
          unit: "ratio",
          better: "lower",
          value: sh.moved_fraction,
        });
      const durations = sh.reshards.flatMap((r) => (r.duration_s === null ? [] : [r.duration_s * 1e6]));
      if (durations.length > 0)
        add({
          section: "sharding",
          figure: "migration time",
          unit: "us",
          better: "lower",
          value: durations.reduce((a, b) => a + b, 0),
        });
      const during = sh.latency_us.during_reshards;
      if (during !== null)
        add({
          section: "sharding",
          figure: "p99 while moving",
          unit: "us",
          better: "lower",
          value: during.p99,
        });
    }
  }
  // The nodes' buffer pools and disks (absent from older reports and real databases' runs).
  const nodes = Object.values(report.storage?.nodes ?? {});
  const ratios = nodes.flatMap((n) => (n.hit_ratio === null ? [] : [n.hit_ratio]));
  if (ratios.length > 0) {
    add({
      section: "storage",
      figure: "buffer pool hit ratio (lowest node)",
      unit: "ratio",
      better: "higher",
      value: Math.min(...ratios),
    });
    add({
      section: "storage",
      figure: "disk reads",
      unit: "count",
      better: "lower",
      value: nodes.reduce((sum, n) => sum + n.disk_reads, 0),
    });
  }
  // The caching tier and the connection pools (each only where the run had one).
  const cache = report.cache?.total;
  if (cache !== undefined) {
    if (cache.hit_ratio !== null)
      add({ section: "cache", figure: "hit ratio", unit: "ratio", better: "higher", value: cache.hit_ratio });
    add({
      section: "cache",
      figure: "sets refused",
      unit: "count",
      better: "none",
      value: cache.sets_refused,
    });
    add({
      section: "cache",
      figure: "dirty entries lost",
      unit: "count",
      better: "lower",
      value: cache.dirty_lost,
    });
  }
  const txns = report.transactions;
  if (txns !== undefined) {
    add({
      section: "transactions",
      figure: "committed/s",
      unit: "ops/s",
      better: "higher",
      value: txns.committed_per_s,
      noise: rateInterval(txns.committed, report.sim.measured_duration_s),
    });
    if (txns.abort_rate !== null)
      add({
        section: "transactions",
        figure: "abort rate",
        unit: "ratio",
        better: "lower",
        value: txns.abort_rate,
      });
    if (txns.commit_latency_us !== null)
      add({
        section: "transactions",
        figure: "commit latency p99",
        unit: "us",
        better: "lower",
        value: txns.commit_latency_us.p99,
      });
    // Last: a reason only some runs have joins the others' rows at the end.
    for (const [reason, n] of Object.entries(txns.aborts))
      add({
        section: "transactions",
        figure: `aborts (${reason})`,
        unit: "count",
        better: "lower",
        value: n,
      });
  }
  const connections = report.connections;
  if (connections !== undefined) {
    const wait = report.ops.all?.pool_wait_us;
    if (wait !== undefined)
      add({ section: "connections", figure: "pool wait p99", unit: "us", better: "lower", value: wait.p99 });
    add({
      section: "connections",
      figure: "pool timeouts",
      unit: "count",
      better: "lower",
      value: connections.pool_timeouts,
    });
    add({
      section: "connections",
      figure: "refused (too_many_connections)",
      unit: "count",
      better: "lower",
      value: Object.values(connections.nodes).reduce((sum, n) => sum + n.refused, 0),
    });
  }
  // Domain workloads: per query template, its tail latency and the pages it reads and writes (the
  // index trade-off: fewer pages read by the queries it serves, more written by every write).
  for (const [name, t] of Object.entries(report.queries?.templates ?? {})) {
    const section = `query ${name}`;
    // The access path and index (an insert or batch finds no rows: its plan's first word).
    const access =
      t.access === null
        ? (t.plan?.split(/[ :]/)[0] ?? "-")
        : `${t.access}${t.index === null ? "" : ` ${t.index}`}`;
    add({ section, figure: "plan", unit: "", better: "none", value: access });
    if (t.ok > 0) add({ section, figure: "p99", unit: "us", better: "lower", value: t.latency_us.p99 });
    add({ section, figure: "pages read mean", unit: "pages", better: "lower", value: t.pages_read_mean });
    if (t.pages_written_mean > 0) {
      add({
        section,
        figure: "pages written mean",
        unit: "pages",
        better: "lower",
        value: t.pages_written_mean,
      });
    }
  }
  for (const [name, check] of Object.entries(report.checks)) {
    add({ section: "checks", figure: name, unit: "", better: "none", value: String(check.valid) });
  }
  return figures;
}

function rank(op: string): number {
  const i = OP_ORDER.indexOf(op);
  return i < 0 ? OP_ORDER.length - 1 : i;
}

/** Compares single runs: one column per run. */
export function compareRuns(runs: { source: string; report: Report }[]): Comparison {
  const reports = runs.map((r) => r.report);
  const labels = columnLabels(reports);
  const columns: ComparisonColumn[] = runs.map((run, i) => ({
    label: labels[i] as string,
    source: run.source,
    seeds: [run.report.seed],
  }));
  const differ = targetsDiffer(reports);
  return {
    columns,
    noise: "run",
    rows: buildRows(
      reports.map((report) => [figuresOf(report, differ)]),
      false,
    ),
  };
}

/** Compares variants across seeds: each cell is the median of the variant's runs, with their range. */
export function compareVariants(
  variants: { label: string; source: string; reports: Report[] }[],
): Comparison {
  const columns = variants.map((v) => ({
    label: v.label,
    source: v.source,
    seeds: v.reports.map((r) => r.seed),
  }));
  const differ = targetsDiffer(variants.flatMap((v) => v.reports));
  return {
    columns,
    noise: "seeds",
    rows: buildRows(
      variants.map((v) => v.reports.map((report) => figuresOf(report, differ))),
      true,
    ),
  };
}

function buildRows(columns: Map<string, Figure>[][], withRanges: boolean): ComparisonRow[] {
  const keys: string[] = [];
  const templates = new Map<string, Figure>();
  for (const runs of columns) {
    for (const figures of runs) {
      for (const [key, figure] of figures) {
        if (!templates.has(key)) {
          templates.set(key, figure);
          keys.push(key);
        }
      }
    }
  }
  keys.sort((a, b) => sectionRank(templates.get(a) as Figure) - sectionRank(templates.get(b) as Figure));
  return keys.map((key) => {
    const template = templates.get(key) as Figure;
    const cells = columns.map((runs) =>
      cellOf(
        runs.map((figures) => figures.get(key)?.value),
        withRanges,
      ),
    );
    const best = bestColumns(cells, template.better);
    const row: ComparisonRow = {
      section: template.section,
      figure: template.figure,
      unit: template.unit,
      better: template.better,
      cells,
      best,
    };
    if (best.length > 0) {
      // Several seeds measure the noise; one run has only its own samples.
      const noise = columns.map((runs, i) => {
        const range = (cells[i] as ComparisonCell).range;
        if (runs.length > 1) return range === undefined ? null : seedNoise(range);
        const figure = runs[0]?.get(key);
        return figure === undefined || typeof figure.value !== "number" ? null : runNoise(figure);
      });
      row.withinNoise = overlapsOthers(noise, best);
      if (row.withinNoise && best.some((b) => noise[b]?.[1] === Number.POSITIVE_INFINITY))
        row.unbounded = true;
    }
    return row;
  });
}

/** A matrix column's noise: its seeds' range, at least the printed precision. */
function seedNoise([low, high]: [number, number]): Interval {
  return [precisionInterval(low)[0], precisionInterval(high)[1]];
}

/** A single run's figure's noise: its own interval, else by its unit. */
function runNoise(figure: Figure): Interval {
  const value = figure.value as number;
  return figure.noise ?? (figure.unit === "count" ? countInterval(value) : precisionInterval(value));
}

/** Keeps sections in first-seen order but groups "checks" last. */
function sectionRank(figure: Figure): number {
  if (figure.section === "throughput") return 0;
  if (figure.section.startsWith("latency ")) return 1 + rank(figure.section.slice("latency ".length)) / 10;
  if (figure.section === "outcomes") return 2;
  if (figure.section === "replication") return 3;
  return 4;
}

function cellOf(values: (number | string | undefined)[], withRange: boolean): ComparisonCell {
  const present = values.filter((v): v is number | string => v !== undefined);
  if (present.length === 0) return { value: null };
  const numbers = present.filter((v): v is number => typeof v === "number");
  if (numbers.length !== present.length) {
    // Verdicts: the worst wins (false beats unknown beats true), as checks combine.
    const order = ["false", "unknown", "true"];
    return { value: [...present].map(String).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] ?? null };
  }
  const sorted = [...numbers].sort((a, b) => a - b);
  const cell: ComparisonCell = { value: median(sorted) };
  if (withRange) cell.range = [sorted[0] as number, sorted[sorted.length - 1] as number];
  return cell;
}

/** The median of ascending numbers (the mean of the middle two for an even count). */
export function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function bestColumns(cells: ComparisonCell[], better: Better): number[] {
  if (better === "none") return [];
  const values = cells.map((c) => (typeof c.value === "number" ? c.value : null));
  const numbers = values.filter((v): v is number => v !== null);
  if (numbers.length < 2) return [];
  const target = better === "lower" ? Math.min(...numbers) : Math.max(...numbers);
  if (numbers.every((v) => v === target)) return [];
  return values.flatMap((v, i) => (v === target ? [i] : []));
}

/** True when a best column's noise interval overlaps some other column's. */
function overlapsOthers(noise: (Interval | null)[], best: number[]): boolean {
  return best.some((b) => {
    const own = noise[b];
    return (
      own !== null &&
      own !== undefined &&
      noise.some((other, i) => !best.includes(i) && other !== null && overlap(own, other))
    );
  });
}

/** Whether a cell is marked best: the row's best value, beyond noise. */
export function isStarred(row: ComparisonRow, column: number): boolean {
  return row.best.includes(column) && row.withinNoise !== true;
}

/** Past this length a label by settings gives way to the scenario's name, when the names tell the runs apart. */
const LABEL_MAX = 60;

/**
 * Labels runs by what differs between their configs ("fsync_policy=never"), using the shortest
 * path suffix that is unambiguous; by seed when only seeds differ. When such a label would be
 * long (say, two lists of indexes) and the runs' scenario names differ, by name (and seed).
 */
export function columnLabels(reports: Report[]): string[] {
  const labels = withOrigins(reports, settingLabels(reports));
  const names = reports.map((r) => r.scenario);
  if (labels.some((label) => label.length > LABEL_MAX) && new Set(names).size === names.length) {
    const seeds = new Set(reports.map((r) => r.seed));
    return reports.map((r) => (seeds.size > 1 ? `${r.scenario}, seed=${r.seed}` : r.scenario));
  }
  return labels;
}

/** When simulated and real runs (or several real targets) are compared, each label starts with what ran it. */
function withOrigins(reports: Report[], labels: string[]): string[] {
  const origins = reports.map((r) => (r.target === undefined ? "sim" : `real ${r.target.name}`));
  if (new Set(origins).size === 1) return labels;
  return labels.map(
    (label, i) => (/^run \d+$/.test(label) ? origins[i] : `${origins[i]}, ${label}`) as string,
  );
}

function settingLabels(reports: Report[]): string[] {
  const flat = reports.map((r) => flatten(r.config));
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
  const all = paths.filter((p) => new Set(flat.map((f) => f.get(p) ?? "(unset)")).size > 1);
  // The name and description differ between scenario files; they label a column only when nothing else does.
  const settings = all.filter((p) => p !== "name" && p !== "description");
  const differing = settings.length > 0 ? settings : all;
  const short = shortNames(differing);
  return reports.map((report, i) => {
    const parts = differing.map((p) => `${short.get(p)}=${flat[i]?.get(p) ?? "(unset)"}`);
    const seeds = new Set(reports.map((r) => r.seed));
    if (seeds.size > 1) parts.push(`seed=${report.seed}`);
    return parts.length > 0 ? parts.join(", ") : `run ${i + 1}`;
  });
}

function flatten(value: unknown, path = "", out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value))
      flatten(child, path === "" ? key : `${path}.${key}`, out);
  } else {
    out.set(path, typeof value === "string" ? value : JSON.stringify(value));
  }
  return out;
}

function shortNames(paths: string[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const path of paths) {
    const parts = path.split(".");
    for (let k = 1; k <= parts.length; k++) {
      const suffix = parts.slice(-k).join(".");
      if (paths.filter((p) => p === suffix || p.endsWith(`.${suffix}`)).length === 1) {
        names.set(path, suffix);
        break;
      }
    }
  }
  return names;
}

/** The comparison as an aligned text table; the best value of each row, beyond noise, is marked with `*`. */
export function comparisonTable(comparison: Comparison): string {
  const header = ["", ...comparison.columns.map((c) => c.label)];
  const lines: string[][] = [header];
  let section = "";
  for (const row of comparison.rows) {
    if (row.section !== section) {
      section = row.section;
      lines.push([section, ...comparison.columns.map(() => "")]);
    }
    const cells = row.cells.map((cell, i) => {
      const text =
        formatValue(cell.value, row.unit) +
        (cell.range
          ? ` (${formatValue(cell.range[0], row.unit)}–${formatValue(cell.range[1], row.unit)})`
          : "");
      return isStarred(row, i) ? `${text} *` : text;
    });
    const note = row.withinNoise ? ` (${noiseLabel(row)})` : "";
    lines.push([`  ${row.figure}${note}`, ...cells]);
  }
  const text = alignedLines(lines, (i) => i === 0);
  return `${text.join("\n")}\n${noiseNotes(comparison).join("\n")}\n`;
}

/** Why a row's best value is not starred: "within noise", "too few samples" or "one sample". */
export function noiseLabel(row: ComparisonRow): string {
  if (row.unbounded !== true) return "within noise";
  return row.figure === "max" ? "one sample" : "too few samples";
}

/** What a star and the notes on unstarred rows mean, for the table's foot and the page's. */
export function noiseNotes(comparison: Comparison): string[] {
  const notes = ["* best value of the row, beyond noise (lower latency, more throughput, fewer failures)"];
  if (comparison.rows.some((r) => r.unbounded)) {
    notes.push(
      "(one sample), (too few samples): a maximum, or a tail percentile with too few operations beyond it, has no upper bound to compare",
    );
  }
  if (comparison.rows.some((r) => r.withinNoise && !r.unbounded)) {
    notes.push(
      comparison.noise === "seeds"
        ? "(within noise): the best column's seed range overlaps another's: the difference may be the seed's luck"
        : "(within noise): the best value lies within another run's 95% sampling interval (one run per column; a matrix over seeds measures the noise)",
    );
  }
  if (comparison.rows.some((r) => r.figure === "ops/s / target")) {
    notes.push("target rates differ: throughput is compared as a fraction of each run's target rate");
  }
  return notes;
}

/** A figure as the table prints it ("-" for none). */
export function formatValue(value: number | string | null, unit: string): string {
  if (value === null) return "-";
  if (typeof value === "string") return value;
  if (unit === "us") return formatUs(value);
  if (unit === "ops/s") return value.toFixed(1);
  if (unit === "ratio") return value.toFixed(3);
  if (unit === "pages") return Number.isInteger(value) ? String(value) : value.toFixed(1);
  return String(Math.round(value * 10) / 10);
}

/** µs as the run summary prints them: 3 significant digits from 1 ms up ("4.71s", not "4714.5ms"). */
export function formatUs(us: number): string {
  if (us >= 10_000_000) return `${(us / 1e6).toFixed(1)}s`;
  if (us >= 1_000_000) return `${(us / 1e6).toFixed(2)}s`;
  if (us >= 10_000) return `${(us / 1e3).toFixed(1)}ms`;
  if (us >= 1000) return `${(us / 1e3).toFixed(2)}ms`;
  return `${Math.round(us)}us`;
}
