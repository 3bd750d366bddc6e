// `dbsim compare --baseline`: is a candidate worse than a baseline beyond noise? Each side is a set
// of seeds, each seed reduced to a few figures (seedFigures: what sweep.json keeps per seed, named
// as thresholds name them). The baseline's spread is its seeds' [min, max] (one seed: the run's own
// 95% sampling interval, noise.ts); the candidate's value is its median over its seeds. A figure
// regressed when the candidate is worse than the baseline's worst bound by more than the tolerance
// (relative), improved when better than its best bound by as much, and is within noise otherwise.

import { formatValue, median } from "./compare.js";
import {
  countInterval,
  type Interval,
  meanInterval,
  percentileInterval,
  precisionInterval,
  rateInterval,
} from "./noise.js";
import type { OpReport, Report } from "./report-schema.js";
import { alignedLines } from "./text-table.js";
import { errorRate } from "./thresholds.js";

/** One seed's figures by name (`throughput`, `read.p99`, `all.error_rate`); null: none (no ok operation). */
export type SeedFigures = Record<string, number | null>;

/** The latency statistics kept per seed and operation (the maximum is one sample: no baseline). */
const LATENCY_STATS = [
  ["p50", 50],
  ["p90", 90],
  ["p99", 99],
  ["p999", 99.9],
  ["mean", null],
] as const;

/** throughput, then per operation (in the report's order) its latency statistics and error rate. */
export function seedFigures(report: Report): SeedFigures {
  const figures: SeedFigures = { throughput: report.throughput_ops_per_s };
  for (const [op, figuresOfOp] of Object.entries(report.ops)) {
    for (const [stat] of LATENCY_STATS) {
      figures[`${op}.${stat}`] = figuresOfOp.ok === 0 ? null : figuresOfOp.latency_us[stat];
    }
    figures[`${op}.error_rate`] = errorRate(figuresOfOp);
  }
  return figures;
}

/** How far chance could move each of one run's figures (a baseline of one seed has no other spread). */
export function seedNoise(report: Report): Map<string, Interval> {
  const noise = new Map<string, Interval>();
  const all = report.ops.all;
  if (all !== undefined) noise.set("throughput", rateInterval(all.ok, report.sim.measured_duration_s));
  for (const [op, figures] of Object.entries(report.ops)) {
    for (const [stat, p] of LATENCY_STATS) {
      if (figures.ok === 0) continue;
      const value = figures.latency_us[stat];
      noise.set(
        `${op}.${stat}`,
        p === null ? meanInterval(figures, value) : percentileInterval(figures, p, value),
      );
    }
    const errors = errorCountInterval(figures);
    if (errors !== null) noise.set(`${op}.error_rate`, errors);
  }
  return noise;
}

function errorCountInterval(op: OpReport): Interval | null {
  if (op.count === 0) return null;
  const [low, high] = countInterval(op.fail + op.info);
  return [low / op.count, Math.min(1, high / op.count)];
}

/** One side of the comparison: its seeds' figures, and (when it is one run) that run's noise. */
export interface BaselineSide {
  sources: string[];
  seeds: { seed: number; figures: SeedFigures }[];
  /** The run's own sampling intervals, when the side is one run read from its report. */
  noise?: Map<string, Interval>;
}

export type Verdict = "regressed" | "improved" | "within noise";

export interface BaselineRow {
  figure: string;
  better: "lower" | "higher";
  unit: "ops/s" | "us" | "ratio";
  baseline: { median: number; range: Interval; seeds: number };
  candidate: { median: number; seeds: number };
  /** (candidate - baseline median) / baseline median; null when the baseline median is 0. */
  change: number | null;
  verdict: Verdict;
}

export interface BaselineComparison {
  tolerance: number;
  baseline: { sources: string[]; seeds: number[] };
  candidate: { sources: string[]; seeds: number[] };
  rows: BaselineRow[];
  /** Figures of only one side (an operation the other never did): not compared. */
  unmatched: string[];
  regressed: string[];
}

/** Compares each figure the two sides share; `tolerance` is relative (0.05: 5%). */
export function compareBaseline(
  baseline: BaselineSide,
  candidate: BaselineSide,
  tolerance: number,
): BaselineComparison {
  const names = figureNames(baseline, candidate);
  const rows: BaselineRow[] = [];
  const unmatched: string[] = [];
  for (const figure of names) {
    const base = valuesOf(baseline, figure);
    const cand = valuesOf(candidate, figure);
    if (base.length === 0 || cand.length === 0) {
      unmatched.push(figure);
      continue;
    }
    const baseMedian = median(base);
    const candMedian = median(cand);
    const range = spread(baseline, figure, base);
    const better = figure === "throughput" ? "higher" : "lower";
    rows.push({
      figure,
      better,
      unit: figure === "throughput" ? "ops/s" : figure.endsWith(".error_rate") ? "ratio" : "us",
      baseline: { median: baseMedian, range, seeds: base.length },
      candidate: { median: candMedian, seeds: cand.length },
      change: baseMedian === 0 ? null : (candMedian - baseMedian) / baseMedian,
      verdict: verdictOf(candMedian, range, better, tolerance),
    });
  }
  return {
    tolerance,
    baseline: { sources: baseline.sources, seeds: baseline.seeds.map((s) => s.seed) },
    candidate: { sources: candidate.sources, seeds: candidate.seeds.map((s) => s.seed) },
    rows,
    unmatched,
    regressed: rows.filter((row) => row.verdict === "regressed").map((row) => row.figure),
  };
}

/** Every figure name of either side, the baseline's first, in the order their seeds list them. */
function figureNames(...sides: BaselineSide[]): string[] {
  const names = new Set<string>();
  for (const side of sides)
    for (const { figures } of side.seeds) for (const name of Object.keys(figures)) names.add(name);
  return [...names];
}

/** The side's values of a figure, ascending (seeds without one left out). */
function valuesOf(side: BaselineSide, figure: string): number[] {
  return side.seeds
    .map(({ figures }) => figures[figure])
    .filter((value): value is number => typeof value === "number")
    .sort((a, b) => a - b);
}

/** The baseline's spread: its seeds' range; one seed: its own sampling interval, else its printed precision. */
function spread(side: BaselineSide, figure: string, values: readonly number[]): Interval {
  if (values.length > 1) return [values[0] as number, values[values.length - 1] as number];
  const value = values[0] as number;
  return side.noise?.get(figure) ?? precisionInterval(value);
}

function verdictOf(
  value: number,
  [low, high]: Interval,
  better: "lower" | "higher",
  tolerance: number,
): Verdict {
  const worse = better === "lower" ? value > high * (1 + tolerance) : value < low * (1 - tolerance);
  if (worse) return "regressed";
  const improved = better === "lower" ? value < low * (1 - tolerance) : value > high * (1 + tolerance);
  return improved ? "improved" : "within noise";
}

/** The comparison as an aligned text table, a line on each side's seeds, and the verdict. */
export function baselineTable(comparison: BaselineComparison): string {
  const header = ["figure", "baseline", "range", "candidate", "change", "verdict"];
  const lines = [
    header,
    ...comparison.rows.map((row) => [
      row.figure,
      figureText(row.baseline.median, row.unit),
      `${figureText(row.baseline.range[0], row.unit)}–${figureText(row.baseline.range[1], row.unit)}`,
      figureText(row.candidate.median, row.unit),
      changeText(row.change),
      row.verdict,
    ]),
  ];
  const table = alignedLines(lines, (i) => i === 0 || i === 5);
  return [sidesLine(comparison), "", ...table, "", ...baselineNotes(comparison), ""].join("\n");
}

/** Which sources and seeds each side is. */
export function sidesLine({ baseline, candidate }: BaselineComparison): string {
  return (
    `baseline: ${baseline.sources.join(" ")} (${seedsText(baseline.seeds)}); ` +
    `candidate: ${candidate.sources.join(" ")} (${seedsText(candidate.seeds)})`
  );
}

/** What the columns mean, the figures not compared, and the verdict. */
export function baselineNotes(comparison: BaselineComparison): string[] {
  const tolerance = percentText(comparison.tolerance);
  const regressed = comparison.regressed;
  return [
    "baseline: median and range over its seeds (one seed: its 95% sampling interval); candidate: median over its seeds",
    ...(comparison.unmatched.length === 0
      ? []
      : [`not compared (one side only): ${comparison.unmatched.join(", ")}`]),
    regressed.length === 0
      ? `no figure regressed beyond the baseline's range and the ${tolerance} tolerance`
      : `regressed beyond the baseline's range and the ${tolerance} tolerance: ${regressed.join(", ")}`,
  ];
}

/** A figure's value as the table prints it (error rates as percentages). */
export function figureText(value: number, unit: BaselineRow["unit"]): string {
  if (!Number.isFinite(value)) return "∞";
  return unit === "ratio" ? percentText(value) : formatValue(value, unit);
}

export function changeText(change: number | null): string {
  if (change === null) return "-";
  return `${change >= 0 ? "+" : ""}${(change * 100).toFixed(1)}%`;
}

function percentText(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}

function seedsText(seeds: readonly number[]): string {
  const shown = seeds.length <= 10 ? seeds.join(", ") : `${seeds.slice(0, 10).join(", ")}, ...`;
  return `${seeds.length} seed${seeds.length === 1 ? "" : "s"}: ${shown}`;
}
