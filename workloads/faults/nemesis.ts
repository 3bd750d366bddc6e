// The random nemesis's timeline: when each fault starts, its kind, its duration and its shape, all
// drawn up front from the nemesis's own stream. Nothing here looks at the cluster, so the same seed
// gives the same timeline whatever the strategy under test; targets are roles, resolved when each
// fault fires.

import type { Rng } from "../../sim/rng.js";
import type { RandomFaultKind } from "../scenario/faults-schema.js";
import type { PartitionSpec, RandomNemesisSpec, ResolvedFault } from "./resolve.js";

const ANY = { kind: "role", role: "any" } as const;
const LEADER = { kind: "role", role: "leader" } as const;

/** The partitions the nemesis chooses from, each equally likely. */
const RANDOM_PARTITIONS: readonly PartitionSpec[] = [
  { shape: "isolate", target: ANY },
  { shape: "halves" },
  { shape: "minority", target: LEADER },
  { shape: "bridge" },
];

/** Clock offsets are log-uniform between 1ms and 2^13 ms (about 8s), ahead or behind (as Jepsen's bumps). */
const SKEW_MIN_US = 1000;
const SKEW_DOUBLINGS = 13;

/** Safety bound on the loop; resolveFaults keeps the mean count at most MAX_RANDOM_FAULTS, far below. */
const MAX_DRAWN_FAULTS = 1_000_000;

/**
 * The nemesis's faults, in time order. Each starts in [from_us, until_us), the first an exponential
 * interval after from_us; each is cut short to end by until_us. Draws per fault, in order: the
 * interval, the kind, the duration, then the kind's own (partition shape; skew magnitude and sign).
 */
export function drawNemesisSchedule(spec: RandomNemesisSpec, rng: Rng): ResolvedFault[] {
  const faults: ResolvedFault[] = [];
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
    faults.push(randomFault(kind, at_us, for_us, rng));
  }
}

function randomFault(kind: RandomFaultKind, at_us: number, for_us: number, rng: Rng): ResolvedFault {
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
      const magnitude_us = Math.round(SKEW_MIN_US * 2 ** (SKEW_DOUBLINGS * rng.float()));
      const offset_us = rng.float() < 0.5 ? -magnitude_us : magnitude_us;
      return { kind, at_us, target: ANY, offset_us, drift_ppm: 0, for_us };
    }
  }
}
