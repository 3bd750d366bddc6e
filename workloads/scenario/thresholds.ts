// Thresholds (as k6's): pass/fail criteria over a run's report figures, written in the scenario as
// `figure: condition` (`update.p99: "< 10ms"`) or as one SLO string (`all.p99 < 10ms`, the knee's
// --slo). This module owns the grammar: which figures exist (short names, and report.json paths
// from a catalogue that test/workloads/scenario/thresholds.test.ts holds equal to the report
// schema), the unit each takes, and the scenario's `thresholds:` field. Judging a report is
// reports/thresholds.ts's job.

import { z } from "zod";
import { MAX_VALUE_CHARS } from "../../engine/settings/limits.js";
import {
  DURATION_UNITS_US,
  formatDurationUs,
  parseDurationUs,
  parseRatePerS,
} from "../../engine/settings/units.js";
import { BANK_CHECK_NAMES } from "../checkers/bank.js";
import { REGISTER_CHECK_NAMES } from "../checkers/checks.js";
import { LIVENESS_CHECK_NAMES } from "../checkers/liveness.js";

export type Comparator = "<" | "<=" | ">" | ">=" | "==" | "!=";
/** Two-character comparators first, so that "<=" is not read as "<" and "= ...". */
const COMPARATORS: readonly Comparator[] = ["<=", ">=", "==", "!=", "<", ">"];

export type FigureKind = "duration" | "rate" | "ratio" | "count" | "number";

/** Where a figure's value is in a report (reports/thresholds.ts reads it). */
export type FigureLocator =
  /** A numeric leaf at this report.json path; `scale_us` converts a `_s` figure to µs. */
  | { readonly source: "path"; readonly path: readonly string[]; readonly scale_us?: number }
  /** (fail + info) / count of the operation. */
  | { readonly source: "error_rate"; readonly op: string }
  /** final_reads.lost_writes.lost when the run judged final reads, else replication.lost_writes. */
  | { readonly source: "lost_writes" }
  /** The longest write outage of a failover, in µs (0 without failovers). */
  | { readonly source: "write_outage" }
  /** The largest follower's replication lag statistic, in µs. */
  | { readonly source: "replication_lag"; readonly stat: string };

export interface Threshold {
  figure: string;
  condition: string;
  comparator: Comparator;
  /** The bound in the figure's report unit: µs for durations, ops/s for rates, a fraction (0..1) for ratios. */
  bound: number;
  kind: FigureKind;
  /** The bound's unit as written ("ms", "%", "k/s", "" when plain): the unit to show the value in. */
  unit: string;
  locator: FigureLocator;
}

/** A threshold that cannot be parsed: one line naming the figure, the grammar and what was expected. */
export class ThresholdError extends Error {
  override readonly name = "ThresholdError";
}

/** A scenario has at most this many thresholds. */
export const MAX_THRESHOLDS = 64;
/** A figure's name is at most this long (report paths through query templates are the longest). */
export const MAX_FIGURE_CHARS = 160;

// --- figures ---

export const LATENCY_STATS = ["p50", "p90", "p99", "p999", "max", "mean"] as const;
const COUNT_STATS = ["count", "ok", "fail", "info"] as const;
const LAG_STATS = ["p50", "p99", "max", "mean"] as const;
const CHECK_NAMES: readonly string[] = [
  ...REGISTER_CHECK_NAMES,
  ...BANK_CHECK_NAMES,
  ...LIVENESS_CHECK_NAMES,
];

const latencyPaths = (prefix: string) => LATENCY_STATS.map((stat) => `${prefix}.${stat}`);
const under = (prefix: string, keys: readonly string[]) => keys.map((key) => `${prefix}.${key}`);

/**
 * The numeric leaves of report.json a threshold may name by path; `*` is any one key (an operation,
 * a follower, a query template, an error reason, a check). `host` is left out: it is not a function
 * of the seed, and a threshold's verdict must be.
 */
export const REPORT_FIGURE_PATHS: readonly string[] = [
  "throughput_ops_per_s",
  ...under("sim", ["virtual_duration_s", "measured_from_s", "measured_duration_s", "events", "messages"]),
  ...under("ops.*", COUNT_STATS),
  "ops.*.errors.*",
  "ops.*.retries",
  ...["latency_us", "queue_us", "service_us", "disk_us", "pool_wait_us"].flatMap((key) =>
    latencyPaths(`ops.*.${key}`),
  ),
  "client_regions.*.*.ok",
  ...under("client_regions.*.*.latency_us", ["p50", "p99", "max"]),
  "replication.replicas",
  ...under("replication.lag_us.*", [...LAG_STATS, "last", "samples", "trend_us_per_s"]),
  ...under("replication", ["lost_writes", "conflicts", "truncated_entries", "snapshots_installed"]),
  ...under("replication.disk", [
    "faults_injected",
    "corruptions_detected",
    "entries_dropped",
    "entries_repaired",
  ]),
  ...under("rpo_rto", [
    "lost_writes",
    "divergent_writes",
    "lost_acked_first_s",
    "lost_acked_last_s",
    "lost_before_fault_s",
    "write_outage_s",
    "writes_failed_or_timed_out",
  ]),
  ...under("rpo_rto.fault", ["at_s", "for_s"]),
  ...under("sharding", [
    "shards_at_start",
    "shards_at_end",
    "skew",
    "cross_shard_ops",
    "moved_keys",
    "moved_fraction",
    "map_version",
  ]),
  ...["during_reshards", "outside_reshards"].flatMap((key) => latencyPaths(`sharding.latency_us.${key}`)),
  ...under("sharding.two_phase", [
    "decisions",
    "commits",
    "aborts",
    "prepared_blocked_us_max",
    "prepared_blocked_us_mean",
    "prepared_blocked_us_total",
    "keys_held_max",
  ]),
  ...under("queries.templates.*", [
    "count",
    "ok",
    "share",
    "rows_returned_mean",
    "rows_examined_mean",
    "pages_read_mean",
    "pages_written_mean",
    "hit_ratio",
  ]),
  ...latencyPaths("queries.templates.*.latency_us"),
  "checks.*.*",
  ...under("final_reads", [
    "healed_at_s",
    "settle_s",
    "reads_from_s",
    "end_s",
    "process",
    "keys",
    "reads",
    "unanswered",
    "leader_changes",
    "truncated_entries",
    "diverged_keys",
  ]),
  ...under("final_reads.lost_writes", ["acknowledged", "lost", "divergent", "unjudged"]),
  ...under("storage.nodes.*", [
    "pool_pages",
    "data_pages",
    "hits",
    "misses",
    "hit_ratio",
    "evictions",
    "disk_reads",
    "disk_writes",
    "fsyncs",
  ]),
  ...under("connections", ["pool_size", "pool_timeouts"]),
  ...under("connections.nodes.*", [
    "max_connections",
    "opened",
    "refused",
    "open_peak",
    "active_peak",
    "pool_open",
    "pool_waiters_peak",
  ]),
  ...["cache.nodes.*", "cache.total"].flatMap((prefix) =>
    under(prefix, [
      "hits",
      "misses",
      "hit_ratio",
      "lease_waits",
      "sets",
      "sets_refused",
      "invalidations",
      "writes",
      "evictions",
      "expired",
      "database_reads",
      "dirty_lost",
      "entries",
    ]),
  ),
  ...under("ranges.nodes.*", [
    "ranges",
    "ranges_min",
    "ranges_max",
    "leaseholders",
    "leaseholders_min",
    "leaseholders_max",
    "cpu_busy_share",
  ]),
  "ranges.moves",
  "ranges.lease_transfers",
  ...under("transactions", ["committed", "aborted", "unknown", "committed_per_s", "abort_rate", "retries"]),
  "transactions.aborts.*",
  ...["commit_latency_us", "validation_us", "lock_wait_us"].flatMap((key) =>
    latencyPaths(`transactions.${key}`),
  ),
  "network.bytes",
  "network.messages_by_kind.*",
  "network.bytes_by_kind.*",
];

const CATALOGUE = REPORT_FIGURE_PATHS.map((path) => path.split("."));
const SEGMENT_PATTERN = /^[^.\s]+$/;

const FIGURE_HELP =
  "use throughput, lost_writes, write_outage, <op>.<p50|p90|p99|p999|max|mean|count|ok|fail|info|error_rate> " +
  "(op: an operation or all), replication.lag.<p50|p99|max|mean>, or a numeric field of report.json by its " +
  "path, e.g. sharding.skew";

interface FigureMeaning {
  readonly kind: FigureKind;
  /** What the figure is, for messages: "update.p99 is a latency". */
  readonly noun: string;
  readonly locator: FigureLocator;
}

/** What a figure's name means: its kind and where its value is; throws ThresholdError for none. */
function figureMeaning(figure: string): FigureMeaning {
  if (figure.length > MAX_FIGURE_CHARS) {
    throw new ThresholdError(
      `threshold figure ${JSON.stringify(figure.slice(0, 40))}...: at most ${MAX_FIGURE_CHARS} characters`,
    );
  }
  const segments = figure.split(".");
  if (!segments.every((segment) => SEGMENT_PATTERN.test(segment))) {
    throw new ThresholdError(`${JSON.stringify(figure)} is not a threshold figure: ${FIGURE_HELP}`);
  }
  const [first = "", second = "", ...rest] = segments;
  if (segments.length === 1) {
    if (first === "throughput") {
      return { kind: "rate", noun: "a rate", locator: { source: "path", path: ["throughput_ops_per_s"] } };
    }
    if (first === "lost_writes")
      return { kind: "count", noun: "a count", locator: { source: "lost_writes" } };
    if (first === "write_outage") {
      return { kind: "duration", noun: "a duration", locator: { source: "write_outage" } };
    }
  }
  if (segments.length === 2 && first !== "ops") {
    if ((LATENCY_STATS as readonly string[]).includes(second)) {
      const path = ["ops", first, "latency_us", second];
      return { kind: "duration", noun: "a latency", locator: { source: "path", path } };
    }
    if ((COUNT_STATS as readonly string[]).includes(second)) {
      return { kind: "count", noun: "a count", locator: { source: "path", path: ["ops", first, second] } };
    }
    if (second === "error_rate")
      return { kind: "ratio", noun: "a ratio", locator: { source: "error_rate", op: first } };
  }
  if (first === "replication" && second === "lag" && rest.length === 1) {
    const stat = rest[0] as string;
    if ((LAG_STATS as readonly string[]).includes(stat)) {
      return { kind: "duration", noun: "a replication lag", locator: { source: "replication_lag", stat } };
    }
  }
  if (first === "host") {
    throw new ThresholdError(
      `${figure}: host figures depend on the machine, not the seed; a threshold judges what the seed determines`,
    );
  }
  if (!inCatalogue(segments)) {
    throw new ThresholdError(`${JSON.stringify(figure)} is not a threshold figure: ${FIGURE_HELP}`);
  }
  return pathMeaning(segments);
}

function inCatalogue(segments: readonly string[]): boolean {
  return CATALOGUE.some(
    (pattern) =>
      pattern.length === segments.length &&
      pattern.every((part, i) => part === "*" || part === segments[i]) &&
      (segments[0] !== "checks" || CHECK_NAMES.includes(segments[1] as string)),
  );
}

/** A report path's kind, from its key: `ops_per_s` a rate, `_us`/`_s` a duration, share/fraction/ratio a ratio. */
function pathMeaning(path: readonly string[]): FigureMeaning {
  const leaf = path[path.length - 1] as string;
  const insideMicros = path.slice(0, -1).some((key) => key.endsWith("_us"));
  if (leaf.endsWith("ops_per_s")) return { kind: "rate", noun: "a rate", locator: { source: "path", path } };
  // Another per-second figure (a lag's trend in µs per second) is a plain number.
  if (leaf.endsWith("_per_s")) return { kind: "number", noun: "a number", locator: { source: "path", path } };
  if (leaf.endsWith("_us") || (insideMicros && [...LATENCY_STATS, "last"].includes(leaf))) {
    return { kind: "duration", noun: "a duration", locator: { source: "path", path } };
  }
  if (leaf.endsWith("_s")) {
    return {
      kind: "duration",
      noun: "a duration",
      locator: { source: "path", path, scale_us: DURATION_UNITS_US.s },
    };
  }
  if (/(^|_)(share|fraction|ratio)$/.test(leaf)) {
    return { kind: "ratio", noun: "a ratio", locator: { source: "path", path } };
  }
  return { kind: "number", noun: "a number", locator: { source: "path", path } };
}

// --- conditions ---

const BOUND_PATTERN = /^(\d+(?:\.\d+)?)(.*)$/;

const UNIT_HELP: Readonly<Record<FigureKind, string>> = {
  duration: "write a duration such as 10ms (us, µs, ms, s, m, h)",
  rate: "write operations per second such as 1900/s or 2k/s",
  ratio: "write a percentage such as 0.1% or a fraction such as 0.001 (at most 100%)",
  count: "write a whole number such as 0",
  number: "write a plain number such as 1.5",
};

/** Parses `figure` + `condition` ("< 10ms"); throws ThresholdError (one line, names the figure, the grammar and what was expected). */
export function parseThreshold(figure: string, condition: string): Threshold {
  const meaning = figureMeaning(figure);
  if (condition.length > MAX_VALUE_CHARS) {
    throw new ThresholdError(`${figure}: the condition is at most ${MAX_VALUE_CHARS} characters`);
  }
  const text = condition.trim();
  const comparator = COMPARATORS.find((candidate) => text.startsWith(candidate));
  const boundText = comparator === undefined ? "" : text.slice(comparator.length).trim();
  const match = BOUND_PATTERN.exec(boundText);
  if (comparator === undefined || match === null) {
    throw new ThresholdError(
      `${figure}: ${JSON.stringify(condition)} is not a condition: write a comparator (<, <=, >, >=, ==, !=) ` +
        `and a bound, e.g. "< 10ms"; ${figure} is ${meaning.noun}: ${UNIT_HELP[meaning.kind]}`,
    );
  }
  const [, number = "", unit = ""] = match;
  const bound = parseBound(number, unit, meaning.kind, boundText);
  if (bound === null) {
    throw new ThresholdError(
      `${figure} is ${meaning.noun}: ${UNIT_HELP[meaning.kind]} (got ${JSON.stringify(condition)})`,
    );
  }
  return { figure, condition, comparator, bound, kind: meaning.kind, unit, locator: meaning.locator };
}

/** The bound in the kind's unit, or null when the unit does not fit the kind. */
function parseBound(number: string, unit: string, kind: FigureKind, text: string): number | null {
  switch (kind) {
    case "duration": {
      if (unit === "" && number !== "0") return null;
      try {
        return parseDurationUs(text.replace(/µs$/, "us"));
      } catch {
        return null;
      }
    }
    case "rate":
      try {
        return parseRatePerS(text);
      } catch {
        return null;
      }
    case "ratio": {
      const fraction = unit === "%" ? Number(number) / 100 : unit === "" ? Number(number) : null;
      return fraction !== null && fraction <= 1 ? fraction : null;
    }
    case "count": {
      const count = Number(number);
      return unit === "" && Number.isSafeInteger(count) ? count : null;
    }
    case "number":
      return unit === "" ? Number(number) : null;
  }
}

/** "all.p99 < 10ms" (the knee's --slo): a figure, a comparator and a bound in one string. */
export function parseSlo(text: string): Threshold {
  if (text.length > MAX_FIGURE_CHARS + MAX_VALUE_CHARS) {
    throw new ThresholdError(`--slo: at most ${MAX_FIGURE_CHARS + MAX_VALUE_CHARS} characters`);
  }
  const at = text.search(/[<>=!]/);
  if (at <= 0) {
    throw new ThresholdError(
      `${JSON.stringify(text)} is not an SLO: write a figure, a comparator and a bound, e.g. "all.p99 < 10ms"`,
    );
  }
  return parseThreshold(text.slice(0, at).trim(), text.slice(at).trim());
}

/** The threshold as one canonical string, "figure comparator bound" (parseSlo reads it back exactly). */
export function formatThreshold(threshold: Threshold): string {
  return `${threshold.figure} ${threshold.comparator} ${formatBound(threshold)}`;
}

/** The bound in a unit that parses back to exactly the same number. */
function formatBound({ bound, kind }: Threshold): string {
  switch (kind) {
    case "duration":
      return formatDurationUs(bound);
    case "rate":
      return `${plainDecimal(bound)}/s`;
    case "ratio": {
      // toPrecision(15) drops the float noise of the product (0.07 * 100 is 7.000000000000001).
      const percent = plainDecimal(Number((bound * 100).toPrecision(15)));
      return Number(percent) / 100 === bound ? `${percent}%` : plainDecimal(bound);
    }
    case "count":
    case "number":
      return plainDecimal(bound);
  }
}

/** A non-negative number in decimal notation without an exponent (String(1e-7) is "1e-7"). */
export function plainDecimal(value: number): string {
  const text = String(value);
  const match = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, head = "", tail = "", exponentText = ""] = match;
  const exponent = Number(exponentText);
  if (exponent < 0) return `0.${"0".repeat(-exponent - 1)}${head}${tail}`;
  return `${head}${tail}${"0".repeat(exponent - tail.length)}`;
}

/** Whether `value` meets `comparator bound`. */
export function meets(value: number, comparator: Comparator, bound: number): boolean {
  switch (comparator) {
    case "<":
      return value < bound;
    case "<=":
      return value <= bound;
    case ">":
      return value > bound;
    case ">=":
      return value >= bound;
    case "==":
      return value === bound;
    case "!=":
      return value !== bound;
  }
}

// --- the scenario's field ---

/** `thresholds:` of a scenario: figure -> condition, each parsed at load. */
export const thresholdsSchema = z
  .record(
    z.string().max(MAX_FIGURE_CHARS),
    z.string({ error: 'expected a condition such as "< 10ms"' }).max(MAX_VALUE_CHARS),
    {
      error: 'expected a mapping of figure to condition, e.g. update.p99: "< 10ms"',
    },
  )
  .superRefine((thresholds, ctx) => {
    const figures = Object.keys(thresholds);
    if (figures.length > MAX_THRESHOLDS) {
      ctx.addIssue({
        code: "custom",
        message: `at most ${MAX_THRESHOLDS} thresholds (got ${figures.length})`,
      });
      return;
    }
    for (const [figure, condition] of Object.entries(thresholds)) {
      try {
        parseThreshold(figure, condition);
      } catch (error) {
        if (!(error instanceof ThresholdError)) throw error;
        ctx.addIssue({ code: "custom", path: [figure], message: error.message });
      }
    }
  })
  .meta({ allowed: `mapping of figure to condition, at most ${MAX_THRESHOLDS}` });

/** The scenario's thresholds, parsed (a document the schema accepted; none when absent). */
export function scenarioThresholds(thresholds: Readonly<Record<string, string>> | undefined): Threshold[] {
  return Object.entries(thresholds ?? {}).map(([figure, condition]) => parseThreshold(figure, condition));
}
