// The scenario document: what a scenario file may contain, with every default, composed of the
// sections each subsystem declares beside its code (engine/node, engine/replication,
// engine/sharding, the generators, the client driver, the nemesis, network.ts) and the rules
// between fields (rules.ts). Validation only: a parsed document keeps its durations and rates as
// written, so the document with its defaults filled in is itself a valid scenario meaning the same
// thing (report.json stores it as `config`, and it must load again). resolve.ts turns it into numbers.
//
// Conventions the loader and the reference generator rely on:
// - every field has a `.describe()`; fields checked by code rather than by zod types carry
//   `.meta({ allowed })`, the reference table's "type / allowed values" text;
// - custom issues (code "custom") carry a complete message, including "(got ...)" where useful;
// - a union's `error` is the message for a value of the wrong type, e.g. "expected a duration ...".

import { z } from "zod";
import { cacheSchema } from "../../engine/cache/settings.js";
import { nodeSchema } from "../../engine/node/settings.js";
import { INDEX_KINDS } from "../../engine/query/indexes.js";
import { nodesSchema, rangePlacementSchema, rebalanceSchema } from "../../engine/ranges/settings.js";
import { topologySchema } from "../../engine/regions/settings.js";
import { replicationSchema } from "../../engine/replication/settings.js";
import { duration } from "../../engine/settings/durations.js";
import { integer } from "../../engine/settings/fields.js";
import { MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS } from "../../engine/settings/limits.js";
import { MAX_SHARDS } from "../../engine/sharding/coordinator.js";
import { changeSchema, shardingSchema } from "../../engine/sharding/settings.js";
import { transactionsSchema } from "../../engine/txn/settings.js";
import { BANK_CHECK_NAMES } from "../checkers/bank.js";
import { REGISTER_CHECK_NAMES } from "../checkers/checks.js";
import { ELLE_CHECK_NAMES } from "../checkers/elle.js";
import { LIVENESS_CHECK_NAMES } from "../checkers/liveness.js";
import { CONSISTENCY_MODELS } from "../checkers/transactions/consistency.js";
import { driverFields } from "../client/settings.js";
import { bankSchema } from "../generators/bank/settings.js";
import { DOMAIN_TYPES } from "../generators/domain/domain.js";
import { domainFields } from "../generators/domain/settings.js";
import {
  ELLE_WORKLOAD_TYPES,
  listAppendSchema,
  rwRegisterSchema,
} from "../generators/list-append/settings.js";
import { smallbankSchema } from "../generators/smallbank/settings.js";
import { ycsbFields } from "../generators/ycsb/settings.js";
import { faultsSchema } from "../nemesis/schema.js";
import { networkSchema } from "./network.js";
import { applyRules } from "./rules.js";
import { thresholdsSchema } from "./thresholds.js";

/**
 * The checks a scenario may ask for: a register history's (YCSB), a bank history's, liveness (both),
 * and a transaction history's (list-append).
 */
export const CHECK_NAMES = [
  ...REGISTER_CHECK_NAMES,
  ...BANK_CHECK_NAMES,
  ...LIVENESS_CHECK_NAMES,
  ...ELLE_CHECK_NAMES,
] as const;

/** The elle check's default consistency model (dbsim check's). */
export const ELLE_CONSISTENCY_DEFAULT = "strict-serializable";

/**
 * The liveness check's default bound: an election (detect_after 1s plus its delay) and a client
 * timeout (2s), with room.
 */
export const LIVENESS_WITHIN_DEFAULT = "10s";

/**
 * Workload types: YCSB's registers, the bank, the domain workloads (tables and queries), and the
 * transaction workloads (list-append, rw-register, smallbank).
 */
export const WORKLOAD_TYPES = ["ycsb", "bank", ...DOMAIN_TYPES, ...ELLE_WORKLOAD_TYPES, "smallbank"] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];

/** The name becomes a directory name (runs/<name>/...). */
export const SCENARIO_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// --- cluster ---

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
    nodes: nodesSchema,
    range_placement: rangePlacementSchema,
    rebalance: rebalanceSchema,
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
    cache: cacheSchema.optional(), // no default: a scenario without one keeps its report's config as it was
    transactions: transactionsSchema.optional(), // no default, as cache
  })
  .describe("The database under test.");

// --- workload ---

const workloadSchema = z
  .strictObject({
    type: z
      .enum(WORKLOAD_TYPES)
      .default("ycsb")
      .describe(
        "Workload generator: `ycsb` (YCSB's core workloads, registers), `bank` (transfers between " +
          "accounts and reads of every balance; check it with `bank`), a domain workload of tables " +
          "and named query templates: `ecommerce`, `social`, `timeseries` (see `cluster.indexes`), or " +
          "`list-append` or `rw-register` (Elle's transactions; check them with `elle`), `smallbank` " +
          "(contended banking transactions; no check).",
      ),
    ...ycsbFields,
    ...driverFields,
    bank: bankSchema.prefault({}),
    ...domainFields,
    // No defaults: other workloads' reports keep their config.
    list_append: listAppendSchema.optional(),
    rw_register: rwRegisterSchema.optional(),
    smallbank: smallbankSchema.optional(),
  })
  .describe("What the clients do.");

// --- final reads ---

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

export const scenarioSchema = z
  .strictObject({
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
    topology: topologySchema.optional(), // no default: a scenario without one keeps its report's config as it was
    workload: workloadSchema.prefault({}),
    faults: faultsSchema.prefault({}),
    changes: z
      .array(changeSchema)
      .default([])
      .describe(
        "Changes during the run, in time order: of the shard map (reshard, split, move) or of a raft shard's replicas (add_replica, remove_replica; with cluster.nodes, move_replica) or leader (transfer_leader).",
      ),
    checks: z
      .array(z.enum(CHECK_NAMES))
      .default([])
      .describe(
        "Checks of the history the clients saw, run after the run. YCSB workloads: linearizable, lost_writes, " +
          "stale_reads, read_your_writes, monotonic_reads; bank: bank (total conserved, no negative " +
          "balance); both: liveness (writes succeed again within `liveness.within` of the faults healing); " +
          "list-append, rw-register: elle (isolation anomalies, under `elle.consistency`); smallbank: none; " +
          "ecommerce, social, timeseries: none. A violation makes the run exit 1 and write failure.json.",
      ),
    // Optional without a default: a scenario without it echoes none in report.json `config`.
    liveness: z
      .strictObject({
        within: duration("positive")
          .default(LIVENESS_WITHIN_DEFAULT)
          .describe(
            `How soon after the faults heal some write must succeed. Default ${LIVENESS_WITHIN_DEFAULT}, as when the section is absent.`,
          ),
      })
      .optional()
      .describe(
        "The `liveness` check's bound ([Liveness](replication.md#liveness)); only with `liveness` in `checks`.",
      ),
    // Optional without a default, as liveness.
    elle: z
      .strictObject({
        consistency: z
          .enum(CONSISTENCY_MODELS)
          .default(ELLE_CONSISTENCY_DEFAULT)
          .describe(
            `The consistency model the history must satisfy ([Consistency models](transactions.md#consistency-models)). Default ${ELLE_CONSISTENCY_DEFAULT}, as when the section is absent.`,
          ),
      })
      .optional()
      .describe("The `elle` check's consistency model; only with `elle` in `checks`."),
    final_reads: finalReadsSchema.prefault({}),
    // Optional without a default: a scenario without thresholds echoes none in report.json `config`.
    thresholds: thresholdsSchema
      .optional()
      .describe(
        "Pass/fail criteria over the report's figures (as k6's), figure -> condition, e.g. " +
          '`update.p99: "< 10ms"`, `all.error_rate: "< 0.1%"`, `throughput: "> 1900/s"`, `lost_writes: "== 0"`; ' +
          "see [Thresholds](#thresholds). A breach makes the run exit 5 (unless a check failed: 1).",
      ),
  })
  // After every field: the rules between fields (rules.ts), in one table.
  .superRefine(applyRules, { when: () => true })
  .describe("A dbsim scenario.");

/** A scenario document as written, with every default filled in. */
export type ScenarioDoc = z.output<typeof scenarioSchema>;
