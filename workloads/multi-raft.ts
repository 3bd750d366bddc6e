// The run's side of a multi-raft cluster (`cluster.nodes`, docs/ranges.md): where each range's
// voters start, the loopback links between the replica hosts of one physical node, and the fate
// groups through which the fault injector hits a whole node (all its replica hosts at once).

import type { RangeMove } from "../engine/ranges/moves.js";
import { physicalNodeName, placeRanges } from "../engine/ranges/placement.js";
import type { RebalanceSettings } from "../engine/ranges/settings.js";
import type { Place } from "../engine/regions/placement.js";
import type { ReplicaChange } from "../engine/replication/settings.js";
import type { HostId } from "../sim/host.js";
import type { LatencySpec } from "../sim/latency.js";
import type { Simulation } from "../sim/simulation.js";
import type { FateGroups } from "./nemesis/targets.js";
import type { ResolvedCluster } from "./scenario/resolve.js";

/** One-way delay between two replica hosts of the same physical node: a loopback, no loss. */
export const LOOPBACK_LATENCY: LatencySpec = { dist: "constant", value_us: 10 };

/**
 * The topology's `ranges`: the nodes and every provisioned range's initial voters, placed by
 * `range_placement`; undefined without nodes.
 */
export function rangeLayout(
  cluster: ResolvedCluster,
):
  | { readonly nodes: number; readonly voters: readonly (readonly number[])[]; readonly rebalance: boolean }
  | undefined {
  const { ranges } = cluster;
  if (ranges === null) return undefined;
  return {
    nodes: ranges.nodes,
    voters: placeRanges(cluster.provisioned, ranges.nodes, cluster.replicas, ranges.placement),
    rebalance: ranges.rebalance !== null,
  };
}

/** Sets the links between the replica hosts of each node to the loopback (after any region links). */
export function connectLoopbacks(sim: Simulation, machines: readonly (readonly HostId[])[]): void {
  for (const hosts of machines) {
    for (const a of hosts)
      for (const b of hosts) if (a !== b) sim.setLink(a, b, { latency: LOOPBACK_LATENCY });
  }
}

/** The physical nodes as fate groups (null without them: every host fails alone). */
export function fateGroups(machines: readonly (readonly HostId[])[]): FateGroups | null {
  if (machines.length === 0) return null;
  const groupOf = new Map<HostId, number>();
  machines.forEach((hosts, node) => {
    for (const host of hosts) groupOf.set(host, node);
  });
  return {
    names: machines.map((_, node) => physicalNodeName(node)),
    hosts: machines,
    of: (host) => groupOf.get(host) ?? -1,
  };
}

/** The coordinator's `ranges`: each range's host on every node, and the scenario's moves as hosts. */
export function rangeMoves(
  shards: readonly { readonly nodes: readonly HostId[] }[],
  changes: readonly ReplicaChange[],
): { hosts: Map<number, readonly HostId[]>; moves: RangeMove[] } {
  const hosts = new Map(shards.map((shard, s) => [s, shard.nodes]));
  const moves: RangeMove[] = [];
  for (const change of changes) {
    if (change.kind !== "move_replica") continue;
    const replicas = shards[change.shard]?.nodes ?? [];
    const remove = replicas[change.from] as HostId;
    moves.push({ at_us: change.at_us, shard: change.shard, remove, add: replicas[change.to] as HostId });
  }
  return { hosts, moves };
}

/** The coordinator's `ranges.rebalance`: the settings, and each node's place (its first host's); {} without. */
export function rebalancing(
  settings: RebalanceSettings | null,
  machines: readonly (readonly HostId[])[],
  places: ReadonlyMap<HostId, Place> | undefined,
): { rebalance?: { settings: RebalanceSettings; places?: readonly Place[] } } {
  if (settings === null) return {};
  if (places === undefined) return { rebalance: { settings } };
  return {
    rebalance: { settings, places: machines.map((hosts) => places.get(hosts[0] as HostId) as Place) },
  };
}
