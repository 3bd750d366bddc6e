// The scenario document: what a scenario file may contain, with every default. Validation only: a parsed
// document keeps its durations and rates as written, so the document with its defaults filled in is
// itself a valid scenario meaning the same thing (report.json stores it as `config`, and it must load
// again). resolve.ts turns it into numbers.
//
// Conventions the loader and the reference generator rely on:
// - every field has a `.describe()`; fields checked by code rather than by zod types carry
//   `.meta({ allowed })`, the reference table's "type / allowed values" text;
// - custom issues (code "custom") carry a complete message, including "(got ...)" where useful;
// - a union's `error` is the message for a value of the wrong type, e.g. "expected a duration ...".

import { z } from "zod";
import { REPLICATION_MODES } from "../../engine/cluster.js";
import { SchemaError } from "../../engine/query/errors.js";
import { INDEX_KINDS, validateIndexes } from "../../engine/query/indexes.js";
import { validateTables } from "../../engine/query/schema.js";
import { READ_CONSISTENCIES } from "../../engine/replication/read-confirmation.js";
import { MAX_SHARDS } from "../../engine/sharding/coordinator.js";
import { BANK_CHECK_NAMES } from "../checkers/bank.js";
import { REGISTER_CHECK_NAMES } from "../checkers/checks.js";
import { BANK_TRANSFER_MODES } from "../generators/bank/bank-workload.js";
import {
  DOMAIN_TYPES,
  type DomainType,
  type KnobSpec,
  type TemplateSpec,
} from "../generators/domain/domain.js";
import { createDomainWorkload, DOMAIN_KNOBS, DOMAIN_TEMPLATES } from "../generators/domain/registry.js";
import { faultsSchema } from "../nemesis/schema.js";
import { duration, durationValueUs, MAX_DURATION_US } from "./durations.js";
import {
  MAX_DESCRIPTION_CHARS,
  MAX_KEY_CHARS,
  MAX_NAME_CHARS,
  MAX_PATH_CHARS,
  MAX_VALUE_CHARS,
} from "./limits.js";
import { OPERATION_KINDS, REQUEST_DISTRIBUTIONS, YCSB_PRESET_NAMES } from "./presets.js";
import { parseFsyncPolicy, parseRatePerS, UnitError } from "./units.js";

export { durationValueUs, MAX_DURATION_US } from "./durations.js";

/** The checks a scenario may ask for: a register history's (YCSB), a bank history's. */
export const CHECK_NAMES = [...REGISTER_CHECK_NAMES, ...BANK_CHECK_NAMES] as const;

/** Workload types: YCSB's registers, the bank, and the domain workloads (tables and queries). */
export const WORKLOAD_TYPES = ["ycsb", "bank", ...DOMAIN_TYPES] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];

export function isDomainType(type: string): type is DomainType {
  return (DOMAIN_TYPES as readonly string[]).includes(type);
}

/** One arrival per µs on average: the clock's resolution. */
export const MAX_RATE_PER_S = 1_000_000;
/** The name becomes a directory name (runs/<name>/...). */
export const SCENARIO_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function rateProblem(value: string | number): string | null {
  if (typeof value === "number") {
    return value > 0 ? `${value} has no unit: write ${value}/s` : `must be more than 0/s (got ${value})`;
  }
  let perS: number;
  try {
    perS = parseRatePerS(value);
  } catch (error) {
    if (error instanceof UnitError) return error.message;
    throw error;
  }
  if (perS > MAX_RATE_PER_S) {
    return `must be at most ${MAX_RATE_PER_S / 1000}k/s, one operation per µs (got ${JSON.stringify(value)})`;
  }
  return null;
}

const rate = z
  .union([z.string().max(MAX_VALUE_CHARS), z.number()], { error: "expected a rate such as 2000/s or 2.5k/s" })
  .superRefine((value, ctx) => {
    const problem = rateProblem(value);
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
  })
  .meta({ allowed: `rate \`<number>/s\` or \`<number>k/s\`, > 0, at most ${MAX_RATE_PER_S / 1000}k/s` });

const fsyncPolicy = z
  .string()
  .max(MAX_VALUE_CHARS)
  .superRefine((value, ctx) => {
    try {
      parseFsyncPolicy(value);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
    }
  })
  .meta({ allowed: "`always`, `never` or `interval:<duration>` (interval > 0)" });

const integer = (min: number, max: number) => z.int().min(min).max(max);

/** For cross-field checks: run only when every field is valid, so a problem is reported once. */
const WHEN_FIELDS_VALID = { when: (payload: z.core.ParsePayload) => payload.issues.length === 0 };

// --- cluster ---

const nodeSchema = z
  .strictObject({
    service_time: duration("zero").default("50us").describe("CPU cost of any operation at a node."),
    page_time: duration("zero")
      .default("2us")
      .describe("Cost per B+tree page read or written (a query's index and hash pages too)."),
    row_time: duration("zero")
      .default("1us")
      .describe("Cost per row examined by a scan (and per row a query examines or sorts)."),
    fsync: duration("zero")
      .default("1ms")
      .describe("Latency of one fsync. Group commit: writes arriving during an fsync share the next one."),
    fsync_policy: fsyncPolicy
      .default("always")
      .describe(
        "When a write is made durable: `always` (fsync before acknowledging), `never` (acknowledge " +
          "unsynced writes, lost on a crash) or `interval:<duration>` (fsync periodically).",
      ),
    queue_limit: integer(1, 1_000_000)
      .default(10_000)
      .describe("Requests waiting at a node; past it new requests are rejected."),
    btree_fanout: integer(4, 1024)
      .default(64)
      .describe(
        "Children per B+tree page of the YCSB and bank table. A domain workload's trees and hash " +
          "buckets take theirs from 8 KiB pages and the width of their entries.",
      ),
  })
  .describe("Cost model of every database node.");

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

const replicationSchema = z
  .strictObject({
    mode: z
      .enum(REPLICATION_MODES)
      .default("async")
      .describe(
        "When a write is acknowledged: `async` once the leader has it durable; `semi-sync` once one " +
          "follower also has it; `sync` once every live follower has it (and a majority of replicas); " +
          "`multi-leader`: every node " +
          "accepts writes, conflicts resolved by last-writer-wins on the nodes' clocks.",
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
      .enum(["leader", "follower", "nearest"])
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
        "How the leader answers reads (leader-follower modes). `local`: at once, from its table: a " +
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
    failover: failoverSchema.prefault({}),
  })
  .superRefine((replication, ctx) => {
    if (replication.protocol != null && replication.mode === "multi-leader") {
      const message =
        "needs a leader-follower mode (got mode: multi-leader): clients send to the leader it names";
      ctx.addIssue({ code: "custom", path: ["protocol"], message });
    }
  }, WHEN_FIELDS_VALID)
  .describe("How the replicas of a shard share writes.");

export const SHARDING_STRATEGIES = ["hash", "consistent", "range", "directory"] as const;

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

const shardingSchema = z
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

const indexSchema = z
  .strictObject({
    name: z
      .string()
      .max(MAX_NAME_CHARS)
      .describe("The index's name: letters, digits and `_`, not starting with a digit; unique."),
    table: z.string().max(MAX_NAME_CHARS).describe("The table it indexes: one of the workload's tables."),
    columns: z
      .array(z.string().max(MAX_NAME_CHARS))
      .describe(
        "Key columns, in order (at least one). A B+tree serves equality on a prefix of them, then a range " +
          "or an ORDER BY on the next one; a hash index serves equality on all of them only.",
      ),
    kind: z
      .enum(INDEX_KINDS)
      .default("btree")
      .describe(
        "`btree` (equality, ranges, ordered scans both ways) or `hash` (linear hashing: equality on every " +
          "column; never a range or a sort, and EXPLAIN says why when it cannot serve a query).",
      ),
    include: z
      .array(z.string().max(MAX_NAME_CHARS))
      .default([])
      .describe(
        "More columns stored in the index: a query that reads only stored columns (key, include and " +
          "primary key columns) skips the table (a covering index), at the price of wider entries.",
      ),
  })
  .describe("A secondary index.");

const clusterSchema = z
  .strictObject({
    shards: integer(1, MAX_SHARDS)
      .default(1)
      .describe("Shards: replica groups, each owning part of the keys."),
    sharding: shardingSchema.prefault({}),
    replicas: integer(1, 9).default(1).describe("Copies of each shard: a leader and followers."),
    replication: replicationSchema.prefault({}),
    node: nodeSchema.prefault({}),
    indexes: z
      .array(indexSchema)
      .default([])
      .describe(
        "Secondary indexes on the tables of a domain workload (workload.type ecommerce, social, " +
          "timeseries), built on every replica before the run. The planner uses them when they are " +
          "cheaper than a scan; every insert, update and delete maintains them (write amplification).",
      ),
  })
  .superRefine((cluster, ctx) => {
    const { sharding } = cluster;
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path: ["sharding", ...path], message });
    if (sharding.strategy !== "range" && sharding.boundaries !== null) {
      issue(["boundaries"], `only for strategy range (got strategy ${sharding.strategy})`);
    }
    if (sharding.strategy !== "range" && sharding.split_at !== null) {
      issue(["split_at"], `only for strategy range (got strategy ${sharding.strategy})`);
    }
    if (sharding.strategy !== "range" && sharding.split_load !== null) {
      issue(["split_load"], `only for strategy range (got strategy ${sharding.strategy})`);
    }
    if (sharding.boundaries !== null) {
      if (cluster.shards === 1 && sharding.boundaries.length > 0) {
        issue(
          ["boundaries"],
          `one shard takes no boundaries (got ${sharding.boundaries.length}); set cluster.shards`,
        );
      } else if (sharding.boundaries.length !== cluster.shards - 1) {
        issue(
          ["boundaries"],
          `needs shards - 1 = ${cluster.shards - 1} keys, where shards 1 .. ${cluster.shards - 1} begin (got ${sharding.boundaries.length})`,
        );
      }
      sharding.boundaries.forEach((boundary, i) => {
        const previous = sharding.boundaries?.[i - 1];
        if (previous !== undefined && !(previous < boundary)) {
          issue(
            ["boundaries", i],
            `boundaries must be in ascending order: ${JSON.stringify(boundary)} is not after ${JSON.stringify(previous)}`,
          );
        }
      });
    }
    if (sharding.max_shards !== null && sharding.max_shards < cluster.shards) {
      issue(["max_shards"], `must be at least shards (${cluster.shards}) (got ${sharding.max_shards})`);
    }
    if (sharding.routing === "proxy" && cluster.replication.read_your_writes) {
      ctx.addIssue({
        code: "custom",
        path: ["replication", "read_your_writes"],
        message: "needs sharding.routing: client (the router host does not track each client's writes)",
      });
    }
  }, WHEN_FIELDS_VALID)
  .superRefine((cluster, ctx) => checkReadConsistency(cluster.replication, ctx), WHEN_FIELDS_VALID)
  .superRefine((cluster, ctx) => {
    if (cluster.replicas >= 2) return;
    const single = `needs replicas >= 2 (got replicas: ${cluster.replicas})`;
    const { replication } = cluster;
    if (replication.mode !== "async") {
      ctx.addIssue({
        code: "custom",
        path: ["replication", "mode"],
        message: `${replication.mode} ${single}`,
      });
    }
    if (replication.read_from === "follower") {
      ctx.addIssue({
        code: "custom",
        path: ["replication", "read_from"],
        message: `follower reads ${single}`,
      });
    }
    if (replication.failover.enabled === true) {
      ctx.addIssue({
        code: "custom",
        path: ["replication", "failover", "enabled"],
        message: `failover ${single}`,
      });
    }
  }, WHEN_FIELDS_VALID)
  .describe("The database under test.");

/** read_index and lease confirm a single leader's term: they need terms, and reads at the leader. */
function checkReadConsistency(replication: z.infer<typeof replicationSchema>, ctx: z.RefinementCtx): void {
  const reads = replication.read_consistency;
  if (reads === "local") return;
  const issue = (message: string) =>
    ctx.addIssue({ code: "custom", path: ["replication", "read_consistency"], message });
  if (replication.mode === "multi-leader") {
    issue(`${reads} needs a leader-follower mode (got mode: multi-leader, which has no single leader)`);
  } else if (!replication.failover.fencing) {
    issue(`${reads} needs failover.fencing: true (without terms a leader cannot learn it was replaced)`);
  } else if (replication.read_from !== "leader") {
    issue(
      `${reads} needs read_from: leader (got ${replication.read_from}: reads a follower serves are not confirmed with the leader)`,
    );
  }
  const error_us = durationValueUs(replication.max_clock_error);
  const detect_us = durationValueUs(replication.failover.detect_after);
  if (reads === "lease" && error_us !== null && detect_us !== null && 2 * error_us >= detect_us) {
    ctx.addIssue({
      code: "custom",
      path: ["replication", "max_clock_error"],
      message: `must be under half of failover.detect_after (${replication.failover.detect_after}) for a lease, which lasts detect_after - 2 x max_clock_error (got ${replication.max_clock_error})`,
    });
  }
}

// --- network ---

/** Adds an issue at `key` when duration `value` is below duration `lower` (named `lowerKey`). */
function checkAtLeast(
  ctx: z.RefinementCtx,
  key: string,
  value: string | number,
  lowerKey: string,
  lower: string | number,
): void {
  const value_us = durationValueUs(value);
  const lower_us = durationValueUs(lower);
  if (value_us !== null && lower_us !== null && value_us < lower_us) {
    ctx.addIssue({
      code: "custom",
      path: [key],
      message: `must be at least ${lowerKey} (${lower}) (got ${JSON.stringify(value)})`,
    });
  }
}

const latencyForms = [
  z
    .strictObject({
      dist: z.literal("constant"),
      value: duration("zero").describe("The delay of every message."),
    })
    .describe("Every message takes the same time."),
  z
    .strictObject({
      dist: z.literal("uniform"),
      min: duration("zero").describe("Smallest delay."),
      max: duration("zero").describe("Largest delay; at least `min`."),
    })
    .superRefine((form, ctx) => checkAtLeast(ctx, "max", form.max, "min", form.min), WHEN_FIELDS_VALID)
    .describe("Delays uniform between `min` and `max`."),
  z
    .strictObject({
      dist: z.literal("exponential"),
      mean: duration("positive").describe("Mean delay."),
    })
    .describe("Exponentially distributed delays."),
  z
    .strictObject({
      dist: z.literal("normal"),
      mean: duration("zero").describe("Mean delay."),
      stddev: duration("zero").describe("Standard deviation; negative samples are cut to 0."),
    })
    .describe("Normally distributed delays, truncated at 0."),
  z
    .strictObject({
      dist: z.literal("lognormal"),
      median: duration("positive").describe("Median delay."),
      p99: duration("positive").describe("99th percentile delay; at least `median`."),
    })
    .superRefine((form, ctx) => checkAtLeast(ctx, "p99", form.p99, "median", form.median), WHEN_FIELDS_VALID)
    .describe("Log-normal delays given by their median and 99th percentile: a long tail."),
  z
    .strictObject({
      dist: z.literal("pareto"),
      scale: duration("positive").describe("Smallest delay (the Pareto scale)."),
      shape: z.number().gt(0).describe("Pareto shape (alpha): smaller means a heavier tail."),
    })
    .describe("Pareto delays: a heavy tail."),
] as const;

const latencySchema = z.discriminatedUnion("dist", latencyForms);

const networkSchema = z
  .strictObject({
    latency: latencySchema
      .default({ dist: "lognormal", median: "500us", p99: "5ms" })
      .describe("One-way delay of every message, chosen by `dist`."),
    loss: z.number().min(0).max(1).default(0).describe("Probability that a message is dropped."),
    duplicate: z.number().min(0).max(1).default(0).describe("Probability that a message is delivered twice."),
  })
  .describe("The simulated network between clients and nodes.");

// --- workload ---

const mixShare = (kind: string) =>
  z.number().min(0).max(1).default(0).describe(`Weight of ${kind} operations.`);

const mixSchema = z
  .strictObject({
    read: mixShare("read"),
    update: mixShare("update"),
    insert: mixShare("insert"),
    scan: mixShare("scan"),
    rmw: mixShare("read-modify-write"),
  })
  .superRefine((mix, ctx) => {
    const sum = OPERATION_KINDS.reduce((total, kind) => total + mix[kind], 0);
    if (!(sum > 0)) {
      ctx.addIssue({
        code: "custom",
        message: `at least one of ${OPERATION_KINDS.join(", ")} must be more than 0`,
      });
    }
  }, WHEN_FIELDS_VALID)
  .describe("Operation weights, normalized to sum 1; replaces the preset's mix. null: the preset's mix.");

const scanLengthSchema = z
  .strictObject({
    min: integer(1, 10_000).default(1).describe("Fewest rows a scan asks for."),
    max: integer(1, 10_000).default(100).describe("Most rows a scan asks for; at least `min`."),
  })
  .superRefine((range, ctx) => {
    if (range.max < range.min) {
      ctx.addIssue({
        code: "custom",
        path: ["max"],
        message: `must be at least scan_length.min (${range.min}) (got ${range.max})`,
      });
    }
  }, WHEN_FIELDS_VALID)
  .describe("Range of scan lengths.");

const hotspotSchema = z
  .strictObject({
    data_fraction: z.number().gt(0).max(1).default(0.2).describe("Fraction of the keys that are hot."),
    ops_fraction: z.number().min(0).max(1).default(0.8).describe("Fraction of operations on hot keys."),
  })
  .describe("Shape of the `hotspot` distribution.");

const exponentialSchema = z
  .strictObject({
    percentile: z
      .number()
      .gt(0)
      .lt(100)
      .default(95)
      .describe("Percentage of operations on the most recent `frac` of the keys."),
    frac: z.number().gt(0).max(1).default(0.8571428571).describe("Fraction of the keys they fall on."),
  })
  .describe("Shape of the `exponential` distribution (YCSB's exponential.percentile and .frac).");

const zipfianConstant = z
  .number()
  .gt(0)
  .max(10)
  .superRefine((value, ctx) => {
    // YCSB's zipfian generator divides by (1 - constant).
    if (value === 1)
      ctx.addIssue({
        code: "custom",
        message: "must not be 1 (the zipfian formula divides by 1 - constant); YCSB uses 0.99",
      });
  })
  .meta({ allowed: "number > 0 and <= 10, not 1" });

const bankSchema = z
  .strictObject({
    accounts: integer(2, 10_000).default(8).describe("Accounts, each a record (acct0, acct1, ...)."),
    initial_balance: integer(0, 1_000_000_000).default(100).describe("Each account's balance at the start."),
    max_transfer: integer(1, 1_000_000_000).default(5).describe("A transfer moves 1 to max_transfer."),
    read_fraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe("Share of operations that read every balance at once; the rest are transfers."),
    transfer: z
      .enum(BANK_TRANSFER_MODES)
      .default("transaction")
      .describe(
        "`transaction`: one atomic request writing both accounts; `read_then_write`: read both balances, " +
          "then write both, as a client without transactions does (not safe under concurrency).",
      ),
  })
  .describe("The bank workload (workload.type `bank`); the YCSB keys do not apply to it.");

const DOMAIN_DESCRIPTIONS: Readonly<Record<DomainType, string>> = {
  ecommerce:
    "The ecommerce workload (workload.type `ecommerce`): tables customers, products, orders and " +
    "order_items; templates orders_by_customer, recent_orders_by_customer, orders_by_status_in_range, " +
    "new_order, update_order_status. The YCSB keys do not apply to it.",
  social:
    "The social workload (workload.type `social`): tables users, posts and comments; templates " +
    "user_feed, post_comments, new_post, new_comment. The YCSB keys do not apply to it.",
  timeseries:
    "The timeseries workload (workload.type `timeseries`): table measurements (primary key device_id, " +
    "ts); templates record_measurement, device_range, device_latest, device_range_stats, " +
    "all_devices_range. The YCSB keys do not apply to it.",
};

function knobSchema(spec: KnobSpec) {
  return (spec.integer ? z.int() : z.number())
    .min(spec.min)
    .max(spec.max)
    .default(spec.default)
    .describe(spec.description);
}

function domainMixSchema(templates: readonly TemplateSpec[]) {
  const defaults = templates.map((t) => `${t.name} ${t.weight}`).join(", ");
  const shape: Record<string, z.ZodDefault<z.ZodNumber>> = {};
  for (const t of templates) {
    shape[t.name] = z.number().min(0).default(0).describe(`Weight of ${t.name}: ${t.description}`);
  }
  return z
    .strictObject(shape)
    .superRefine((mix, ctx) => {
      if (!(Object.values(mix).reduce((sum, w) => sum + w, 0) > 0)) {
        ctx.addIssue({
          code: "custom",
          message: `at least one of ${templates.map((t) => t.name).join(", ")} must be more than 0`,
        });
      }
    }, WHEN_FIELDS_VALID)
    .nullable()
    .default(null)
    .describe(
      `Template weights, normalized to sum 1; replaces the default mix (templates left out weigh 0). null: the default mix (${defaults}).`,
    );
}

function domainSchema(type: DomainType) {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, spec] of Object.entries(DOMAIN_KNOBS[type])) shape[name] = knobSchema(spec);
  shape.mix = domainMixSchema(DOMAIN_TEMPLATES[type]);
  return z.strictObject(shape).describe(DOMAIN_DESCRIPTIONS[type]);
}

const workloadSchema = z
  .strictObject({
    type: z
      .enum(WORKLOAD_TYPES)
      .default("ycsb")
      .describe(
        "Workload generator: `ycsb` (YCSB's core workloads, registers), `bank` (transfers between " +
          "accounts and reads of every balance; check it with `bank`), or a domain workload of tables " +
          "and named query templates: `ecommerce`, `social`, `timeseries` (see `cluster.indexes`).",
      ),
    preset: z
      .enum(YCSB_PRESET_NAMES)
      .default("a")
      .describe(
        "YCSB core workload: a 50% read 50% update; b 95% read 5% update; c read only; " +
          "d 95% read 5% insert, latest; e 95% scan 5% insert; f 50% read 50% read-modify-write.",
      ),
    mix: mixSchema.nullable().default(null),
    records: integer(1, 5_000_000).default(10_000).describe("Records loaded before the run."),
    distribution: z
      .enum(REQUEST_DISTRIBUTIONS)
      .nullable()
      .default(null)
      .describe("Which keys operations choose. null: the preset's (`latest` for d, else `zipfian`)."),
    field_count: integer(1, 100).default(10).describe("Fields per record."),
    field_length: integer(1, 1_000_000).default(100).describe("Bytes per field."),
    scan_length: scanLengthSchema.prefault({}),
    scan_length_distribution: z
      .enum(["uniform", "zipfian"])
      .default("uniform")
      .describe("How scan lengths are drawn from `scan_length`."),
    insert_order: z
      .enum(["hashed", "ordered"])
      .default("hashed")
      .describe("Whether inserted keys are hashed (spread out) or in insertion order."),
    zero_padding: integer(1, 64)
      .default(1)
      .describe(
        "YCSB's zeropadding: key numbers are padded with zeros to this many digits. With `ordered` " +
          "inserts, enough digits (say 10) make the keys' sort order their insertion order.",
      ),
    hotspot: hotspotSchema.prefault({}),
    zipfian_constant: zipfianConstant.default(0.99).describe("Skew of the zipfian distribution."),
    exponential: exponentialSchema.prefault({}),
    rate: rate
      .nullable()
      .default(null)
      .describe(
        "Open loop at this target rate; latency counts from each operation's intended start. " +
          "null: closed loop, each client sends its next operation when the previous completes.",
      ),
    arrival: z
      .enum(["poisson", "constant"])
      .default("poisson")
      .describe("Open-loop inter-arrival times: exponential (`poisson`) or fixed (`constant`)."),
    clients: integer(1, 10_000).default(32).describe("Concurrent clients."),
    timeout: duration("positive")
      .default("2s")
      .describe("Per request; past it the operation is recorded as `info` (outcome unknown)."),
    max_backlog: integer(1, 10_000_000)
      .default(100_000)
      .describe(
        "Open-loop operations waiting for a free client; past it new ones fail (error `backlog_full`).",
      ),
    bank: bankSchema.prefault({}),
    ecommerce: domainSchema("ecommerce").prefault({}),
    social: domainSchema("social").prefault({}),
    timeseries: domainSchema("timeseries").prefault({}),
  })
  .describe("What the clients do.");

// --- changes ---

const changeAt = duration("zero").describe(
  "When, in virtual time from the start of the run, i.e. of warmup (as a fault's `at`).",
);

const changeSchema = z
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
  ])
  .describe("A change of the shard map during the run, done online while traffic continues.");

const finalReadsSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .nullable()
      .default(null)
      .describe(
        "Run the final phase: once the clients are done, end every fault, let the cluster settle, then " +
          "read every key the history touched from every replica. null: on when `checks` are given.",
      ),
    settle: duration("zero")
      .default("5s")
      .describe(
        "How long the cluster runs with every fault ended, and no client, before the final " +
          "reads: time for elections, restarted nodes to rejoin and followers to catch up.",
      ),
  })
  .describe(
    "Jepsen's final phase: the state each replica converged to, for the checks and report.json `final_reads`.",
  );

// --- the document ---

const scenarioSchemaBase = z.strictObject({
  name: z
    .string()
    .regex(SCENARIO_NAME_PATTERN, {
      error:
        "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names the run's directory)",
    })
    .describe("Names the run and its directory. Required unless the loader is given the file's base name."),
  description: z.string().max(MAX_DESCRIPTION_CHARS).default("").describe("Free text shown in reports."),
  duration: duration("positive").default("60s").describe("Virtual time of the measured phase."),
  warmup: duration("zero").default("0s").describe("Run before measuring; excluded from the results."),
  cluster: clusterSchema.prefault({}),
  network: networkSchema.prefault({}),
  workload: workloadSchema.prefault({}),
  faults: faultsSchema.prefault({}),
  changes: z
    .array(changeSchema)
    .default([])
    .describe("Changes of the shard map during the run (reshard, split, move), in time order."),
  checks: z
    .array(z.enum(CHECK_NAMES))
    .default([])
    .describe(
      "Checks of the history the clients saw, run after the run. YCSB workloads: linearizable, lost_writes, " +
        "stale_reads, read_your_writes, monotonic_reads; bank: bank (total conserved, no negative " +
        "balance); ecommerce, social, timeseries: none. A violation makes the run exit 1 and write failure.json.",
    ),
  final_reads: finalReadsSchema.prefault({}),
});

export const scenarioSchema = scenarioSchemaBase
  .superRefine((doc, ctx) => checkChanges(doc, ctx), WHEN_FIELDS_VALID)
  .superRefine((doc, ctx) => checkDomain(doc, ctx), WHEN_FIELDS_VALID)
  .superRefine((doc, ctx) => {
    const bank = doc.workload.type === "bank";
    const domain = isDomainType(doc.workload.type);
    const fitting: readonly string[] = domain ? [] : bank ? BANK_CHECK_NAMES : REGISTER_CHECK_NAMES;
    doc.checks.forEach((check, i) => {
      if (fitting.includes(check)) return;
      ctx.addIssue({
        code: "custom",
        path: ["checks", i],
        message: domain
          ? `${check} does not apply to workload.type ${doc.workload.type}: its clients run queries, not register or bank operations (remove checks)`
          : bank
            ? `${check} checks a history of registers; workload.type bank records transfers and reads of every balance: use ${BANK_CHECK_NAMES.join(", ")}`
            : `${check} checks a bank history; with workload.type ${doc.workload.type} use ${REGISTER_CHECK_NAMES.join(", ")}`,
      });
    });
    // Runs even when other fields are invalid: it reads only these two, and only when both are valid.
    const warmup_us = durationValueUs(doc.warmup);
    const duration_us = durationValueUs(doc.duration);
    if (warmup_us !== null && duration_us !== null && warmup_us + duration_us > MAX_DURATION_US) {
      ctx.addIssue({
        code: "custom",
        path: ["duration"],
        message: `warmup + duration must be at most 24h (got ${doc.warmup} + ${doc.duration})`,
      });
    }
  })
  .describe("A dbsim scenario.");

/** A scenario document as written, with every default filled in. */
export type ScenarioDoc = z.output<typeof scenarioSchema>;

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
  )[],
): number {
  if (cluster.sharding.max_shards !== null) return cluster.sharding.max_shards;
  let needed = cluster.shards;
  let count = cluster.shards;
  for (const change of changes) {
    if (change.kind === "reshard") count = change.shards;
    else if (change.kind === "split") count++;
    else needed = Math.max(needed, change.to + 1);
    needed = Math.max(needed, count);
  }
  if (cluster.sharding.split_at !== null || cluster.sharding.split_load !== null) {
    needed = Math.max(needed, 2 * cluster.shards);
  }
  return Math.min(MAX_SHARDS, needed);
}

/** The knobs of the document's domain workload, as createDomainWorkload takes them (mix only when given). */
export function domainKnobs(workload: ScenarioDoc["workload"], type: DomainType): Record<string, unknown> {
  const { mix, ...knobs } = workload[type] as Record<string, unknown>;
  return mix === null || mix === undefined ? knobs : { ...knobs, mix };
}

/**
 * A domain workload runs on one shard of a leader-follower group, without the register and bank
 * checks; its knobs resolve (resolveKnobs) and `cluster.indexes` fit its tables. Indexes need a
 * domain workload.
 */
function checkDomain(doc: z.output<typeof scenarioSchemaBase>, ctx: z.RefinementCtx): void {
  const type = doc.workload.type;
  const { cluster } = doc;
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  if (!isDomainType(type)) {
    if (cluster.indexes.length > 0) {
      issue(
        ["cluster", "indexes"],
        `indexes need a workload with tables (workload.type ecommerce, social or timeseries); workload.type ${type} has none`,
      );
    }
    return;
  }
  if (cluster.shards !== 1) {
    issue(
      ["cluster", "shards"],
      `workload.type ${type} needs cluster.shards: 1 (its queries are not routed across shards) (got ${cluster.shards})`,
    );
  } else if (cluster.sharding.max_shards !== null && cluster.sharding.max_shards > 1) {
    issue(["cluster", "sharding", "max_shards"], `workload.type ${type} runs on one shard: no spare shards`);
  } else if (cluster.sharding.split_at !== null || cluster.sharding.split_load !== null) {
    const key = cluster.sharding.split_at !== null ? "split_at" : "split_load";
    issue(["cluster", "sharding", key], `workload.type ${type} runs on one shard: no splits`);
  }
  if (doc.changes.length > 0) {
    issue(["changes"], `workload.type ${type} runs on one shard: no changes of the shard map`);
  }
  if (doc.final_reads.enabled === true) {
    issue(
      ["final_reads", "enabled"],
      `final reads read registers or a bank's balances; workload.type ${type} runs queries on tables`,
    );
  }
  if (cluster.replication.mode === "multi-leader") {
    issue(
      ["cluster", "replication", "mode"],
      `workload.type ${type} needs a leader-follower mode (async, semi-sync or sync): a query's writes ` +
        "replicate as row changes in log order, which last-writer-wins per key cannot merge",
    );
  }
  let tables: ReturnType<typeof validateTables>;
  try {
    tables = validateTables(createDomainWorkload(type, domainKnobs(doc.workload, type)).tables);
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    issue(["workload", type, ...error.path], error.detail);
    return;
  }
  try {
    validateIndexes(cluster.indexes, tables);
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    issue(["cluster", "indexes", ...error.path], error.detail);
  }
}

/** The changes fit the cluster: in order, within the run, of a kind the strategy supports. */
function checkChanges(doc: z.output<typeof scenarioSchemaBase>, ctx: z.RefinementCtx): void {
  const { cluster, changes } = doc;
  const strategy = cluster.sharding.strategy;
  const end_us = (durationValueUs(doc.warmup) ?? 0) + (durationValueUs(doc.duration) ?? 0);
  const provisioned = provisionedShards(cluster, changes);
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  if (cluster.shards > 1 || changes.length > 0) {
    if (doc.workload.type === "bank") {
      issue(
        ["workload", "type"],
        "bank needs cluster.shards: 1 and no changes (a transfer between shards would not be atomic)",
      );
    }
    if (changes.length > 0 && cluster.replication.mode === "multi-leader") {
      issue(["changes"], "resharding needs a leader-follower replication mode (not multi-leader)");
    }
  }
  let shards = cluster.shards;
  let previous_us = 0;
  changes.forEach((change, i) => {
    const at_us = durationValueUs(change.at) ?? 0;
    if (at_us < previous_us)
      issue(["changes", i, "at"], `changes must be in time order (${change.at} is before the previous one)`);
    if (at_us >= end_us)
      issue(
        ["changes", i, "at"],
        `must be before the end of the run (warmup + duration = ${end_us / 1e6}s; got ${change.at})`,
      );
    previous_us = at_us;
    switch (change.kind) {
      case "reshard":
        if (change.shards === shards)
          issue(
            ["changes", i, "shards"],
            `the cluster has ${shards} shard${shards === 1 ? "" : "s"} then already`,
          );
        else if (strategy === "range" && change.shards < shards) {
          issue(
            ["changes", i, "shards"],
            `range grows by splitting: it can only add shards (${shards} then, got ${change.shards})`,
          );
        } else if (change.shards > provisioned) {
          issue(["changes", i, "shards"], `more than cluster.sharding.max_shards (${provisioned})`);
        }
        shards = change.shards;
        break;
      case "split":
        if (strategy !== "range")
          issue(["changes", i, "kind"], `split needs strategy range (got ${strategy}); use reshard`);
        else if (change.shard >= shards)
          issue(["changes", i, "shard"], `no shard${change.shard}: the cluster has ${shards} shards then`);
        shards++;
        if (shards > provisioned)
          issue(
            ["changes", i],
            `needs a spare shard: more than cluster.sharding.max_shards (${provisioned})`,
          );
        break;
      case "move":
        if (strategy !== "directory")
          issue(["changes", i, "kind"], `move needs strategy directory (got ${strategy})`);
        else if (change.to >= provisioned) {
          issue(
            ["changes", i, "to"],
            `no shard${change.to}: shards 0 .. ${provisioned - 1} are provisioned (see cluster.sharding.max_shards)`,
          );
        }
        break;
    }
  });
}
