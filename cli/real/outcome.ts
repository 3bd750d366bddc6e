// What a database error means for an operation's outcome (PostgreSQL SQLSTATEs; anything else is unknown).

import type { Outcome } from "./driver.js";

/**
 * The outcome of an operation whose statement failed with `error`: a duplicate key, or a
 * transaction PostgreSQL rolled back (deadlock, serialization), definitely did not apply (`fail`);
 * a statement the server cancelled at its statement_timeout is a timeout (`info`, as the driver
 * recorded it already). Anything else (a lost connection) is rethrown: the driver records it `info`.
 */
export function errorOutcome(error: unknown): Outcome {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "23505":
      return { result: "fail", error: "duplicate_key" };
    case "40P01":
    case "40001":
      return { result: "fail", error: "aborted" };
    case "57014":
      return { result: "info", error: "timeout" };
    default:
      throw error;
  }
}
