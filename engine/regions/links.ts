// The network of a topology: every link's latency from where its two hosts sit. Set once, before
// the run, one link per ordered pair of hosts (the simulator keeps a link per pair anyway), so a
// message still costs one array lookup: the delay of a pair is decided here, not per message.

import type { HostId } from "../../sim/host.js";
import { type LatencySpec, medianDelayUs } from "../../sim/latency.js";
import type { Simulation } from "../../sim/simulation.js";
import type { Place } from "./placement.js";
import type { RegionSettings } from "./settings.js";

/** One-way delay between two places: within a zone `local`, between zones the zone's, else the regions'. */
export function placeLatency(
  settings: RegionSettings,
  local: LatencySpec,
): (a: Place, b: Place) => LatencySpec {
  const between = new Map<string, LatencySpec>();
  for (const { regions, latency } of settings.region_latency) {
    between.set(`${regions[0]} ${regions[1]}`, latency);
    between.set(`${regions[1]} ${regions[0]}`, latency);
  }
  return (a, b) => {
    if (a.region !== b.region) return between.get(`${a.region} ${b.region}`) as LatencySpec;
    return a.zone === b.zone ? local : settings.zone_latency;
  };
}

/** Configures every link between two hosts of `places` (by host id) with its places' delay, and the network's loss and duplication. */
export function configureRegionLinks(
  sim: Simulation,
  places: ReadonlyMap<HostId, Place>,
  latencyOf: (a: Place, b: Place) => LatencySpec,
  network: { readonly loss: number; readonly duplicate: number },
): void {
  const { loss, duplicate } = network;
  for (const [a, placeA] of places) {
    for (const [b, placeB] of places) {
      if (a !== b) sim.setLink(a, b, { latency: latencyOf(placeA, placeB), loss, duplicate });
    }
  }
}

/**
 * Where each host sits: replica j of every shard at its place, client host i in client region i,
 * every other host with the first client host.
 */
export function hostPlaces(
  shards: readonly { readonly nodes: readonly HostId[] }[],
  clients: readonly HostId[],
  hostCount: number,
  settings: RegionSettings,
): Map<HostId, Place> {
  const places = new Map<HostId, Place>();
  for (let id = 0; id < hostCount; id++) places.set(id, settings.clients);
  for (const [i, client] of clients.entries()) places.set(client, settings.client_hosts[i] as Place);
  for (const shard of shards) {
    for (const [j, node] of shard.nodes.entries()) places.set(node, settings.replicas[j] as Place);
  }
  return places;
}

/**
 * The replicas nearest a place, for `read_from: nearest`: those with the smallest median delay
 * from it (the same zone, else the same region, else the closest region's), in replica order.
 */
export function nearestReplicas(
  nodes: readonly HostId[],
  places: ReadonlyMap<HostId, Place>,
  from: Place,
  latencyOf: (a: Place, b: Place) => LatencySpec,
): HostId[] {
  const delays = nodes.map((node) => medianDelayUs(latencyOf(from, places.get(node) as Place)));
  const least = Math.min(...delays);
  return nodes.filter((_, i) => delays[i] === least);
}
