// The `cluster.transactions` section of a scenario: how the nodes isolate transactions. Optional
// without a default: a scenario without it keeps its report's config as it was (its nodes still
// serve transactions, at DEFAULT_ISOLATION).

import { z } from "zod";
import { duration } from "../settings/durations.js";
import { us } from "../settings/fields.js";
import { ISOLATION_LEVELS, type IsolationLevel } from "./transactions.js";

export const DEFAULT_ISOLATION: IsolationLevel = "serializable";
const DEFAULT_TIMEOUT = "5s";

export const transactionsSchema = z
  .strictObject({
    isolation: z
      .enum(ISOLATION_LEVELS)
      .default(DEFAULT_ISOLATION)
      .describe(
        "`read-committed` (each statement reads the newest commit; a write-write conflict aborts), " +
          "`snapshot` (reads as of the transaction's start; first committer wins) or `serializable` " +
          "(snapshot, and a writer whose reads changed before its commit aborts): " +
          "[Isolation levels](transactions.md#isolation-levels).",
      ),
    timeout: duration("positive")
      .default(DEFAULT_TIMEOUT)
      .describe(
        "How long a transaction may stay open from its first statement; past it the node aborts it " +
          "(`timeout`), so one whose client went away holds back no version's garbage collection.",
      ),
  })
  .describe(
    "How the nodes run transactions (workload.type list-append, rw-register, or bank with transfer: transaction).",
  );

/** The section as the nodes run with it (durations in µs). */
export interface TransactionSettings {
  readonly isolation: IsolationLevel;
  readonly timeout_us: number;
}

export const TRANSACTION_DEFAULTS: TransactionSettings = {
  isolation: DEFAULT_ISOLATION,
  timeout_us: us(DEFAULT_TIMEOUT),
};

/** The section's settings (the defaults when it is absent). */
export function resolveTransactions(
  doc: z.output<typeof transactionsSchema> | undefined,
): TransactionSettings {
  return doc === undefined ? TRANSACTION_DEFAULTS : { isolation: doc.isolation, timeout_us: us(doc.timeout) };
}
