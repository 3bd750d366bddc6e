// Shipped latency matrices between regions, by name (`topology.latency.matrix`). Each pair's entry
// is the one-way delay of a message; the round trip people quote is twice its median.
//
// `three-regions`: AWS us-east-1 (N. Virginia), us-west-2 (Oregon) and eu-west-1 (Ireland), round
// trips of about 62, 76 and 136 ms (published inter-region pings), with a p99 a quarter above the
// median. Two regions close to a third and one far from it: the shape that shows a Raft quorum
// waiting for its median distance, not its farthest.

import type { LatencySpec } from "../../sim/latency.js";

/** One-way delay between two regions (either order). */
export interface RegionPairLatency {
  readonly regions: readonly [string, string];
  readonly latency: LatencySpec;
}

/** A lognormal one-way delay for a quoted round trip: median half of it, p99 a quarter above. */
function fromRtt(rtt_ms: number): LatencySpec {
  const median_us = (rtt_ms * 1000) / 2;
  return { dist: "lognormal", median_us, p99_us: median_us * 1.25 };
}

export const LATENCY_MATRICES = {
  "three-regions": [
    { regions: ["us-east", "us-west"], latency: fromRtt(62) },
    { regions: ["us-east", "eu-west"], latency: fromRtt(76) },
    { regions: ["us-west", "eu-west"], latency: fromRtt(136) },
  ],
} as const satisfies Record<string, readonly RegionPairLatency[]>;

export type LatencyMatrixName = keyof typeof LATENCY_MATRICES;
export const LATENCY_MATRIX_NAMES = Object.keys(LATENCY_MATRICES) as [
  LatencyMatrixName,
  ...LatencyMatrixName[],
];
