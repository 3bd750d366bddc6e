// The multi-raft fields of a scenario's `cluster` section (docs/ranges.md): `nodes`, the physical
// nodes every range has a replica host on, and `range_placement`, where each range's voters start.
// Both are optional with no default, so a scenario without them keeps its report's config as it
// was. The rules with other fields (raft only, enough nodes, the host bound) are in
// workloads/scenario/rules.ts.

import { z } from "zod";
import { SIM_HOSTS_MAX } from "../../sim/simulation.js";
import { integer } from "../settings/fields.js";
import { RANGE_PLACEMENTS, type RangePlacement } from "./placement.js";

/** Hosts beside the range replicas' (client hosts, coordinator, router, caches) kept free of SIM_HOSTS_MAX. */
export const OTHER_HOSTS_RESERVED = 64;

/** Most range replica hosts (ranges provisioned x nodes): SIM_HOSTS_MAX less the other hosts. */
export const RANGE_HOSTS_MAX = SIM_HOSTS_MAX - OTHER_HOSTS_RESERVED;

export const nodesSchema = integer(1, RANGE_HOSTS_MAX)
  .optional()
  .describe(
    "Physical nodes (raft only): every shard (a range) has a replica host on each, `replicas` of them its " +
      "voters; a node's replicas share its CPU and fail together (docs/ranges.md). Absent: each shard " +
      "has hosts of its own.",
  );

export const rangePlacementSchema = z
  .enum(RANGE_PLACEMENTS)
  .optional()
  .describe(
    "With `nodes`: where each range's voters start. `balanced` (absent): round-robin over the nodes, " +
      "replicas and leaseholders spread evenly; `packed`: every range on the first `replicas` nodes, " +
      "led from node0 (one node holds every leaseholder).",
  );

/** The cluster's physical nodes and its ranges' initial placement. */
export interface RangeSettings {
  readonly nodes: number;
  readonly placement: RangePlacement;
}

/** null without `nodes`: each shard owns its hosts (today's layout). */
export function resolveRanges(cluster: {
  nodes?: number | undefined;
  range_placement?: RangePlacement | undefined;
}): RangeSettings | null {
  if (cluster.nodes === undefined) return null;
  return { nodes: cluster.nodes, placement: cluster.range_placement ?? "balanced" };
}
