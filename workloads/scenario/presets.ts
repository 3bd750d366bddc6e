// The names a scenario file may use for YCSB's presets, operations and distributions, and each
// preset's mix and distribution, taken from the workload generator's table (YCSB_PRESETS).

import {
  YCSB_DISTRIBUTIONS,
  YCSB_OP_KINDS,
  YCSB_PRESETS,
  type YcsbMix,
} from "../generators/ycsb/core-workload.js";

export const YCSB_PRESET_NAMES = ["a", "b", "c", "d", "e", "f"] as const;
export type YcsbPresetName = (typeof YCSB_PRESET_NAMES)[number];

export const OPERATION_KINDS = YCSB_OP_KINDS;
export type OperationMix = Readonly<YcsbMix>;

export const REQUEST_DISTRIBUTIONS = YCSB_DISTRIBUTIONS;
export type RequestDistribution = (typeof REQUEST_DISTRIBUTIONS)[number];

export interface ScenarioPreset {
  readonly mix: OperationMix;
  readonly distribution: RequestDistribution;
}

export const SCENARIO_PRESETS: Readonly<Record<YcsbPresetName, ScenarioPreset>> = YCSB_PRESETS;
