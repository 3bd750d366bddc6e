// Plot specifications (the JSON the page's script draws with uPlot) and the figures that hold them.

import type { OpReport, Report } from "../report-schema.js";
import { escapeHtml, jsonForScript } from "./escape.js";
import { type Band, combinedTimeMarks, type Marker, timeMarks } from "./time-marks.js";

/** How a series is stroked: a color and a canvas dash pattern ([] for a solid line). */
export interface SeriesStyle {
  color: string;
  dash: number[];
}

export interface PlotSeries extends SeriesStyle {
  label: string;
  values: (number | null)[];
}

/** What client.ts draws: series aligned on one x array (null where a series has no point). */
export interface PlotSpec {
  /** load: x is the offered rate (ops/s), as `dbsim knee` plots it. */
  kind: "spectrum" | "time" | "load";
  yLabel: string;
  yUnit: "us" | "ops/s" | "number";
  yLog: boolean;
  x: number[];
  series: PlotSeries[];
  /** Time plots: labelled spans (warmup, drain, faults, reshards) and instants (failovers, heals). */
  bands: Band[];
  markers: Marker[];
  /** The x axis' extent: seconds (time plots), ops/s (load plots). */
  xRange?: [number, number];
}

export type Points = [number, number | null][];

/** One color per series, in order (Tableau 10). */
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const DASHES = [[], [8, 4], [2, 3], [12, 3, 2, 3]];

/** The index-th series of a plot, solid. */
export function solidStyle(index: number): SeriesStyle {
  return { color: PALETTE[index % PALETTE.length] as string, dash: [] };
}

/** The index-th run of a comparison: a dash pattern as well, so runs with equal figures stay visible. */
export function runStyle(index: number): SeriesStyle {
  return { ...solidStyle(index), dash: DASHES[index % DASHES.length] as number[] };
}

/** Aligns each series' [x, y] points on the sorted union of their x values. */
export function align(series: { label: string; style: SeriesStyle; points: Points }[]): {
  x: number[];
  series: PlotSeries[];
} {
  const x = [...new Set(series.flatMap((s) => s.points.map(([px]) => px)))].sort((a, b) => a - b);
  const index = new Map(x.map((value, i) => [value, i]));
  return {
    x,
    series: series.map((s) => {
      const values: (number | null)[] = x.map(() => null);
      for (const [px, py] of s.points) values[index.get(px) as number] = py;
      return { label: s.label, ...s.style, values };
    }),
  };
}

/**
 * An operation's spectrum on HdrHistogram's axis x = 1 / (1 - percentile / 100). The maximum
 * (percentile 100, x infinite) is drawn at x = n, the ok count, where the last sample's percentile
 * (n - 1) / n lies. Latencies below 1 µs are drawn at 1 µs, the log axis' floor.
 */
export function spectrumPoints(op: OpReport): Points {
  const points: Points = [];
  for (const [percentile, us] of op.spectrum) {
    const last = points[points.length - 1]?.[0] ?? 1;
    const x = percentile >= 100 ? Math.max(op.ok, last) : 1 / (1 - percentile / 100);
    points.push([Math.round(x * 1000) / 1000, Math.max(1, us)]);
  }
  return points;
}

export function spectrumSpec(series: { label: string; style: SeriesStyle; op: OpReport }[]): PlotSpec {
  const aligned = align(
    series.map((s) => ({ label: s.label, style: s.style, points: spectrumPoints(s.op) })),
  );
  return { kind: "spectrum", yLabel: "latency", yUnit: "us", yLog: true, bands: [], markers: [], ...aligned };
}

/**
 * Points of a timeline series, at the middle of each interval; `zeroIsGap` for latencies (0: none).
 * The last interval ends with the run (timeline.ts), so its point is at the middle of what it lasted.
 */
/** One point per timeline interval, at its middle; null values (and zeros, with zeroIsGap) are gaps. */
function timelinePoints(report: Report, values: readonly (number | null)[], zeroIsGap: boolean): Points {
  const { t_s, interval_s } = report.timeline;
  const end_s = report.sim.virtual_duration_s;
  return t_s.map((t, i) => {
    const v = values[i] ?? 0;
    const last = i === t_s.length - 1 && end_s > t;
    const middle = last ? (t + end_s) / 2 : t + interval_s / 2;
    return [Math.round(middle * 1e6) / 1e6, v === null || (zeroIsGap && v === 0) ? null : v];
  });
}

function timeRange(reports: Report[]): [number, number] {
  return [0, Math.max(...reports.map((r) => r.sim.virtual_duration_s))];
}

/** Throughput over virtual time, one series per run. */
export function throughputSpec(runs: { label: string; style: SeriesStyle; report: Report }[]): PlotSpec {
  const achieved = runs.map((r) => ({
    label: r.label,
    style: r.style,
    points: timelinePoints(r.report, r.report.timeline.ops_per_s, false),
  }));
  const offered = offeredSeries(runs);
  const aligned = align([...achieved, ...offered]);
  const reports = runs.map((r) => r.report);
  return {
    kind: "time",
    yLabel: offered.length === 0 ? "ok ops/s" : "ops/s",
    yUnit: "ops/s",
    yLog: false,
    ...combinedTimeMarks(reports),
    xRange: timeRange(reports),
    ...aligned,
  };
}

/** The offered load is dotted, so it reads as the target the achieved lines follow. */
const OFFERED_DASH = [2, 4];

/** What draws a run's arrivals: runs alike in it were offered the same operations at the same times. */
function arrivalsKey(report: Report): string {
  const { workload, warmup, duration } = report.config;
  return JSON.stringify([report.seed, workload.rate, workload.arrival, warmup, duration]);
}

/**
 * The open-loop load offered over virtual time: one grey line when every run had the same arrivals
 * (strategies compared at one seed), else one per run in the run's color; none for a closed loop.
 */
function offeredSeries(
  runs: { label: string; style: SeriesStyle; report: Report }[],
): { label: string; style: SeriesStyle; points: Points }[] {
  const offered = runs.flatMap((r) => {
    const values = r.report.timeline.offered_ops_per_s;
    return values === undefined ? [] : [{ run: r, points: timelinePoints(r.report, values, false) }];
  });
  const first = offered[0];
  if (first === undefined) return [];
  const same = arrivalsKey(first.run.report);
  if (offered.length === runs.length && offered.every((o) => arrivalsKey(o.run.report) === same)) {
    const style = { color: "#7f7f7f", dash: OFFERED_DASH };
    return [{ label: "offered ops/s", style, points: first.points }];
  }
  return offered.map((o) => ({
    label: `${o.run.label} offered`,
    style: { color: o.run.style.color, dash: OFFERED_DASH },
    points: o.points,
  }));
}

/** p50 and p99 latency over virtual time of one run. */
export function latencyOverTimeSpec(report: Report): PlotSpec {
  const aligned = align([
    { label: "p50", style: solidStyle(0), points: timelinePoints(report, report.timeline.p50_us, true) },
    { label: "p99", style: solidStyle(1), points: timelinePoints(report, report.timeline.p99_us, true) },
  ]);
  return {
    kind: "time",
    yLabel: "latency",
    yUnit: "us",
    yLog: true,
    ...timeMarks(report),
    xRange: timeRange([report]),
    ...aligned,
  };
}

/** The largest replication lag per interval over virtual time of one run. */
export function lagOverTimeSpec(report: Report): PlotSpec {
  const aligned = align([
    {
      label: "max lag",
      style: solidStyle(0),
      points: timelinePoints(report, report.timeline.replication_lag_us, true),
    },
  ]);
  return {
    kind: "time",
    yLabel: "replication lag",
    yUnit: "us",
    yLog: true,
    ...timeMarks(report),
    xRange: timeRange([report]),
    ...aligned,
  };
}

/** The cache's hit ratio over time, in percent (intervals without a cache read are gaps). */
export function cacheHitRatioSpec(report: Report): PlotSpec {
  const ratios = report.timeline.cache_hit_ratio ?? [];
  const percent = ratios.map((r) => (r === null ? null : Math.round(r * 1000) / 10));
  const aligned = align([
    { label: "hit ratio %", style: solidStyle(0), points: timelinePoints(report, percent, false) },
  ]);
  return {
    kind: "time",
    yLabel: "cache hit ratio (%)",
    yUnit: "number",
    yLog: false,
    ...timeMarks(report),
    xRange: timeRange([report]),
    ...aligned,
  };
}

/** A figure the page's script draws `spec` into; `title` and `caption` are plain text. */
export function plotFigure(title: string, caption: string, spec: PlotSpec): string {
  return `<figure class="plot">
<h3>${escapeHtml(title)}</h3>
<div class="plot-area"><p class="note">This plot is drawn by JavaScript, which is off; the tables hold its figures.</p></div>
<figcaption>${escapeHtml(caption)}</figcaption>
<script type="application/json" class="plot-data">${jsonForScript(spec)}</script>
</figure>`;
}

/** How to read a spectrum plot, said once per page above the plots. */
export const SPECTRUM_NOTE =
  "Latency percentile spectra of ok operations, as HdrHistogram plots them: x is 1/(1 - percentile/100) " +
  "on a log scale, so each decade to the right adds a nine (90%, 99%, 99.9%, ...). " +
  "The maximum is drawn at the last sample's percentile, (n - 1)/n.";

export const SPECTRUM_CAPTION = "y: latency on a log scale.";

export const THROUGHPUT_CAPTION =
  "ok operations completed per second; dotted, an open loop's offered load: operations intended to start per second.";

export const TIME_SHADING_CAPTION =
  "Bands, labelled above the plot: grey outside the measured phase (warmup before it; the drain after it, " +
  "when no operation starts and those in flight finish), one color per fault (its kind and targets), " +
  "blue while data moves between shards; lines: failovers. " +
  "Each point is one interval (1 s) drawn at its middle; the last one lasts to the run's end.";
