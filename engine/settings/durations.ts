// Duration fields of the scenario schema, shared by schema.ts and nemesis/schema.ts: validated, never
// transformed (the document keeps what the user wrote), at most a virtual day.

import { z } from "zod";
import { MAX_VALUE_CHARS } from "./limits.js";
import { DURATION_UNITS_US, parseDurationUs, UnitError } from "./units.js";

/** Every duration in a scenario is at most a virtual day; warmup + duration too. */
export const MAX_DURATION_US = 24 * DURATION_UNITS_US.h;

const DURATION_EXAMPLES = "use a number and a unit (us, ms, s, m, h)";

type DurationFloor = "zero" | "positive";

/** Why `value` is not a valid duration with this floor, or null when it is. */
function durationProblem(value: string | number, floor: DurationFloor): string | null {
  if (typeof value === "number") {
    if (value === 0 && floor === "zero") return null; // `warmup: 0` reads naturally in YAML
    if (value <= 0) return `must be ${floor === "zero" ? "at least" : "more than"} 0 (got ${value})`;
    return `${value} has no unit: ${DURATION_EXAMPLES}, e.g. ${value}ms or ${value}s`;
  }
  let us: number;
  try {
    us = parseDurationUs(value);
  } catch (error) {
    if (error instanceof UnitError) return error.message;
    throw error;
  }
  if (floor === "positive" && us === 0) return `must be more than 0 (got ${JSON.stringify(value)})`;
  if (us > MAX_DURATION_US) return `must be at most 24h (got ${JSON.stringify(value)})`;
  return null;
}

/** A duration such as "500us" or "10s" (or the number 0 where zero is allowed), at most 24h. */
export function duration(floor: DurationFloor) {
  return z
    .union([z.string().max(MAX_VALUE_CHARS), z.number()], {
      error: "expected a duration such as 500us, 2ms or 10s",
    })
    .superRefine((value, ctx) => {
      const problem = durationProblem(value, floor);
      if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta({ allowed: floor === "positive" ? "duration > 0, at most 24h" : "duration >= 0, at most 24h" });
}

/** The duration in µs when valid, else null (for cross-field checks, which skip invalid operands). */
export function durationValueUs(value: string | number): number | null {
  if (typeof value === "number") return value === 0 ? 0 : null;
  return durationProblem(value, "zero") === null ? parseDurationUs(value) : null;
}
