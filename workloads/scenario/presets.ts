// The names a scenario file may use for YCSB's presets, operations and distributions, and each
// preset's mix and distribution, taken from the workload generator's table (YCSB_PRESETS).

import { YCSB_PRESETS, type YcsbDistribution, type YcsbMix, type YcsbOpKind } from "../ycsb/core-workload.js";

export const YCSB_PRESET_NAMES = ["a", "b", "c", "d", "e", "f"] as const;
export type YcsbPresetName = (typeof YCSB_PRESET_NAMES)[number];

export const OPERATION_KINDS = [
  "read",
  "update",
  "insert",
  "scan",
  "rmw",
] as const satisfies readonly YcsbOpKind[];
export type OperationKind = (typeof OPERATION_KINDS)[number];
export type OperationMix = Readonly<YcsbMix>;

export const REQUEST_DISTRIBUTIONS = [
  "uniform",
  "zipfian",
  "latest",
  "hotspot",
  "sequential",
  "exponential",
] as const satisfies readonly YcsbDistribution[];
export type RequestDistribution = (typeof REQUEST_DISTRIBUTIONS)[number];

export interface ScenarioPreset {
  readonly mix: OperationMix;
  readonly distribution: RequestDistribution;
}

export const SCENARIO_PRESETS: Readonly<Record<YcsbPresetName, ScenarioPreset>> = YCSB_PRESETS;
