// Where each replica of a shard sits: a place is a region and one of its zones. Replica j of every
// shard sits at the same place (shards are alike), so a placement is one place per replica index.
//
// - spread: replica j in region j mod R (in the order the regions are listed), in its zone
//   floor(j / R) mod Z: a shard survives the loss of a region when no region holds a majority
//   (5 replicas over 3 regions: 2 + 2 + 1).
// - zones: every replica in the first region (the home region), replica j in its zone j mod Z:
//   writes commit at the region's latency, and a shard survives a zone, not the region.
// - an explicit list of `region/zone`, one per replica (e.g. a majority in one region).

export interface Place {
  readonly region: string;
  readonly zone: string;
}

export interface Region {
  readonly name: string;
  readonly zones: readonly string[];
}

export const PLACEMENT_POLICIES = ["spread", "zones"] as const;
export type PlacementPolicy = (typeof PLACEMENT_POLICIES)[number];

/** `region/zone`, as a scenario writes a place and a fault names one. */
export function placeName(place: Place): string {
  return `${place.region}/${place.zone}`;
}

/** The place of each of `replicas` replicas under a policy (regions as validated: at least one, each with a zone). */
export function placeReplicas(
  regions: readonly Region[],
  policy: PlacementPolicy | readonly Place[],
  replicas: number,
): Place[] {
  if (typeof policy !== "string") return [...policy];
  return Array.from({ length: replicas }, (_, j) => {
    const region = (policy === "spread" ? regions[j % regions.length] : regions[0]) as Region;
    const round = policy === "spread" ? Math.floor(j / regions.length) : j;
    return { region: region.name, zone: region.zones[round % region.zones.length] as string };
  });
}
