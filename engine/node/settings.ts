// The `cluster.node` section of a scenario: its schema with defaults, and its resolution to the
// settings a node runs with (NodeSettings: durations in µs, the fsync policy parsed), which
// addShard and installShard take as they are, filling what a caller leaves out from NODE_DEFAULTS.

import { z } from "zod";
import { duration } from "../settings/durations.js";
import { integer, us } from "../settings/fields.js";
import { latencySchema, resolveLatency } from "../settings/latency.js";
import { MAX_VALUE_CHARS } from "../settings/limits.js";
import { parseFsyncPolicy, UnitError } from "../settings/units.js";
import { BUFFER_POOL_PAGES_MAX, BUFFER_POOL_POLICIES, type BufferPoolPolicy } from "./buffer-pool.js";
import { type ConnectionSettings, connectionsSchema, resolveConnections } from "./connections.js";
import type { DiskSettings } from "./disk-device.js";
import type { ServerConfig } from "./server.js";

const bufferPoolSchema = z
  .strictObject({
    pages: integer(1, BUFFER_POOL_PAGES_MAX)
      .default(16_384)
      .describe(
        "Pages of 8 KiB the pool holds (16384: 128 MiB, PostgreSQL's shared_buffers default). " +
          "A page not in the pool is read from the disk first.",
      ),
    policy: z
      .enum(BUFFER_POOL_POLICIES)
      .default("lru")
      .describe(
        "Which page makes room: `lru` (the least recently used) or `clock` (second chance, as " +
          "PostgreSQL's clock sweep).",
      ),
    prewarm: z
      .boolean()
      .default(false)
      .describe(
        "Load the node's pages into the pool at each start, without disk reads (as pg_prewarm). " +
          "Off: a node starts, and restarts after a crash, with an empty pool (cold).",
      ),
  })
  .describe("Each node's buffer pool: its pages in memory.");

const diskSchema = z
  .strictObject({
    read: latencySchema()
      .default({ dist: "lognormal", median: "100us", p99: "300us" })
      .describe("Latency of one page read, chosen by `dist` (as `network.latency`)."),
    write: latencySchema()
      .default({ dist: "lognormal", median: "30us", p99: "100us" })
      .describe("Latency of one page write (a dirty page evicted from the pool)."),
    iops: integer(1, 100_000_000)
      .default(200_000)
      .describe(
        "Operations per second the disk admits: page reads, page writes and fsyncs share them, " +
          "so fsyncs delay reads and reads delay fsyncs once the disk is busy.",
      ),
    // Optional without a default: a scenario without it keeps its report's config as it was.
    checksums: z
      .boolean()
      .optional()
      .describe(
        "Whether each log entry is checksummed: a corrupt or torn entry is then detected and taken " +
          "out of the log, never applied or shipped (Raft fetches it again from its peers). false: " +
          "it is read as data (its write silently dropped). Absent: true.",
      ),
  })
  .describe("Each node's disk (a datacenter SSD by default). `fsync` is its fsync latency.");

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

export const nodeSchema = z
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
    buffer_pool: bufferPoolSchema.prefault({}),
    disk: diskSchema.prefault({}),
    // Optional without a default: a scenario without it keeps its report's config as it was.
    connections: connectionsSchema.optional(),
    btree_fanout: integer(4, 1024)
      .default(64)
      .describe(
        "Children per B+tree page of the YCSB and bank table. A domain workload's trees and hash " +
          "buckets take theirs from 8 KiB pages and the width of their entries.",
      ),
  })
  .describe("Cost model of every database node.");

export type NodeDoc = z.output<typeof nodeSchema>;

/** A node's buffer pool. */
export interface BufferPoolSettings {
  readonly pages: number;
  readonly policy: BufferPoolPolicy;
  readonly prewarm: boolean;
}

/** A node's settings: its server's cost model, its buffer pool and disk, its table's fanout. */
export interface NodeSettings extends ServerConfig {
  fsync_us: number;
  buffer_pool: BufferPoolSettings;
  disk: DiskSettings;
  btree_fanout: number;
  connections: ConnectionSettings;
}

export function resolveNode(node: NodeDoc): NodeSettings {
  return {
    service_time_us: us(node.service_time),
    page_time_us: us(node.page_time),
    row_time_us: us(node.row_time),
    fsync_us: us(node.fsync),
    fsync_policy: parseFsyncPolicy(node.fsync_policy),
    queue_limit: node.queue_limit,
    buffer_pool: { ...node.buffer_pool },
    disk: {
      read: resolveLatency(node.disk.read),
      write: resolveLatency(node.disk.write),
      iops: node.disk.iops,
      checksums: node.disk.checksums ?? true,
    },
    btree_fanout: node.btree_fanout,
    connections: resolveConnections(node.connections),
  };
}

/** A node's settings when the scenario says nothing: the schema's defaults. */
export const NODE_DEFAULTS: Readonly<NodeSettings> = resolveNode(nodeSchema.parse({}));
