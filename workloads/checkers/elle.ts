// The scenario check `elle`: a run's transaction history judged by the transaction checker
// (transactions/, Elle's method) under the data model the workload records (list-append) and the
// consistency model the scenario names (`elle.consistency`).

import type { Checker, CheckOptions, Verdict } from "./checker.js";
import type { History } from "./history.js";
import { checkTransactions } from "./transactions/check.js";
import type { ConsistencyModel } from "./transactions/consistency.js";
import { type TransactionModel, transactionsFromHistory } from "./transactions/history.js";

/** What the elle check judges by: the workload's data model and the scenario's consistency model. */
export interface ElleOptions {
  readonly model: TransactionModel;
  readonly consistency: ConsistencyModel;
}

const elle: Checker = (history: History, options: CheckOptions): Verdict => {
  const settings = options.elle;
  if (settings === undefined)
    return { valid: "unknown", reason: "no data model: elle needs a transaction workload's" };
  return checkTransactions(transactionsFromHistory(history, settings.model), {
    ...settings,
    ...(options.now_ms === undefined ? {} : { now_ms: options.now_ms }),
    ...(options.timeout_ms === undefined ? {} : { timeout_ms: options.timeout_ms }),
  });
};

/** The elle check by name; it fits transaction workloads (list-append). */
export const elleChecks = { elle } as const satisfies Readonly<Record<string, Checker>>;
export const ELLE_CHECK_NAMES = Object.keys(elleChecks) as [keyof typeof elleChecks];
