// The `workload.smallbank` section of a scenario: SmallBank's accounts and its contention knob (a
// hot set of accounts that a share of the picks goes to), with defaults.

import { z } from "zod";
import { integer } from "../../../engine/settings/fields.js";

export const smallbankSchema = z
  .strictObject({
    accounts: integer(2, 1_000_000)
      .default(1000)
      .describe("Customers, each with a checking and a savings balance (keys `c<n>` and `s<n>`)."),
    hot_accounts: integer(1, 1_000_000)
      .default(10)
      .describe("The hot set: accounts `0` to `hot_accounts - 1` (at most `accounts`)."),
    hot_fraction: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe(
        "Share of account picks that go to the hot set (the contention knob: 0 spreads them over every " +
          "account; 0.9 sends nine in ten to the hot set).",
      ),
  })
  .describe(
    "SmallBank (workload.type `smallbank`): six transaction types over checking and savings balances; " +
      "the YCSB keys do not apply to it.",
  );

export type SmallbankConfig = Readonly<z.output<typeof smallbankSchema>>;
