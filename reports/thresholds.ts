// Judges a report against the scenario's thresholds (workloads/scenario/thresholds.ts parses them):
// each figure's value in its kind's unit, and whether it meets its condition. A figure the report
// lacks is not met (as k6 does): a threshold that cannot be judged must not pass silently.

import { DURATION_UNITS_US } from "../engine/settings/units.js";
import { meets, parseThreshold, type Threshold } from "../workloads/scenario/thresholds.js";
import { formatUs } from "./compare.js";
import type { OpReport, Report, ThresholdResultJson } from "./report-schema.js";

/** One threshold judged: report.json `thresholds[]` (its schema is reports/report-schema.ts's). */
export type ThresholdResult = ThresholdResultJson;

type FigureValue = { value: number | null; note?: string };

/** The figure's value in the report in its report unit; null when the report has none (say why in note). */
export function figureValue(report: Report, threshold: Threshold): FigureValue {
  const locator = threshold.locator;
  switch (locator.source) {
    case "path":
      return pathValue(report, locator.path, locator.scale_us);
    case "error_rate": {
      const op = report.ops[locator.op];
      if (op === undefined) return { value: null, note: noOperation(report, locator.op) };
      const value = errorRate(op);
      return value === null ? { value, note: `no ${locator.op} operations were measured` } : { value };
    }
    case "lost_writes":
      return lostWrites(report);
    case "write_outage":
      return writeOutage(report);
    case "replication_lag":
      return replicationLag(report, locator.stat);
  }
}

export function evaluateThresholds(report: Report, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const { value, note } = figureValue(report, threshold);
    const ok = value !== null && meets(value, threshold.comparator, threshold.bound);
    return {
      figure: threshold.figure,
      condition: threshold.condition,
      value,
      ok,
      ...(note === undefined ? {} : { note }),
    };
  });
}

/** The thresholds a report's results say were breached. */
export function breachedThresholds(report: Pick<Report, "thresholds">): ThresholdResult[] {
  return (report.thresholds ?? []).filter((result) => !result.ok);
}

/** "update.p99 < 10ms: met (8.13ms)", or "BREACHED (12.4ms)", or "BREACHED (no value: why)". */
export function thresholdLine(result: ThresholdResult): string {
  const state = result.ok ? "met" : "BREACHED";
  return `${result.figure} ${result.condition}: ${state} (${thresholdValueText(result)})`;
}

/** The result's value in its condition's unit ("12.4ms", "0.12%", "1850/s"), or why there is none. */
export function thresholdValueText(result: ThresholdResult): string {
  if (result.value === null) return `no value: ${result.note ?? "the report has none"}`;
  let threshold: Threshold;
  try {
    threshold = parseThreshold(result.figure, result.condition);
  } catch {
    return String(result.value); // a report of another dbsim whose grammar differs: the raw number
  }
  return inUnit(result.value, threshold);
}

/** Microseconds per duration unit a condition may be written in. */
const MICROS_PER: Readonly<Record<string, number>> = { ...DURATION_UNITS_US, µs: 1 };

function inUnit(value: number, { kind, unit }: Threshold): string {
  switch (kind) {
    case "duration": {
      const per = MICROS_PER[unit];
      return per === undefined ? formatUs(value) : `${readable(value / per)}${unit}`;
    }
    case "rate":
      return unit === "k/s" ? `${readable(value / 1000)}k/s` : `${readable(value)}/s`;
    case "ratio":
      return unit === "%" ? `${readable(value * 100)}%` : readable(value);
    case "count":
    case "number":
      return readable(value);
  }
}

/** Three significant digits, as the summary prints latencies, and one decimal from 1000 up ("2003.4", "8.13", "0.00123"). */
function readable(value: number): string {
  return String(Math.abs(value) >= 1000 ? Math.round(value * 10) / 10 : Number(value.toPrecision(3)));
}

function pathValue(report: Report, path: readonly string[], scale_us: number | undefined): FigureValue {
  let current: unknown = report;
  for (const [depth, key] of path.entries()) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) {
      return { value: null, note: absence(report, path, depth) };
    }
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current !== "number") {
    return {
      value: null,
      note: `${path.join(".")} is ${current === null ? "null" : "not a number"} in this report`,
    };
  }
  // A `_s` figure compares in µs, as every duration bound is (report seconds come from whole µs).
  return { value: scale_us === undefined ? current : Math.round(current * scale_us) };
}

/** Why the report has nothing at `path`: the operation it never did, or the section it lacks. */
function absence(report: Report, path: readonly string[], depth: number): string {
  if (path[0] === "ops" && depth === 1) return noOperation(report, path[1] as string);
  return `the report has no ${path.slice(0, depth + 1).join(".")}`;
}

function noOperation(report: Report, op: string): string {
  return `the run has no ${op} operations; it has ${Object.keys(report.ops).join(", ")}`;
}

/** (fail + info) / count: the operations that did not surely succeed; null when none was measured. */
export function errorRate(op: OpReport): number | null {
  return op.count === 0 ? null : (op.fail + op.info) / op.count;
}

function lostWrites(report: Report): FigureValue {
  const judged = report.final_reads?.lost_writes;
  if (judged !== undefined && judged !== null) return { value: judged.lost };
  const counted = report.replication.lost_writes;
  if (counted !== null) return { value: counted };
  return {
    value: null,
    note: "no final reads judged the writes, and a shard had no single leader at the end (or multi-leader)",
  };
}

function writeOutage(report: Report): FigureValue {
  let longest_s = 0;
  for (const failover of report.replication.failovers) {
    if (failover.write_outage_s === null) {
      return {
        value: null,
        note: `the failover at ${failover.at_s}s has no acknowledged write after it: its outage never ended`,
      };
    }
    longest_s = Math.max(longest_s, failover.write_outage_s);
  }
  return { value: Math.round(longest_s * DURATION_UNITS_US.s) };
}

function replicationLag(report: Report, stat: string): FigureValue {
  const followers = Object.values(report.replication.lag_us);
  if (followers.length === 0)
    return { value: null, note: "no follower applied an entry (no replication lag)" };
  const values = followers.map((lag) => (lag as Record<string, number>)[stat] ?? 0);
  return { value: Math.max(...values) };
}
