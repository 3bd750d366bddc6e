// The random nemesis's timeline: when each fault starts, its kind, its duration and its shape, all
// drawn up front from the nemesis's own stream. Nothing here looks at the cluster, so the same seed
// gives the same timeline whatever the strategy under test; targets are roles, resolved when each
// fault fires. With target weights, each fault's role is drawn from a stream of its own, so the
// weights change whom the faults hit but not their times, kinds, durations or shapes. Region-scale
// faults (zone and region outages, region partitions) are drawn only at weights of their own, and
// land on a place drawn among those where nodes sit.

import type { Rng } from "../../sim/rng.js";
import {
  type PartitionSpec,
  type RandomNemesisSpec,
  type RandomRegionFaults,
  type ResolvedFault,
  SKEW_MIN_US,
  type Target,
} from "./resolve.js";
import {
  RANDOM_REGION_KINDS,
  RANDOM_TARGET_ROLES,
  type RandomFaultKind,
  type RandomRegionKind,
  type RandomTargetRole,
} from "./schema.js";

const ANY = { kind: "role", role: "any" } as const;
const LEADER = { kind: "role", role: "leader" } as const;

/**
 * The partitions the nemesis chooses from, each equally likely. As Jepsen's, they cut the database
 * nodes from one another and leave the client reaching every node: a leader cut off from its
 * followers keeps taking writes, which is what loses them (async) or stalls them (sync).
 */
const RANDOM_PARTITIONS: readonly PartitionSpec[] = [
  { shape: "isolate", target: ANY, nodes_only: true },
  { shape: "halves", nodes_only: true },
  { shape: "minority", target: LEADER, nodes_only: true },
  { shape: "bridge", nodes_only: true },
];

/** What a random slow_disk multiplies the disk's latencies by. */
const RANDOM_SLOW_DISK_FACTOR = 10;

/** Safety bound on the loop; resolveFaults keeps the mean count at most MAX_RANDOM_FAULTS, far below. */
const MAX_DRAWN_FAULTS = 1_000_000;

/**
 * The nemesis's faults, in time order. Each starts in [from_us, until_us), the first an exponential
 * interval after from_us; each is cut short to end by until_us. Draws per fault, in order: the
 * interval, the kind, the duration, then the kind's own (partition shape; skew magnitude and sign;
 * a region fault's place); with target weights, one more from the `targets` stream.
 */
export function drawNemesisSchedule(spec: RandomNemesisSpec, rng: Rng): ResolvedFault[] {
  const faults: ResolvedFault[] = [];
  const weights = spec.targets;
  const roles = rng.split("targets");
  let at_us = spec.from_us;
  for (;;) {
    at_us += Math.max(1, Math.round(rng.exponential(spec.every_us)));
    if (at_us >= spec.until_us) return faults;
    if (faults.length >= MAX_DRAWN_FAULTS) {
      throw new Error(`random nemesis: more than ${MAX_DRAWN_FAULTS} faults (every ${spec.every_us}us)`);
    }
    const kind = drawKind(spec, rng);
    const drawn_us = rng.intBetween(spec.for_min_us, spec.for_max_us);
    const for_us = Math.min(drawn_us, spec.until_us - at_us);
    const fault = isRegionKind(kind)
      ? randomRegionFault(kind, at_us, for_us, spec.region_faults as RandomRegionFaults, rng)
      : randomFault(kind, at_us, for_us, spec.skew_max_us, rng);
    if (weights === null) {
      faults.push(fault);
    } else {
      const role: Target = { kind: "role", role: weightedRole(weights, roles) };
      faults.push(targeted(fault, role));
    }
  }
}

/**
 * Each kind of `kinds` equally likely; with region faults, each of them at its weight against 1 for
 * each of `kinds` (a float drawn instead of an int: without them the draws are what they were).
 */
function drawKind(spec: RandomNemesisSpec, rng: Rng): RandomFaultKind | RandomRegionKind {
  const { kinds, region_faults } = spec;
  if (region_faults === null) return kinds[rng.int(kinds.length)] as RandomFaultKind;
  const { weights } = region_faults;
  return weighted(
    [...kinds, ...RANDOM_REGION_KINDS],
    (kind) => (isRegionKind(kind) ? weights[kind] : 1),
    rng,
  );
}

function isRegionKind(kind: string): kind is RandomRegionKind {
  return (RANDOM_REGION_KINDS as readonly string[]).includes(kind);
}

/** A zone outage on a zone, or a region outage or partition on a region, drawn equally likely (one draw). */
function randomRegionFault(
  kind: RandomRegionKind,
  at_us: number,
  for_us: number,
  places: RandomRegionFaults,
  rng: Rng,
): ResolvedFault {
  const among = kind === "zone_outage" ? places.zones : places.regions;
  const target = among[rng.int(among.length)] as (typeof among)[number];
  return { kind, at_us, target, for_us };
}

function randomFault(
  kind: RandomFaultKind,
  at_us: number,
  for_us: number,
  skew_max_us: number,
  rng: Rng,
): ResolvedFault {
  switch (kind) {
    case "partition": {
      const partition = RANDOM_PARTITIONS[rng.int(RANDOM_PARTITIONS.length)] as PartitionSpec;
      return { kind, at_us, partition, for_us };
    }
    case "crash":
      return { kind, at_us, target: ANY, restart_after_us: for_us };
    case "pause":
      return { kind, at_us, target: ANY, for_us };
    case "clock_skew": {
      const magnitude_us = Math.round(
        SKEW_MIN_US * 2 ** (Math.log2(skew_max_us / SKEW_MIN_US) * rng.float()),
      );
      const offset_us = rng.float() < 0.5 ? -magnitude_us : magnitude_us;
      return { kind, at_us, target: ANY, offset_us, drift_ppm: 0, for_us };
    }
    case "disk":
      return randomDiskFault(at_us, for_us, rng);
  }
}

/**
 * One of the disk faults, each equally likely (one more draw): a corrupt entry; a torn write whose
 * node restarts after the duration; fsyncs lying for the duration, then a power loss and an
 * immediate restart; a disk 10 times slower for the duration.
 */
function randomDiskFault(at_us: number, for_us: number, rng: Rng): ResolvedFault {
  switch (rng.int(4)) {
    case 0:
      return { kind: "disk_corruption", at_us, target: ANY, entries: 1 };
    case 1:
      return { kind: "torn_write", at_us, target: ANY, restart_after_us: for_us };
    case 2:
      return { kind: "lost_fsync", at_us, target: ANY, for_us, restart_after_us: 0 };
    default:
      return { kind: "slow_disk", at_us, target: ANY, factor: RANDOM_SLOW_DISK_FACTOR, for_us };
  }
}

/** One role by its weight (one draw). */
function weightedRole(weights: Readonly<Record<RandomTargetRole, number>>, rng: Rng): RandomTargetRole {
  return weighted(RANDOM_TARGET_ROLES, (role) => weights[role], rng);
}

/** One of `items` by its weight (one draw); some weight is above 0. */
function weighted<T>(items: readonly T[], weight: (item: T) => number, rng: Rng): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let draw = rng.float() * total;
  for (const item of items) {
    draw -= weight(item);
    if (draw < 0) return item;
  }
  // Rounding left a sliver past the last weight: the last item with any weight.
  return items.findLast((item) => weight(item) > 0) as T;
}

/** `fault` aimed at `target` where it has a single target (halves and bridge have none). */
function targeted(fault: ResolvedFault, target: Target): ResolvedFault {
  switch (fault.kind) {
    case "partition": {
      const { partition } = fault;
      if (partition.shape === "isolate" || partition.shape === "minority") {
        return { ...fault, partition: { ...partition, target } };
      }
      return fault;
    }
    case "crash":
    case "pause":
    case "clock_skew":
    case "disk_corruption":
    case "torn_write":
    case "lost_fsync":
    case "slow_disk":
      return { ...fault, target };
    default:
      return fault;
  }
}
