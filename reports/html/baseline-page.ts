// The page of `dbsim compare --baseline`: each figure's baseline median and range, the candidate's
// median, the change and the verdict (a regression in the failing color).

import { type BaselineComparison, baselineNotes, changeText, figureText, sidesLine } from "../baseline.js";
import { escapeHtml } from "./escape.js";
import { page } from "./page.js";
import { markup, table } from "./tables.js";

/** Verdicts in the colors of check verdicts: a regression fails, an improvement passes. */
const VERDICT_CLASS = { regressed: "verdict-false", improved: "verdict-true", "within noise": "" } as const;

export function renderBaselineHtml(comparison: BaselineComparison): string {
  const rows = comparison.rows.map((row) => {
    const className = VERDICT_CLASS[row.verdict];
    return [
      row.figure,
      figureText(row.baseline.median, row.unit),
      `${figureText(row.baseline.range[0], row.unit)}–${figureText(row.baseline.range[1], row.unit)}`,
      figureText(row.candidate.median, row.unit),
      changeText(row.change),
      {
        text:
          className === ""
            ? row.verdict
            : markup(`<span class="${className}">${escapeHtml(row.verdict)}</span>`),
      },
    ];
  });
  const body = `<header>
<h1>dbsim compare --baseline</h1>
<p>${escapeHtml(sidesLine(comparison))}</p>
</header>
<section id="baseline">
<h2>Figures</h2>
${table(["figure", "baseline", "range", "candidate", "change", "verdict"], rows)}
${baselineNotes(comparison)
  .map((note) => `<p class="note">${escapeHtml(note)}</p>`)
  .join("\n")}
</section>`;
  return page("dbsim compare --baseline", body);
}
