// The `cluster.sharding` section of a scenario and its `changes` (the coordinator's work): their
// schemas with defaults, and their resolution to what the shard map and the coordinator run with
// (ShardingSettings, ShardingChange: durations in µs), and the shard groups to provision. The rules
// between these fields and `cluster.shards` are in workloads/scenario/rules.ts.

import { z } from "zod";
import { replicaChangeSchemas } from "../replication/settings.js";
import { duration } from "../settings/durations.js";
import { integer, us } from "../settings/fields.js";
import { MAX_KEY_CHARS } from "../settings/limits.js";
import { MAX_SHARDS, type ShardingChange } from "./coordinator.js";
import type { StrategyName } from "./partitioners.js";

export const SHARDING_STRATEGIES = [
  "hash",
  "consistent",
  "range",
  "directory",
] as const satisfies readonly StrategyName[];

const migrationSchema = z
  .strictObject({
    batch: integer(1, 100_000)
      .default(256)
      .describe("Rows per batch a reshard copies (export, then ingest on the destination) or purges."),
    pause: duration("zero")
      .default("5ms")
      .describe("Pause between two copy batches: throttles the migration's load on the shards."),
  })
  .describe("How a reshard moves data: copy, catch up, freeze and cut over, purge.");

export const shardingSchema = z
  .strictObject({
    strategy: z
      .enum(SHARDING_STRATEGIES)
      .default("hash")
      .describe(
        "Which shard owns a key: `hash` (hash mod shards), `consistent` (a hash ring with `vnodes` points " +
          "per shard), `range` (key ranges, split at `boundaries`) or `directory` (a lookup table over a " +
          "hash placement; `move` changes place keys).",
      ),
    vnodes: integer(1, 4096).default(64).describe("consistent: points per shard on the hash ring."),
    boundaries: z
      .array(z.string().min(1).max(MAX_KEY_CHARS))
      .nullable()
      .default(null)
      .describe(
        "range: the keys where shards 1 .. shards-1 begin, ascending (shards - 1 of them). null: cut the " +
          "loaded keys into equal ranges.",
      ),
    split_at: integer(1, 1_000_000_000)
      .nullable()
      .default(null)
      .describe("range: split a shard holding more keys than this into a spare shard (null: never)."),
    split_load: integer(1, 100_000_000)
      .nullable()
      .default(null)
      .describe(
        "range: split a shard whose leader serves more requests per second than this (over its last " +
          "one-second report) into a spare shard (null: never).",
      ),
    max_shards: integer(1, MAX_SHARDS)
      .nullable()
      .default(null)
      .describe(
        "Shard groups provisioned, spares idle until a change uses them. null: the most `changes` " +
          "need (twice `shards` with `split_at` or `split_load`).",
      ),
    routing: z
      .enum(["client", "proxy"])
      .default("client")
      .describe(
        "`client`: clients route by their own copy of the shard map; `proxy`: through a router host " +
          "(one more network hop).",
      ),
    migration: migrationSchema.prefault({}),
  })
  .describe("How keys are spread over shards (with `shards` >= 2, or `changes`).");

export type ShardingDoc = z.output<typeof shardingSchema>;

export interface MigrationSettings {
  /** Rows per export, ingest and purge batch. */
  readonly batch: number;
  /** Pause between copy batches (throttles the migration's load). */
  readonly pause_us: number;
}

/** How keys are spread over shards, and how a reshard moves them. */
export interface ShardingSettings {
  readonly strategy: StrategyName;
  /** Consistent hashing's points per shard. */
  readonly vnodes: number;
  /** Range: where shards 1 .. shards-1 begin (null: equal parts of the loaded keys). */
  readonly boundaries: readonly string[] | null;
  /** Range: split a shard holding more keys than this (null: never on its own). */
  readonly split_at: number | null;
  /** Range: split a shard serving more requests per second than this (null: never on its own). */
  readonly split_load: number | null;
  /** Shard groups to provision as written (null: the most the changes need). */
  readonly max_shards: number | null;
  readonly routing: "client" | "proxy";
  readonly migration: MigrationSettings;
}

export function resolveSharding(sharding: ShardingDoc): ShardingSettings {
  return {
    strategy: sharding.strategy,
    vnodes: sharding.vnodes,
    boundaries: sharding.boundaries,
    split_at: sharding.split_at,
    split_load: sharding.split_load,
    max_shards: sharding.max_shards,
    routing: sharding.routing,
    migration: { batch: sharding.migration.batch, pause_us: us(sharding.migration.pause) },
  };
}

const changeAt = duration("zero").describe(
  "When, in virtual time from the start of the run, i.e. of warmup (as a fault's `at`).",
);

export const changeSchema = z
  .discriminatedUnion("kind", [
    z
      .strictObject({
        at: changeAt,
        kind: z.literal("reshard"),
        shards: integer(1, MAX_SHARDS).describe(
          "The shard count to move to (range: more than now; it splits).",
        ),
      })
      .describe("Move to this many shards (hash, consistent, directory), or split ranges up to it (range)."),
    z
      .strictObject({
        at: changeAt,
        kind: z.literal("split"),
        shard: integer(0, MAX_SHARDS - 1).describe("The shard whose range splits at its median key."),
      })
      .describe("range: split one shard's range; the upper half moves to a spare shard."),
    z
      .strictObject({
        at: changeAt,
        kind: z.literal("move"),
        keys: z
          .array(z.string().min(1).max(MAX_KEY_CHARS))
          .min(1)
          .describe("The keys to place (e.g. a hot key)."),
        to: integer(0, MAX_SHARDS - 1).describe("The shard that will own them."),
      })
      .describe("directory: place keys on a shard."),
    ...replicaChangeSchemas(changeAt),
  ])
  .describe(
    "A change during the run, done online while traffic continues: of the shard map, or of a raft shard's replicas.",
  );

export type ChangeDoc = z.output<typeof changeSchema>;

/** The changes of the shard map (the coordinator's), as opposed to a shard's replicas. */
export type ShardingChangeDoc = Extract<ChangeDoc, { kind: "reshard" | "split" | "move" }>;

export function isShardingChange(change: ChangeDoc): change is ShardingChangeDoc {
  return change.kind === "reshard" || change.kind === "split" || change.kind === "move";
}

export function resolveChange(change: ShardingChangeDoc): ShardingChange {
  const at_us = us(change.at);
  switch (change.kind) {
    case "reshard":
      return { at_us, kind: "reshard", shards: change.shards };
    case "split":
      return { at_us, kind: "split", shard: change.shard };
    case "move":
      return { at_us, kind: "move", keys: change.keys, to: change.to };
  }
}

/** Shard groups the cluster provisions: the most the changes need, spares included. */
export function provisionedShards(
  cluster: {
    shards: number;
    sharding: { max_shards: number | null; split_at: number | null; split_load: number | null };
  },
  changes: readonly (
    | { kind: "reshard"; shards: number }
    | { kind: "split" }
    | { kind: "move"; to: number }
    | { kind: "add_replica" | "remove_replica" | "transfer_leader" | "move_replica" }
  )[],
): number {
  if (cluster.sharding.max_shards !== null) return cluster.sharding.max_shards;
  let needed = cluster.shards;
  let count = cluster.shards;
  for (const change of changes) {
    if (change.kind === "reshard") count = change.shards;
    else if (change.kind === "split") count++;
    else if (change.kind === "move") needed = Math.max(needed, change.to + 1);
    needed = Math.max(needed, count);
  }
  if (cluster.sharding.split_at !== null || cluster.sharding.split_load !== null) {
    needed = Math.max(needed, 2 * cluster.shards);
  }
  return Math.min(MAX_SHARDS, needed);
}
