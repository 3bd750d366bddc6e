// The page's "RPO and RTO" section: what the schedule's first region fault cost the writes, the
// figures of the summary's RPO/RTO line (report.json `rpo_rto`) in one row.

import { formatUs } from "../compare.js";
import type { Report } from "../report-schema.js";
import { table } from "./tables.js";

export function rpoRtoSection(report: Report): string {
  const r = report.rpo_rto;
  if (r === undefined) return "";
  const row = [
    { text: `${r.fault.kind} ${r.fault.region}` },
    r.fault.at_s.toFixed(2),
    r.fault.for_s === null ? "the run" : r.fault.for_s.toFixed(2),
    r.lost_writes === null ? "not judged" : String(r.lost_writes),
    r.divergent_writes === null ? "-" : String(r.divergent_writes),
    r.lost_before_fault_s === null ? "-" : formatUs(r.lost_before_fault_s * 1e6),
    r.lost_acked_first_s === null || r.lost_acked_last_s === null
      ? "-"
      : `${r.lost_acked_first_s.toFixed(3)} to ${r.lost_acked_last_s.toFixed(3)}`,
    r.write_outage_s === null ? "no write since" : r.write_outage_s.toFixed(3),
    String(r.writes_failed_or_timed_out),
  ];
  return `<section id="rpo-rto">
<h2>RPO and RTO</h2>
${table(
  [
    "fault",
    "at (s)",
    "for (s)",
    "RPO: writes lost",
    "held by only some replicas",
    "RPO: data lost before the fault",
    "lost writes acknowledged (s)",
    "RTO: write outage (s)",
    "writes failed or timed out",
  ],
  [row],
)}
<p class="note">RPO: acknowledged writes lost, as the final reads judge them; the data lost goes back
from the fault's start to when the first of them was sent (its acknowledgement came a round trip later;
0: none lost, or all sent after the fault began).
RTO: the longest time between two ok writes that reaches past the fault's start and begins before it
ends. Writes failed or timed out: intended while the fault lasted.</p>
</section>`;
}
