// The `workload.bank` section of a scenario: its schema with defaults. It needs no resolution: the
// document's section is the BankConfig the bank workload takes.

import { z } from "zod";
import { integer } from "../../../engine/settings/fields.js";
import { BANK_TRANSFER_MODES } from "./bank-workload.js";

export const bankSchema = z
  .strictObject({
    accounts: integer(2, 10_000).default(8).describe("Accounts, each a record (acct0, acct1, ...)."),
    initial_balance: integer(0, 1_000_000_000).default(100).describe("Each account's balance at the start."),
    max_transfer: integer(1, 1_000_000_000).default(5).describe("A transfer moves 1 to max_transfer."),
    read_fraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe("Share of operations that read every balance at once; the rest are transfers."),
    // Optional without a default: every scenario's report.json echoes this section, unchanged so.
    accounts_per_transfer: integer(2, 64)
      .optional()
      .describe(
        "Accounts a transfer touches (default 2, at most accounts): the first pays the amount to each " +
          "of the others.",
      ),
    transfer: z
      .enum(BANK_TRANSFER_MODES)
      .default("transaction")
      .describe(
        "`transaction`: a transaction reading the balances, then writing them (under " +
          "`cluster.transactions.isolation`); `read_then_write`: read each balance, then write each, as " +
          "a client without transactions does (not safe under concurrency).",
      ),
  })
  .describe("The bank workload (workload.type `bank`); the YCSB keys do not apply to it.");

export type BankConfig = Readonly<z.output<typeof bankSchema>>;
