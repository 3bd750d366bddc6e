// The page of a comparison: its table, and the runs' spectra and throughput overlaid.

import { formatValue, isStarred, noiseLabel, noiseNotes } from "../compare.js";
import type { Comparison, ComparisonCell, ComparisonRow } from "../comparison.js";
import type { Report } from "../report-schema.js";
import { escapeHtml } from "./escape.js";
import { page } from "./page.js";
import {
  plotFigure,
  runStyle,
  SPECTRUM_CAPTION,
  SPECTRUM_NOTE,
  spectrumSpec,
  THROUGHPUT_CAPTION,
  TIME_SHADING_CAPTION,
  throughputSpec,
} from "./plots.js";
import { type Cell, markup, type Section, table, verdict } from "./tables.js";

export interface LabelledReport {
  label: string;
  report: Report;
}

function valueCell(row: ComparisonRow, cell: ComparisonCell, column: number): Cell {
  if (cell.value === null) return "–";
  if (row.unit === "") return verdict(String(cell.value));
  const text = escapeHtml(formatValue(cell.value, row.unit));
  const value = isStarred(row, column) ? `<strong class="best">${text} *</strong>` : text;
  const range =
    cell.range === undefined
      ? ""
      : `<span class="range">${escapeHtml(cell.range.map((v) => formatValue(v, row.unit)).join("–"))}</span>`;
  return markup(value + range);
}

function figureCell(row: ComparisonRow): Cell {
  const noise = row.withinNoise ? ` <span class="noise">(${escapeHtml(noiseLabel(row))})</span>` : "";
  return markup(escapeHtml(row.figure) + noise);
}

function comparisonTableHtml(comparison: Comparison): string {
  const rows: (Cell[] | Section)[] = [];
  let section = "";
  for (const row of comparison.rows) {
    if (row.section !== section) {
      section = row.section;
      rows.push({ section });
    }
    rows.push([figureCell(row), ...row.cells.map((cell, i) => valueCell(row, cell, i))]);
  }
  return table(["figure", ...comparison.columns.map((c) => c.label)], rows);
}

function columnsTable(comparison: Comparison): string {
  return table(
    ["column", "source", "seeds"],
    comparison.columns.map((c) => [c.label, { text: c.source }, { text: c.seeds.join(", ") }]),
  );
}

/** Operation names of every run, in first-seen order with "all" last. */
function opNames(runs: LabelledReport[]): string[] {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.report.ops)))];
  return [...names.filter((n) => n !== "all"), ...names.filter((n) => n === "all")];
}

function spectrumFigures(runs: LabelledReport[]): string {
  return opNames(runs)
    .map((name) => {
      const series = runs.flatMap((run, i) => {
        const op = run.report.ops[name];
        return op === undefined || op.spectrum.length === 0
          ? []
          : [{ label: run.label, style: runStyle(i), op }];
      });
      if (series.length === 0) return `<p class="note">${escapeHtml(name)}: no ok operations in any run.</p>`;
      return plotFigure(`${name}: latency by percentile`, SPECTRUM_CAPTION, spectrumSpec(series));
    })
    .join("\n");
}

function throughputFigure(runs: LabelledReport[]): string {
  const spec = throughputSpec(
    runs.map((run, i) => ({ label: run.label, style: runStyle(i), report: run.report })),
  );
  return plotFigure(
    "Throughput over virtual time",
    `${THROUGHPUT_CAPTION} One line per run. ${TIME_SHADING_CAPTION}`,
    spec,
  );
}

function tableNote(comparison: Comparison): string {
  const notes = noiseNotes(comparison).map((note) => `${note.replace(/^\* /, "Bold with *: the ")}.`);
  notes.push("Latency from each operation's intended start, ok operations only.");
  if (comparison.rows.some((r) => r.cells.some((c) => c.range !== undefined))) {
    notes.push("The smaller figures under a value are its min–max range across seeds.");
  }
  return `<p class="note">${escapeHtml(notes.join(" "))}</p>`;
}

/**
 * The self-contained HTML page of a comparison. `runs` are the reports whose spectra and timelines
 * are overlaid, labelled as their columns.
 */
export function renderComparisonHtml(comparison: Comparison, runs: LabelledReport[]): string {
  const labels = comparison.columns.map((c) => c.label);
  const body = `<header>
<h1>dbsim comparison: ${escapeHtml(labels.join(" vs "))}</h1>
${columnsTable(comparison)}
</header>
<section id="comparison">
<h2>Figures</h2>
${comparisonTableHtml(comparison)}
${tableNote(comparison)}
</section>
<section id="spectrum">
<h2>Latency percentile spectrum</h2>
<p class="note">${escapeHtml(SPECTRUM_NOTE)}</p>
${spectrumFigures(runs)}
</section>
<section id="timeline">
<h2>Over virtual time</h2>
${throughputFigure(runs)}
</section>`;
  return page(`dbsim comparison: ${labels.join(" vs ")}`, body);
}
