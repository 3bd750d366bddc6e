// The `workload.list_append` and `workload.rw_register` sections of a scenario: the knobs of Elle's
// two transaction workloads (the same for both), with defaults. They need no resolution: the
// document's section is the ElleWorkloadConfig the workload takes.

import { z } from "zod";
import { duration } from "../../../engine/settings/durations.js";
import { integer } from "../../../engine/settings/fields.js";

export const KEY_DISTRIBUTIONS = ["uniform", "zipfian"] as const;

/** Micro-operations one transaction may have at most. */
export const TXN_LENGTH_MAX = 64;

/** Elle's workloads: a key is a list appended to, or a register written. */
export const ELLE_WORKLOAD_TYPES = ["list-append", "rw-register"] as const;
export type ElleWorkloadType = (typeof ELLE_WORKLOAD_TYPES)[number];

function elleWorkloadSchema(type: ElleWorkloadType) {
  const write = type === "list-append" ? "append" : "write";
  const writes = `${write}s`;
  return z
    .strictObject({
      key_count: integer(1, 1_000_000)
        .default(8)
        .describe("Keys in use at once (`0`, `1`, ...; a retired key's place goes to the next new key)."),
      max_writes_per_key: integer(1, 1_000_000)
        .default(32)
        .describe(
          `${writes[0]?.toUpperCase()}${writes.slice(1)} a key takes before it is retired for a fresh one (Jepsen's): ` +
            "values, and so reads, histories and the check, stay small however long the run.",
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
        .describe(`Share of micro-operations that read a key; the rest ${write} to one.`),
      key_distribution: z
        .enum(KEY_DISTRIBUTIONS)
        .default("uniform")
        .describe(
          "How each micro-operation picks its key: `uniform`, or `zipfian` (key 0 the most popular).",
        ),
      interactive: z
        .boolean()
        .default(false)
        .describe(
          "Send each micro-operation as its own statement of an open transaction (a client round trip " +
            "between them), the last one committing; false: the whole transaction as one request.",
        ),
      retries: integer(0, 100)
        .default(0)
        .describe(
          "Attempts a client makes after a transaction aborts (conflict, validation, timeout, " +
            `unknown_txn), each a new operation in the history with fresh values to ${write}.`,
        ),
      backoff: duration("positive")
        .default("1ms")
        .describe(
          "The delay before the first retry, at most: retry n waits between half and all of backoff x " +
            "2^(n-1) (seeded jitter), doubling at most 5 times.",
        ),
    })
    .describe(`Elle's ${type} workload (workload.type \`${type}\`); the YCSB keys do not apply to it.`);
}

export const listAppendSchema = elleWorkloadSchema("list-append");
export const rwRegisterSchema = elleWorkloadSchema("rw-register");

export type ElleWorkloadConfig = Readonly<z.output<typeof listAppendSchema>>;
