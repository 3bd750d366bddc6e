// The `cluster.replication` section of a scenario: its schema with defaults, and its resolution to
// the settings a shard's replication runs with (ReplicationSettings: durations in µs, failover's
// automatic default decided), which builtInProtocol takes as they are, filling what a caller leaves
// out from REPLICATION_DEFAULTS.

import { z } from "zod";
import { RANGE_HOSTS_MAX } from "../ranges/settings.js";
import { duration } from "../settings/durations.js";
import { integer, us } from "../settings/fields.js";
import { MAX_PATH_CHARS } from "../settings/limits.js";
import { MAX_SHARDS } from "../sharding/coordinator.js";
import { LEADER_FOLLOWER_MODES } from "./leader-follower.js";
import { READ_CONSISTENCIES, type ReadSettings } from "./read-confirmation.js";

/** The built-in replication modes: leader-follower's, multi-leader, and Raft (raft.ts). */
export const REPLICATION_MODES = [...LEADER_FOLLOWER_MODES, "multi-leader", "raft"] as const;
export type BuiltInMode = (typeof REPLICATION_MODES)[number];

export const READ_FROM = ["leader", "follower", "nearest"] as const;

/** Raft's append pipelining: the most appends in flight to one follower, and its default. */
export const APPEND_WINDOW_MAX = 256;
export const APPEND_WINDOW_DEFAULT = 16;
export type ReadFrom = (typeof READ_FROM)[number];

const failoverSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .nullable()
      .default(null)
      .describe(
        "Promote a follower when the leader is lost. null: on when `replicas` >= 2 (leader-follower modes).",
      ),
    detect_after: duration("positive")
      .default("1s")
      .describe("A follower that has not heard from its leader for this long starts an election."),
    fencing: z
      .boolean()
      .default(true)
      .describe(
        "Each promotion starts a new term that fences the old leader, which steps down when it cannot " +
          "reach a majority. `false` is explicitly unsafe: an old leader keeps accepting writes (split brain).",
      ),
  })
  .describe("Failure detection and automatic failover.");

// The rule between protocol and mode is in workloads/scenario/rules.ts with the other cross-field rules.
export const replicationSchema = z
  .strictObject({
    mode: z
      .enum(REPLICATION_MODES)
      .default("async")
      .describe(
        "When a write is acknowledged: `async` once the leader has it durable; `semi-sync` once one " +
          "follower also has it; `sync` once every live follower has it (and a majority of replicas); " +
          "`multi-leader`: every node " +
          "accepts writes, conflicts resolved by last-writer-wins on the nodes' clocks; `raft`: once a " +
          "majority has it durable, applied once committed, with Raft's elections (PreVote, CheckQuorum).",
      ),
    protocol: z
      .string()
      .min(1)
      .max(MAX_PATH_CHARS)
      .nullable()
      .optional() // no default: a scenario without one keeps its report's config as it was
      .describe(
        "A replication protocol of your own in place of `mode`'s (absent: the built-in one): the path of a JavaScript module " +
          "that exports `createProtocol`, relative to the directory dbsim runs in, e.g. " +
          '`./examples/chain-replication/index.js` (docs/replication.md, "Your own protocol"). ' +
          "Clients send requests to the node it names leader; `mode` must not be multi-leader.",
      ),
    read_from: z
      .enum(READ_FROM)
      .default("leader")
      .describe(
        "Where clients read: the leader; a follower (client i reads from follower i mod followers: " +
          "stale reads possible); nearest (client i reads from replica i mod replicas).",
      ),
    read_your_writes: z
      .boolean()
      .default(false)
      .describe("A replica that has not applied a client's last write sends its read to the leader."),
    read_consistency: z
      .enum(READ_CONSISTENCIES)
      .default("local")
      .describe(
        "How the leader answers reads (leader-follower modes and raft). `local`: at once, from its table: a " +
          "deposed leader that has not noticed answers stale values, and a write not yet committed can " +
          "be read then lost in a failover (not linearizable). `read_index`: once a majority has " +
          "acknowledged a heartbeat sent after the read arrived (a round trip per batch of reads). " +
          "`lease`: at once while a majority acknowledged it within detect_after - 2 x " +
          "max_clock_error (followers refuse votes meanwhile), else as read_index. Both answer only " +
          "committed writes, and need `read_from: leader` and `failover.fencing: true`.",
      ),
    max_clock_error: duration("zero")
      .default("10ms")
      .describe(
        "read_consistency lease: the most a replica's clock may gain or lose over one detect_after " +
          "(drift, or a step). The lease lasts detect_after - 2 x max_clock_error; a clock off by " +
          "more can let a deposed leader answer stale reads.",
      ),
    append_window: integer(1, APPEND_WINDOW_MAX)
      .optional() // no default here: a scenario without one keeps its report's config as it was
      .describe(
        `raft: the most appends the leader has in flight to one follower: new entries go out without waiting for the previous append's answer (pipelining). Absent: ${APPEND_WINDOW_DEFAULT}; 1: one append at a time.`,
      ),
    failover: failoverSchema.prefault({}),
  })
  .describe("How the replicas of a shard share writes.");

export type ReplicationDoc = z.output<typeof replicationSchema>;

export interface FailoverSettings {
  enabled: boolean;
  detect_after_us: number;
  fencing: boolean;
}

/** A shard's replication: its protocol, where clients read, failover, how the leader answers reads. */
export interface ReplicationSettings {
  mode: BuiltInMode;
  /** A protocol module's path (null: the built-in protocol of `mode`). */
  protocol: string | null;
  read_from: ReadFrom;
  read_your_writes: boolean;
  /** `read_consistency` and `max_clock_error`, as the leader takes them (read-confirmation.ts). */
  reads: ReadSettings;
  /** Raft: the most appends in flight to one follower (log-shipper.ts). */
  append_window: number;
  failover: FailoverSettings;
}

/** `replicas`: the shard's copies (`cluster.replicas`), which decide failover's automatic default. */
export function resolveReplication(replication: ReplicationDoc, replicas: number): ReplicationSettings {
  const { failover } = replication;
  return {
    mode: replication.mode,
    protocol: replication.protocol ?? null,
    read_from: replication.read_from,
    read_your_writes: replication.read_your_writes,
    reads: { consistency: replication.read_consistency, max_clock_error_us: us(replication.max_clock_error) },
    append_window: replication.append_window ?? APPEND_WINDOW_DEFAULT,
    failover: {
      // Automatic unless said: on for a leader-follower shard, meaningless for one node or multi-leader.
      enabled: failover.enabled ?? (replicas >= 2 && replication.mode !== "multi-leader"),
      detect_after_us: us(failover.detect_after),
      fencing: failover.fencing,
    },
  };
}

/** A single node's replication when the scenario says nothing: the schema's defaults. */
export const REPLICATION_DEFAULTS: Readonly<ReplicationSettings> = resolveReplication(
  replicationSchema.parse({}),
  1,
);

/** Most replicas a shard may reach, or be given as spares, by membership changes. */
export const MAX_REPLICAS = 9;

const replicaChangeShard = integer(0, MAX_SHARDS - 1).describe("The shard whose replicas change.");

/**
 * The `changes` kinds that change a raft shard's replicas, given the `at` every change has (the
 * `changes` schema lists them). The leader starts a change when its clock reaches `at`.
 */
export function replicaChangeSchemas(at: ReturnType<typeof duration>) {
  return [
    z
      .strictObject({ at, kind: z.literal("add_replica"), shard: replicaChangeShard })
      .describe(
        "raft: add a replica (the shard's next spare host) as a learner, made a voter once caught up; by the leader's clock.",
      ),
    z
      .strictObject({
        at,
        kind: z.literal("remove_replica"),
        shard: replicaChangeShard,
        replica: z
          .union([integer(0, MAX_REPLICAS - 1), z.literal("leader")])
          .meta({ allowed: `integer >= 0 and <= ${MAX_REPLICAS - 1}, or \`leader\`` })
          .describe("The voter to remove: its number (`shard0/n2`: 2), or `leader` (it steps down)."),
      })
      .describe(
        "raft: remove a voter, by the leader's clock; a change starts once the previous one is committed.",
      ),
    z
      .strictObject({
        at,
        kind: z.literal("transfer_leader"),
        shard: integer(0, MAX_SHARDS - 1).describe("The shard whose leadership moves."),
        to: integer(0, MAX_REPLICAS - 1).describe(
          "The voter to hand leadership to: its number (`shard0/n2`: 2).",
        ),
      })
      .describe(
        "raft: the leader hands leadership to a voter (brings it up to date, then TimeoutNow), by the leader's clock; aborted after an election timeout.",
      ),
    z
      .strictObject({
        at,
        kind: z.literal("move_replica"),
        shard: replicaChangeShard,
        from: integer(0, RANGE_HOSTS_MAX - 1).describe("The node the replica leaves (`node2`: 2)."),
        to: integer(0, RANGE_HOSTS_MAX - 1).describe(
          "The node it moves to: one the range has no replica on.",
        ),
      })
      .describe(
        "cluster.nodes: move a range's replica to another node, requested by the coordinator at `at`: the " +
          "range's host there joins as a learner (a snapshot fills it), is promoted once caught up, then " +
          "the replica on `from` is removed (a leader steps down). docs/ranges.md.",
      ),
  ] as const;
}

/** A change of a raft shard's replicas as they are built with it (replica, to: a number in the group). */
export type ReplicaChange =
  | { readonly at_us: number; readonly kind: "add_replica"; readonly shard: number }
  | {
      readonly at_us: number;
      readonly kind: "remove_replica";
      readonly shard: number;
      readonly replica: number | "leader";
    }
  | { readonly at_us: number; readonly kind: "transfer_leader"; readonly shard: number; readonly to: number }
  | {
      readonly at_us: number;
      readonly kind: "move_replica";
      readonly shard: number;
      /** Node numbers. */
      readonly from: number;
      readonly to: number;
    };

type ReplicaChangeDoc = z.output<ReturnType<typeof replicaChangeSchemas>[number]>;

export function resolveReplicaChange(change: ReplicaChangeDoc): ReplicaChange {
  const at_us = us(change.at);
  switch (change.kind) {
    case "add_replica":
      return { at_us, kind: "add_replica", shard: change.shard };
    case "remove_replica":
      return { at_us, kind: "remove_replica", shard: change.shard, replica: change.replica };
    case "transfer_leader":
      return { at_us, kind: "transfer_leader", shard: change.shard, to: change.to };
    case "move_replica":
      return { at_us, kind: "move_replica", shard: change.shard, from: change.from, to: change.to };
  }
}

/** Spare hosts each shard group needs: the most `add_replica` changes of one shard. */
export function spareReplicas(changes: readonly { kind: string; shard?: number }[]): number {
  const adds = new Map<number, number>();
  for (const change of changes)
    if (change.kind === "add_replica") adds.set(change.shard ?? 0, (adds.get(change.shard ?? 0) ?? 0) + 1);
  return Math.max(0, ...adds.values());
}
