// The `network` section of a scenario: its schema with defaults, and its resolution to what the
// simulator takes (the latency distribution in µs, loss, duplication, bandwidth in bytes per
// second). The rules between a
// distribution's fields (uniform: max >= min; lognormal: p99 >= median) are in rules.ts.

import { z } from "zod";
import { latencySchema, resolveLatency } from "../../engine/settings/latency.js";
import { MAX_VALUE_CHARS } from "../../engine/settings/limits.js";
import { parseBandwidthBytesPerS, UnitError } from "../../engine/settings/units.js";
import type { LatencySpec } from "../../sim/latency.js";
import { BANDWIDTH_BYTES_PER_S_MAX, BANDWIDTH_BYTES_PER_S_MIN } from "../../sim/network.js";

function bandwidthProblem(value: string | number): string | null {
  if (typeof value === "number") return `${value} has no unit: write ${value}Mbit/s, ${value}MB/s, ...`;
  let bytesPerS: number;
  try {
    bytesPerS = parseBandwidthBytesPerS(value);
  } catch (error) {
    if (error instanceof UnitError) return error.message;
    throw error;
  }
  if (bytesPerS < BANDWIDTH_BYTES_PER_S_MIN || bytesPerS > BANDWIDTH_BYTES_PER_S_MAX)
    return `must be from 1kbit/s to 1Tbit/s (got ${JSON.stringify(value)})`;
  return null;
}

const bandwidth = z
  .union([z.string().max(MAX_VALUE_CHARS), z.number()], {
    error: "expected a bandwidth such as 1Gbit/s or 125MB/s",
  })
  .superRefine((value, ctx) => {
    const problem = bandwidthProblem(value);
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
  })
  .meta({
    allowed:
      "bandwidth `<number><unit>`: bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s, B/s, kB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s; 1kbit/s to 1Tbit/s",
  });

export const networkSchema = z
  .strictObject({
    latency: latencySchema()
      .default({ dist: "lognormal", median: "500us", p99: "5ms" })
      .describe("One-way delay of every message, chosen by `dist`."),
    loss: z.number().min(0).max(1).default(0).describe("Probability that a message is dropped."),
    duplicate: z.number().min(0).max(1).default(0).describe("Probability that a message is delivered twice."),
    bandwidth: bandwidth
      .nullable()
      .default(null)
      .describe(
        "What each link (one per ordered pair of hosts) transmits per second. A message waits for the " +
          "messages sent before it on its link, takes its size / bandwidth to transmit, then its latency " +
          '(docs/model.md, "Bandwidth and message sizes"). null: unlimited, a message\'s size costs no time.',
      ),
  })
  .describe("The simulated network between clients and nodes.");

export type NetworkDoc = z.output<typeof networkSchema>;

export interface NetworkSettings {
  readonly latency: LatencySpec;
  readonly loss: number;
  readonly duplicate: number;
  /** Bytes per second of every link (null: unlimited). */
  readonly bandwidth_bytes_per_s: number | null;
}

export function resolveNetwork(network: NetworkDoc): NetworkSettings {
  return {
    latency: resolveLatency(network.latency),
    loss: network.loss,
    duplicate: network.duplicate,
    bandwidth_bytes_per_s:
      network.bandwidth === null ? null : parseBandwidthBytesPerS(String(network.bandwidth)),
  };
}
