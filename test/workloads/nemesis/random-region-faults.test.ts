// The random nemesis's region-scale faults (`faults.random.region_weights`): zone_outage,
// region_outage and region_partition drawn at weights of their own, on the places where nodes sit;
// at weight 0 (or absent) the draws are the ones they were.

import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/rng.js";
import { drawNemesisSchedule } from "../../../workloads/nemesis/nemesis.js";
import { type ResolvedFault, resolveFaults } from "../../../workloads/nemesis/resolve.js";
import { type FaultsInput, faultsSchema } from "../../../workloads/nemesis/schema.js";
import { ScenarioError } from "../../../workloads/scenario/errors.js";
import { nodeNames } from "./helpers.js";

const S = 1_000_000;
const END_US = 600 * S;
const REGION_KINDS = ["zone_outage", "region_outage", "region_partition"];

/** 5 replicas spread over three regions (2 + 2 + 1), as `placement: spread` puts them. */
const SPREAD = new Map([
  ["shard0/n0", { region: "us-west", zone: "a" }],
  ["shard0/n1", { region: "us-east", zone: "a" }],
  ["shard0/n2", { region: "eu-west", zone: "a" }],
  ["shard0/n3", { region: "us-west", zone: "b" }],
  ["shard0/n4", { region: "us-east", zone: "b" }],
]);

function resolved(random: FaultsInput["random"], topology: boolean = true) {
  return resolveFaults(faultsSchema.parse({ random }), {
    duration_us: END_US,
    warmup_us: 0,
    nodeNames: nodeNames(5),
    ...(topology ? { topology: { nodes: SPREAD } } : {}),
  });
}

function draw(random: FaultsInput["random"], seed = 1): ResolvedFault[] {
  const spec = resolved(random).random;
  if (spec === null) throw new Error("no random nemesis");
  return drawNemesisSchedule(spec, Rng.fromSeed(seed));
}

const WEIGHTED = {
  every: "5s",
  for: { min: "1s", max: "5s" },
  region_weights: { zone_outage: 1, region_outage: 1, region_partition: 1 },
};

describe("the random nemesis's region faults", () => {
  it("are drawn at a nonzero weight, each on a region (or a zone) where nodes sit, for a drawn duration", () => {
    const faults = draw(WEIGHTED);
    const regional = faults.filter((fault) => REGION_KINDS.includes(fault.kind));
    expect(new Set(regional.map((fault) => fault.kind))).toEqual(new Set(REGION_KINDS));
    // 3 of 7 kinds (4 default kinds at 1 each): about 3/7 of the faults.
    expect(regional.length / faults.length).toBeGreaterThan(0.3);
    expect(regional.length / faults.length).toBeLessThan(0.55);
    const places = new Set<string>();
    for (const fault of regional) {
      if (fault.kind !== "zone_outage" && fault.kind !== "region_outage" && fault.kind !== "region_partition")
        continue;
      places.add(fault.target.place);
      const names = [...SPREAD].filter(([, place]) =>
        fault.kind === "zone_outage"
          ? `${place.region}/${place.zone}` === fault.target.place
          : place.region === fault.target.place,
      );
      expect(fault.target.names).toEqual(names.map(([name]) => name));
      // Each heals within the run, after a duration drawn from `for`.
      expect(fault.for_us).toBeGreaterThanOrEqual(1 * S);
      expect(fault.for_us).toBeLessThanOrEqual(5 * S);
      expect(fault.at_us + (fault.for_us as number)).toBeLessThanOrEqual(END_US);
    }
    expect([...places].sort()).toEqual([
      "eu-west",
      "eu-west/a",
      "us-east",
      "us-east/a",
      "us-east/b",
      "us-west",
      "us-west/a",
      "us-west/b",
    ]);
  });

  it("draw only the kinds weighted above 0", () => {
    const kinds = draw({ ...WEIGHTED, kinds: ["crash"], region_weights: { region_outage: 2 } }).map(
      (fault) => fault.kind,
    );
    expect(new Set(kinds)).toEqual(new Set(["crash", "region_outage"]));
  });

  it("the same seed gives the same draws; another seed others", () => {
    expect(draw(WEIGHTED, 7)).toEqual(draw(WEIGHTED, 7));
    expect(draw(WEIGHTED, 8)).not.toEqual(draw(WEIGHTED, 7));
  });

  it("at weight 0, or absent, leave the draws as they were", () => {
    const { region_weights: _, ...plain } = WEIGHTED;
    const zero = { ...plain, region_weights: { zone_outage: 0, region_outage: 0, region_partition: 0 } };
    expect(resolved(zero).random?.region_faults).toBeNull();
    expect(draw(zero, 3)).toEqual(draw(plain, 3));
    expect(draw(plain, 3).some((fault) => REGION_KINDS.includes(fault.kind))).toBe(false);
  });

  it("need a topology, and a weight of at most 100", () => {
    expect(() => resolved(WEIGHTED, false)).toThrow(ScenarioError);
    expect(() => resolved(WEIGHTED, false)).toThrow(
      "faults.random.region_weights: needs a topology (topology.regions) to draw region faults",
    );
    expect(resolved({ ...WEIGHTED, region_weights: {} }, false).random?.region_faults).toBeNull();
    expect(faultsSchema.safeParse({ random: { region_weights: { region_outage: 101 } } }).success).toBe(
      false,
    );
    expect(faultsSchema.safeParse({ random: { region_weights: { region_outage: -1 } } }).success).toBe(false);
    expect(faultsSchema.safeParse({ random: { region_weights: { crash: 1 } } }).success).toBe(false);
  });
});
