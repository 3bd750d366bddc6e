// The report.json schema (dbsim.report/v1) as a zod schema: the source of truth for the TypeScript
// types, for validating every report written and read, and for reports/report.schema.json.

import { z } from "zod";
import { scenarioSchema } from "../workloads/scenario/schema.js";
import { clientRegionsSchema } from "./client-regions.js";
import { connectionsReportSchema } from "./connections-schema.js";

export const REPORT_SCHEMA = "dbsim.report/v1";

const micros = z.number().nonnegative();

export const latencySummarySchema = z
  .object({
    p50: micros,
    p90: micros,
    p99: micros,
    p999: micros,
    max: micros,
    mean: micros,
  })
  .strict()
  .describe(
    "Percentiles, maximum and mean, in microseconds (HDR histogram, 3 significant digits; max and mean exact).",
  );

export const opReportSchema = z
  .object({
    count: z.number().int().nonnegative().describe("Operations intended in the measured phase."),
    ok: z.number().int().nonnegative(),
    fail: z.number().int().nonnegative(),
    info: z.number().int().nonnegative(),
    errors: z
      .record(z.string(), z.number().int().nonnegative())
      .describe("Reasons of fail and info outcomes."),
    retries: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        "Of count, the retries: operations run again after an earlier attempt definitely failed " +
          "(an aborted transaction; absent when none).",
      ),
    latency_us: latencySummarySchema.describe("Intended start to completion, ok operations only."),
    queue_us: latencySummarySchema.describe("Time waiting in the node's queue."),
    service_us: latencySummarySchema.describe("CPU time at the node."),
    disk_us: latencySummarySchema
      .optional()
      .describe(
        "Time waiting for pages read from disk (missing from the node's buffer pool) before the CPU work " +
          "(absent in older reports).",
      ),
    pool_wait_us: latencySummarySchema
      .optional()
      .describe(
        "Time waiting on the client host for a pooled connection (absent without `workload.pool`); " +
          "part of the latency, before the node's queue.",
      ),
    spectrum: z
      .array(z.tuple([z.number().min(0).max(100), micros]))
      .describe("Latency percentile spectrum: [percentile, latency_us] pairs, as HdrHistogram plots it."),
  })
  .strict();

export const timelineSchema = z
  .object({
    interval_s: z.number().positive(),
    t_s: z
      .array(z.number().nonnegative())
      .describe("Start of each interval, virtual seconds from the run's start."),
    ops_per_s: z
      .array(z.number().nonnegative())
      .describe("ok operations completed per second in the interval."),
    p50_us: z
      .array(micros)
      .describe("Median latency of the ok operations completed in the interval (0: none)."),
    p99_us: z.array(micros),
    replication_lag_us: z
      .array(micros)
      .describe("The largest replication lag of any follower applying an entry in the interval (0: none)."),
    offered_ops_per_s: z
      .array(z.number().nonnegative())
      .optional()
      .describe(
        "Open loop: operations intended to start in the interval (the schedule's arrivals, whatever their outcome), per second; absent for a closed loop.",
      ),
    cache_hit_ratio: z
      .array(z.number().min(0).max(1).nullable())
      .optional()
      .describe(
        "With a cache: the cache's hits / (hits + misses) in the interval (null: no cache read); absent without one.",
      ),
  })
  .strict()
  .describe("Throughput and latency over virtual time, the whole run (warmup, measured phase, drain).");

export const replicationSchema = z
  .object({
    mode: z
      .string()
      .describe(
        "The replication mode (async, semi-sync, sync, multi-leader, raft), or `protocol <path>` when a protocol module replaced the built-in one.",
      ),
    replicas: z.number().int().positive(),
    lag_us: z
      .record(
        z.string(),
        z
          .object({
            p50: micros,
            p99: micros,
            max: micros,
            mean: micros,
            samples: z.number().int().nonnegative(),
            trend_us_per_s: z
              .number()
              .optional()
              .describe(
                "How fast the lag grew: the least-squares slope of each entry's lag over the time it was " +
                  "applied, in µs of lag per second (> 0: falling behind; absent in older reports).",
              ),
            last: micros
              .optional()
              .describe(
                "The lag of the last entry it applied: caught up when small (absent in older reports).",
              ),
          })
          .strict(),
      )
      .describe(
        "Per follower: delay from the leader logging a write to the follower applying it (their clocks).",
      ),
    failovers: z
      .array(
        z
          .object({
            at_s: z.number().nonnegative().describe("When the new leader took over (virtual seconds)."),
            leader: z.string(),
            shard: z
              .number()
              .int()
              .min(-1)
              .describe("The new leader's shard (-1: unknown); the outage is of this shard's writes."),
            term: z.number().int(),
            write_outage_s: z
              .number()
              .nonnegative()
              .nullable()
              .describe(
                "From the last write acknowledged on the shard before the promotion to the first after it " +
                  "(with routing: proxy, the clients do not see shards: of the whole cluster); null: none after.",
              ),
            writes_failed_or_timed_out: z
              .number()
              .int()
              .nonnegative()
              .describe("The shard's writes that failed or timed out during the outage."),
          })
          .strict(),
      )
      .describe("Each promotion after the start."),
    lost_writes: z
      .number()
      .int()
      .nonnegative()
      .nullable()
      .describe(
        "Acknowledged writes the final leaders' logs do not hold (found by inspecting the engine at the run's end; " +
          "null when a shard has no single leader then, or in multi-leader mode, where `conflicts` counts them). " +
          "A write a later write overwrote counts here even though the final state is right; with final reads, " +
          "`final_reads.lost_writes` judges every acknowledged write on the final state.",
      ),
    conflicts: z.number().int().nonnegative().describe("Writes last-writer-wins discarded (multi-leader)."),
    leaders_at_end: z
      .array(z.string())
      .describe("Nodes that believe they lead when the run ends (two: split brain)."),
    truncated_entries: z
      .number()
      .int()
      .nonnegative()
      .describe("Log entries replicas discarded as divergent."),
    snapshots_installed: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        "Snapshots of a leader's state installed by followers too far behind its compacted log (absent in older reports).",
      ),
    membership_changes: z
      .array(
        z
          .object({
            at_s: z.number().nonnegative().describe("When its leader committed it."),
            shard: z.number().int().describe("The shard whose replicas changed."),
            voters: z.array(z.string()).describe("The replicas that vote from then on."),
            learners: z.array(z.string()).describe("The replicas that receive the log without voting."),
          })
          .strict(),
      )
      .optional()
      .describe(
        "Each raft configuration committed (membership `changes`: a learner added, promoted, a voter removed); absent without them.",
      ),
    leader_transfers: z
      .array(
        z
          .object({
            at_s: z
              .number()
              .nonnegative()
              .describe("When the target won its election, or the leader gave up."),
            shard: z.number().int().describe("The shard whose leadership moved."),
            from: z.string().describe("The leader that handed leadership over."),
            to: z.string().describe("The voter it handed it to."),
            term: z.number().int().describe("The target's new term (done), or the leader's (aborted)."),
            done: z.boolean().describe("true: the target leads; false: aborted after an election timeout."),
          })
          .strict(),
      )
      .optional()
      .describe(
        "Each raft leadership transfer (a `transfer_leader` change, or a `transfer_leadership` message): done or aborted; absent without them.",
      ),
    disk: z
      .object({
        faults_injected: z
          .number()
          .int()
          .nonnegative()
          .describe("Disk faults that hit a node (disk_corruption, torn_write, lost_fsync, slow_disk)."),
        corruptions_detected: z
          .number()
          .int()
          .nonnegative()
          .describe(
            "Log entries whose checksum failed, found by their node (0 with checksums off: none is found).",
          ),
        entries_dropped: z
          .number()
          .int()
          .nonnegative()
          .describe(
            "Entries nodes took out of their logs on finding corruption (the corrupt ones, what follows a cut, or what precedes an applied one).",
          ),
        entries_repaired: z
          .number()
          .int()
          .nonnegative()
          .describe(
            "Entries a node dropped on finding corruption and then got back from its leader (a snapshot covers the others).",
          ),
      })
      .strict()
      .optional()
      .describe("What the disk faults did; only in a run with disk faults."),
  })
  .strict();

/** report.json lists at most this many diverged keys with their values (and counts them all). */
export const DIVERGENCE_LISTED = 100;

const count = z.number().int().nonnegative();

export const finalReadsSchema = z
  .object({
    healed_at_s: z
      .number()
      .nonnegative()
      .describe(
        "When every fault was ended (partitions healed, crashed nodes restarted): the clients had drained.",
      ),
    settle_s: z
      .number()
      .nonnegative()
      .describe("How long the cluster then ran before the reads (after any pause ended)."),
    reads_from_s: z.number().nonnegative().describe("When the final reads began."),
    end_s: z.number().nonnegative().describe("When they ended."),
    process: count.describe(
      "The process of the final reads in history.jsonl (the first number no client used).",
    ),
    keys: count.describe(
      "Keys read from every replica: every key the history touched (a bank: its balances, one read).",
    ),
    reads: count.describe("Reads, one per key and replica (the last try of each)."),
    unanswered: count.describe(
      "Reads that no try got an answer to: that replica's value of the key is unknown.",
    ),
    leaders: z.array(z.string()).describe("Nodes that believed they led when the reads began."),
    leader_changes: count.describe("Promotions during the final phase (after the faults ended)."),
    truncated_entries: count.describe("Log entries replicas discarded during the final phase."),
    diverged_keys: count.describe("Keys on which the replicas that answered hold different values."),
    divergence: z
      .array(
        z
          .object({
            key: z.string().nullable(),
            values: z
              .record(z.string(), z.unknown())
              .describe("Replica -> the value it holds (null: empty; absent: it never answered)."),
          })
          .strict(),
      )
      .describe(
        `The first ${DIVERGENCE_LISTED} diverged keys, in the history's order. Every key's values are in ` +
          "history.jsonl, as the reads of `process`.",
      ),
    lost_writes: z
      .object({
        acknowledged: count,
        lost: count.describe(
          "Acknowledged writes whose key's final value (held by a majority) was written before them.",
        ),
        divergent: count.describe("Acknowledged writes that only some replicas hold."),
        unjudged: count.describe("Acknowledged writes of keys on which no majority of the replicas agrees."),
      })
      .strict()
      .nullable()
      .describe(
        "Acknowledged writes judged on the final reads (what lost_writes reports); null when the history's " +
          "writes are not unique per key (a bank).",
      ),
  })
  .strict()
  .nullable()
  .optional()
  .describe(
    "Jepsen's final phase: after the faults ended and the cluster settled, every key read from every replica " +
      "(null: final_reads off; absent in older reports).",
  );

export const shardsSchema = z
  .array(
    z
      .object({
        id: z.number().int().nonnegative(),
        keys: z
          .number()
          .int()
          .nonnegative()
          .nullable()
          .describe("Keys the shard owns at the end (on its leader; null when it has no single leader)."),
        ops: z
          .number()
          .int()
          .nonnegative()
          .describe("Requests routed to it (each part of a scatter counts)."),
        load_share: z.number().min(0).max(1).describe("Its share of all requests routed."),
      })
      .strict(),
  )
  .nullable()
  .describe("Each shard that owned keys or served requests (null when the cluster is not sharded).");

export const shardingSchema = z
  .object({
    strategy: z.string(),
    routing: z.string(),
    shards_at_start: z.number().int().positive(),
    shards_at_end: z.number().int().nonnegative().describe("Shards owning keys at the end."),
    skew: z
      .number()
      .nonnegative()
      .nullable()
      .describe("Load skew: the busiest shard's requests over the mean."),
    cross_shard_ops: z
      .number()
      .int()
      .nonnegative()
      .describe("Operations sent to more than one shard (scatter-gather scans)."),
    moved_keys: z.number().int().nonnegative().describe("Keys moved by the changes of the shard map."),
    moved_fraction: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe("Moved keys over the keys the sources held (null: no change)."),
    map_version: z.number().int().positive(),
    reshards: z
      .array(
        z
          .object({
            change: z.string(),
            at_s: z.number().nonnegative(),
            duration_s: z
              .number()
              .nonnegative()
              .nullable()
              .describe("null: still moving when the run ended."),
            moved_keys: z.number().int().nonnegative(),
            moved_fraction: z.number().min(0).max(1).nullable(),
            restarts: z.number().int().nonnegative().describe("Sources that started over after failures."),
          })
          .strict(),
      )
      .describe("Each change of the shard map, as it ran."),
    latency_us: z
      .object({
        during_reshards: latencySummarySchema.nullable(),
        outside_reshards: latencySummarySchema.nullable(),
      })
      .strict()
      .describe("Latency of measured ok operations that completed while data moved, and of the others."),
    two_phase: z
      .object({
        decisions: z
          .number()
          .int()
          .nonnegative()
          .describe("Prepared participants that applied their decision in the measured phase."),
        commits: z.number().int().nonnegative(),
        aborts: z.number().int().nonnegative(),
        prepared_blocked_us_max: z
          .number()
          .nonnegative()
          .nullable()
          .describe(
            "Longest time a participant held a transaction's keys prepared, from prepare to decision (null: none).",
          ),
        prepared_blocked_us_mean: z.number().nonnegative().nullable(),
        prepared_blocked_us_total: z.number().nonnegative().describe("Sum over the decisions."),
        keys_held_max: z.number().int().nonnegative().describe("Most keys one prepared participant held."),
      })
      .strict()
      .optional()
      .describe(
        "Two-phase commit of transactions across shards (list-append on several shards only): " +
          "[Across shards](transactions.md#across-shards-two-phase-commit).",
      ),
  })
  .strict()
  .nullable()
  .describe("How keys were spread and moved (null when the cluster is not sharded).");

const mean = z.number().nonnegative();

export const queriesSchema = z
  .object({
    templates: z
      .record(
        z.string(),
        z
          .object({
            count: z
              .number()
              .int()
              .nonnegative()
              .describe("Operations of the template in the measured phase."),
            ok: z.number().int().nonnegative(),
            share: z.number().min(0).max(1).describe("Its share of the measured operations."),
            plan: z
              .string()
              .nullable()
              .describe("The plan most ok operations ran with (EXPLAIN without estimates); null: none ok."),
            plans: z
              .record(z.string(), z.number().int().positive())
              .describe("Every plan the ok operations ran with, and how many ran with it."),
            access: z
              .string()
              .nullable()
              .describe(
                "The plan's access path (TableScan, IndexRangeScan, HashLookup, ...); null for inserts.",
              ),
            index: z.string().nullable().describe("The secondary index the plan used; null: none."),
            covering: z.boolean().describe("The index held every column the query needed (no table lookup)."),
            table_lookup: z.boolean().describe("Rows were fetched from the table through the index."),
            rows_returned_mean: mean.describe("Result rows of a read, rows written by a write."),
            rows_examined_mean: mean,
            pages_read_mean: mean,
            pages_written_mean: mean.describe("Table and index pages written: write amplification."),
            hit_ratio: z
              .number()
              .min(0)
              .max(1)
              .nullable()
              .optional()
              .describe(
                "Share of its ok operations' page lookups found in the buffer pool (null: none looked up; " +
                  "absent in older reports).",
              ),
            latency_us: latencySummarySchema.describe("Intended start to completion, ok operations only."),
          })
          .strict(),
      )
      .describe("Per query template, in the workload's order (means over ok operations)."),
    index_advice: z
      .array(
        z
          .object({
            template: z.string(),
            share: z.number().min(0).max(1),
            plan: z.string(),
            suggestion: z
              .object({
                name: z.string(),
                table: z.string(),
                columns: z.array(z.string()),
                kind: z.string(),
                include: z.array(z.string()),
              })
              .strict()
              .describe("The B+tree index that would serve it, ready for cluster.indexes."),
            line: z.string(),
          })
          .strict(),
      )
      .describe(
        "Templates of at least 5% of the operations that ran as a full table scan, and the index to add.",
      ),
  })
  .strict()
  .nullable()
  .describe("A domain workload's queries (null for ycsb and bank).");

export const storageSchema = z
  .object({
    nodes: z
      .record(
        z.string(),
        z
          .object({
            pool_pages: count.describe("The buffer pool's capacity, in pages."),
            data_pages: count.describe("Pages of the node's tables and indexes at the end of the run."),
            hits: count.describe("Page lookups that found the page in the pool."),
            misses: count.describe("Page lookups that read the page from disk."),
            hit_ratio: z.number().min(0).max(1).nullable().describe("hits / (hits + misses); null: none."),
            evictions: count,
            disk_reads: count,
            disk_writes: count.describe("Dirty pages written back when evicted."),
            fsyncs: count.describe("fsyncs of the log."),
          })
          .strict(),
      )
      .describe("Per database node, what its buffer pool and disk did in the measured phase."),
  })
  .strict()
  .nullable()
  .optional()
  .describe(
    "Each node's buffer pool and disk (null for a real database's run; absent in older reports). Requests " +
      "and applied log entries alike go through the pool.",
  );

const cacheCountersSchema = z
  .object({
    hits: count.describe(
      "Reads the cache answered from memory (waiters answered by a lease holder's set included).",
    ),
    misses: count.describe("Reads it did not find (absent or expired); each went to the database."),
    hit_ratio: z.number().min(0).max(1).nullable().describe("hits / (hits + misses); null: none."),
    lease_waits: count.describe(
      "Misses that waited for another reader's lease instead of reading the database.",
    ),
    sets: count.describe("Values cached after a database read."),
    sets_refused: count.describe(
      "Sets refused because their lease was void (a write came between): stale sets prevented.",
    ),
    invalidations: count.describe("Deletes and updates of an entry after a write."),
    writes: count.describe("Writes sent to the cache host (write-through, write-behind)."),
    evictions: count,
    expired: count.describe("Entries found past their ttl (each a miss)."),
    database_reads: count.describe(
      "Reads the cache host sent to the database itself (read-through strategies).",
    ),
    dirty_lost: count.describe(
      "write-behind: dirty entries a crash lost (acknowledged writes the database never got).",
    ),
    entries: count.describe("Entries held at the end of the run."),
  })
  .strict();

export const cacheReportSchema = z
  .object({
    strategy: z.string(),
    invalidation: z.string(),
    leases: z.boolean(),
    nodes: z.record(z.string(), cacheCountersSchema).describe("Per cache host, in the measured phase."),
    total: cacheCountersSchema.describe("Every cache host together."),
  })
  .strict()
  .optional()
  .describe("The caching tier in the measured phase (docs/caching.md); absent without `cluster.cache`.");

const rangeNodeSchema = z
  .object({
    ranges: count.describe("Range replicas it holds at the end of the run (voters and learners)."),
    ranges_min: count.describe("The fewest it held at any change of a range's leader or replicas."),
    ranges_max: count.describe("The most it held at any such change."),
    leaseholders: count.describe("Ranges it leads at the end of the run."),
    leaseholders_min: count.describe("The fewest it led at any change of a range's leader or replicas."),
    leaseholders_max: count.describe("The most it led at any such change."),
    cpu_busy_share: z
      .number()
      .min(0)
      .max(1)
      .describe("Its CPU's busy time over the measured phase, shared by its replicas (1: saturated)."),
  })
  .strict();

export const rangesReportSchema = z
  .object({
    nodes: z.record(z.string(), rangeNodeSchema).describe("Per physical node (`node<i>`), in order."),
    moves: count.describe("Replicas moved off a node during the run (move_replica, or the rebalancer's)."),
    lease_transfers: count.describe(
      "Leaderships (leases) transferred during the run: by the rebalancer, before a move removes a leader, or scheduled.",
    ),
  })
  .strict()
  .optional()
  .describe(
    "Ranges over physical nodes (docs/ranges.md): replicas and leaseholders per node, and each node's CPU; absent without `cluster.nodes`.",
  );

export const transactionsReportSchema = z
  .object({
    committed: count.describe("Transactions that committed (ok)."),
    aborted: count.describe("Transactions that definitely did not commit (fail): aborts and refusals."),
    unknown: count.describe("Transactions whose outcome the client never learned (info, e.g. a timeout)."),
    committed_per_s: z.number().nonnegative().describe("Committed transactions per measured second."),
    abort_rate: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe("aborted / (committed + aborted); null: none decided."),
    aborts: z
      .record(z.string(), count)
      .describe(
        "Aborted transactions by reason (`conflict`, `validation`, `timeout`, ...); they sum to `aborted`.",
      ),
    retries: count.describe(
      "Times clients re-ran an aborted transaction (0: the workload's clients do not retry).",
    ),
    commit_latency_us: latencySummarySchema
      .nullable()
      .describe("Committed transactions: invoke (first statement sent) to the commit's ok; null: none."),
    validation_us: latencySummarySchema
      .nullable()
      .describe(
        "Committed transactions: their commit's time at the leader until validation's verdict (queue " +
          "wait and CPU work; the answer then waits for replication, ops.txn.sync_us); null: none.",
      ),
    lock_wait_us: latencySummarySchema
      .nullable()
      .describe("Time waiting for locks: always null, nothing waits (a conflict aborts at once)."),
    conflict_keys: z
      .array(z.object({ key: z.string(), aborts: count }).strict())
      .describe(
        "The keys most aborts touched, most first (at most 10): a `conflict` abort counts the keys it " +
          "wrote, a `validation` abort those it read (the conflicting key is among them).",
      ),
  })
  .strict()
  .optional()
  .describe(
    "The transactions in the measured phase (docs/transactions.md); absent from runs without transactions.",
  );

export const rpoRtoReportSchema = z
  .object({
    fault: z
      .object({
        kind: z.enum(["region_outage", "region_partition"]),
        region: z.string(),
        at_s: z.number().nonnegative(),
        for_s: z.number().nonnegative().nullable().describe("null: it lasts the run."),
      })
      .strict()
      .describe("The schedule's first region outage or partition: the fault measured."),
    lost_writes: count
      .nullable()
      .describe(
        "RPO: acknowledged writes lost, as `final_reads.lost_writes.lost` (else `replication.lost_writes`); null: not judged.",
      ),
    divergent_writes: count
      .nullable()
      .describe(
        "Acknowledged writes only some replicas hold at rest (`final_reads.lost_writes.divergent`); null: no final reads.",
      ),
    lost_acked_first_s: z
      .number()
      .nonnegative()
      .nullable()
      .describe(
        "When the first of the acknowledged writes lost was acknowledged to its client (virtual s); null: none lost, or not judged by final reads.",
      ),
    lost_acked_last_s: z
      .number()
      .nonnegative()
      .nullable()
      .describe("When the last of them was acknowledged (virtual s); null as `lost_acked_first_s`."),
    lost_before_fault_s: z
      .number()
      .nonnegative()
      .nullable()
      .describe(
        "RPO as a time (s): the data lost is that of the last N seconds before the fault, from when the first " +
          "lost write left its client (acknowledged a round trip later, often after the fault began) to " +
          "the fault's start (0: none lost, or every one lost was sent after it began); null: not judged " +
          "by final reads.",
      ),
    write_outage_s: z
      .number()
      .nonnegative()
      .nullable()
      .describe(
        "RTO: the longest time between two ok writes (completions, any client) that reaches past the fault's " +
          "start and begins before it ends; null: no write succeeded after it began.",
      ),
    writes_failed_or_timed_out: count.describe(
      "Writes intended while the fault lasted that failed or timed out (not those never sent).",
    ),
  })
  .strict()
  .optional()
  .describe(
    "What a region fault cost the writes, RPO and RTO (docs/topology.md); absent without a region_outage or region_partition in the schedule.",
  );

const countsByKind = z.record(z.string(), z.number().int().nonnegative());

export const networkReportSchema = z
  .object({
    bytes: z.number().int().nonnegative().describe("Bytes sent, every kind together."),
    messages_by_kind: countsByKind.describe("Messages sent per message kind (their sum is sim.messages)."),
    bytes_by_kind: countsByKind.describe(
      'Bytes sent per message kind: each message\'s size from what it carries (docs/model.md, "Bandwidth and message sizes").',
    ),
  })
  .strict()
  .nullable()
  .optional()
  .describe(
    "What the simulated network carried over the whole run (warmup and drain included, as sim.messages), " +
      "messages the network then lost included; kinds in alphabetical order. null for a real database's run; " +
      "absent in older reports.",
  );

export const checkResultSchema = z
  .object({ valid: z.union([z.boolean(), z.literal("unknown")]) })
  .catchall(z.unknown());

export const thresholdResultSchema = z
  .object({
    figure: z.string().describe("As the scenario names it, e.g. update.p99."),
    condition: z.string().describe('As the scenario writes it, e.g. "< 10ms".'),
    value: z
      .number()
      .nullable()
      .describe(
        "The figure's value: µs for durations (a `_s` figure converted), ops/s for rates, a fraction for ratios; " +
          "null when the report has none (see note).",
      ),
    ok: z.boolean().describe("The value meets the condition (false when the value is null)."),
    note: z.string().optional().describe("Why the value is null."),
  })
  .strict();

/** What a run measured: dbsim's simulation, or a real database (`dbsim real`). */
export const RUN_SOURCES = ["sim", "real"] as const;

export const targetSchema = z
  .object({
    kind: z.enum(["pglite", "postgres", "redis"]),
    name: z
      .string()
      .describe(
        "The target without credentials: `pglite`, or the URL's scheme, host, port and database (no user, password or query).",
      ),
    version: z
      .string()
      .describe("What the server says it is (PostgreSQL's version(), Redis's redis_version)."),
  })
  .strict()
  .optional()
  .describe("The real database a `dbsim real` run measured (absent for simulated runs).");

export const reportSchema = z
  .object({
    schema: z.literal(REPORT_SCHEMA),
    source: z
      .enum(RUN_SOURCES)
      .optional()
      .describe(
        "sim (or absent, as in older reports): simulated, a pure function of scenario, seed and version; " +
          "real: measured on a real database by `dbsim real`, not deterministic (trace_hash all zeros, " +
          "sim.events and sim.messages 0, times in wall-clock seconds).",
      ),
    target: targetSchema,
    scenario: z.string(),
    seed: z.number().int().nonnegative(),
    config: scenarioSchema,
    trace_hash: z.string().regex(/^[0-9a-f]{16}$/),
    sim: z
      .object({
        virtual_duration_s: z.number().nonnegative(),
        measured_from_s: z.number().nonnegative(),
        measured_duration_s: z.number().positive(),
        events: z.number().int().nonnegative(),
        messages: z.number().int().nonnegative(),
      })
      .strict(),
    throughput_ops_per_s: z.number().nonnegative().describe("ok operations per measured second."),
    ops: z
      .record(z.string(), opReportSchema)
      .refine((ops) => "all" in ops, { message: "ops.all is missing" }),
    client_regions: clientRegionsSchema,
    timeline: timelineSchema,
    replication: replicationSchema,
    rpo_rto: rpoRtoReportSchema,
    shards: shardsSchema,
    sharding: shardingSchema,
    queries: queriesSchema,
    storage: storageSchema,
    connections: connectionsReportSchema,
    cache: cacheReportSchema,
    ranges: rangesReportSchema,
    transactions: transactionsReportSchema,
    network: networkReportSchema,
    checks: z.record(z.string(), checkResultSchema),
    thresholds: z
      .array(thresholdResultSchema)
      .optional()
      .describe(
        "Each of the scenario's thresholds, in its order, judged on this report (absent when the scenario has none).",
      ),
    final_reads: finalReadsSchema,
    faults: z
      .array(
        z
          .object({
            at_s: z.number().nonnegative(),
            kind: z.string(),
            targets: z.array(z.string()).describe("Hosts the fault hit, resolved when it fired."),
            for_s: z.number().nonnegative().optional(),
            end_s: z
              .number()
              .nonnegative()
              .optional()
              .describe(
                "When it ended: by itself, by a heal (partitions), or once every node a crash took down was restarted.",
              ),
            detail: z.record(z.string(), z.unknown()).optional(),
          })
          .strict(),
      )
      .describe("What the fault schedule and the random nemesis did, in firing order."),
    host: z
      .object({
        wall_s: z.number().nonnegative(),
        events_per_wall_s: z.number().nonnegative(),
        ops_per_wall_s: z.number().nonnegative(),
        node: z.string(),
        dbsim_version: z.string(),
      })
      .strict()
      .describe(
        "Where and how fast it ran: the only part that is not a pure function of scenario, seed and version.",
      ),
  })
  .strict();

export type LatencySummaryJson = z.output<typeof latencySummarySchema>;
export type OpReport = z.output<typeof opReportSchema>;
export type Timeline = z.output<typeof timelineSchema>;
export type ReplicationReport = z.output<typeof replicationSchema>;
export type FinalReadsReport = NonNullable<z.output<typeof finalReadsSchema>>;
export type Report = z.output<typeof reportSchema>;
export type ThresholdResultJson = z.output<typeof thresholdResultSchema>;
export type HostInfo = Report["host"];
export type RealTargetInfo = NonNullable<Report["target"]>;

/** The JSON Schema of report.json, generated from the zod schema (committed as reports/report.schema.json). */
export function reportJsonSchemaText(): string {
  const schema = z.toJSONSchema(reportSchema, { io: "output", unrepresentable: "any" });
  return `${JSON.stringify({ title: REPORT_SCHEMA, ...schema }, null, 2)}\n`;
}

export class ReportError extends Error {
  override readonly name = "ReportError";
}

/**
 * Validates a parsed report.json. A report of another schema version is refused with a message that
 * says which versions this dbsim reads; other problems name the first path that is wrong.
 */
export function validateReport(value: unknown, source: string): Report {
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (typeof value !== "object" || value === null || schema !== REPORT_SCHEMA) {
    const got = typeof schema === "string" ? `"${schema}"` : "no schema field";
    throw new ReportError(
      `${source}: not a ${REPORT_SCHEMA} report (got ${got}); this dbsim reads ${REPORT_SCHEMA}`,
    );
  }
  const result = reportSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join(".") || "(top level)";
    throw new ReportError(`${source}: invalid report: ${path}: ${issue?.message ?? "invalid"}`);
  }
  return value as Report;
}

export type ShardsReport = z.output<typeof shardsSchema>;
export type ShardingReport = z.output<typeof shardingSchema>;
export type QueriesReport = z.output<typeof queriesSchema>;
export type StorageReport = NonNullable<z.output<typeof storageSchema>>;
export type CacheReport = NonNullable<z.output<typeof cacheReportSchema>>;
export type RangesReport = NonNullable<z.output<typeof rangesReportSchema>>;
export type TransactionsReport = NonNullable<z.output<typeof transactionsReportSchema>>;
export type RpoRtoReport = NonNullable<z.output<typeof rpoRtoReportSchema>>;
