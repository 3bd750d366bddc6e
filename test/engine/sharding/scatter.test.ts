// Scatter-gather scans return what one node holding every record would: the keys from the start on,
// in order, cut to LIMIT, whatever the partitioner.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addShard } from "../../../engine/cluster.js";
import { okResponse, type RecordValue, type Response } from "../../../engine/protocol.js";
import { Dispatcher } from "../../../engine/sharding/dispatcher.js";
import {
  ConsistentPartitioner,
  HashPartitioner,
  type Partitioner,
  RangePartitioner,
} from "../../../engine/sharding/partitioners.js";
import { ReplicaRouter } from "../../../engine/sharding/replica-router.js";
import { ConfigStore, ShardMap } from "../../../engine/sharding/shard-map.js";
import type { HostContext } from "../../../sim/host.js";
import { Simulation } from "../../../sim/simulation.js";

const RECORDS = 500;
const keyOf = (n: number) => `k${String((n * 7919) % 100_000).padStart(5, "0")}`;
const ALL = Array.from({ length: RECORDS }, (_, n) => keyOf(n)).sort();

/** Scans (start, limit) through a sharded cluster; returns each scan's records. */
function scans(
  partitioner: Partitioner,
  shards: number,
  queries: readonly [string, number][],
): RecordValue[][] {
  const sim = new Simulation({ seed: 1, latency: { dist: "uniform", min_us: 100, max_us: 900 } });
  const store = new ConfigStore(new ShardMap(1, partitioner));
  const groups = Array.from({ length: shards }, (_, shard) =>
    addShard(sim, {
      node: {
        service_time_us: 10,
        page_time_us: 1,
        fsync_policy: { kind: "never" },
        fsync_us: 100,
        btree_fanout: 8,
      },
      field_count: 1,
      load: { count: RECORDS, key: keyOf, value: 7 },
      sharding: { shard, store, coordinator: shards + 1 },
    }),
  );
  const dispatcher = new Dispatcher({
    shards: new Map(
      groups.map((group, shard) => [
        shard,
        new ReplicaRouter({ nodes: group.nodes, multiLeader: false, read_from: "leader" }),
      ]),
    ),
    map: store.map,
    readYourWrites: false,
  });
  const results: RecordValue[][] = [];
  sim.addHost("client", () => ({
    onStart(ctx: HostContext) {
      for (let i = 0; i < queries.length; i++) ctx.setTimer(1000 * (i + 1), i);
    },
    onTimer(ctx: HostContext, i: number) {
      const [start, limit] = queries[i] as [string, number];
      dispatcher.send(ctx, i, { op: "scan", key: start, scan_length: limit, until: "" });
    },
    onMessage(ctx: HostContext, from: number, msg) {
      const done = dispatcher.onResponse(ctx, from, msg as Response);
      if (done !== null) {
        results[done.tag] = [...(okResponse(done.response, "scan").records ?? [])];
      }
    },
  }));
  sim.addHost("coordinator", () => ({ onStart() {}, onMessage() {}, onTimer() {} }));
  sim.run({ until_us: 10_000_000 });
  return results;
}

const expected = (start: string, limit: number) =>
  ALL.filter((key) => key >= start)
    .slice(0, limit)
    .map((key) => ({ key, value: 7 }));

describe("scatter-gather scans", () => {
  const strategies: [string, Partitioner, number][] = [
    ["hash", new HashPartitioner(4), 4],
    ["consistent", new ConsistentPartitioner(3, 16), 3],
    ["range", RangePartitioner.fromBoundaries(["k30000", "k60000"]), 3],
  ];

  it.each(strategies)(
    "%s: what a single node would return, in order, with LIMIT",
    (_name, partitioner, shards) => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 1, max: 60 })), {
            minLength: 1,
            maxLength: 8,
          }),
          (raw) => {
            const queries = raw.map(
              ([n, limit]) => [`k${String(n).padStart(5, "0")}`, limit] as [string, number],
            );
            const results = scans(partitioner, shards, queries);
            for (const [i, [start, limit]] of queries.entries()) {
              expect(results[i]).toEqual(expected(start, limit));
            }
          },
        ),
        { numRuns: 15 },
      );
    },
  );
});
