// The `network` section of a scenario: its schema with defaults, and its resolution to what the
// simulator takes (the latency distribution in µs, loss and duplication). The rules between a
// distribution's fields (uniform: max >= min; lognormal: p99 >= median) are in rules.ts.

import { z } from "zod";
import { duration } from "../../engine/settings/durations.js";
import { us } from "../../engine/settings/fields.js";
import type { LatencySpec } from "../../sim/latency.js";

const latencyForms = [
  z
    .strictObject({
      dist: z.literal("constant"),
      value: duration("zero").describe("The delay of every message."),
    })
    .describe("Every message takes the same time."),
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

export const networkSchema = z
  .strictObject({
    latency: z
      .discriminatedUnion("dist", latencyForms)
      .default({ dist: "lognormal", median: "500us", p99: "5ms" })
      .describe("One-way delay of every message, chosen by `dist`."),
    loss: z.number().min(0).max(1).default(0).describe("Probability that a message is dropped."),
    duplicate: z.number().min(0).max(1).default(0).describe("Probability that a message is delivered twice."),
  })
  .describe("The simulated network between clients and nodes.");

export type NetworkDoc = z.output<typeof networkSchema>;

export interface NetworkSettings {
  readonly latency: LatencySpec;
  readonly loss: number;
  readonly duplicate: number;
}

export function resolveNetwork(network: NetworkDoc): NetworkSettings {
  return { latency: resolveLatency(network.latency), loss: network.loss, duplicate: network.duplicate };
}

function resolveLatency(latency: NetworkDoc["latency"]): LatencySpec {
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
