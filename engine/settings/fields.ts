// Field types and helpers every settings section shares (engine/*/settings.ts, workloads'
// sections): bounded integers, and a validated duration's value in µs for the resolve functions.

import { z } from "zod";
import { durationValueUs } from "./durations.js";

export const integer = (min: number, max: number) => z.int().min(min).max(max);

/** A duration the schema accepted, in µs (resolve functions run only on validated documents). */
export function us(value: string | number): number {
  const result = durationValueUs(value);
  if (result === null) throw new Error(`settings: invalid duration ${JSON.stringify(value)}; validate first`);
  return result;
}

/** For a rule between fields: run only when every field is valid, so a problem is reported once. */
export const WHEN_FIELDS_VALID = { when: (payload: z.core.ParsePayload) => payload.issues.length === 0 };
