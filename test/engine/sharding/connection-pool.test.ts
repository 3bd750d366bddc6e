// The client host's connection pools: at most `size` connections per node, waiters served in order,
// a wait that runs out fails, a refused connection is dropped, an abandoned request gives its
// connection back once.

import { describe, expect, it } from "vitest";
import type { Request } from "../../../engine/protocol.js";
import { ConnectionPools, type PooledPart } from "../../../engine/sharding/connection-pool.js";
import type { HostContext, HostId, Message, TimerTag } from "../../../sim/host.js";

const TIMER = 7;

/** A host context that records what is sent and the timers set; `now` is moved by the test. */
function fakeHost() {
  const host = {
    now: 0,
    sent: [] as { to: HostId; conn: number | undefined; id: number }[],
    timers: [] as { at_us: number; tag: TimerTag }[],
  };
  const ctx = {
    now_us: () => host.now,
    send: (to: HostId, msg: Message) => {
      const req = msg as Request;
      host.sent.push({ to, conn: req.conn, id: req.id });
    },
    setTimer: (delay_us: number, tag: TimerTag) => {
      host.timers.push({ at_us: host.now + delay_us, tag });
      return host.timers.length;
    },
  } as unknown as HostContext;
  return { host, ctx };
}

let nextId = 0;
function part(node: HostId): PooledPart & { request: Request } {
  const wireId = ++nextId;
  const request = {
    kind: "req",
    id: wireId,
    op: "read",
    key: "k",
    min_lsn: 0,
    require_leader: false,
  } as Request;
  return { node, wireId, request };
}

describe("ConnectionPools", () => {
  it("opens up to `size` connections per node, then queues in order; an answer hands its connection on", () => {
    const { host, ctx } = fakeHost();
    const pools = new ConnectionPools({ size: 2, max_wait_us: 1000 }, TIMER);
    const parts = [part(5), part(5), part(5), part(5), part(6)];
    for (const p of parts) pools.send(ctx, p, p.request);
    // Two connections to node 5 (ids 0 and 1), one to node 6; two requests wait.
    expect(host.sent.map((s) => [s.to, s.conn])).toEqual([
      [5, 0],
      [5, 1],
      [6, 0],
    ]);
    expect(pools.nodes.get(5)).toMatchObject({ open: 2, busy: 2, waiters: 2, waiters_peak: 2 });
    host.now = 300;
    pools.answered(ctx, (parts[1] as PooledPart).wireId, false);
    // The first waiter takes connection 1, after waiting 300 µs.
    expect(host.sent.at(-1)).toEqual({ to: 5, conn: 1, id: parts[2]?.wireId });
    expect(parts[2]?.pool_wait_us).toBe(300);
    expect(parts[0]?.pool_wait_us).toBe(0);
    // A late or repeated answer does not give the connection back twice.
    pools.answered(ctx, (parts[1] as PooledPart).wireId, false);
    expect(pools.nodes.get(5)).toMatchObject({ open: 2, busy: 2, waiters: 1 });
  });

  it("fails a waiter whose wait ran out, on one timer armed for the earliest deadline", () => {
    const { host, ctx } = fakeHost();
    const pools = new ConnectionPools({ size: 1, max_wait_us: 1000 }, TIMER);
    const [a, b, c] = [part(1), part(1), part(1)];
    pools.send(ctx, a, a.request);
    host.now = 100;
    pools.send(ctx, b, b.request);
    host.now = 400;
    pools.send(ctx, c, c.request);
    expect(host.timers).toEqual([{ at_us: 1100, tag: TIMER }]);
    host.now = 1100;
    const expired = pools.expired(ctx);
    expect(expired.map((e) => e.part.wireId)).toEqual([b.wireId]);
    expect(b.pool_wait_us).toBe(1000);
    expect(pools.timeouts).toBe(1);
    // Re-armed for the next waiter's deadline.
    expect(host.timers.at(-1)).toEqual({ at_us: 1400, tag: TIMER });
    expect(pools.nodes.get(1)?.waiters).toBe(1);
  });

  it("drops a connection the node refused; the next waiter opens another", () => {
    const { host, ctx } = fakeHost();
    const pools = new ConnectionPools({ size: 1, max_wait_us: 1000 }, TIMER);
    const [a, b] = [part(3), part(3)];
    pools.send(ctx, a, a.request);
    pools.send(ctx, b, b.request);
    pools.answered(ctx, a.wireId, true);
    expect(host.sent.map((s) => [s.id, s.conn])).toEqual([
      [a.wireId, 0],
      [b.wireId, 0],
    ]);
    expect(pools.nodes.get(3)).toMatchObject({ open: 1, busy: 1, waiters: 0 });
  });

  it("an abandoned waiter is skipped; an abandoned request's connection comes back once", () => {
    const { host, ctx } = fakeHost();
    const pools = new ConnectionPools({ size: 1, max_wait_us: 1000 }, TIMER);
    const [a, b, c] = [part(2), part(2), part(2)];
    for (const p of [a, b, c]) pools.send(ctx, p, p.request);
    expect(pools.isWaiting(b.wireId)).toBe(true);
    pools.cancel(ctx, b.wireId);
    expect(pools.nodes.get(2)?.waiters).toBe(1);
    pools.cancel(ctx, a.wireId); // a timed out: its connection goes to c, not b
    expect(host.sent.map((s) => s.id)).toEqual([a.wireId, c.wireId]);
    pools.answered(ctx, a.wireId, false); // a's late answer
    expect(pools.nodes.get(2)).toMatchObject({ open: 1, busy: 1, waiters: 0 });
    host.now = 5000;
    expect(pools.expired(ctx)).toEqual([]);
  });
});
