// A node's pages through its buffer pool and disk, and followers paying to apply: a request waiting
// for its pages leaves the CPU to others; a node starts (and restarts) cold unless prewarmed; a
// follower applies entries one at a time on its own CPU and disk, reports their lag as it applies
// them, and serves reads from what it has applied.

import { describe, expect, it } from "vitest";
import { addShard, builtInProtocol } from "../../../engine/cluster.js";
import type { EngineEvent } from "../../../engine/events.js";
import type { NodeSettings } from "../../../engine/node/settings.js";
import type { Request, RequestSpec, Response } from "../../../engine/protocol.js";
import type { HostContext, HostId } from "../../../sim/host.js";
import { Simulation } from "../../../sim/simulation.js";

const keyOf = (n: number) => `k${String(n).padStart(5, "0")}`;

/** A request the client sends at `at_us` to replica `to` (0: the leader). */
type Scripted = RequestSpec & { at_us: number; to?: number; min_lsn?: number };

const DISK_READ_US = 1000;

function cluster(options: {
  replicas?: number;
  script: Scripted[];
  node?: Partial<NodeSettings>;
  setup?: (sim: Simulation, nodes: readonly HostId[]) => void;
}) {
  const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 10 } });
  const events: { at_us: number; event: EngineEvent }[] = [];
  const shard = addShard(sim, {
    replicas: options.replicas ?? 1,
    protocol: builtInProtocol("async"),
    node: {
      fsync_policy: { kind: "never" },
      btree_fanout: 16,
      disk: {
        read: { dist: "constant", value_us: DISK_READ_US },
        write: { dist: "constant", value_us: 10 },
        iops: 1_000_000,
      },
      ...options.node,
    },
    load: { count: 1000, key: keyOf, value: 0 },
    events: (event) => events.push({ at_us: sim.now_us, event }),
  });
  const responses = new Map<number, Response & { at_us: number }>();
  sim.addHost("client", () => ({
    onStart(ctx: HostContext) {
      for (const [i, s] of options.script.entries()) ctx.setTimer(s.at_us, i);
    },
    onTimer(ctx: HostContext, i: number) {
      const { at_us: _at, to, min_lsn, ...spec } = options.script[i] as Scripted;
      const req = { ...spec, kind: "req", id: i, min_lsn: min_lsn ?? 0, require_leader: false } as Request;
      ctx.send(shard.nodes[to ?? 0] as HostId, req);
    },
    onMessage(ctx: HostContext, _from: HostId, msg) {
      const r = msg as Response;
      responses.set(r.id, { ...r, at_us: ctx.now_us() });
    },
  }));
  options.setup?.(sim, shard.nodes);
  sim.run({ until_us: 1_000_000 });
  const answer = (id: number) => responses.get(id) as Response & { at_us: number };
  return { answer, events, sim };
}

const read = (at_us: number, n: number, to = 0): Scripted => ({ at_us, op: "read", key: keyOf(n), to });
const update = (at_us: number, n: number, value: number): Scripted => ({
  at_us,
  op: "update",
  key: keyOf(n),
  field: 0,
  value,
});

describe("pages through the buffer pool", () => {
  it("a cold node reads every page of a descent from disk; a request waiting for its pages leaves the CPU to others", () => {
    const { answer } = cluster({ script: [read(0, 0), read(5_000, 999), read(5_010, 0)] });
    const cold = answer(0);
    expect(cold.pages_missed).toBe(cold.pages_read);
    expect(cold.disk_us).toBeGreaterThanOrEqual(DISK_READ_US);
    const missing = answer(1);
    const warm = answer(2);
    expect(missing.pages_missed).toBeGreaterThan(0);
    expect([warm.pages_missed, warm.disk_us]).toEqual([0, 0]);
    // Sent later, answered first: the CPU served it while the other's pages were read.
    expect(warm.at_us).toBeLessThan(missing.at_us);
    expect(warm.queue_us).toBe(0);
  });

  it("times its disk and queue by the monotonic clock: a clock stepped back delays nothing", () => {
    const { answer } = cluster({
      script: [read(0, 0), read(5_000, 999)],
      setup: (sim, nodes) => sim.at(500, () => sim.skewClock(nodes[0] as HostId, -1_000_000)),
    });
    for (const id of [0, 1]) {
      const r = answer(id);
      expect(r.disk_us, `request ${id}`).toBeGreaterThanOrEqual(DISK_READ_US);
      expect(r.disk_us, `request ${id}`).toBeLessThan(2 * DISK_READ_US);
      expect(r.queue_us, `request ${id}`).toBeGreaterThanOrEqual(0);
    }
    expect(answer(1).at_us).toBeLessThan(5_000 + 2 * DISK_READ_US);
  });

  it("a crash empties the pool; prewarm fills it at every start", () => {
    const crashAt = (sim: Simulation, nodes: readonly HostId[]) => {
      sim.at(10_000, () => sim.crash(nodes[0] as HostId));
      sim.at(11_000, () => sim.restart(nodes[0] as HostId));
    };
    const script = [read(0, 0), read(5_000, 0), read(20_000, 0)];
    const cold = cluster({ script, setup: crashAt });
    expect([0, 1, 2].map((id) => cold.answer(id).pages_missed)).toEqual([3, 0, 3]);
    const prewarmed = cluster({
      script,
      setup: crashAt,
      node: { buffer_pool: { pages: 16_384, policy: "lru", prewarm: true } },
    });
    expect([0, 1, 2].map((id) => prewarmed.answer(id).pages_missed)).toEqual([0, 0, 0]);
  });
});

describe("a follower pays to apply", () => {
  // Five updates of cold keys: the leader reads their pages at once, the follower one entry at a time.
  const writes = [1, 2, 3, 4, 5].map((i) => update(0, i * 100, i));

  it("applies entries one at a time, each after its own disk reads, and reports their lag as it applies them", () => {
    const { events } = cluster({ replicas: 2, script: writes });
    const lags = events.flatMap(({ at_us, event }) =>
      event.type === "lag" ? [{ at_us, lag: event.lag_us }] : [],
    );
    expect(lags).toHaveLength(5);
    // Each later entry waited for the disk reads of those before it: lag grows by a read per entry.
    for (let i = 1; i < lags.length; i++)
      expect((lags[i]?.lag ?? 0) - (lags[i - 1]?.lag ?? 0)).toBeGreaterThanOrEqual(DISK_READ_US / 2);
    expect(lags[4]?.lag).toBeGreaterThan(4 * DISK_READ_US);
  });

  it("serves reads from what it has applied: a read-your-writes token it has not applied is refused", () => {
    const { answer, events } = cluster({
      replicas: 2,
      script: [
        ...writes,
        { ...read(2_500, 500, 1), min_lsn: 5 }, // the fifth write is logged there, not yet applied
        read(2_510, 500, 1),
        read(20_000, 500, 1),
      ],
    });
    const applied_us = events.filter(({ event }) => event.type === "lag").at(-1)?.at_us ?? 0;
    expect(applied_us).toBeGreaterThan(2_600);
    expect(answer(5).status).toBe("not_leader");
    expect(answer(6)).toMatchObject({ status: "ok", value: 0 });
    expect(answer(7)).toMatchObject({ status: "ok", value: 5 });
  });
});
