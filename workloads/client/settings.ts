// The client driver's fields of a scenario's `workload` section (rate, arrival, clients, timeout,
// max_backlog): their schema with defaults, and their resolution to the DriverConfig fields they
// set (durations in µs, the rate per second).

import { z } from "zod";
import { duration } from "../../engine/settings/durations.js";
import { integer, us } from "../../engine/settings/fields.js";
import { MAX_VALUE_CHARS } from "../../engine/settings/limits.js";
import { parseRatePerS, UnitError } from "../../engine/settings/units.js";
import type { DriverConfig } from "./driver.js";

/** One arrival per µs on average: the clock's resolution. */
export const MAX_RATE_PER_S = 1_000_000;

function rateProblem(value: string | number): string | null {
  if (typeof value === "number") {
    return value > 0 ? `${value} has no unit: write ${value}/s` : `must be more than 0/s (got ${value})`;
  }
  let perS: number;
  try {
    perS = parseRatePerS(value);
  } catch (error) {
    if (error instanceof UnitError) return error.message;
    throw error;
  }
  if (perS > MAX_RATE_PER_S) {
    return `must be at most ${MAX_RATE_PER_S / 1000}k/s, one operation per µs (got ${JSON.stringify(value)})`;
  }
  return null;
}

const rate = z
  .union([z.string().max(MAX_VALUE_CHARS), z.number()], { error: "expected a rate such as 2000/s or 2.5k/s" })
  .superRefine((value, ctx) => {
    const problem = rateProblem(value);
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
  })
  .meta({ allowed: `rate \`<number>/s\` or \`<number>k/s\`, > 0, at most ${MAX_RATE_PER_S / 1000}k/s` });

/** The driver's fields of `workload`, in the order the file and the reference list them. */
export const driverFields = {
  rate: rate
    .nullable()
    .default(null)
    .describe(
      "Open loop at this target rate; latency counts from each operation's intended start. " +
        "null: closed loop, each client sends its next operation when the previous completes.",
    ),
  arrival: z
    .enum(["poisson", "constant"])
    .default("poisson")
    .describe("Open-loop inter-arrival times: exponential (`poisson`) or fixed (`constant`)."),
  clients: integer(1, 10_000).default(32).describe("Concurrent clients."),
  timeout: duration("positive")
    .default("2s")
    .describe("Per request; past it the operation is recorded as `info` (outcome unknown)."),
  max_backlog: integer(1, 10_000_000)
    .default(100_000)
    .describe(
      "Open-loop operations waiting for a free client; past it new ones fail (error `backlog_full`).",
    ),
};

export type DriverDoc = z.output<z.ZodObject<typeof driverFields>>;

/** The driver's settings a scenario gives (the run gives the rest: warmup, end, routing). */
export type DriverSettings = Pick<
  DriverConfig,
  "rate_per_s" | "arrival" | "clients" | "timeout_us" | "max_backlog"
>;

export function resolveDriver(workload: DriverDoc): DriverSettings {
  return {
    rate_per_s: workload.rate === null ? null : parseRatePerS(String(workload.rate)),
    arrival: workload.arrival,
    clients: workload.clients,
    timeout_us: us(workload.timeout),
    max_backlog: workload.max_backlog,
  };
}
