// liveness: once the faults heal, the cluster serves writes again within a bound, so a protocol that
// stays safe but never recovers is caught. It judges every quiet period: from a moment no passing
// fault is in force (the last one in force healed) until the next fault begins or the clients stop.
// A fault that never ends while the clients run (a crash without restart, a partition without
// `for` or heal) is lasting: the rest of the cluster is expected to work around it, so its start may
// begin a quiet period too. A quiet period shorter than the bound is not judged; one is judged valid when
// some write invoked in it completed ok within the bound of its start. Without writes in the
// history (a read-only workload) any operation counts. Times are the history's (virtual µs).

import type { Checker, CheckOptions, Verdict } from "./checker.js";
import type { History, Operation, OperationSummary } from "./history.js";
import { summarizeOperation } from "./history.js";

/** A fault's time in force; `end_us` null: still in force when the clients stopped (lasting). */
export interface FaultSpan {
  readonly start_us: number;
  readonly end_us: number | null;
}

/** What liveness needs to know of the run, which a history alone does not say. */
export interface LivenessOptions {
  readonly within_us: number;
  readonly faults: readonly FaultSpan[];
  /** When the clients stopped invoking operations (the end of the measured phase). */
  readonly clients_end_us: number;
}

/** A verdict lists at most this many quiet periods without recovery (and counts them all). */
const REPORTED_PERIODS = 20;

const US_PER_S = 1_000_000;

export interface LivenessVerdict extends Verdict {
  readonly reason: string;
  readonly within_s: number;
  /** Quiet periods judged, and those without an ok write (or operation) within the bound. */
  readonly checked: number;
  readonly count: number;
  /** The longest time from a judged period's start to its first ok write; null: none judged. */
  readonly recovery_s_max: number | null;
  readonly anomalies: readonly LivenessAnomaly[];
}

export interface LivenessAnomaly {
  readonly type: "no recovery";
  /** When the quiet period began, and by what: the faults in force healed, or a lasting fault began. */
  readonly quiet_from_s: number;
  readonly after: QuietPeriod["after"];
  readonly within_s: number;
  /** When the quiet period ended: the next fault, or the clients stopped. */
  readonly quiet_until_s: number;
  readonly until: QuietPeriod["until"];
  /** The first operation of the period that completed ok after the bound, if any did. */
  readonly first_ok?: OperationSummary;
  readonly first_ok_at_s?: number;
}

/** A quiet period: [start_us, end_us) with no passing fault in force and no fault beginning. */
export interface QuietPeriod {
  readonly start_us: number;
  readonly end_us: number;
  readonly after: "heal" | "lasting fault";
  readonly until: "next fault" | "clients stopped";
}

export const liveness: Checker = (history: History, options: CheckOptions): Verdict => {
  const run = options.liveness;
  if (run === undefined) {
    return unknown(
      "no fault timeline: liveness needs the run's faults (it runs in scenarios, not on a history file)",
    );
  }
  const within_s = run.within_us / US_PER_S;
  if (run.faults.length === 0) return unknown("no fault was injected, so no heal to recover from", within_s);
  const { counted, what } = countedOperations(history, options);
  if (counted.length === 0) return unknown(`nothing to check (0 ${what}s)`, within_s);
  if (counted.some((operation) => operation.invokeTime === null)) {
    return unknown("the history has no times", within_s);
  }
  const quiet = quietPeriods(run.faults, run.clients_end_us);
  const periods = quiet.filter((period) => period.end_us - period.start_us >= run.within_us);
  if (periods.length === 0) return unknown(noPeriodReason(quiet, run), within_s);

  const anomalies: LivenessAnomaly[] = [];
  let count = 0;
  let recovery_us_max = 0;
  for (const period of periods) {
    const first = firstOk(counted, period);
    const recovery_us = first === null ? Infinity : (first.completeTime as number) - period.start_us;
    if (recovery_us <= run.within_us) {
      recovery_us_max = Math.max(recovery_us_max, recovery_us);
      continue;
    }
    if (count++ < REPORTED_PERIODS) anomalies.push(anomaly(period, run.within_us, first));
  }
  const checked = periods.length;
  const reason =
    count === 0
      ? `${what}s succeeded within ${seconds(recovery_us_max)} of every heal (${checked} quiet ${plural(checked, "period")} of at least ${seconds(run.within_us)} judged)`
      : failureReason(anomalies[0] as LivenessAnomaly, what, count, checked);
  return {
    valid: count === 0,
    reason,
    within_s,
    checked,
    count,
    recovery_s_max: count === 0 ? recovery_us_max / US_PER_S : null,
    anomalies,
  } satisfies LivenessVerdict;
};

/** Writes (any operation but a read), or every operation when the history has no write; final reads aside. */
function countedOperations(
  history: History,
  options: CheckOptions,
): { counted: Operation[]; what: "write" | "operation" } {
  const finalProcess = options.final_reads?.process;
  const clients = history.operations.filter((operation) => operation.process !== finalProcess);
  const writes = clients.filter((operation) => operation.f !== "read");
  return writes.length > 0 ? { counted: writes, what: "write" } : { counted: clients, what: "operation" };
}

/**
 * The quiet periods before the clients stopped, in time order: each begins at a change of the faults
 * (an end, or a lasting fault's start) that leaves no passing fault in force, and lasts until the
 * next fault begins or the clients stop.
 */
export function quietPeriods(faults: readonly FaultSpan[], clients_end_us: number): QuietPeriod[] {
  // Changes of the number of passing faults in force: +1 at a start, -1 at an end; 0 at a lasting one's start.
  const changes: { at_us: number; delta: number }[] = [];
  for (const fault of faults) {
    if (fault.end_us === null) changes.push({ at_us: fault.start_us, delta: 0 });
    else changes.push({ at_us: fault.start_us, delta: 1 }, { at_us: fault.end_us, delta: -1 });
  }
  changes.sort((a, b) => a.at_us - b.at_us);
  const periods: QuietPeriod[] = [];
  let inForce = 0;
  for (let i = 0; i < changes.length; ) {
    const at_us = (changes[i] as { at_us: number }).at_us;
    let healed = false;
    while (i < changes.length && (changes[i] as { at_us: number }).at_us === at_us) {
      const { delta } = changes[i] as { delta: number };
      inForce += delta;
      healed ||= delta < 0;
      i++;
    }
    if (inForce > 0 || at_us >= clients_end_us) continue;
    const next_us = i < changes.length ? (changes[i] as { at_us: number }).at_us : Infinity;
    periods.push({
      start_us: at_us,
      end_us: Math.min(next_us, clients_end_us),
      after: healed ? "heal" : "lasting fault",
      until: next_us < clients_end_us ? "next fault" : "clients stopped",
    });
  }
  return periods;
}

/** The operation invoked in the period that completed ok first (null: none did before it ended). */
function firstOk(counted: readonly Operation[], period: QuietPeriod): Operation | null {
  let first: Operation | null = null;
  // counted is in invoke order: start at the first invoked in the period.
  for (let i = firstInvokedAtOrAfter(counted, period.start_us); i < counted.length; i++) {
    const operation = counted[i] as Operation;
    const invoked_us = operation.invokeTime as number;
    if (invoked_us >= period.end_us) break;
    if (first !== null && invoked_us >= (first.completeTime as number)) break; // none can complete earlier
    if (operation.type !== "ok" || (operation.completeTime as number) > period.end_us) continue;
    if (first === null || (operation.completeTime as number) < (first.completeTime as number))
      first = operation;
  }
  return first;
}

function firstInvokedAtOrAfter(counted: readonly Operation[], at_us: number): number {
  let low = 0;
  let high = counted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (((counted[middle] as Operation).invokeTime as number) < at_us) low = middle + 1;
    else high = middle;
  }
  return low;
}

function anomaly(period: QuietPeriod, within_us: number, first: Operation | null): LivenessAnomaly {
  return {
    type: "no recovery",
    quiet_from_s: period.start_us / US_PER_S,
    after: period.after,
    within_s: within_us / US_PER_S,
    quiet_until_s: period.end_us / US_PER_S,
    until: period.until,
    ...(first === null
      ? {}
      : { first_ok: summarizeOperation(first), first_ok_at_s: (first.completeTime as number) / US_PER_S }),
  };
}

/**
 * "no write succeeded in the 10.0 s after the faults healed at 40.0 s; the first ok write came at
 * 52.3 s" (or "none before the clients stopped at 65.0 s").
 */
function failureReason(first: LivenessAnomaly, what: string, count: number, checked: number): string {
  const from =
    first.after === "heal"
      ? `the faults healed at ${first.quiet_from_s.toFixed(1)} s`
      : `the lasting fault at ${first.quiet_from_s.toFixed(1)} s (never healed: the rest of the cluster must serve)`;
  const after =
    first.first_ok_at_s !== undefined
      ? `the first ok ${what} came at ${first.first_ok_at_s.toFixed(1)} s`
      : `none before ${first.until === "next fault" ? "the next fault" : "the clients stopped"} at ${first.quiet_until_s.toFixed(1)} s`;
  const more = count > 1 ? ` (${count} of ${checked} quiet periods without recovery)` : "";
  return `no ${what} succeeded in the ${first.within_s.toFixed(1)} s after ${from}; ${after}${more}`;
}

/** Why no quiet period was judged: none began before the clients stopped, or none lasted the bound. */
function noPeriodReason(quiet: readonly QuietPeriod[], run: LivenessOptions): string {
  const stopped = `the clients stopped at ${seconds(run.clients_end_us)}`;
  if (quiet.length === 0) return `faults were in force until ${stopped}: no heal to recover from`;
  const longest_us = Math.max(...quiet.map((period) => period.end_us - period.start_us));
  const last = quiet[quiet.length - 1] as QuietPeriod;
  return (
    `no quiet period lasted the bound of ${seconds(run.within_us)} (the longest: ${seconds(longest_us)}; ` +
    `the last began at ${seconds(last.start_us)} and ${stopped})`
  );
}

function unknown(reason: string, within_s?: number): Verdict {
  return { valid: "unknown", reason, ...(within_s === undefined ? {} : { within_s }), checked: 0, count: 0 };
}

/** "12.0 s", or "3.2 ms" under a second (a recovery often takes milliseconds). */
function seconds(us: number): string {
  return us < US_PER_S ? `${(us / 1000).toFixed(1)} ms` : `${(us / US_PER_S).toFixed(1)} s`;
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

/** The liveness check by name; it fits any workload whose history has writes (YCSB, the bank). */
export const livenessChecks = { liveness } as const satisfies Readonly<Record<string, Checker>>;
export const LIVENESS_CHECK_NAMES = Object.keys(livenessChecks) as [keyof typeof livenessChecks];
