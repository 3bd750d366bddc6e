// The bank checker (Jepsen's bank workload): transfers move money between accounts and reads return
// every balance at once ({"f": "read", "value": {"acct0": 100, ...}}, no key). Money is neither
// made nor destroyed, so every successful read must sum to the bank's total and show no negative
// balance, and show exactly the bank's accounts. The total and the accounts come from the options
// (a dbsim run knows them) or else from the first successful read. The final state, when given
// (the balances on the final leader), is judged like one more read.

import type { Checker, CheckOptions, Verdict } from "./checker.js";
import { describeValue, type History, type Operation, summarizeOperation } from "./history.js";

/** A verdict lists at most this many anomalies (and counts them all). */
const REPORTED_ANOMALIES = 20;

export interface BankOptions {
  /** Money in the bank. */
  readonly total?: number;
  readonly accounts?: readonly string[];
}

type AnomalyType = "wrong-total" | "negative-balance" | "missing-account" | "unexpected-account";

interface Observation {
  readonly balances: ReadonlyMap<string, number>;
  /** The read, or null for the final state. */
  readonly read: Operation | null;
}

export const bankChecker: Checker = (history: History, options: CheckOptions): Verdict => {
  const observations: Observation[] = [];
  for (const operation of history.operations) {
    if (operation.f !== "read" || operation.type !== "ok") continue;
    observations.push({ balances: balancesOf(operation.value, history, operation), read: operation });
  }
  if (options.final_state !== undefined) {
    const balances = new Map<string, number>();
    for (const [account, balance] of options.final_state) {
      if (typeof account === "string" && typeof balance === "number") balances.set(account, balance);
    }
    observations.push({ balances, read: null });
  }
  const first = observations[0];
  const total = options.bank?.total ?? (first === undefined ? null : sum(first.balances));
  const accounts = new Set(options.bank?.accounts ?? (first === undefined ? [] : first.balances.keys()));
  const found = new Map<AnomalyType, number>();
  const anomalies: object[] = [];
  let reason: string | null = null;
  const add = (type: AnomalyType, observation: Observation, details: Record<string, unknown>): void => {
    found.set(type, (found.get(type) ?? 0) + 1);
    reason ??= describeAnomaly(type, observation, details);
    if (anomalies.length >= REPORTED_ANOMALIES) return;
    const at =
      observation.read === null ? { final_state: true } : { read: summarizeOperation(observation.read) };
    anomalies.push({ type, ...details, ...at });
  };
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  for (const observation of observations) {
    const { balances } = observation;
    const seen = sum(balances);
    lowest = Math.min(lowest, seen);
    highest = Math.max(highest, seen);
    if (total !== null && seen !== total) add("wrong-total", observation, { total: seen, expected: total });
    for (const [account, balance] of balances) {
      if (balance < 0) add("negative-balance", observation, { account, balance });
      if (!accounts.has(account)) add("unexpected-account", observation, { account });
    }
    for (const account of accounts) {
      if (!balances.has(account)) add("missing-account", observation, { account });
    }
  }
  const count = [...found.values()].reduce((a, b) => a + b, 0);
  if (observations.length === 0) reason = "nothing to check (0 reads)";
  return {
    valid: count > 0 ? false : observations.length === 0 ? "unknown" : true,
    ...(reason === null ? {} : { reason }),
    reads: observations.length - (options.final_state === undefined ? 0 : 1),
    final_state_checked: options.final_state !== undefined,
    expected_total: total,
    total_from: options.bank?.total !== undefined ? "options" : "first read",
    totals_seen: observations.length === 0 ? null : { min: lowest, max: highest },
    count,
    by_type: Object.fromEntries(found),
    anomalies,
  };
};

/** The bank's checks by name (the names a scenario of the bank may give). */
export const bankChecks = { bank: bankChecker } as const satisfies Readonly<Record<string, Checker>>;
export const BANK_CHECK_NAMES = Object.keys(bankChecks) as [keyof typeof bankChecks];

function balancesOf(value: unknown, history: History, operation: Operation): Map<string, number> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(
      `${history.source}: the bank read at index ${operation.invokeIndex} returned ${describeValue(value)}, ` +
        "not a map of account to balance",
    );
  }
  const balances = new Map<string, number>();
  for (const [account, balance] of Object.entries(value)) {
    if (typeof balance !== "number" || !Number.isFinite(balance)) {
      throw new Error(
        `${history.source}: the bank read at index ${operation.invokeIndex} gives account ${account} ` +
          `the balance ${describeValue(balance)}, not a number`,
      );
    }
    balances.set(account, balance);
  }
  return balances;
}

function describeAnomaly(
  type: AnomalyType,
  observation: Observation,
  details: Record<string, unknown>,
): string {
  const where =
    observation.read === null ? "the final state" : `the read at index ${observation.read.invokeIndex}`;
  switch (type) {
    case "wrong-total":
      return `${where} sums to ${details.total}, not ${details.expected}`;
    case "negative-balance":
      return `${where} shows ${details.account} at ${details.balance}`;
    case "missing-account":
      return `${where} lacks account ${details.account}`;
    case "unexpected-account":
      return `${where} shows an account ${details.account} the bank does not have`;
  }
}

function sum(balances: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const balance of balances.values()) total += balance;
  return total;
}
