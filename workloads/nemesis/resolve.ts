// Turns a validated `faults:` section into numbers and checks it against the run: targets must name
// nodes that exist (or a role), and every fault must start and end within the run.

import { type Place, placeName } from "../../engine/regions/placement.js";
import { us } from "../../engine/settings/fields.js";
import { formatDurationUs } from "../../engine/settings/units.js";
import { ScenarioError } from "../scenario/errors.js";
import {
  DISK_FAULT_KINDS,
  type FaultsDoc,
  HOST_ROLES,
  type HostRole,
  NODE_ROLES,
  RANDOM_REGION_KINDS,
  type RandomFaultKind,
  type RandomRegionKind,
  type RandomTargetRole,
  type ScheduledFaultDoc,
} from "./schema.js";

/** A node by name, a role resolved when the fault fires, or the nodes of a place (`us-east`, `us-east/a`). */
export type Target =
  | { readonly kind: "node"; readonly name: string }
  | { readonly kind: "role"; readonly role: HostRole }
  | PlaceTarget;

/** Every node placed in a region or a zone (`us-east`, `us-east/a`), by name. */
export interface PlaceTarget {
  readonly kind: "place";
  readonly place: string;
  readonly names: readonly string[];
}

/** `nodes_only`: only links between database nodes are cut; the other hosts reach every node. */
export type PartitionSpec =
  | { readonly shape: "isolate"; readonly target: Target; readonly nodes_only: boolean }
  | { readonly shape: "halves"; readonly nodes_only: boolean }
  | { readonly shape: "minority"; readonly target: Target; readonly nodes_only: boolean }
  | { readonly shape: "bridge"; readonly nodes_only: boolean }
  | { readonly shape: "one_way"; readonly from: Target; readonly to: Target };

export interface LinkFaultSpec {
  readonly loss: number;
  readonly duplicate: number;
  readonly extra_latency_us: number;
  readonly jitter_us: number;
}

/** One fault with its times in µs; `for_us` null: until healed (partition) or for good. */
export type ResolvedFault =
  | {
      readonly kind: "partition";
      readonly at_us: number;
      readonly partition: PartitionSpec;
      readonly for_us: number | null;
    }
  | {
      readonly kind: "crash";
      readonly at_us: number;
      readonly target: Target;
      readonly restart_after_us: number | null;
    }
  | { readonly kind: "restart"; readonly at_us: number; readonly target: Target }
  | { readonly kind: "pause"; readonly at_us: number; readonly target: Target; readonly for_us: number }
  | {
      readonly kind: "clock_skew";
      readonly at_us: number;
      readonly target: Target;
      readonly offset_us: number;
      readonly drift_ppm: number;
      readonly for_us: number | null;
    }
  | {
      readonly kind: "link";
      readonly at_us: number;
      readonly from: Target;
      readonly to: Target;
      readonly link: LinkFaultSpec;
      readonly for_us: number | null;
    }
  | { readonly kind: "heal"; readonly at_us: number }
  | {
      readonly kind: "zone_outage" | "region_outage";
      readonly at_us: number;
      readonly target: PlaceTarget;
      readonly for_us: number | null;
    }
  | {
      readonly kind: "region_partition";
      readonly at_us: number;
      readonly target: PlaceTarget;
      readonly for_us: number | null;
    }
  | DiskFault;

/** The disk faults (sim/disk.ts), each on target nodes. */
export type DiskFault =
  | {
      readonly kind: "disk_corruption";
      readonly at_us: number;
      readonly target: Target;
      readonly entries: number;
    }
  | {
      readonly kind: "torn_write";
      readonly at_us: number;
      readonly target: Target;
      readonly restart_after_us: number;
    }
  | {
      readonly kind: "lost_fsync";
      readonly at_us: number;
      readonly target: Target;
      readonly for_us: number;
      readonly restart_after_us: number;
    }
  | {
      readonly kind: "slow_disk";
      readonly at_us: number;
      readonly target: Target;
      readonly factor: number;
      readonly for_us: number;
    };

const DISK_FAULTS: ReadonlySet<string> = new Set(DISK_FAULT_KINDS);

/** Whether the run injects disk faults (then reports and metrics count them). */
export function hasDiskFaults(faults: ResolvedFaults): boolean {
  return (
    faults.schedule.some((fault) => DISK_FAULTS.has(fault.kind)) ||
    (faults.random?.kinds.includes("disk") ?? false)
  );
}

/** Whether a fault is a disk fault. */
export function isDiskFault(kind: string): boolean {
  return DISK_FAULTS.has(kind);
}

export interface RandomNemesisSpec {
  readonly every_us: number;
  readonly kinds: readonly RandomFaultKind[];
  readonly for_min_us: number;
  readonly for_max_us: number;
  /** Weights of the roles a single-target fault hits (null: `any`, a minority around the leader). */
  readonly targets: Readonly<Record<RandomTargetRole, number>> | null;
  /** Region-scale faults drawn beside `kinds` (null: none, and no draw spent on them). */
  readonly region_faults: RandomRegionFaults | null;
  /** The largest clock offset a random clock_skew draws (log-uniform from 1ms). */
  readonly skew_max_us: number;
  /** The window faults start in: the measured phase [warmup, warmup + duration). */
  readonly from_us: number;
  readonly until_us: number;
}

export interface RandomRegionFaults {
  /** Each kind's weight against 1 for each of `kinds`; some are above 0. */
  readonly weights: Readonly<Record<RandomRegionKind, number>>;
  /** Where they land, each equally likely: the regions where nodes sit, and the zones. */
  readonly regions: readonly PlaceTarget[];
  readonly zones: readonly PlaceTarget[];
}

export interface ResolvedFaults {
  readonly schedule: readonly ResolvedFault[];
  readonly random: RandomNemesisSpec | null;
}

export interface FaultsContext {
  readonly duration_us: number;
  readonly warmup_us: number;
  /** Every database node's name, e.g. shard0/n0. */
  readonly nodeNames: readonly string[];
  /** With a topology (absent: none): where each database node sits, by name. */
  readonly topology?: FaultsTopology;
}

export interface FaultsTopology {
  readonly nodes: ReadonlyMap<string, Place>;
}

/** Random clock offsets are log-uniform between 1ms and `skew_max` (default 2^13 ms, about 8s), ahead or behind (as Jepsen's bumps). */
export const SKEW_MIN_US = 1000;
const SKEW_MAX_US_DEFAULT = SKEW_MIN_US * 2 ** 13;

/** Bounds the random nemesis: the mean interval must allow at most this many faults in the run. */
export const MAX_RANDOM_FAULTS = 10_000;
/** Node names listed in an error message, at most. */
const LISTED_NODES = 10;

export function resolveFaults(doc: FaultsDoc, context: FaultsContext): ResolvedFaults {
  const end_us = context.warmup_us + context.duration_us;
  const resolver = new Resolver(context.nodeNames, end_us, context.topology ?? null);
  const schedule = doc.schedule.map((fault, i) => resolver.fault(fault, `faults.schedule.${i}`));
  const random = doc.random;
  if (random === null) return { schedule, random: null };
  const every_us = us(random.every);
  const least_us = Math.ceil(context.duration_us / MAX_RANDOM_FAULTS);
  if (every_us < least_us) {
    fail(
      "faults.random.every",
      `must be at least ${formatDurationUs(least_us)} for this run, at most ${MAX_RANDOM_FAULTS} random faults on average (got ${JSON.stringify(random.every)})`,
    );
  }
  const skew_max_us = random.skew_max === undefined ? SKEW_MAX_US_DEFAULT : us(random.skew_max);
  if (skew_max_us < SKEW_MIN_US) {
    fail(
      "faults.random.skew_max",
      `must be at least ${formatDurationUs(SKEW_MIN_US)} (got ${JSON.stringify(random.skew_max)})`,
    );
  }
  return {
    schedule,
    random: {
      every_us,
      kinds: random.kinds,
      for_min_us: us(random.for.min),
      for_max_us: us(random.for.max),
      targets: random.targets,
      region_faults: resolver.randomRegionFaults(random.region_weights),
      skew_max_us,
      from_us: context.warmup_us,
      until_us: end_us,
    },
  };
}

class Resolver {
  private readonly nodeNames: ReadonlySet<string>;
  private readonly nodeList: string;
  private readonly end_us: number;
  private readonly topology: FaultsTopology | null;

  constructor(nodeNames: readonly string[], end_us: number, topology: FaultsTopology | null) {
    this.nodeNames = new Set(nodeNames);
    this.topology = topology;
    const listed = nodeNames.slice(0, LISTED_NODES).join(", ");
    this.nodeList = nodeNames.length > LISTED_NODES ? `${listed}, ... (${nodeNames.length} in all)` : listed;
    this.end_us = end_us;
  }

  fault(fault: ScheduledFaultDoc, path: string): ResolvedFault {
    const at_us = us(fault.at);
    if (at_us > this.end_us) {
      fail(
        `${path}.at`,
        `must be at most the end of the run, warmup + duration = ${this.endText()} (got ${JSON.stringify(fault.at)})`,
      );
    }
    switch (fault.kind) {
      case "partition":
        return {
          kind: "partition",
          at_us,
          partition: this.partition(fault, path),
          for_us: this.until(fault.at, at_us, fault.for, `${path}.for`),
        };
      case "crash":
        return {
          kind: "crash",
          at_us,
          target: this.target(fault.target, `${path}.target`, "node"),
          restart_after_us: this.until(fault.at, at_us, fault.restart_after, `${path}.restart_after`),
        };
      case "restart":
        return { kind: "restart", at_us, target: this.target(fault.target, `${path}.target`, "node") };
      case "pause":
        return {
          kind: "pause",
          at_us,
          target: this.target(fault.target, `${path}.target`, "node"),
          for_us: this.until(fault.at, at_us, fault.for, `${path}.for`) as number,
        };
      case "clock_skew":
        return {
          kind: "clock_skew",
          at_us,
          target: this.target(fault.target, `${path}.target`, "node"),
          offset_us: signedUs(fault.offset),
          drift_ppm: fault.drift_ppm,
          for_us: this.until(fault.at, at_us, fault.for, `${path}.for`),
        };
      case "link":
        return {
          kind: "link",
          at_us,
          from: this.target(fault.from, `${path}.from`, "host"),
          to: this.target(fault.to, `${path}.to`, "host"),
          link: {
            loss: fault.loss,
            duplicate: fault.duplicate,
            extra_latency_us: us(fault.extra_latency),
            jitter_us: us(fault.jitter),
          },
          for_us: this.until(fault.at, at_us, fault.for, `${path}.for`),
        };
      case "heal":
        return { kind: "heal", at_us };
      case "zone_outage":
      case "region_outage":
        return {
          kind: fault.kind,
          at_us,
          target: this.place(fault.region, fault.kind === "zone_outage" ? fault.zone : null, path),
          for_us: this.until(fault.at, at_us, fault.for, `${path}.for`),
        };
      case "region_partition":
        return {
          kind: "region_partition",
          at_us,
          target: this.place(fault.region, null, path),
          for_us: this.until(fault.at, at_us, fault.for, `${path}.for`),
        };
      case "disk_corruption":
        return {
          kind: "disk_corruption",
          at_us,
          target: this.target(fault.target, `${path}.target`, "node"),
          entries: fault.entries,
        };
      case "torn_write":
        return {
          kind: "torn_write",
          at_us,
          target: this.target(fault.target, `${path}.target`, "node"),
          restart_after_us: this.until(
            fault.at,
            at_us,
            fault.restart_after,
            `${path}.restart_after`,
          ) as number,
        };
      case "lost_fsync": {
        const for_us = this.until(fault.at, at_us, fault.for, `${path}.for`) as number;
        return {
          kind: "lost_fsync",
          at_us,
          target: this.target(fault.target, `${path}.target`, "node"),
          for_us,
          restart_after_us: us(fault.restart_after),
        };
      }
      case "slow_disk":
        return {
          kind: "slow_disk",
          at_us,
          target: this.target(fault.target, `${path}.target`, "node"),
          factor: fault.factor,
          for_us: this.until(fault.at, at_us, fault.for, `${path}.for`) as number,
        };
    }
  }

  /** The random nemesis's region-scale faults: their weights and where they may land (null: none). */
  randomRegionFaults(
    weights: Readonly<Record<RandomRegionKind, number>> | undefined,
  ): RandomRegionFaults | null {
    if (weights === undefined || RANDOM_REGION_KINDS.every((kind) => weights[kind] === 0)) return null;
    const path = "faults.random.region_weights";
    if (this.topology === null)
      return fail(path, "needs a topology (topology.regions) to draw region faults");
    const places = [...this.topology.nodes.values()];
    const regions = [...new Set(places.map((place) => place.region))];
    const zones = [...new Map(places.map((place) => [placeName(place), place])).values()];
    return {
      weights,
      regions: regions.map((region) => this.place(region, null, path)),
      zones: zones.map((place) => this.place(place.region, place.zone, path)),
    };
  }

  /** The nodes placed in a region, or in one of its zones. */
  private place(region: string, zone: string | null, path: string): PlaceTarget {
    const topology = this.topology;
    if (topology === null)
      return fail(`${path}.kind`, "needs a topology (topology.regions) to name a region");
    const places = [...topology.nodes.values()];
    if (!places.some((place) => place.region === region)) {
      const regions = [...new Set(places.map((place) => place.region))].join(", ");
      return fail(
        `${path}.region`,
        `expected a region where nodes sit (${regions}) (got ${JSON.stringify(region)})`,
      );
    }
    if (zone !== null && !places.some((place) => place.region === region && place.zone === zone)) {
      const zones = [...new Set(places.filter((p) => p.region === region).map((p) => p.zone))].join(", ");
      return fail(
        `${path}.zone`,
        `expected a zone of ${region} where nodes sit (${zones}) (got ${JSON.stringify(zone)})`,
      );
    }
    const names = [...topology.nodes]
      .filter(([, place]) => place.region === region && (zone === null || place.zone === zone))
      .map(([name]) => name);
    return { kind: "place", place: zone === null ? region : `${region}/${zone}`, names };
  }

  private partition(fault: Extract<ScheduledFaultDoc, { kind: "partition" }>, path: string): PartitionSpec {
    const { nodes_only } = fault;
    if (fault.isolate !== undefined) {
      return { shape: "isolate", target: this.target(fault.isolate, `${path}.isolate`, "host"), nodes_only };
    }
    if (fault.minority !== undefined) {
      return {
        shape: "minority",
        target: this.target(fault.minority, `${path}.minority`, "node"),
        nodes_only,
      };
    }
    if (fault.one_way !== undefined) {
      return {
        shape: "one_way",
        from: this.target(fault.one_way.from, `${path}.one_way.from`, "host"),
        to: this.target(fault.one_way.to, `${path}.one_way.to`, "host"),
      };
    }
    if (fault.halves === true) return { shape: "halves", nodes_only };
    if (fault.bridge === true) return { shape: "bridge", nodes_only };
    throw new Error(`resolveFaults: ${path} has no partition shape; validate first`);
  }

  /** `for_us` from `at_us`, checked to end within the run; null stays null. */
  private until(
    at: string | number,
    at_us: number,
    value: string | number | null,
    path: string,
  ): number | null {
    if (value === null) return null;
    const for_us = us(value);
    if (at_us + for_us > this.end_us) {
      const key = path.slice(path.lastIndexOf(".") + 1);
      const sum = `${at} + ${value} = ${formatDurationUs(at_us + for_us)}`;
      fail(
        path,
        `at + ${key} must be at most the end of the run, warmup + duration = ${this.endText()} (got ${sum})`,
      );
    }
    return for_us;
  }

  /** A node name or a role; `client` only where the fault acts on any host ("host"). */
  private target(text: string, path: string, scope: "node" | "host"): Target {
    const roles: readonly string[] = scope === "host" ? HOST_ROLES : NODE_ROLES;
    if (roles.includes(text)) return { kind: "role", role: text as HostRole };
    if (this.nodeNames.has(text)) return { kind: "node", name: text };
    return fail(
      path,
      `expected a node (${this.nodeList}) or a role (${roles.join(", ")}) (got ${JSON.stringify(text)})`,
    );
  }

  private endText(): string {
    return formatDurationUs(this.end_us);
  }
}

function fail(path: string, detail: string): never {
  throw new ScenarioError(`${path}: ${detail}`, { path });
}

/** A duration with an optional minus sign, in µs. */
function signedUs(value: string | number): number {
  if (typeof value === "string" && value.startsWith("-")) return -us(value.slice(1));
  return us(value);
}
