// YCSB's fields of a scenario's `workload` section (they sit in `workload` itself, beside `type`):
// their schema with defaults, and their resolution (the preset's mix and distribution applied, the
// mix normalized), which the YCSB plugin reads.

import { z } from "zod";
import { integer, WHEN_FIELDS_VALID } from "../../../engine/settings/fields.js";
import {
  OPERATION_KINDS,
  type OperationMix,
  REQUEST_DISTRIBUTIONS,
  type RequestDistribution,
  SCENARIO_PRESETS,
  YCSB_PRESET_NAMES,
  type YcsbPresetName,
} from "../../scenario/presets.js";

const mixShare = (kind: string) =>
  z.number().min(0).max(1).default(0).describe(`Weight of ${kind} operations.`);

const mixSchema = z
  .strictObject({
    read: mixShare("read"),
    update: mixShare("update"),
    insert: mixShare("insert"),
    scan: mixShare("scan"),
    rmw: mixShare("read-modify-write"),
  })
  .superRefine((mix, ctx) => {
    const sum = OPERATION_KINDS.reduce((total, kind) => total + mix[kind], 0);
    if (!(sum > 0)) {
      ctx.addIssue({
        code: "custom",
        message: `at least one of ${OPERATION_KINDS.join(", ")} must be more than 0`,
      });
    }
  }, WHEN_FIELDS_VALID)
  .describe("Operation weights, normalized to sum 1; replaces the preset's mix. null: the preset's mix.");

// The rule between min and max is in workloads/scenario/rules.ts with the other cross-field rules.
const scanLengthSchema = z
  .strictObject({
    min: integer(1, 10_000).default(1).describe("Fewest rows a scan asks for."),
    max: integer(1, 10_000).default(100).describe("Most rows a scan asks for; at least `min`."),
  })
  .describe("Range of scan lengths.");

const hotspotSchema = z
  .strictObject({
    data_fraction: z.number().gt(0).max(1).default(0.2).describe("Fraction of the keys that are hot."),
    ops_fraction: z.number().min(0).max(1).default(0.8).describe("Fraction of operations on hot keys."),
  })
  .describe("Shape of the `hotspot` distribution.");

const exponentialSchema = z
  .strictObject({
    percentile: z
      .number()
      .gt(0)
      .lt(100)
      .default(95)
      .describe("Percentage of operations on the most recent `frac` of the keys."),
    frac: z.number().gt(0).max(1).default(0.8571428571).describe("Fraction of the keys they fall on."),
  })
  .describe("Shape of the `exponential` distribution (YCSB's exponential.percentile and .frac).");

const zipfianConstant = z
  .number()
  .gt(0)
  .max(10)
  .superRefine((value, ctx) => {
    // YCSB's zipfian generator divides by (1 - constant).
    if (value === 1)
      ctx.addIssue({
        code: "custom",
        message: "must not be 1 (the zipfian formula divides by 1 - constant); YCSB uses 0.99",
      });
  })
  .meta({ allowed: "number > 0 and <= 10, not 1" });

/** YCSB's fields of `workload`, in the order the file and the reference list them. */
export const ycsbFields = {
  preset: z
    .enum(YCSB_PRESET_NAMES)
    .default("a")
    .describe(
      "YCSB core workload: a 50% read 50% update; b 95% read 5% update; c read only; " +
        "d 95% read 5% insert, latest; e 95% scan 5% insert; f 50% read 50% read-modify-write.",
    ),
  mix: mixSchema.nullable().default(null),
  records: integer(1, 5_000_000).default(10_000).describe("Records loaded before the run."),
  distribution: z
    .enum(REQUEST_DISTRIBUTIONS)
    .nullable()
    .default(null)
    .describe("Which keys operations choose. null: the preset's (`latest` for d, else `zipfian`)."),
  field_count: integer(1, 100).default(10).describe("Fields per record."),
  field_length: integer(1, 1_000_000).default(100).describe("Bytes per field."),
  scan_length: scanLengthSchema.prefault({}),
  scan_length_distribution: z
    .enum(["uniform", "zipfian"])
    .default("uniform")
    .describe("How scan lengths are drawn from `scan_length`."),
  insert_order: z
    .enum(["hashed", "ordered"])
    .default("hashed")
    .describe("Whether inserted keys are hashed (spread out) or in insertion order."),
  zero_padding: integer(1, 64)
    .default(1)
    .describe(
      "YCSB's zeropadding: key numbers are padded with zeros to this many digits. With `ordered` " +
        "inserts, enough digits (say 10) make the keys' sort order their insertion order.",
    ),
  hotspot: hotspotSchema.prefault({}),
  zipfian_constant: zipfianConstant.default(0.99).describe("Skew of the zipfian distribution."),
  exponential: exponentialSchema.prefault({}),
};

export type YcsbDoc = z.output<z.ZodObject<typeof ycsbFields>>;

/** YCSB's fields as the plugin reads them: the preset applied (mix normalized to sum 1). */
export type YcsbSettings = Omit<YcsbDoc, "mix" | "distribution"> & {
  readonly mix: Readonly<Record<keyof OperationMix, number>>;
  readonly distribution: RequestDistribution;
};

export function resolveYcsb(workload: YcsbDoc): YcsbSettings {
  const preset = SCENARIO_PRESETS[workload.preset as YcsbPresetName];
  return {
    preset: workload.preset,
    mix: normalizeMix(workload.mix ?? preset.mix),
    records: workload.records,
    distribution: workload.distribution ?? preset.distribution,
    field_count: workload.field_count,
    field_length: workload.field_length,
    scan_length: workload.scan_length,
    scan_length_distribution: workload.scan_length_distribution,
    insert_order: workload.insert_order,
    zero_padding: workload.zero_padding,
    hotspot: workload.hotspot,
    zipfian_constant: workload.zipfian_constant,
    exponential: workload.exponential,
  };
}

function normalizeMix(mix: OperationMix): YcsbSettings["mix"] {
  const sum = OPERATION_KINDS.reduce((total, kind) => total + mix[kind], 0);
  if (!(sum > 0)) throw new Error("resolveYcsb: the operation mix sums to 0; validate first");
  return {
    read: mix.read / sum,
    update: mix.update / sum,
    insert: mix.insert / sum,
    scan: mix.scan / sum,
    rmw: mix.rmw / sum,
  };
}
