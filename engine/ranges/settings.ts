// The multi-raft fields of a scenario's `cluster` section (docs/ranges.md): `nodes`, the physical
// nodes every range has a replica host on, and `range_placement`, where each range's voters start.
// Both are optional with no default, so a scenario without them keeps its report's config as it
// was. The rules with other fields (raft only, enough nodes, the host bound) are in
// workloads/scenario/rules.ts.

import { z } from "zod";
import { SIM_HOSTS_MAX } from "../../sim/simulation.js";
import { duration } from "../settings/durations.js";
import { integer, us } from "../settings/fields.js";
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

export const rebalanceSchema = z
  .strictObject({
    every: duration("positive").describe("How often the rebalancer asks its planner for one action."),
    dead_after: duration("positive").describe(
      "A node none of whose hosts the coordinator heard from for this long is down: its leases and replicas move off it.",
    ),
    lease_region: z
      .string()
      .max(64)
      .nullable()
      .default(null)
      .describe("Lease preference: a region of `topology` leaseholders go to (null: none)."),
  })
  .optional()
  .describe(
    "With `nodes`: a rebalancer on the coordinator host moving replicas and leases to even them out " +
      "per node (docs/ranges.md). Absent: none.",
  );

type RebalanceDoc = z.output<typeof rebalanceSchema>;

/** The rebalancer's settings (`cluster.rebalance`). */
export interface RebalanceSettings {
  readonly every_us: number;
  readonly dead_after_us: number;
  readonly lease_region: string | null;
}

/** The cluster's physical nodes and its ranges' initial placement. */
export interface RangeSettings {
  readonly nodes: number;
  readonly placement: RangePlacement;
  /** null: no rebalancer. */
  readonly rebalance: RebalanceSettings | null;
}

/** null without `nodes`: each shard owns its hosts (today's layout). */
export function resolveRanges(cluster: {
  nodes?: number | undefined;
  range_placement?: RangePlacement | undefined;
  rebalance?: RebalanceDoc | undefined;
}): RangeSettings | null {
  if (cluster.nodes === undefined) return null;
  const { rebalance } = cluster;
  return {
    nodes: cluster.nodes,
    placement: cluster.range_placement ?? "balanced",
    rebalance:
      rebalance === undefined
        ? null
        : {
            every_us: us(rebalance.every),
            dead_after_us: us(rebalance.dead_after),
            lease_region: rebalance.lease_region,
          },
  };
}
