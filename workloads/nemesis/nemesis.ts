// The random nemesis's timeline: when each fault starts, its kind, its duration and its shape, all
// drawn up front from the nemesis's own stream. Nothing here looks at the cluster, so the same seed
// gives the same timeline whatever the strategy under test; targets are roles, resolved when each
// fault fires. With target weights, each fault's role is drawn from a stream of its own, so the
// weights change whom the faults hit but not their times, kinds, durations or shapes.

import type { Rng } from "../../sim/rng.js";
import {
  type PartitionSpec,
  type RandomNemesisSpec,
  type ResolvedFault,
  SKEW_MIN_US,
  type Target,
} from "./resolve.js";
import { RANDOM_TARGET_ROLES, type RandomFaultKind, type RandomTargetRole } from "./schema.js";

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
 * interval, the kind, the duration, then the kind's own (partition shape; skew magnitude and sign);
 * with target weights, one more from the `targets` stream.
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
    const kind = spec.kinds[rng.int(spec.kinds.length)] as RandomFaultKind;
    const drawn_us = rng.intBetween(spec.for_min_us, spec.for_max_us);
    const for_us = Math.min(drawn_us, spec.until_us - at_us);
    const fault = randomFault(kind, at_us, for_us, spec.skew_max_us, rng);
    if (weights === null) {
      faults.push(fault);
    } else {
      const role: Target = { kind: "role", role: weightedRole(weights, roles) };
      faults.push(targeted(fault, role));
    }
  }
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
  const total = RANDOM_TARGET_ROLES.reduce((sum, role) => sum + weights[role], 0);
  let draw = rng.float() * total;
  for (const role of RANDOM_TARGET_ROLES) {
    draw -= weights[role];
    if (draw < 0) return role;
  }
  // Rounding left a sliver past the last weight: the last role with any weight.
  return RANDOM_TARGET_ROLES.findLast((role) => weights[role] > 0) as RandomTargetRole;
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
