// The `workload.list_append` section of a scenario: Elle's list-append knobs, with defaults. It needs
// no resolution: the document's section is the ListAppendConfig the workload takes.

import { z } from "zod";
import { integer } from "../../../engine/settings/fields.js";

export const KEY_DISTRIBUTIONS = ["uniform", "zipfian"] as const;

/** Micro-operations one transaction may have at most. */
export const TXN_LENGTH_MAX = 64;

export const listAppendSchema = z
  .strictObject({
    key_count: integer(1, 1_000_000)
      .default(8)
      .describe("Keys in use at once (`0`, `1`, ...; a retired key's place goes to the next new key)."),
    max_writes_per_key: integer(1, 1_000_000)
      .default(32)
      .describe(
        "Appends a key takes before it is retired for a fresh one (Jepsen's): lists, and so reads, " +
          "histories and the check, stay short however long the run.",
      ),
    min_txn_length: integer(1, TXN_LENGTH_MAX)
      .default(1)
      .describe("Micro-operations per transaction, at least."),
    max_txn_length: integer(1, TXN_LENGTH_MAX)
      .default(4)
      .describe("Micro-operations per transaction, at most."),
    read_fraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe("Share of micro-operations that read a key's list; the rest append to one."),
    key_distribution: z
      .enum(KEY_DISTRIBUTIONS)
      .default("uniform")
      .describe("How each micro-operation picks its key: `uniform`, or `zipfian` (key 0 the most popular)."),
    interactive: z
      .boolean()
      .default(false)
      .describe(
        "Send each micro-operation as its own statement of an open transaction (a client round trip " +
          "between them), the last one committing; false: the whole transaction as one request.",
      ),
  })
  .describe("Elle's list-append workload (workload.type `list-append`); the YCSB keys do not apply to it.");

export type ListAppendConfig = Readonly<z.output<typeof listAppendSchema>>;
