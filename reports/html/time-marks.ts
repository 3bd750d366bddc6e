// What the time plots mark besides their series: spans of the run (warmup, drain, faults, data
// moving between shards) as labelled bands, and instants (failovers, heals) as labelled lines.

import type { Report } from "../report-schema.js";

/** A labelled span of the time axis. */
export interface Band {
  from_s: number;
  to_s: number;
  kind: "outside" | "fault" | "reshard";
  label: string;
  /** Fill color (CSS); each fault its own, so overlapping faults stay apart. */
  color: string;
}

/** A labelled instant of the time axis. */
export interface Marker {
  at_s: number;
  /** knee: on a load plot (`dbsim knee`), where `at_s` is an offered rate in ops/s. */
  kind: "failover" | "fault" | "knee";
  label: string;
  color: string;
}

export interface TimeMarks {
  bands: Band[];
  markers: Marker[];
}

const OUTSIDE_COLOR = "rgba(110, 120, 130, 0.16)";
const RESHARD_COLOR = "rgba(31, 119, 180, 0.16)";
/** One per fault, in firing order (red, orange, purple, brown, pink, olive, cyan). */
const FAULT_COLORS = [
  "rgba(214, 39, 40, 0.20)",
  "rgba(255, 127, 14, 0.22)",
  "rgba(148, 103, 189, 0.22)",
  "rgba(140, 86, 75, 0.22)",
  "rgba(227, 119, 194, 0.22)",
  "rgba(188, 189, 34, 0.24)",
  "rgba(23, 190, 207, 0.22)",
];
const FAILOVER_COLOR = "#1d232a";
const HEAL_COLOR = "#17702f";

type Fault = Report["faults"][number];

/** "crash shard0/n0", "partition halves shard0/n0 | shard0/n1 shard0/n2", "link shard0/n0 → shard0/n1". */
export function faultLabel(fault: Fault): string {
  const detail = fault.detail ?? {};
  const names = (value: unknown) => (Array.isArray(value) ? value.map(String).join(" ") : "");
  let targets = fault.targets.join(" ");
  if (Array.isArray(detail.groups)) targets = detail.groups.map(names).join(" | ");
  else if (fault.kind === "link" && Array.isArray(detail.from))
    targets = `${names(detail.from)} → ${names(detail.to)}`;
  const shape = typeof detail.shape === "string" && !Array.isArray(detail.groups) ? ` ${detail.shape}` : "";
  const skew = typeof detail.offset_us === "number" ? ` ${signedMs(detail.offset_us)}` : "";
  return `${fault.kind}${shape}${skew} ${targets || "(no target)"}`;
}

function signedMs(us: number): string {
  return `${us >= 0 ? "+" : "−"}${Math.abs(us) / 1000}ms`;
}

/** The span a fault lasted: to its end, its planned length, or (never ended) the run's end; null: an instant. */
function faultSpan(fault: Fault, end_s: number): [number, number] | null {
  if (fault.kind === "heal") return null;
  const to_s = fault.end_s ?? (fault.for_s === undefined ? end_s : fault.at_s + fault.for_s);
  return [fault.at_s, Math.min(Math.max(to_s, fault.at_s), end_s)];
}

/** Warmup, drain, faults, reshards and failovers of one run. */
export function timeMarks(report: Report): TimeMarks {
  const { measured_from_s, measured_duration_s } = report.sim;
  const end_s = report.sim.virtual_duration_s;
  const measuredEnd_s = measured_from_s + measured_duration_s;
  const bands: Band[] = [];
  const markers: Marker[] = [];
  if (measured_from_s > 0) {
    bands.push({ from_s: 0, to_s: measured_from_s, kind: "outside", label: "warmup", color: OUTSIDE_COLOR });
  }
  if (end_s > measuredEnd_s) {
    // No operation starts after the measured phase: those in flight complete or time out.
    bands.push({ from_s: measuredEnd_s, to_s: end_s, kind: "outside", label: "drain", color: OUTSIDE_COLOR });
  }
  report.faults.forEach((fault, i) => {
    const span = faultSpan(fault, end_s);
    const label = faultLabel(fault);
    if (span === null) markers.push({ at_s: fault.at_s, kind: "fault", label, color: HEAL_COLOR });
    else {
      const color = FAULT_COLORS[i % FAULT_COLORS.length] as string;
      bands.push({ from_s: span[0], to_s: span[1], kind: "fault", label, color });
    }
  });
  for (const reshard of report.sharding?.reshards ?? []) {
    const to_s = reshard.duration_s === null ? end_s : reshard.at_s + reshard.duration_s;
    bands.push({ from_s: reshard.at_s, to_s, kind: "reshard", label: reshard.change, color: RESHARD_COLOR });
  }
  for (const failover of report.replication.failovers) {
    markers.push({
      at_s: failover.at_s,
      kind: "failover",
      label: `failover: ${failover.leader} leads (term ${failover.term})`,
      color: FAILOVER_COLOR,
    });
  }
  return { bands, markers };
}

/** The marks of several runs (a comparison), each distinct mark once. */
export function combinedTimeMarks(reports: Report[]): TimeMarks {
  const bands = new Map<string, Band>();
  const markers = new Map<string, Marker>();
  for (const marks of reports.map(timeMarks)) {
    for (const band of marks.bands) bands.set(`${band.from_s} ${band.to_s} ${band.label}`, band);
    for (const marker of marks.markers) markers.set(`${marker.at_s} ${marker.label}`, marker);
  }
  return { bands: [...bands.values()], markers: [...markers.values()] };
}
