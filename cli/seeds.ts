// Parsing of seed arguments.

import { CliError } from "./errors.js";

/** A seed: a non-negative safe integer, written in decimal. */
export function parseSeed(text: unknown, option = "--seed"): number {
  const raw = String(text).trim();
  if (!/^\d+$/.test(raw))
    throw new CliError(`${option}: expected a non-negative integer (got ${JSON.stringify(raw)})`);
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) {
    throw new CliError(`${option}: must be at most ${Number.MAX_SAFE_INTEGER} (got ${raw})`);
  }
  return seed;
}
