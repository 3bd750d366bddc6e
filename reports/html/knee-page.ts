// The page of `dbsim knee` (knee.html): each SLO figure against the offered rate (the hockey stick),
// one curve per variant with the SLO's bound and each knee marked; achieved against offered
// throughput (where it stops following, the system saturated); and every probed rate as a table.

import type { Threshold } from "../../workloads/scenario/thresholds.js";
import {
  achievedMedian,
  formatFigure,
  type KneePoint,
  type KneeResult,
  median,
  type VariantKnee,
} from "../knee.js";
import { escapeHtml } from "./escape.js";
import { page } from "./page.js";
import { align, type PlotSpec, type Points, plotFigure, type SeriesStyle, solidStyle } from "./plots.js";
import { type Cell, markup, table } from "./tables.js";
import type { Marker } from "./time-marks.js";

const BOUND_STYLE: SeriesStyle = { color: "#5b6672", dash: [2, 3] };
const P50_DASH = [8, 4];

/** The value that decides whether a rate meets the SLO: the worst seed's (null when a seed has none). */
function decidingValue(point: KneePoint, index: number, slo: Threshold): number | null {
  const values = point.runs.map((run) => run.slo[index]?.value ?? null);
  if (values.some((value) => value === null)) return null;
  const numbers = values as number[];
  if (slo.comparator === "<" || slo.comparator === "<=") return Math.max(...numbers);
  if (slo.comparator === ">" || slo.comparator === ">=") return Math.min(...numbers);
  const breaching = point.runs.findIndex((run) => run.slo[index]?.ok === false);
  return numbers[Math.max(0, breaching)] as number;
}

function kneeMarkers(result: KneeResult): Marker[] {
  return result.variants.flatMap((variant, v) =>
    variant.knee_ops_per_s === null
      ? []
      : [
          {
            at_s: variant.knee_ops_per_s,
            kind: "knee" as const,
            label: `${result.varied ? `${variant.label}: ` : ""}knee ${variant.knee_ops_per_s}/s`,
            color: solidStyle(v).color,
          },
        ],
  );
}

function xRange(result: KneeResult): [number, number] {
  const rates = result.variants.flatMap((v) => v.points.map((p) => p.offered_ops_per_s));
  return [0, Math.max(1, ...rates) * 1.05];
}

/** How a figure of this kind is drawn: its unit on the page and the factor from its report unit. */
function axis(slo: Threshold): { yUnit: PlotSpec["yUnit"]; yLog: boolean; scale: number; suffix: string } {
  if (slo.kind === "duration") return { yUnit: "us", yLog: true, scale: 1, suffix: "" };
  if (slo.kind === "rate") return { yUnit: "ops/s", yLog: false, scale: 1, suffix: "" };
  if (slo.kind === "ratio") return { yUnit: "number", yLog: false, scale: 100, suffix: " (%)" };
  return { yUnit: "number", yLog: false, scale: 1, suffix: "" };
}

function sloSpec(result: KneeResult, slo: Threshold, index: number, withP50: boolean): PlotSpec {
  const { yUnit, yLog, scale, suffix } = axis(slo);
  const scaled = (value: number | null) => (value === null ? null : value * scale);
  const curves = result.variants.flatMap((variant, v) => {
    const name = result.varied ? `${variant.label}: ` : "";
    const curve = {
      label: `${name}${slo.figure}`,
      style: solidStyle(v),
      points: variant.points.map((p): [number, number | null] => [
        p.offered_ops_per_s,
        scaled(decidingValue(p, index, slo)),
      ]),
    };
    if (!withP50) return [curve];
    const p50: Points = variant.points.map((p) => {
      const values = p.runs.flatMap((run) => (run.p50_us === null ? [] : [run.p50_us]));
      return [p.offered_ops_per_s, values.length === 0 ? null : median(values)];
    });
    return [
      curve,
      { label: `${name}${result.latency_op}.p50`, style: { ...solidStyle(v), dash: P50_DASH }, points: p50 },
    ];
  });
  const rates = [...new Set(curves.flatMap((c) => c.points.map(([x]) => x)))];
  const bound = {
    label: `SLO ${slo.condition}`,
    style: BOUND_STYLE,
    points: rates.map((x): [number, number] => [x, slo.bound * scale]),
  };
  return {
    kind: "load",
    yLabel: `${slo.figure}${suffix}`,
    yUnit,
    yLog,
    bands: [],
    markers: kneeMarkers(result),
    xRange: xRange(result),
    ...align([...curves, bound]),
  };
}

function achievedSpec(result: KneeResult): PlotSpec {
  const curves = result.variants.map((variant, v) => ({
    label: `${result.varied ? `${variant.label}: ` : ""}achieved`,
    style: solidStyle(v),
    points: variant.points.map((p): [number, number | null] => [p.offered_ops_per_s, achievedMedian(p)]),
  }));
  const rates = [...new Set(curves.flatMap((c) => c.points.map(([x]) => x)))];
  const offered = {
    label: "achieved = offered",
    style: BOUND_STYLE,
    points: rates.map((x): [number, number] => [x, x]),
  };
  return {
    kind: "load",
    yLabel: "ok ops/s",
    yUnit: "ops/s",
    yLog: false,
    bands: [],
    markers: kneeMarkers(result),
    xRange: xRange(result),
    ...align([...curves, offered]),
  };
}

function kneesTable(result: KneeResult): string {
  const rows = result.variants.map((variant): Cell[] => {
    const knee = variant.points.find((p) => p.offered_ops_per_s === variant.knee_ops_per_s);
    const command = knee?.runs[0]?.reproduce;
    return [
      result.varied ? variant.label : result.scenario,
      variant.knee_ops_per_s === null ? "–" : String(variant.knee_ops_per_s),
      variant.breach_ops_per_s === null ? "–" : String(variant.breach_ops_per_s),
      { text: variant.crashed === undefined ? (variant.note ?? "") : `a run crashed: ${variant.crashed}` },
      { text: command === undefined ? "" : markup(`<code>${escapeHtml(command)}</code>`) },
    ];
  });
  return table(["variant", "knee ops/s", "breached at ops/s", "note", "see the knee"], rows);
}

function pointsTable(result: KneeResult, variant: VariantKnee, slos: readonly Threshold[]): string {
  const seeds = result.seeds.join(", ");
  const rows = variant.points.map((point): Cell[] => [
    String(point.offered_ops_per_s),
    markup(
      point.ok ? '<span class="verdict-true">met</span>' : '<span class="verdict-false">breached</span>',
    ),
    ...slos.map((slo, i) => point.runs.map((run) => formatFigure(run.slo[i]?.value ?? null, slo)).join(" ")),
    achievedMedian(point).toFixed(1),
    String(point.probe),
  ]);
  return table(
    [
      "offered ops/s",
      "SLO",
      ...slos.map((slo) => `${slo.figure} (seeds ${seeds})`),
      "achieved ops/s (median)",
      "probe",
    ],
    rows,
  );
}

/** An interrupted search's line: how to go on. */
function interruptedFact(result: KneeResult): string {
  if (result.interrupted !== true || result.resume === undefined) return "";
  return `<dt>interrupted</dt><dd>a search had not ended; go on with <code>${escapeHtml(result.resume)}</code></dd>\n`;
}

/** The self-contained HTML page of a knee search; `slos` are the parsed --slo, in result.slo's order. */
export function renderKneeHtml(result: KneeResult, slos: readonly Threshold[]): string {
  const firstLatency = slos.findIndex((slo) => slo.kind === "duration");
  const sloFigures = slos
    .map((slo, i) =>
      plotFigure(
        `${slo.figure} against offered load`,
        `One line per variant: at each offered rate, the worst seed's ${slo.figure} (the one that decides whether the ` +
          `rate meets the SLO)${i === firstLatency ? `; dashed: ${result.latency_op}.p50, the median over seeds` : ""}; ` +
          `grey: the SLO's bound; vertical lines: the knees.`,
        sloSpec(result, slo, i, i === firstLatency),
      ),
    )
    .join("\n");
  const points = result.variants
    .map(
      (variant) =>
        `${result.varied ? `<h3>${escapeHtml(variant.label)}</h3>\n` : ""}${pointsTable(result, variant, slos)}`,
    )
    .join("\n");
  const title = `dbsim knee: ${result.scenario}`;
  const body = `<header>
<h1>${escapeHtml(title)}</h1>
<dl class="facts">
<dt>SLO</dt><dd>${escapeHtml(result.slo.join(" and "))}</dd>
<dt>seeds</dt><dd>${escapeHtml(result.seeds.join(", "))}: a rate meets the SLO when every seed's run meets it</dd>
<dt>precision</dt><dd>${escapeHtml(`${Number((result.precision * 100).toPrecision(3))}%`)}</dd>
${interruptedFact(result)}</dl>
</header>
<section id="knees">
<h2>Knees</h2>
${kneesTable(result)}
<p class="note">The knee is the highest offered rate probed whose runs met the SLO; the next rate probed above it breached it.</p>
</section>
<section id="load">
<h2>Against offered load</h2>
${sloFigures}
${plotFigure(
  "Achieved against offered throughput",
  "ok operations per measured second, the median over seeds, one line per variant; grey: achieved = offered. " +
    "Where a line leaves the grey one, the system no longer keeps up (saturation).",
  achievedSpec(result),
)}
</section>
<section id="points">
<h2>Rates probed</h2>
${points}
</section>`;
  return page(title, body);
}
