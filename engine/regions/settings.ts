// The scenario's `topology` section: regions with zones, where the replicas and the clients sit,
// and the latency between places; its schema with defaults and its resolution (RegionSettings:
// latencies as the simulator's LatencySpec). Absent (the default), the network is one flat link
// model between every pair of hosts, as without regions, and nothing of a run changes. The rules
// with other sections (a placement list names a place per replica; the distributions' own fields)
// are in workloads/scenario/rules.ts.

import { z } from "zod";
import type { LatencySpec } from "../../sim/latency.js";
import { WHEN_FIELDS_VALID } from "../settings/fields.js";
import { type LatencyDoc, latencySchema, resolveLatency } from "../settings/latency.js";
import { LATENCY_MATRICES, LATENCY_MATRIX_NAMES, type RegionPairLatency } from "./matrices.js";
import { PLACEMENT_POLICIES, type Place, placeReplicas, type Region } from "./placement.js";

/** Regions a topology may have, and zones per region. */
export const MAX_REGIONS = 16;
export const MAX_ZONES = 16;

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
const NAME_RULE = "1 to 32 lowercase letters, digits or '-', starting with a letter or digit";

const name = (what: string) =>
  z
    .string()
    .regex(NAME_PATTERN, { error: `must be ${NAME_RULE}` })
    .meta({ allowed: NAME_RULE })
    .describe(what);

/** `region/zone`. */
const placeText = z
  .string()
  .max(65)
  .meta({ allowed: "`region/zone`, e.g. `us-east/a`" })
  .describe("A place: a region and one of its zones.");

const ZONE_LATENCY_DEFAULT: LatencyDoc = { dist: "lognormal", median: "1ms", p99: "5ms" };

const regionSchema = z
  .strictObject({
    name: name("The region's name, unique (e.g. `us-east`; a shipped matrix names its regions)."),
    zones: z
      .array(name("A zone's name, unique in its region."))
      .min(1)
      .max(MAX_ZONES)
      .default(["a", "b", "c"])
      .describe("Its availability zones (failure domains: a `zone_outage` takes one down)."),
  })
  .describe("A region.");

const pairSchema = z
  .strictObject({
    regions: z
      .tuple([name("One region ..."), name("... and another.")])
      .describe("Two different regions (either order)."),
    latency: latencySchema().describe("One-way delay of a message between them, chosen by `dist`."),
  })
  .describe("The delay between two regions.");

const topologyObject = z.strictObject({
  regions: z
    .array(regionSchema)
    .min(1)
    .max(MAX_REGIONS)
    .describe("The regions, in order; the first is the home region."),
  placement: z
    .union([z.enum(PLACEMENT_POLICIES), z.array(placeText).min(1)], {
      error: "expected spread, zones or a list of `region/zone`, one per replica",
    })
    .default("spread")
    .meta({ allowed: "`spread`, `zones`, or a list of `region/zone`, one per replica" })
    .describe(
      "Where each shard's replicas sit (replica j of every shard at the same place). `spread`: " +
        "replica j in region j mod regions, zones in turn (survives a region outage when no region " +
        "holds a majority); `zones`: every replica in the home region, one zone after another " +
        "(survives a zone outage, writes at the region's latency); or a list, e.g. " +
        "`[us-west/a, us-west/b, us-west/c, us-east/a, eu-west/a]` (a majority in one region).",
    ),
  clients: z
    .union([name(""), z.array(name("")).min(1).max(MAX_REGIONS)], {
      error: "expected a region or a list of regions",
    })
    .nullable()
    .default(null)
    .meta({ allowed: "a region, or a list of regions" })
    .describe(
      "Where the clients sit: a region, or a list of regions over which `workload.clients` and " +
        "`workload.rate` split evenly (a client host per region, in its first zone). The first " +
        "region's host also has the coordinator, the router and the cache hosts. null: the home region.",
    ),
  latency: z
    .strictObject({
      matrix: z
        .enum(LATENCY_MATRIX_NAMES)
        .nullable()
        .default("three-regions")
        .describe(
          "A shipped matrix of delays between regions: `three-regions` is us-east, us-west and " +
            "eu-west, round trips 62, 76 and 136 ms (one-way lognormal, median half the round " +
            "trip, p99 a quarter above). null: none; `between` then gives every pair.",
        ),
      between: z
        .array(pairSchema)
        .default([])
        .describe("Delays between pairs of regions, in place of the matrix's for those pairs."),
      zone: latencySchema()
        .default(ZONE_LATENCY_DEFAULT)
        .describe("One-way delay between two zones of a region. Within a zone: `network.latency`."),
    })
    .prefault({})
    .describe("The delay of a message between places: every pair of regions must have one."),
});

export type TopologyDoc = z.output<typeof topologyObject>;

export const topologySchema = topologyObject
  .superRefine(checkTopology, WHEN_FIELDS_VALID)
  .describe(
    "Regions and zones (docs/topology.md): where replicas and clients sit, and the delays between " +
      "them. Absent: one flat network (`network.latency` between every pair of hosts).",
  );

export interface RegionSettings {
  readonly regions: readonly Region[];
  /** Where replica j of every shard sits. */
  readonly replicas: readonly Place[];
  /** Where the first client host (and the coordinator, router and cache hosts) sits. */
  readonly clients: Place;
  /** Where each client host sits, one per client region, in the order listed (the first: `clients`). */
  readonly client_hosts: readonly Place[];
  /** One-way delay between every pair of regions (each pair once, either order). */
  readonly region_latency: readonly RegionPairLatency[];
  /** One-way delay between zones of a region. */
  readonly zone_latency: LatencySpec;
}

type Report = (path: (string | number)[], message: string) => void;

function checkTopology(topology: TopologyDoc, ctx: z.RefinementCtx): void {
  const report: Report = (path, message) => ctx.addIssue({ code: "custom", path, message });
  const regions = new Map<string, ReadonlySet<string>>();
  topology.regions.forEach((region, i) => {
    if (regions.has(region.name)) report(["regions", i, "name"], `names region ${region.name} twice`);
    const zones = new Set(region.zones);
    if (zones.size !== region.zones.length) report(["regions", i, "zones"], "lists a zone twice");
    regions.set(region.name, zones);
  });
  const known = [...regions.keys()].join(", ");
  clientRegions(topology).forEach((region, i, all) => {
    const path = typeof topology.clients === "string" ? ["clients"] : ["clients", i];
    if (!regions.has(region)) report(path, `expected a region (${known}) (got ${JSON.stringify(region)})`);
    else if (all.indexOf(region) !== i) report(path, `names region ${region} twice`);
  });
  if (typeof topology.placement !== "string") {
    topology.placement.forEach((text, i) => {
      const [region, zone, ...rest] = text.split("/");
      const zones = regions.get(region ?? "");
      if (zones === undefined || zone === undefined || !zones.has(zone) || rest.length > 0) {
        report(
          ["placement", i],
          `expected region/zone of a listed region and zone (got ${JSON.stringify(text)})`,
        );
      }
    });
  }
  const given = new Set<string>();
  topology.latency.between.forEach(({ regions: [a, b] }, i) => {
    const path = ["latency", "between", i, "regions"];
    if (!regions.has(a) || !regions.has(b))
      report(path, `expected two of the regions ${known} (got ${a}, ${b})`);
    else if (a === b) report(path, `expected two different regions (got ${a} twice)`);
    else if (given.has(pairKey(a, b))) report(path, `gives ${a} - ${b} twice`);
    given.add(pairKey(a, b));
  });
  const matrix = topology.latency.matrix === null ? [] : LATENCY_MATRICES[topology.latency.matrix];
  for (const pair of matrix) given.add(pairKey(pair.regions[0], pair.regions[1]));
  const names = [...regions.keys()];
  for (const [i, a] of names.entries()) {
    for (const b of names.slice(i + 1)) {
      if (!given.has(pairKey(a, b))) {
        report(
          ["latency"],
          `no delay between ${a} and ${b}: add it to latency.between${topology.latency.matrix === null ? "" : ` (matrix ${topology.latency.matrix} has none)`}`,
        );
        return;
      }
    }
  }
}

/** The regions `clients` names, in order ([] for null: the home region). */
function clientRegions(topology: TopologyDoc): readonly string[] {
  if (topology.clients === null) return [];
  return typeof topology.clients === "string" ? [topology.clients] : topology.clients;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

/** The topology in numbers, with each replica's place (null without a topology: one flat network). */
export function resolveTopology(topology: TopologyDoc | undefined, replicas: number): RegionSettings | null {
  if (topology === undefined) return null;
  const regions = topology.regions.map((region) => ({ name: region.name, zones: region.zones }));
  const placement =
    typeof topology.placement === "string"
      ? topology.placement
      : topology.placement.map((text) => {
          const [region, zone] = text.split("/") as [string, string];
          return { region, zone };
        });
  const client_hosts = (
    topology.clients === null ? [(regions[0] as Region).name] : clientRegions(topology)
  ).map((name) => {
    const region = regions.find((candidate) => candidate.name === name) as Region;
    return { region: region.name, zone: region.zones[0] as string };
  });
  const between = new Map<string, RegionPairLatency>();
  const matrix = topology.latency.matrix === null ? [] : LATENCY_MATRICES[topology.latency.matrix];
  for (const pair of matrix) between.set(pairKey(pair.regions[0], pair.regions[1]), pair);
  for (const pair of topology.latency.between) {
    between.set(pairKey(pair.regions[0], pair.regions[1]), {
      regions: pair.regions,
      latency: resolveLatency(pair.latency),
    });
  }
  const names = new Set(regions.map((region) => region.name));
  return {
    regions,
    replicas: placeReplicas(regions, placement, replicas),
    clients: client_hosts[0] as Place,
    client_hosts,
    region_latency: [...between.values()].filter((pair) => pair.regions.every((region) => names.has(region))),
    zone_latency: resolveLatency(topology.latency.zone),
  };
}
