// What a run's report means for its exit code, and how several runs' exits combine (a sweep's
// seeds, a matrix's runs): a failed check (1) beats a breached threshold (5), which beats a check
// that could not decide (3): a breach is definite, an undecided check is not.

import type { Report } from "../reports/report-schema.js";
import { breachedThresholds, type ThresholdResult, thresholdValueText } from "../reports/thresholds.js";
import { EXIT_OK, EXIT_THRESHOLD, EXIT_UNKNOWN, EXIT_VIOLATION } from "./exit-codes.js";

export interface RunOutcome {
  readonly exit: number;
  /** The checks that found a violation, and those that could not decide. */
  readonly violations: string[];
  readonly undecided: string[];
  readonly breached: ThresholdResult[];
}

export function runOutcome(report: Pick<Report, "checks" | "thresholds">): RunOutcome {
  const checks = Object.entries(report.checks);
  const violations = checks.filter(([, verdict]) => verdict.valid === false).map(([name]) => name);
  const undecided = checks.filter(([, verdict]) => verdict.valid === "unknown").map(([name]) => name);
  const breached = breachedThresholds(report);
  const exit =
    violations.length > 0
      ? EXIT_VIOLATION
      : breached.length > 0
        ? EXIT_THRESHOLD
        : undecided.length > 0
          ? EXIT_UNKNOWN
          : EXIT_OK;
  return { exit, violations, undecided, breached };
}

/** Run exits from least to most severe. */
const SEVERITY = [EXIT_OK, EXIT_UNKNOWN, EXIT_THRESHOLD, EXIT_VIOLATION];

/** The most severe of several runs' exits (0 for none). */
export function worstExit(exits: Iterable<number>): number {
  let worst = EXIT_OK;
  for (const exit of exits) if (SEVERITY.indexOf(exit) > SEVERITY.indexOf(worst)) worst = exit;
  return worst;
}

/** One stderr line naming the breached thresholds and their values. */
export function breachLine(breached: readonly ThresholdResult[]): string {
  const each = breached.map(
    (result) => `${result.figure} ${result.condition} (${thresholdValueText(result)})`,
  );
  return `dbsim: threshold breached: ${each.join("; ")}\n`;
}
