// What every checker shares (Jepsen's shape): a checker takes a history and options and returns a
// verdict `{valid: true | false | "unknown", ...details}`. Verdicts combine with false beating
// unknown beating true, and a checker that throws gives unknown with the error, never a crash.

import type { BankOptions } from "./bank.js";
import type { ElleOptions } from "./elle.js";
import type { History, Operation } from "./history.js";
import type { LivenessOptions } from "./liveness.js";

export type Validity = true | false | "unknown";

export interface Verdict {
  readonly valid: Validity;
  readonly [detail: string]: unknown;
}

export interface CheckOptions {
  /**
   * A clock in milliseconds from any origin. Checkers read no clock of their own (the simulated world
   * has none); the command line passes the process's monotonic clock.
   */
  readonly now_ms?: () => number;
  /** A time limit (needs now_ms): past it a checker gives up with valid "unknown". */
  readonly timeout_ms?: number;
  /**
   * Jepsen's final reads: the history's reads by this process read every key from every replica
   * at rest (lost_writes judges on them; other checks take them as ordinary reads).
   */
  readonly final_reads?: { readonly process: number };
  /**
   * The register values at the end of the run, by key, when known otherwise (say, on the final
   * leader): lost_writes uses them without final reads; the bank checker judges them as a read.
   */
  readonly final_state?: ReadonlyMap<string | null, unknown>;
  /** Told of each acknowledged write lost_writes finds lost (report.json `rpo_rto` times them). */
  readonly on_lost_write?: (write: Operation) => void;
  /** The bank checker's money in the bank and accounts, when known (else the first read's). */
  readonly bank?: BankOptions;
  /** The elle check's data and consistency models. */
  readonly elle?: ElleOptions;
  /** The liveness check's bound, and the run's faults as they were in force (a history does not say). */
  readonly liveness?: LivenessOptions;
}

export type Checker = (history: History, options: CheckOptions) => Verdict;

/** false beats "unknown" beats true; nothing to combine is true. */
export function mergeValidity(validities: Iterable<Validity>): Validity {
  let merged: Validity = true;
  for (const validity of validities) {
    if (validity === false) return false;
    if (validity === "unknown") merged = "unknown";
  }
  return merged;
}

export interface CombinedVerdict extends Verdict {
  readonly checks: Readonly<Record<string, Verdict>>;
}

export function combineVerdicts(verdicts: Readonly<Record<string, Verdict>>): CombinedVerdict {
  return {
    valid: mergeValidity(Object.values(verdicts).map((verdict) => verdict.valid)),
    checks: verdicts,
  };
}

/** Runs a checker; a throw becomes `{valid: "unknown", error}`. */
export function runChecker(checker: Checker, history: History, options: CheckOptions = {}): Verdict {
  try {
    return checker(history, options);
  } catch (error) {
    return { valid: "unknown", error: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs each named checker (each guarded by runChecker) and combines their verdicts. */
export function runCheckers(
  checkers: Readonly<Record<string, Checker>>,
  history: History,
  options: CheckOptions = {},
): CombinedVerdict {
  const verdicts: Record<string, Verdict> = {};
  for (const [name, checker] of Object.entries(checkers))
    verdicts[name] = runChecker(checker, history, options);
  return combineVerdicts(verdicts);
}
