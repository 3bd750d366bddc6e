// The scenario's `faults:` section, owned by the nemesis: a schedule of faults at fixed times and
// an optional random nemesis. Validation only, like scenario/schema.ts which composes it (durations
// stay as written); which node a target names depends on the cluster, so resolve.ts beside it
// checks targets and times against the run.
//
// A target is a node name (`shard0/n1`) or a role resolved when the fault fires: `leader`,
// `follower` (one follower), `followers` (all of them), `any` (one node that is up; for a restart,
// one that is down), `client` (the client host; only where a fault acts on the network: isolate,
// one_way, link).

import { z } from "zod";
import { duration, durationValueUs } from "../../engine/settings/durations.js";
import { MAX_NAME_CHARS, MAX_VALUE_CHARS } from "../../engine/settings/limits.js";

/** Roles a target may name instead of a node. */
export const NODE_ROLES = ["leader", "follower", "followers", "any"] as const;
export const HOST_ROLES = [...NODE_ROLES, "client"] as const;
export type HostRole = (typeof HOST_ROLES)[number];

/** Kinds the random nemesis draws unless told: every kind but `disk`. */
export const RANDOM_FAULT_KINDS = ["partition", "crash", "pause", "clock_skew"] as const;
/** Kinds the random nemesis can draw: `disk` (one of the disk faults) only when listed. */
export const RANDOM_FAULT_CLASSES = [...RANDOM_FAULT_KINDS, "disk"] as const;
export type RandomFaultKind = (typeof RANDOM_FAULT_CLASSES)[number];

/** Region-scale kinds the random nemesis draws only at a weight of their own (needs a topology). */
export const RANDOM_REGION_KINDS = ["zone_outage", "region_outage", "region_partition"] as const;
export type RandomRegionKind = (typeof RANDOM_REGION_KINDS)[number];
/** The largest weight of a region-scale kind (each kind of `kinds` weighs 1). */
export const MAX_REGION_KIND_WEIGHT = 100;

/** Disk faults that lose or corrupt log entries (only Raft repairs them: a rule checks the mode). */
export const DISK_INTEGRITY_FAULTS = ["disk_corruption", "torn_write", "lost_fsync"] as const;
/** Every disk fault kind: the integrity ones and a slow disk (reports count them only when present). */
export const DISK_FAULT_KINDS = [...DISK_INTEGRITY_FAULTS, "slow_disk"] as const;
/** The most entries one disk_corruption flips. */
export const MAX_CORRUPT_ENTRIES = 1000;
/** The largest factor a slow_disk multiplies latencies by. */
export const MAX_SLOW_DISK_FACTOR = 10_000;

/** Roles the random nemesis can be weighted toward. */
export const RANDOM_TARGET_ROLES = ["leader", "follower", "any"] as const;
export type RandomTargetRole = (typeof RANDOM_TARGET_ROLES)[number];

const PARTITION_SHAPES = ["isolate", "halves", "minority", "bridge", "one_way"] as const;

/** Bounds the schedule (and the run's fault events). */
export const MAX_SCHEDULED_FAULTS = 1000;
/** Clock drift beyond ±10% is no longer a clock fault but a broken clock. */
export const MAX_DRIFT_PPM = 100_000;

/** A target: a node name, or one of `roles` (checked against the cluster by resolveFaults). */
const target = (roles: readonly string[], what: string) =>
  z
    .string()
    .min(1)
    .max(MAX_NAME_CHARS)
    .meta({
      allowed: `node name (e.g. \`shard0/n1\`) or one of ${roles.map((role) => `\`${role}\``).join(", ")}`,
    })
    .describe(what);
const nodeTarget = (what: string) => target(NODE_ROLES, what);
const hostTarget = (what: string) => target(HOST_ROLES, what);

const at = duration("zero").describe(
  "When the fault starts, in virtual time from the start of the run, i.e. of warmup: with " +
    "`warmup: 5s`, `at: 20s` is 15 s into the measured phase.",
);

const probability = (what: string) => z.number().min(0).max(1).default(0).describe(`${what} Default 0.`);

/** A duration with an optional minus sign, e.g. "-500ms": a clock may run behind. */
const signedDuration = z
  .union([z.string().max(MAX_VALUE_CHARS), z.number()], { error: "expected a duration such as 500ms or -2s" })
  .superRefine((value, ctx) => {
    const negative = typeof value === "string" && value.startsWith("-");
    const magnitude = typeof value === "number" ? Math.abs(value) : negative ? value.slice(1) : value;
    const result = duration("zero").safeParse(magnitude);
    for (const issue of result.error?.issues ?? []) {
      ctx.addIssue({
        code: "custom",
        message: negative ? `after the minus sign, ${issue.message}` : issue.message,
      });
    }
  })
  .meta({ allowed: "duration, optionally negative (`-500ms`), at most 24h either way" });

const partitionFault = z
  .strictObject({
    at,
    kind: z.literal("partition"),
    isolate: hostTarget("Cuts the target off from every other host, both ways.").optional(),
    halves: z
      .literal(true)
      .optional()
      .describe(
        "Splits the database nodes, shuffled, into two halves; the first (the larger when the count " +
          "is odd) keeps the client.",
      ),
    minority: nodeTarget(
      "Puts the target in a minority: the target plus random other nodes up to (nodes - 1) / 2, " +
        "cut off from the other nodes and the client.",
    ).optional(),
    bridge: z
      .literal(true)
      .optional()
      .describe(
        "Jepsen's bridge: one random node sees every host; the others are split in two halves that " +
          "cannot see each other (the client with the first).",
      ),
    one_way: z
      .strictObject({
        from: hostTarget("Messages from these hosts ..."),
        to: hostTarget("... to these hosts are dropped; the other direction still works."),
      })
      .optional()
      .describe("Blocks one direction only."),
    nodes_only: z
      .boolean()
      .default(false)
      .describe(
        "Cuts only links between database nodes: the client (and the coordinator and router hosts) " +
          "still reach every node, as Jepsen's clients do, so a leader cut off from its followers " +
          "keeps taking writes. Not with one_way, which names its hosts. Default false.",
      ),
    for: duration("positive")
      .nullable()
      .default(null)
      .describe("How long the partition lasts. Default null: until a `heal`."),
  })
  .superRefine((fault, ctx) => {
    const given = PARTITION_SHAPES.filter((shape) => fault[shape] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `a partition needs exactly one of ${PARTITION_SHAPES.join(", ")} (got ${given.length === 0 ? "none" : given.join(", ")})`,
      });
    } else if (fault.nodes_only && (given[0] === "one_way" || fault.isolate === "client")) {
      ctx.addIssue({
        code: "custom",
        path: ["nodes_only"],
        message:
          "cuts links between database nodes: not with one_way (which names its hosts) or isolate: client",
      });
    }
  })
  .describe("Blocks network links; give exactly one of isolate, halves, minority, bridge, one_way.");

const crashFault = z
  .strictObject({
    at,
    kind: z.literal("crash"),
    target: nodeTarget("The node(s) to crash: they lose their timers, messages and unsynced writes."),
    restart_after: duration("zero")
      .nullable()
      .default(null)
      .describe("Restart the crashed node(s) after this long. Default null: they stay down."),
  })
  .describe("Crashes nodes.");

const restartFault = z
  .strictObject({
    at,
    kind: z.literal("restart"),
    target: nodeTarget("The node(s) to restart; `any` picks one node that is down. Up nodes are left alone."),
  })
  .describe("Restarts crashed nodes.");

const pauseFault = z
  .strictObject({
    at,
    kind: z.literal("pause"),
    target: nodeTarget("The node(s) to pause."),
    for: duration("positive").describe("How long the process stays stopped (its clock keeps running)."),
  })
  .describe("Pauses nodes like SIGSTOP: messages and timers due to them wait until they resume.");

const clockSkewFault = z
  .strictObject({
    at,
    kind: z.literal("clock_skew"),
    target: nodeTarget("The node(s) whose clock is skewed."),
    offset: signedDuration.describe("Added to the node's clock; negative puts it behind."),
    drift_ppm: z
      .number()
      .min(-MAX_DRIFT_PPM)
      .max(MAX_DRIFT_PPM)
      .default(0)
      .describe("Clock rate error from the fault's start, in parts per million. Default 0."),
    for: duration("positive")
      .nullable()
      .default(null)
      .describe("How long the skew lasts. Default null: for good."),
  })
  .describe("Skews node clocks.");

const linkFault = z
  .strictObject({
    at,
    kind: z.literal("link"),
    from: hostTarget("One end of the links to degrade ..."),
    to: hostTarget("... and the other end; both directions are degraded."),
    loss: probability("Probability that a message is dropped."),
    duplicate: probability("Probability that a message is delivered twice."),
    extra_latency: duration("zero").default("0s").describe("Added to every message's delay. Default 0s."),
    jitter: duration("zero")
      .default("0s")
      .describe("A further uniform delay in [0, jitter] per message, which reorders messages. Default 0s."),
    for: duration("positive")
      .nullable()
      .default(null)
      .describe("How long the links stay degraded. Default null: for good."),
  })
  .describe("Degrades the links between two sets of hosts, both ways.");

/** A region or zone of `topology.regions` (checked against the topology by resolveFaults). */
const placeField = (what: string) =>
  z.string().min(1).max(MAX_NAME_CHARS).meta({ allowed: "a name in `topology.regions`" }).describe(what);

const zoneOutageFault = z
  .strictObject({
    at,
    kind: z.literal("zone_outage"),
    region: placeField("The zone's region."),
    zone: placeField("The zone: every database node placed there crashes."),
    for: duration("positive")
      .nullable()
      .default(null)
      .describe("How long until its nodes restart. Default null: they stay down."),
  })
  .describe("Crashes every database node of a zone (needs a `topology`).");

const regionOutageFault = z
  .strictObject({
    at,
    kind: z.literal("region_outage"),
    region: placeField("The region: every database node placed there crashes."),
    for: duration("positive")
      .nullable()
      .default(null)
      .describe("How long until its nodes restart. Default null: they stay down."),
  })
  .describe("Crashes every database node of a region (needs a `topology`).");

const regionPartitionFault = z
  .strictObject({
    at,
    kind: z.literal("region_partition"),
    region: placeField(
      "The region cut off, both ways, from the nodes of every other region (and from the client " +
        "host when it sits elsewhere; with it when it sits there).",
    ),
    for: duration("positive")
      .nullable()
      .default(null)
      .describe("How long the partition lasts. Default null: until a `heal`."),
  })
  .describe("Cuts a region off from the others (needs a `topology`).");

const restartAfter = (default_: string) =>
  duration("zero")
    .default(default_)
    .describe(`Restart the node(s) this long after the crash. Default ${default_}.`);

const diskCorruptionFault = z
  .strictObject({
    at,
    kind: z.literal("disk_corruption"),
    target: nodeTarget("The node(s) whose disk is corrupted."),
    entries: z
      .number()
      .int()
      .min(1)
      .max(MAX_CORRUPT_ENTRIES)
      .default(1)
      .describe(
        "How many durable log entries to corrupt, drawn uniformly from those the node's log holds. Default 1.",
      ),
  })
  .describe(
    "Flips bytes of logged entries: they no longer match their checksum. With checksums (`cluster.node.disk.checksums`) the node finds them when it next reads its log and takes them out; without, it reads them as data.",
  );

const tornWriteFault = z
  .strictObject({
    at,
    kind: z.literal("torn_write"),
    target: nodeTarget("The node(s) to crash in the middle of a write."),
    restart_after: restartAfter("1s"),
  })
  .describe(
    "Crashes nodes while they write their log: the entry being written (the first one not yet synced) survives partially written, corrupt; later unsynced ones are lost.",
  );

const lostFsyncFault = z
  .strictObject({
    at,
    kind: z.literal("lost_fsync"),
    target: nodeTarget("The node(s) whose fsyncs lie."),
    for: duration("positive").describe(
      "How long fsyncs report success without making anything durable. At the end the node loses power (a crash): what those fsyncs covered is lost.",
    ),
    restart_after: restartAfter("1s"),
  })
  .describe("Lost fsyncs, then a power loss that shows them.");

const slowDiskFault = z
  .strictObject({
    at,
    kind: z.literal("slow_disk"),
    target: nodeTarget("The node(s) whose disk slows down."),
    factor: z
      .number()
      .min(1)
      .max(MAX_SLOW_DISK_FACTOR)
      .default(10)
      .describe("What page reads, page writes and fsyncs take, as a multiple of their latency. Default 10."),
    for: duration("positive").describe("How long the disk stays slow."),
  })
  .describe("Slows a disk down (an aging SSD, a noisy neighbour).");

const healFault = z
  .strictObject({ at, kind: z.literal("heal") })
  .describe("Ends every partition now (link faults, crashes, pauses and skews are left alone).");

const scheduledFaultSchema = z.discriminatedUnion("kind", [
  partitionFault,
  crashFault,
  restartFault,
  pauseFault,
  clockSkewFault,
  linkFault,
  healFault,
  zoneOutageFault,
  regionOutageFault,
  regionPartitionFault,
  diskCorruptionFault,
  tornWriteFault,
  lostFsyncFault,
  slowDiskFault,
]);

const randomDurationsSchema = z
  .strictObject({
    min: duration("positive").default("1s").describe("Shortest fault. Default 1s."),
    max: duration("positive").default("10s").describe("Longest fault; at least `min`. Default 10s."),
  })
  .superRefine(
    (range, ctx) => {
      const min_us = durationValueUs(range.min);
      const max_us = durationValueUs(range.max);
      if (min_us !== null && max_us !== null && max_us < min_us) {
        ctx.addIssue({
          code: "custom",
          path: ["max"],
          message: `must be at least min (${range.min}) (got ${JSON.stringify(range.max)})`,
        });
      }
    },
    { when: (payload) => payload.issues.length === 0 },
  )
  .describe("Range of each random fault's duration, drawn uniformly.");

const targetWeight = (role: string) => z.number().min(0).max(1).default(0).describe(`Weight of ${role}.`);

const randomTargetsSchema = z
  .strictObject({
    leader: targetWeight("a leader"),
    follower: targetWeight("a follower"),
    any: targetWeight("any node that is up"),
  })
  .superRefine(
    (weights, ctx) => {
      if (!(RANDOM_TARGET_ROLES.reduce((sum, role) => sum + weights[role], 0) > 0)) {
        ctx.addIssue({
          code: "custom",
          message: `at least one of ${RANDOM_TARGET_ROLES.join(", ")} must be more than 0`,
        });
      }
    },
    { when: (payload) => payload.issues.length === 0 },
  )
  .nullable()
  .default(null)
  .describe(
    "Whom each crash, pause, clock skew, disk fault, isolate and minority hits, as weights of the roles " +
      "(normalized to sum 1), drawn per fault, e.g. `{leader: 0.6, follower: 0.3, any: 0.1}`. " +
      "Default null: `any`, and a minority around the leader.",
  );

const regionKindWeight = (kind: RandomRegionKind, effect: string) =>
  z
    .number()
    .min(0)
    .max(MAX_REGION_KIND_WEIGHT)
    .default(0)
    .describe(`Weight of a ${kind}: ${effect}. Default 0.`);

const randomRegionWeightsSchema = z
  .strictObject({
    zone_outage: regionKindWeight(
      "zone_outage",
      "every node of a zone (drawn among the zones where nodes sit) crashes",
    ),
    region_outage: regionKindWeight(
      "region_outage",
      "every node of a region (drawn among the regions where nodes sit) crashes",
    ),
    region_partition: regionKindWeight(
      "region_partition",
      "a region (drawn likewise) is cut off from the others",
    ),
  })
  .optional()
  .describe(
    "Region-scale faults the random nemesis may draw beside `kinds`, as weights against 1 for each kind " +
      "listed there (`{region_outage: 1}` beside the 4 default kinds: one fault in 5 a region outage). " +
      "Each lasts a drawn duration (`for`): the nodes an outage took restart, a partition heals. Any " +
      "weight above 0 needs a `topology`. Absent: 0 each, never drawn.",
  );

const randomSchema = z
  .strictObject({
    every: duration("positive")
      .default("15s")
      .describe("Mean interval between random faults (exponentially distributed). Default 15s."),
    kinds: z
      .array(z.enum(RANDOM_FAULT_CLASSES))
      .min(1)
      .default([...RANDOM_FAULT_KINDS])
      .superRefine((kinds, ctx) => {
        const repeated = kinds.find((kind, i) => kinds.indexOf(kind) !== i);
        if (repeated !== undefined) ctx.addIssue({ code: "custom", message: `lists ${repeated} twice` });
      })
      .describe(
        `Which kinds to draw, each equally likely (zone and region faults: \`region_weights\`). \`disk\` draws one of disk_corruption (one entry), torn_write, lost_fsync and slow_disk (x10), each equally likely, and needs mode raft. Default: ${RANDOM_FAULT_KINDS.join(", ")}.`,
      ),
    for: randomDurationsSchema.prefault({}),
    region_weights: randomRegionWeightsSchema,
    targets: randomTargetsSchema,
    skew_max: duration("positive")
      .optional()
      .describe(
        "The largest offset a random clock_skew sets (drawn log-uniformly from 1ms, ahead or behind); at " +
          "least 1ms. Absent: 8.192s. Keep it under a lease's clock-error bound to test within it.",
      ),
  })
  .describe(
    "A random nemesis during the measured phase; its timeline (times, kinds, durations) comes from the " +
      "seed alone, so every strategy faces the same faults.",
  );

export const faultsSchema = z
  .strictObject({
    schedule: z
      .array(scheduledFaultSchema)
      .max(MAX_SCHEDULED_FAULTS)
      .default([])
      .describe("Faults at fixed times. Default []."),
    random: randomSchema.nullable().default(null).describe("Default null: no random nemesis."),
  })
  .describe("Faults injected during the run.");

/** The `faults:` section as written, with every default filled in. */
export type FaultsDoc = z.output<typeof faultsSchema>;
/** What the `faults:` section may contain (defaults optional). */
export type FaultsInput = z.input<typeof faultsSchema>;
export type ScheduledFaultDoc = FaultsDoc["schedule"][number];
