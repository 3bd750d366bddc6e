// Whole runs on a sharded cluster: an online reshard under load loses no acknowledged write, keeps
// the history linearizable, moves what the strategy says it moves, and stays deterministic.

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../engine/events.js";
import { runChecker } from "../../workloads/checkers/checker.js";
import { type RegisterCheckName, registerChecks } from "../../workloads/checkers/checks.js";
import { HistoryRecorder } from "../../workloads/client/history-recorder.js";
import { ScenarioRun } from "../../workloads/runner.js";
import { loadScenario } from "../../workloads/scenario/load.js";

function scenario(cluster: string, changes: string, extra = "") {
  return `name: sharded
duration: 8s
cluster: ${cluster}
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: a, records: 2000, rate: 1500/s, clients: 16, timeout: 500ms }
changes: ${changes}
${extra}`;
}

function run(text: string, seed = 1, setup?: (run: ScenarioRun) => void) {
  const resolved = loadScenario(text).resolved;
  const events: EngineEvent[] = [];
  let history: HistoryRecorder | null = null;
  const r = new ScenarioRun(resolved, {
    seed,
    observer: {
      onOperation: (op) => history?.onOperation(op),
      onEngineEvent: (event) => events.push(event),
    },
  });
  history = new HistoryRecorder((node) => r.nodeNames.get(node) ?? `host${node}`, r.plugin.history);
  setup?.(r);
  const result = r.runToEnd();
  const h = history.toHistory("h");
  const final = r.cluster.leaderValues(history.touchedKeys);
  const verdict = (name: RegisterCheckName) =>
    runChecker(registerChecks[name], h, final === null ? {} : { final_state: final }).valid;
  const end = events.find((e) => e.type === "reshard_end") as
    | Extract<EngineEvent, { type: "reshard_end" }>
    | undefined;
  return { result, run: r, events, verdict, end };
}

describe("online resharding", () => {
  const cases: [string, string, string, [number, number]][] = [
    ["hash 4 -> 5", "{ shards: 4, replicas: 2 }", "[{ at: 3s, kind: reshard, shards: 5 }]", [0.75, 0.85]],
    [
      "consistent 4 -> 5",
      "{ shards: 4, replicas: 2, sharding: { strategy: consistent, vnodes: 128 } }",
      "[{ at: 3s, kind: reshard, shards: 5 }]",
      [0.12, 0.3],
    ],
    ["hash 4 -> 3", "{ shards: 4, replicas: 2 }", "[{ at: 3s, kind: reshard, shards: 3 }]", [0.6, 0.9]],
    [
      "range split",
      "{ shards: 4, replicas: 2, sharding: { strategy: range } }",
      "[{ at: 3s, kind: split, shard: 1 }]",
      [0.1, 0.15],
    ],
    [
      "proxy routing, hash 2 -> 3",
      "{ shards: 2, replicas: 2, sharding: { routing: proxy } }",
      "[{ at: 3s, kind: reshard, shards: 3 }]",
      [0.55, 0.75],
    ],
  ];

  it.each(cases)(
    "%s: loses no acknowledged write and stays linearizable",
    (_name, cluster, changes, [low, high]) => {
      const { verdict, end, run: r } = run(scenario(cluster, changes));
      expect(end).toBeDefined();
      const fraction = (end?.moved_keys ?? 0) / (end?.examined_keys ?? 1);
      expect(fraction).toBeGreaterThan(low);
      expect(fraction).toBeLessThan(high);
      expect(verdict("lost_writes")).toBe(true);
      expect(verdict("linearizable")).toBe(true);
      const usage = r.shardUsage();
      const keys = usage?.shards.reduce((sum, shard) => sum + (shard.keys ?? 0), 0);
      expect(keys).toBe(2000); // every key owned by exactly one shard at the end, none lost
    },
  );

  it("a directory move places hot keys on another shard, moving only them", () => {
    const text = scenario(
      "{ shards: 3, replicas: 2, sharding: { strategy: directory } }",
      "[{ at: 2s, kind: move, keys: [user6284781860667377211, user8517097267634966620], to: 2 }]",
    );
    const { end, verdict } = run(text);
    expect(end?.moved_keys).toBe(2); // YCSB's keys 0 and 1: the zipfian's hottest
    expect(verdict("lost_writes")).toBe(true);
  });

  it("range splits a shard by itself past split_at, once its size is known again after each split", () => {
    const text = `name: autosplit
duration: 10s
cluster: { shards: 2, sharding: { strategy: range, split_at: 1500, max_shards: 4 } }
workload: { mix: { insert: 0.9, read: 0.1 }, insert_order: ordered, zero_padding: 10, distribution: latest, records: 2000, rate: 500/s, clients: 8 }
`;
    const { events, verdict } = run(text);
    const splits = events
      .filter((e) => e.type === "reshard_begin")
      .map((e) => (e as { change: string }).change);
    // Ordered inserts grow the last range: it splits, then its upper half (the new last range) does.
    expect(splits).toHaveLength(2);
    expect(splits[0]).toMatch(
      /^automatic split of shard1 \(\d+ keys, over split_at 1500\) at user\d+ into shard2$/,
    );
    expect(splits[1]).toMatch(/^automatic split of shard2 .* into shard3$/);
    expect(verdict("lost_writes")).toBe(true);
  });

  it("range splits a shard by itself past split_load requests per second", () => {
    const text = `name: loadsplit
duration: 6s
cluster: { shards: 2, sharding: { strategy: range, split_load: 800, max_shards: 3 } }
workload: { preset: b, distribution: uniform, records: 4000, rate: 2000/s, clients: 16 }
`;
    const { events, verdict } = run(text);
    const splits = events
      .filter((e) => e.type === "reshard_begin")
      .map((e) => (e as { change: string }).change);
    expect(splits).toHaveLength(1); // then no spare shard is left
    expect(splits[0]).toMatch(
      /^automatic split of shard\d \(\d+ requests\/s, over split_load 800\) at user\d+ into shard2$/,
    );
    expect(verdict("lost_writes")).toBe(true);
  });

  it("a range reshard to N splits the largest range until there are N", () => {
    const { events, verdict } = run(
      scenario(
        "{ shards: 2, replicas: 2, sharding: { strategy: range } }",
        "[{ at: 2s, kind: reshard, shards: 4 }]",
      ),
    );
    const ends = events.filter((e) => e.type === "reshard_end");
    expect(ends).toHaveLength(2);
    expect(verdict("lost_writes")).toBe(true);
  });

  it("is deterministic: the same seed gives the same trace", () => {
    const text = scenario("{ shards: 3, replicas: 2 }", "[{ at: 2s, kind: reshard, shards: 4 }]");
    expect(run(text, 7).result.trace_hash).toBe(run(text, 7).result.trace_hash);
  });

  it("survives a source leader's crash during the migration (sync replication): follows the new leader, loses nothing", () => {
    const text = scenario(
      "{ shards: 3, replicas: 3, replication: { mode: sync, failover: { detect_after: 300ms } }, sharding: { migration: { batch: 32, pause: 20ms } } }",
      "[{ at: 2s, kind: reshard, shards: 4 }]",
      "faults: { schedule: [{ at: 2100ms, kind: crash, target: shard0/n0, restart_after: 2s }] }",
    );
    const { end, verdict, events } = run(text);
    expect(end).toBeDefined();
    // shard0's leader crashed mid-migration and a follower took over before the cut-overs.
    const promotion = events.findIndex((e) => e.type === "role" && e.role === "leader" && e.term === 2);
    expect(promotion).toBeGreaterThan(events.findIndex((e) => e.type === "reshard_begin"));
    expect(promotion).toBeLessThan(events.findIndex((e) => e.type === "cutover"));
    expect(verdict("lost_writes")).toBe(true);
    expect(verdict("linearizable")).toBe(true);
  });

  it("scans scatter over every shard under hash and come back merged", () => {
    const text = `name: scans
duration: 4s
cluster: { shards: 3 }
workload: { preset: e, records: 1000, rate: 500/s, clients: 8 }
`;
    const { run: r, result } = run(text);
    expect(result.operations).toBeGreaterThan(1500);
    expect(r.shardUsage()?.cross_shard_ops).toBeGreaterThan(1000);
  });

  it("scans over ranges go from range to range only while rows are missing: few cross a boundary, the load stays even", () => {
    // YCSB E: scans of 1-100 rows over four ranges of 2,500 keys cross a boundary on ~2% of scans.
    const text = `name: range-scans
duration: 6s
cluster: { shards: 4, sharding: { strategy: range } }
workload: { preset: e, records: 10000, rate: 1000/s, clients: 16 }
`;
    const { run: r, result } = run(text);
    const usage = r.shardUsage();
    const requests = usage?.shards.map((shard) => shard.requests) ?? [];
    const mean = requests.reduce((a, b) => a + b, 0) / requests.length;
    expect(usage?.cross_shard_ops ?? 0).toBeLessThan(0.05 * result.operations);
    expect(Math.max(...requests) / mean).toBeLessThan(1.25);
  });
});

describe("online resharding under raft", () => {
  // Three raft replicas per range, linearizable reads; the source range's leader crashes while its
  // rows are being copied, and a follower takes over: the copy goes on from the new leader.
  const raft =
    "replicas: 3, replication: { mode: raft, read_consistency: read_index, failover: { detect_after: 300ms } }";
  const migration = "migration: { batch: 32, pause: 20ms }";
  const crash = (at: string, ...nodes: string[]) =>
    `faults: { schedule: [${nodes.map((node) => `{ at: ${at}, kind: crash, target: ${node}, restart_after: 2s }`).join(", ")}] }`;
  // Each case: its scenario, and the keys the ranges hold at the end (every key on exactly one).
  const cases: [string, string, [number, number]][] = [
    [
      "a split",
      scenario(
        `{ shards: 2, ${raft}, sharding: { strategy: range, ${migration} } }`,
        "[{ at: 2s, kind: split, shard: 0 }]",
        crash("2100ms", "shard0/n0"),
      ),
      [2000, 2000],
    ],
    [
      "an automatic split by size (split_at)",
      `name: raft-split-at
duration: 10s
cluster: { shards: 2, ${raft}, sharding: { strategy: range, split_at: 1500, max_shards: 3, ${migration} } }
workload: { mix: { insert: 0.9, read: 0.1 }, insert_order: ordered, zero_padding: 10, distribution: latest, records: 2000, rate: 500/s, clients: 8, timeout: 500ms }
${crash("2100ms", "shard1/n0")}
`,
      [2000, Number.POSITIVE_INFINITY], // and its inserts
    ],
    [
      "an automatic split by load (split_load)",
      `name: raft-split-load
duration: 6s
cluster: { shards: 2, ${raft}, sharding: { strategy: range, split_load: 800, max_shards: 3, ${migration} } }
workload: { preset: b, distribution: uniform, records: 4000, rate: 2000/s, clients: 16, timeout: 500ms }
${crash("1100ms", "shard0/n0", "shard1/n0")}
`,
      [4000, 4000],
    ],
  ];

  describe.each(cases)("%s with the source leader's crash during the copy", (_name, text, [low, high]) => {
    it.each([1, 2, 3, 4, 5])(
      "seed %i: loses no acknowledged write, stays linearizable, every key on one range",
      (seed) => {
        const { verdict, end, events, run: r } = run(text, seed);
        expect(end).toBeDefined();
        // A new leader (term 2) was elected between the split's start and its cut-over.
        const begin = events.findIndex((e) => e.type === "reshard_begin");
        const promotion = events.findIndex((e) => e.type === "role" && e.role === "leader" && e.term === 2);
        expect(promotion).toBeGreaterThan(begin);
        expect(promotion).toBeLessThan(events.findIndex((e) => e.type === "cutover"));
        expect(verdict("lost_writes")).toBe(true);
        expect(verdict("linearizable")).toBe(true);
        const keys = r.shardUsage()?.shards.reduce((sum, shard) => sum + (shard.keys ?? 0), 0);
        expect(keys).toBeGreaterThanOrEqual(low);
        expect(keys).toBeLessThanOrEqual(high);
      },
      60_000,
    );
  });

  it.each([
    ["a hash reshard 3 -> 4", "{ shards: 3, RAFT }", "[{ at: 2s, kind: reshard, shards: 4 }]"],
    [
      "a directory move",
      "{ shards: 3, RAFT, sharding: { strategy: directory } }",
      "[{ at: 2s, kind: move, keys: [user6284781860667377211, user8517097267634966620], to: 2 }]",
    ],
  ])(
    "%s under load loses no acknowledged write and stays linearizable",
    (_name, cluster, changes) => {
      const { verdict, end } = run(scenario(cluster.replace("RAFT", raft), changes));
      expect(end?.moved_keys).toBeGreaterThan(0);
      expect(verdict("lost_writes")).toBe(true);
      expect(verdict("linearizable")).toBe(true);
    },
    60_000,
  );

  it("a source leader cut off from its followers answers none of the move's reads, under local reads too", () => {
    // From the split's start the followers' messages to shard0's leader are lost: it believes it
    // leads until CheckQuorum (detect_after) and would answer from what it has. The mover's reads
    // are confirmed by a majority: the split point comes from the next leader, and so does the rest.
    const text = scenario(
      `{ shards: 2, ${raft.replace("read_index", "local")}, sharding: { strategy: range, ${migration} } }`,
      "[{ at: 2s, kind: split, shard: 0 }]",
    );
    const { events, verdict } = run(text, 1, (r) => {
      const id = (name: string) => [...r.nodeNames].find(([, n]) => n === name)?.[0] as number;
      const followers = [id("shard0/n1"), id("shard0/n2")];
      r.sim.at(2_000_000, () => r.sim.partitionOneWay(followers, [id("shard0/n0")]));
    });
    const promotion = events.findIndex((e) => e.type === "role" && e.role === "leader" && e.term === 2);
    expect(promotion).toBeGreaterThan(0);
    expect(events.findIndex((e) => e.type === "reshard_begin")).toBeGreaterThan(promotion);
    expect(events.some((e) => e.type === "reshard_end")).toBe(true);
    expect(verdict("lost_writes")).toBe(true);
  }, 60_000);

  it("is deterministic: the same seed gives the same trace", () => {
    const text = (cases[0] as [string, string, unknown])[1];
    expect(run(text, 3).result.trace_hash).toBe(run(text, 3).result.trace_hash);
  }, 60_000);
});
