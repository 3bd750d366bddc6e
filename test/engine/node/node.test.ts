import { describe, expect, it } from "vitest";
import { addShard } from "../../../engine/cluster.js";
import type { FsyncPolicy } from "../../../engine/node/server.js";
import { storageOf } from "../../../engine/node/storage.js";
import type { Request, RequestSpec, Response } from "../../../engine/protocol.js";
import type { HostContext } from "../../../sim/host.js";
import { Simulation } from "../../../sim/simulation.js";

/** A request the client sends at `at_us`. */
type Scripted = RequestSpec & { at_us: number };

function keyOf(n: number): string {
  return `k${String(n).padStart(5, "0")}`;
}

/** One node with `records` keys, and a client that sends the script; returns responses by request id. */
function harness(options: {
  script: Scripted[];
  fsync_policy?: FsyncPolicy;
  records?: number;
  /** What every loaded record holds (a bank's balance). */
  initialValue?: number;
  setup?: (sim: Simulation, node: number) => void;
}) {
  const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 0 } });
  const shard = addShard(sim, {
    node: {
      fsync_policy: options.fsync_policy ?? { kind: "always" },
      queue_limit: 100,
      btree_fanout: 16,
      // Every page in memory from the start: these timings are the CPU's and the fsync's alone.
      buffer_pool: { pages: 16_384, policy: "lru", prewarm: true },
    },
    load: { count: options.records ?? 1000, key: keyOf, value: options.initialValue ?? 0 },
  });
  const node = shard.nodes[0] as number;
  const table = storageOf(sim.disk(node)).table;
  const responses = new Map<number, Response & { at_us: number; lsn?: number; records?: unknown }>();
  sim.addHost("client", () => ({
    onStart(ctx: HostContext) {
      for (const [i, s] of options.script.entries()) ctx.setTimer(s.at_us, i);
    },
    onTimer(ctx: HostContext, i: number) {
      const { at_us: _at, ...spec } = options.script[i] as Scripted;
      const req = { ...spec, kind: "req", id: i, min_lsn: 0, require_leader: false } as Request;
      ctx.send(node, req);
    },
    onMessage(ctx: HostContext, _from: number, msg) {
      const r = msg as Response;
      responses.set(r.id, { ...r, at_us: ctx.now_us() });
    },
  }));
  options.setup?.(sim, node);
  sim.run({ until_us: 10_000_000 });
  return { responses, table, sim, node };
}

describe("DatabaseNode", () => {
  it("charges CPU per request and per B+tree page touched", () => {
    const { responses, table } = harness({ script: [{ at_us: 0, op: "read", key: keyOf(5) }] });
    const r = responses.get(0);
    expect(r?.status).toBe("ok");
    expect(r?.pages_read).toBe(table.index.height);
    expect(r?.service_us).toBe(50 + 2 * table.index.height);
    expect(r?.at_us).toBe(r?.service_us);
  });

  it("serves one request at a time: simultaneous requests queue", () => {
    const script = Array.from({ length: 5 }, (_, i) => ({ at_us: 0, op: "read" as const, key: keyOf(i) }));
    const { responses } = harness({ script });
    const finish = [...responses.values()].map((r) => r.at_us).sort((a, b) => a - b);
    const service = responses.get(0)?.service_us as number;
    expect(finish).toEqual([1, 2, 3, 4, 5].map((k) => k * service));
    expect(responses.get(4)?.queue_us).toBe(4 * service);
  });

  it("acknowledges a write under `always` only after an fsync, and groups writes into fsyncs", () => {
    const script = Array.from({ length: 6 }, (_, i) => ({
      at_us: 0,
      op: "update" as const,
      key: keyOf(i),
      field: 0,
      value: i + 1,
    }));
    const { responses, sim, node } = harness({ script });
    for (const r of responses.values()) {
      expect(r.status).toBe("ok");
      expect(r.sync_us).toBeGreaterThan(0);
      expect(r.at_us).toBeGreaterThanOrEqual(1000);
    }
    // The first fsync covers the first write; the writes done while it runs share the second one.
    expect(sim.disk(node).fsyncs).toBe(2);
    expect(sim.disk(node).durableLength).toBe(6);
  });

  it("acknowledges at once under `interval`, and a crash before the next fsync loses the write", () => {
    const { responses, table, sim, node } = harness({
      fsync_policy: { kind: "interval", interval_us: 10_000 },
      script: [
        { at_us: 0, op: "update", key: keyOf(1), value: 11, field: 3 },
        { at_us: 20_000, op: "update", key: keyOf(2), value: 22, field: 3 },
        { at_us: 20_100, op: "insert", key: "new", value: 33 },
      ],
      setup: (sim, node) => {
        sim.at(25_000, () => sim.crash(node));
        sim.at(30_000, () => sim.restart(node));
      },
    });
    for (const r of responses.values()) expect(r.sync_us).toBe(0);
    expect(responses.get(0)?.at_us).toBeLessThan(1000);
    expect(sim.isUp(node)).toBe(true);
    // Write 0 was synced at 10 ms; writes 1 and 2 were acknowledged but lost in the crash at 25 ms.
    expect(table.version(table.find(keyOf(1)))).toBe(11);
    expect(table.fieldStamp(table.find(keyOf(1)), 3)).toBe(11);
    expect(table.version(table.find(keyOf(2)))).toBe(0);
    expect(table.find("new")).toBe(-1);
  });

  it("scans up to scan_length rows in key order, charging each row", () => {
    const { responses } = harness({
      script: [{ at_us: 0, op: "scan", key: keyOf(10), scan_length: 25, until: "" }],
    });
    const r = responses.get(0);
    expect(r?.rows).toBe(25);
    expect(r?.service_us).toBe(50 + 2 * (r?.pages_read as number) + 25);
  });

  it("answers reads of missing keys and duplicate inserts with their status", () => {
    const { responses } = harness({
      script: [
        { at_us: 0, op: "read", key: "absent" },
        { at_us: 0, op: "insert", key: keyOf(1), value: 5 },
        { at_us: 0, op: "update", key: "absent", field: 0, value: 6 },
      ],
    });
    expect(responses.get(0)?.status).toBe("not_found");
    expect(responses.get(1)?.status).toBe("duplicate_key");
    expect(responses.get(2)?.status).toBe("not_found");
  });

  it("rejects requests past its queue limit as overloaded", () => {
    const script = Array.from({ length: 150 }, (_, i) => ({ at_us: 0, op: "read" as const, key: keyOf(i) }));
    const { responses } = harness({ script });
    const statuses = [...responses.values()].map((r) => r.status);
    expect(statuses.filter((s) => s === "overloaded")).toHaveLength(49); // 1 in service + 100 queued
  });

  it("reads every record with read_all (the bank's read without transactions)", () => {
    const { responses } = harness({
      records: 3,
      initialValue: 100,
      script: [{ at_us: 0, op: "read_all", key: keyOf(0), limit: 3 }],
    });
    expect(responses.get(0)?.records).toEqual([
      { key: keyOf(0), value: 100 },
      { key: keyOf(1), value: 100 },
      { key: keyOf(2), value: 100 },
    ]);
    expect(responses.get(0)?.rows).toBe(3);
  });
});
