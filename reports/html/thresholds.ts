// The page's "Thresholds" section: the scenario's thresholds, each with its value (in the unit its
// condition is written in) and whether it was met. Only for a scenario with thresholds.

import type { Report } from "../report-schema.js";
import { thresholdValueText } from "../thresholds.js";
import { table, verdict } from "./tables.js";

export function thresholdsSection(report: Report): string {
  const results = report.thresholds ?? [];
  const rows = results.map((result) => [
    result.figure,
    { text: result.condition },
    thresholdValueText(result),
    verdict(String(result.ok)),
  ]);
  const breached = results.filter((result) => !result.ok).length;
  const verdictLine =
    breached === 0
      ? "Every threshold was met."
      : `${breached} of ${results.length} breached: the run exits 5 (unless a check failed: 1).`;
  return `<section id="thresholds">
<h2>Thresholds</h2>
${table(["figure", "condition", "value", "met"], rows)}
<p class="note">${verdictLine}</p>
</section>`;
}
