// The `cluster.node` section of a scenario: its schema with defaults, and its resolution to the
// settings a node runs with (NodeSettings: durations in µs, the fsync policy parsed), which
// addShard and installShard take as they are, filling what a caller leaves out from NODE_DEFAULTS.

import { z } from "zod";
import { duration } from "../settings/durations.js";
import { integer, us } from "../settings/fields.js";
import { MAX_VALUE_CHARS } from "../settings/limits.js";
import { parseFsyncPolicy, UnitError } from "../settings/units.js";
import type { ServerConfig } from "./server.js";

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
    btree_fanout: integer(4, 1024)
      .default(64)
      .describe(
        "Children per B+tree page of the YCSB and bank table. A domain workload's trees and hash " +
          "buckets take theirs from 8 KiB pages and the width of their entries.",
      ),
  })
  .describe("Cost model of every database node.");

export type NodeDoc = z.output<typeof nodeSchema>;

/** A node's settings: its server's cost model, its disk's fsync latency, its table's fanout. */
export interface NodeSettings extends ServerConfig {
  fsync_us: number;
  btree_fanout: number;
}

export function resolveNode(node: NodeDoc): NodeSettings {
  return {
    service_time_us: us(node.service_time),
    page_time_us: us(node.page_time),
    row_time_us: us(node.row_time),
    fsync_us: us(node.fsync),
    fsync_policy: parseFsyncPolicy(node.fsync_policy),
    queue_limit: node.queue_limit,
    btree_fanout: node.btree_fanout,
  };
}

/** A node's settings when the scenario says nothing: the schema's defaults. */
export const NODE_DEFAULTS: Readonly<NodeSettings> = resolveNode(nodeSchema.parse({}));
