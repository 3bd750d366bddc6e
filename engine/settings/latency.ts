// A latency distribution as a scenario writes it (network.latency, cluster.node.disk.read and
// write): its schema, chosen by `dist`, and its resolution to the simulator's LatencySpec (µs). The
// rules between a distribution's fields (uniform: max >= min; lognormal: p99 >= median) are in
// workloads/scenario/rules.ts.

import { z } from "zod";
import type { LatencySpec } from "../../sim/latency.js";
import { duration } from "./durations.js";
import { us } from "./fields.js";

const latencyForms = [
  z
    .strictObject({
      dist: z.literal("constant"),
      value: duration("zero").describe("The delay."),
    })
    .describe("Always the same delay."),
  z
    .strictObject({
      dist: z.literal("uniform"),
      min: duration("zero").describe("Smallest delay."),
      max: duration("zero").describe("Largest delay; at least `min`."),
    })
    .describe("Delays uniform between `min` and `max`."),
  z
    .strictObject({
      dist: z.literal("exponential"),
      mean: duration("positive").describe("Mean delay."),
    })
    .describe("Exponentially distributed delays."),
  z
    .strictObject({
      dist: z.literal("normal"),
      mean: duration("zero").describe("Mean delay."),
      stddev: duration("zero").describe("Standard deviation; negative samples are cut to 0."),
    })
    .describe("Normally distributed delays, truncated at 0."),
  z
    .strictObject({
      dist: z.literal("lognormal"),
      median: duration("positive").describe("Median delay."),
      p99: duration("positive").describe("99th percentile delay; at least `median`."),
    })
    .describe("Log-normal delays given by their median and 99th percentile: a long tail."),
  z
    .strictObject({
      dist: z.literal("pareto"),
      scale: duration("positive").describe("Smallest delay (the Pareto scale)."),
      shape: z.number().gt(0).describe("Pareto shape (alpha): smaller means a heavier tail."),
    })
    .describe("Pareto delays: a heavy tail."),
] as const;

/** A latency distribution, chosen by `dist`. */
export const latencySchema = () => z.discriminatedUnion("dist", latencyForms);

export type LatencyDoc = z.output<ReturnType<typeof latencySchema>>;

export function resolveLatency(latency: LatencyDoc): LatencySpec {
  switch (latency.dist) {
    case "constant":
      return { dist: "constant", value_us: us(latency.value) };
    case "uniform":
      return { dist: "uniform", min_us: us(latency.min), max_us: us(latency.max) };
    case "exponential":
      return { dist: "exponential", mean_us: us(latency.mean) };
    case "normal":
      return { dist: "normal", mean_us: us(latency.mean), stddev_us: us(latency.stddev) };
    case "lognormal":
      return { dist: "lognormal", median_us: us(latency.median), p99_us: us(latency.p99) };
    case "pareto":
      return { dist: "pareto", scale_us: us(latency.scale), shape: latency.shape };
  }
}
