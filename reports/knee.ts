// The result of `dbsim knee`: per variant, the knee the search found and every rate it probed (each
// seed's SLO figures, p50 and achieved throughput), as knee.json holds it and the terminal prints it.
// A function of the reports only (no host figure), so the same command gives the same bytes.

import type { Threshold } from "../workloads/scenario/thresholds.js";
import { formatUs } from "./compare.js";
import type { KneeBounds, KneeSearch } from "./knee-search.js";
import type { Report } from "./report-schema.js";
import { alignedLines } from "./text-table.js";
import { evaluateThresholds, type ThresholdResult } from "./thresholds.js";

export interface KneeRun {
  readonly seed: number;
  /** Every SLO met. */
  readonly ok: boolean;
  /** Each SLO judged on this run, as report.json's `thresholds`: figure, condition, value, ok, note. */
  readonly slo: readonly ThresholdResult[];
  /** ok operations per measured second. */
  readonly achieved_ops_per_s: number;
  /** p50 latency of the result's `latency_op`; null when it has no ok operations. */
  readonly p50_us: number | null;
  /** The command that runs this seed at this rate and writes its run directory. */
  readonly reproduce: string;
}

export interface KneePoint {
  readonly offered_ops_per_s: number;
  /** Its place in the search: 1 for the first rate probed. */
  readonly probe: number;
  /** Every seed's run met every SLO. */
  readonly ok: boolean;
  readonly runs: readonly KneeRun[];
}

/** Why the search could go no higher than its cap. */
export type CapReason = "--to" | "--max-memory" | "max-rate";

/** Where an unfinished search stands: the highest rate met and the lowest breached so far. */
export interface KneeBracket {
  readonly met_ops_per_s: number | null;
  readonly breached_ops_per_s: number | null;
}

/** One variant's knee; `note` says why the knee is null or only a lower bound. */
export interface VariantKnee extends KneeSearch {
  readonly label: string;
  /** The variant's `path=value` overrides (none without --vary). */
  readonly overrides: readonly string[];
  /** Only when the search was interrupted before it ended (its knee and breach are then null). */
  readonly bracket?: KneeBracket;
  readonly note?: string;
  /** A run crashed (a bug in dbsim): the search of this variant stopped there. */
  readonly crashed?: string;
  readonly search: Omit<KneeBounds, "precision">;
  /** By offered rate. */
  readonly points: readonly KneePoint[];
}

export const KNEE_SCHEMA = "dbsim.knee/v1";

export interface KneeResult {
  readonly schema: typeof KNEE_SCHEMA;
  /** The simulation the rates ran on: another version may place the knee elsewhere. */
  readonly dbsim_version: string;
  readonly scenario: string;
  /** Each --slo as given. */
  readonly slo: readonly string[];
  readonly seeds: readonly number[];
  readonly precision: number;
  /** The operation whose p50 each run records: the first latency SLO's, else all. */
  readonly latency_op: string;
  /** With --vary: knee.json lists the variants; without, it holds the one knee at its top level. */
  readonly varied: boolean;
  readonly variants: readonly VariantKnee[];
  /** Only when SIGINT or SIGTERM stopped a search before it ended: true, and the command that goes on. */
  readonly interrupted?: true;
  readonly resume?: string;
}

/** The operation a latency SLO names (`update.p99` -> update), else all. */
export function latencyOperation(slos: readonly Threshold[]): string {
  for (const slo of slos) {
    const locator = slo.locator;
    if (locator.source === "path" && locator.path[0] === "ops" && locator.path[2] === "latency_us") {
      return locator.path[1] as string;
    }
  }
  return "all";
}

/** One seed's run at a probed rate, judged against the SLOs. */
export function kneeRun(
  report: Report,
  slos: readonly Threshold[],
  latencyOp: string,
  reproduce: string,
): KneeRun {
  const slo = evaluateThresholds(report, slos);
  return {
    seed: report.seed,
    ok: slo.every((result) => result.ok),
    slo,
    achieved_ops_per_s: report.throughput_ops_per_s,
    p50_us: report.ops[latencyOp]?.latency_us.p50 ?? null,
    reproduce,
  };
}

const CAP_REASONS: Readonly<Record<CapReason, string>> = {
  "--to": "--to",
  "--max-memory": "more would be estimated over --max-memory",
  "max-rate": "the most a scenario may offer, one operation per µs",
};

/** Why a variant's knee is null or only a lower bound; undefined when the search bracketed it. */
export function kneeNote(search: KneeSearch, bounds: KneeBounds, cap: CapReason): string | undefined {
  if (search.knee_ops_per_s === null) {
    return `even ${bounds.floor_ops_per_s}/s, the lowest rate the search may probe, breaches the SLO`;
  }
  if (search.breach_ops_per_s === null) {
    return (
      `the SLO holds at ${bounds.cap_ops_per_s}/s, the highest rate the search may probe ` +
      `(${CAP_REASONS[cap]}): the knee is at least that`
    );
  }
  return undefined;
}

/** The bracket of a search stopped part way, from the points it probed (the search keeps no other). */
export function kneeBracket(points: readonly KneePoint[]): KneeBracket {
  const met = points.filter((p) => p.ok).map((p) => p.offered_ops_per_s);
  const breached = points.filter((p) => !p.ok).map((p) => p.offered_ops_per_s);
  return {
    met_ops_per_s: met.length === 0 ? null : Math.max(...met),
    breached_ops_per_s: breached.length === 0 ? null : Math.min(...breached),
  };
}

/** What an interrupted search knows of its knee. */
export function bracketNote(bracket: KneeBracket): string {
  const { met_ops_per_s: met, breached_ops_per_s: breached } = bracket;
  const known =
    met !== null && breached !== null
      ? `the knee is at least ${met}/s and below ${breached}/s`
      : met !== null
        ? `the knee is at least ${met}/s`
        : breached !== null
          ? `the knee is below ${breached}/s`
          : "no rate was probed";
  return `the search was interrupted; so far ${known}`;
}

/** knee.json (and --json): one knee at the top level, or with --vary one per variant. */
export function kneeJson(result: KneeResult): unknown {
  const { varied, variants, interrupted, resume, ...header } = result;
  const knee = (variant: VariantKnee) => {
    const { label, overrides, ...rest } = variant;
    return varied ? variant : rest;
  };
  const stopped = interrupted === true ? { interrupted, resume } : {};
  if (varied) return { ...header, variants: variants.map(knee), ...stopped };
  return { ...header, ...knee(variants[0] as VariantKnee), ...stopped };
}

/** A figure's value as the SLO writes its bound: 8.70ms, 9512.3/s, 0.52%, 3. */
export function formatFigure(value: number | null, slo: Pick<Threshold, "kind">): string {
  if (value === null) return "-";
  switch (slo.kind) {
    case "duration":
      return formatUs(value);
    case "rate":
      return `${value.toFixed(1)}/s`;
    case "ratio":
      return `${Number((value * 100).toPrecision(3))}%`;
    default:
      return String(Number(value.toPrecision(6)));
  }
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The median achieved throughput of a point's runs. */
export function achievedMedian(point: KneePoint): number {
  return median(point.runs.map((run) => run.achieved_ops_per_s));
}

/** "knee 10625 ops/s (10938/s breached)", or why there is none. */
export function kneeHeadline(variant: VariantKnee): string {
  if (variant.crashed !== undefined) return `no knee: a run crashed (${variant.crashed})`;
  if (variant.bracket !== undefined) return `no knee yet: ${variant.note}`;
  const { knee_ops_per_s: knee, breach_ops_per_s: breach } = variant;
  if (knee === null) return `no knee: ${variant.note}`;
  if (breach === null) return `knee at least ${knee} ops/s: ${variant.note}`;
  return `knee ${knee} ops/s (${breach}/s breached)`;
}

/** One variant's points as an aligned table: rate, met, each SLO's value per seed, median achieved. */
function pointLines(result: KneeResult, variant: VariantKnee, slos: readonly Threshold[]): string[] {
  const seeds = result.seeds.join(" ");
  const head = ["offered/s", "met", ...slos.map((slo) => `${slo.figure} (seeds ${seeds})`), "achieved/s", ""];
  const rows = variant.points.map((point) => [
    String(point.offered_ops_per_s),
    point.ok ? "yes" : "no",
    ...slos.map((slo, i) => point.runs.map((run) => formatFigure(run.slo[i]?.value ?? null, slo)).join(" ")),
    achievedMedian(point).toFixed(1),
    point.offered_ops_per_s === variant.knee_ops_per_s ? "<- knee" : "",
  ]);
  return alignedLines([head, ...rows], (i, cells) => i === 1 || i === cells - 1).map((line) => `  ${line}`);
}

/** What the terminal prints: the search's terms, then per variant its knee and its points. */
export function kneeText(result: KneeResult, slos: readonly Threshold[]): string {
  const seeds = result.seeds;
  const range = seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}..${seeds[seeds.length - 1]}`;
  const lines = [
    `dbsim knee: ${result.scenario}, SLO ${result.slo.join(" and ")}, ${range}, precision ${Number((result.precision * 100).toPrecision(3))}%`,
    `a rate meets the SLO when every seed's run meets ${slos.length === 1 ? "it" : "every --slo"}; achieved/s is the median over seeds`,
  ];
  for (const variant of result.variants) {
    lines.push("", `${result.varied ? `${variant.label}: ` : ""}${kneeHeadline(variant)}`);
    lines.push(...pointLines(result, variant, slos));
    const knee = variant.points.find((point) => point.offered_ops_per_s === variant.knee_ops_per_s);
    if (knee?.runs[0] !== undefined) lines.push(`  see the knee: ${knee.runs[0].reproduce}`);
  }
  return `${lines.join("\n")}\n`;
}
