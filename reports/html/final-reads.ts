// The page's "Final reads" section: Jepsen's final phase (when it ran, what it read), the lost-writes
// figure judged on it, and the keys on which the replicas disagree at rest, one column per replica.

import { describeValue } from "../../workloads/checkers/history.js";
import type { Report } from "../report-schema.js";
import { lostWritesLine } from "../summary.js";
import { escapeHtml } from "./escape.js";
import { table } from "./tables.js";

/** The page lists at most this many diverged keys (report.json more, history.jsonl every one). */
export const DIVERGENCE_ROWS = 20;

export function finalReadsSection(report: Report): string {
  const f = report.final_reads;
  if (f === null || f === undefined) return "";
  const facts = [
    `every fault ended at ${f.healed_at_s.toFixed(2)} s; the cluster settled for ${f.settle_s} s; ` +
      `reads from ${f.reads_from_s.toFixed(2)} s to ${f.end_s.toFixed(2)} s (process ${f.process} in history.jsonl)`,
    `${f.reads} reads of ${f.keys} keys, each from every replica${f.unanswered > 0 ? `; ${f.unanswered} unanswered` : ""}`,
    `leaders when the reads began: ${f.leaders.join(", ") || "none"}; during the final phase ` +
      `${f.leader_changes} promotions, ${f.truncated_entries} log entries discarded`,
    lostWritesLine(report),
  ].filter((fact): fact is string => fact !== null);
  const listed = f.divergence.slice(0, DIVERGENCE_ROWS);
  const replicas = [...new Set(listed.flatMap((entry) => Object.keys(entry.values)))].sort();
  const divergence =
    f.diverged_keys === 0
      ? "<p>The replicas agree on every key.</p>"
      : `<h3>Keys on which the replicas disagree (the first ${listed.length} of ${f.diverged_keys})</h3>
${table(
  ["key", ...replicas],
  listed.map((entry) => [
    { text: entry.key ?? "(every balance)" },
    ...replicas.map((node) => (node in entry.values ? describeValue(entry.values[node]) : "no answer")),
  ]),
  "divergence",
)}
<p class="note">The value each replica holds at rest (null: empty). report.json lists the first
${f.divergence.length}; every key's values are in history.jsonl, as the reads of process ${f.process}.</p>`;
  return `<section id="final-reads">
<h2>Final reads</h2>
<ul>${facts.map((fact) => `<li>${escapeHtml(fact)}</li>`).join("")}</ul>
${divergence}
</section>`;
}
