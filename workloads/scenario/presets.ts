// The YCSB core workloads A-F as far as a scenario needs them: each preset's operation mix and
// request distribution (YCSB's workloads/workload[a-f] property files).

export const YCSB_PRESET_NAMES = ["a", "b", "c", "d", "e", "f"] as const;
export type YcsbPresetName = (typeof YCSB_PRESET_NAMES)[number];

export const OPERATION_KINDS = ["read", "update", "insert", "scan", "rmw"] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];
export type OperationMix = Readonly<Record<OperationKind, number>>;

export const REQUEST_DISTRIBUTIONS = [
  "uniform",
  "zipfian",
  "latest",
  "hotspot",
  "sequential",
  "exponential",
] as const;
export type RequestDistribution = (typeof REQUEST_DISTRIBUTIONS)[number];

export interface ScenarioPreset {
  readonly mix: OperationMix;
  readonly distribution: RequestDistribution;
}

const NO_OPS: OperationMix = { read: 0, update: 0, insert: 0, scan: 0, rmw: 0 };

export const SCENARIO_PRESETS: Readonly<Record<YcsbPresetName, ScenarioPreset>> = {
  a: { mix: { ...NO_OPS, read: 0.5, update: 0.5 }, distribution: "zipfian" }, // update heavy
  b: { mix: { ...NO_OPS, read: 0.95, update: 0.05 }, distribution: "zipfian" }, // read mostly
  c: { mix: { ...NO_OPS, read: 1 }, distribution: "zipfian" }, // read only
  d: { mix: { ...NO_OPS, read: 0.95, insert: 0.05 }, distribution: "latest" }, // read latest
  e: { mix: { ...NO_OPS, scan: 0.95, insert: 0.05 }, distribution: "zipfian" }, // short ranges
  f: { mix: { ...NO_OPS, read: 0.5, rmw: 0.5 }, distribution: "zipfian" }, // read-modify-write
};
