// The client driver's fields of a scenario's `workload` section (rate, arrival, clients, timeout,
// max_backlog): their schema with defaults, and their resolution to the DriverConfig fields they
// set (durations in µs, the rate as a RateShape).

import { z } from "zod";
import { duration } from "../../engine/settings/durations.js";
import { integer, us } from "../../engine/settings/fields.js";
import { MAX_VALUE_CHARS } from "../../engine/settings/limits.js";
import { parseRatePerS, UnitError } from "../../engine/settings/units.js";
import type { PoolSettings } from "../../engine/sharding/connection-pool.js";
import { constantRate, type RateShape, type RateStage } from "./arrivals.js";
import type { DriverConfig } from "./driver.js";
import { poolSchema, resolvePool } from "./pool-settings.js";

/** One arrival per µs on average: the clock's resolution. */
export const MAX_RATE_PER_S = 1_000_000;
/** Stages of a load shape: plenty for a hand-written shape, or a day in minutes. */
export const MAX_RATE_STAGES = 1000;

/** A stage's rate may be 0/s (a ramp down to nothing, a pause); a single rate may not. */
const ZERO_RATE_PATTERN = /^0+(?:\.0+)?k?\/s$/;

function ratePerS(text: string, zeroAllowed: boolean): number {
  return zeroAllowed && ZERO_RATE_PATTERN.test(text) ? 0 : parseRatePerS(text);
}

function rateProblem(value: string | number, zeroAllowed: boolean): string | null {
  if (typeof value === "number") {
    if (value > 0 || (zeroAllowed && value === 0)) return `${value} has no unit: write ${value}/s`;
    return `must be more than 0/s (got ${value})`;
  }
  let perS: number;
  try {
    perS = ratePerS(value, zeroAllowed);
  } catch (error) {
    if (error instanceof UnitError) return error.message;
    throw error;
  }
  if (perS > MAX_RATE_PER_S) {
    return `must be at most ${MAX_RATE_PER_S / 1000}k/s, one operation per µs (got ${JSON.stringify(value)})`;
  }
  return null;
}

function rateSchema(zeroAllowed: boolean) {
  return z
    .union([z.string().max(MAX_VALUE_CHARS), z.number()], {
      error: `expected a rate such as ${zeroAllowed ? "0/s, " : ""}2000/s or 2.5k/s`,
    })
    .superRefine((value, ctx) => {
      const problem = rateProblem(value, zeroAllowed);
      if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
    });
}

const stage = z
  .strictObject({
    for: duration("positive").describe("How long the stage lasts."),
    rate: rateSchema(true).optional().describe("The rate the stage starts at (and holds, without `to`)."),
    to: rateSchema(true).optional().describe("The rate the stage ramps to, linearly."),
  })
  .superRefine((value, ctx) => {
    if (value.rate === undefined && value.to === undefined) {
      ctx.addIssue({
        code: "custom",
        message: "a stage needs rate: <rate> (a step) or to: <rate> (a ramp), e.g. { for: 30s, to: 8000/s }",
      });
    }
  });

const stages = z.array(stage).superRefine((value, ctx) => {
  if (value.length === 0 || value.length > MAX_RATE_STAGES) {
    ctx.addIssue({
      code: "custom",
      message: `expected 1 to ${MAX_RATE_STAGES} stages (got ${value.length})`,
    });
  }
});

const rate = z
  .union([rateSchema(false), stages], {
    error: "expected a rate such as 2000/s or 2.5k/s, or a list of stages",
  })
  .meta({
    allowed:
      `rate \`<number>/s\` or \`<number>k/s\`, > 0, at most ${MAX_RATE_PER_S / 1000}k/s; ` +
      `or a list of 1 to ${MAX_RATE_STAGES} stages \`{for: <duration>, rate: <rate>, to: <rate>}\` (rates from 0/s)`,
  });

/** The driver's fields of `workload`, in the order the file and the reference list them. */
export const driverFields = {
  rate: rate
    .nullable()
    .default(null)
    .describe(
      "Open loop at this target rate; latency counts from each operation's intended start. " +
        "A list of stages shapes the load: `{for, rate}` holds a rate, `{for, to}` ramps linearly from " +
        "the rate before it (0/s at the start) to `to`, `{for, rate, to}` ramps from `rate`; the stages " +
        "start at time 0 (warmup included), the last rate holds to the end, and stages past the end " +
        "are cut. null: closed loop, each client sends its next operation when the previous completes.",
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
  // Optional without a default: a scenario without a pool keeps its report's config as it was.
  pool: poolSchema.optional(),
};

export type DriverDoc = z.output<z.ZodObject<typeof driverFields>>;

/** The driver's settings a scenario gives (the run gives the rest: warmup, end, routing). */
export type DriverSettings = Pick<
  DriverConfig,
  "rate" | "arrival" | "clients" | "timeout_us" | "max_backlog"
> & { pool: PoolSettings | null };

/** The rate a scenario gives (validated), as the schedule follows it; null: closed loop. */
export function resolveRate(rate: DriverDoc["rate"]): RateShape | null {
  if (rate === null) return null;
  if (!Array.isArray(rate)) return constantRate(parseRatePerS(String(rate)));
  let before_per_s = 0;
  const resolved: RateStage[] = rate.map((s) => {
    const from_per_s = s.rate === undefined ? before_per_s : ratePerS(String(s.rate), true);
    const to_per_s = s.to === undefined ? from_per_s : ratePerS(String(s.to), true);
    before_per_s = to_per_s;
    return { for_us: us(s.for), from_per_s, to_per_s };
  });
  return { stages: resolved, after_per_s: before_per_s };
}

/** The rate in a line: "2000/s", "4 stages between 0/s and 8000/s", "closed loop". */
export function rateText(rate: DriverDoc["rate"] | undefined): string {
  if (rate === null || rate === undefined) return "closed loop";
  const shape = resolveRate(rate) as RateShape;
  if (shape.stages.length === 0) return String(rate);
  const rates = shape.stages.flatMap((s) => [s.from_per_s, s.to_per_s]);
  const n = shape.stages.length;
  return `${n} stage${n === 1 ? "" : "s"} between ${Math.min(...rates)}/s and ${Math.max(...rates)}/s`;
}

export function resolveDriver(workload: DriverDoc): DriverSettings {
  return {
    rate: resolveRate(workload.rate),
    arrival: workload.arrival,
    clients: workload.clients,
    timeout_us: us(workload.timeout),
    max_backlog: workload.max_backlog,
    pool: resolvePool(workload.pool),
  };
}
