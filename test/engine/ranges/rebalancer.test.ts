// The rebalancer on its own: it plans from the reports it was sent, nothing else; one action per
// range at a time; a lease transfer goes to the range's leader.

import { describe, expect, it } from "vitest";
import { REBALANCE_ACTION_TIMEOUT_US, Rebalancer } from "../../../engine/ranges/rebalancer.js";
import type { HostContext, HostId, Message } from "../../../sim/host.js";

// Range s's host on node i: 10 * s + i (3 ranges, 4 nodes).
const hosts = new Map([0, 1, 2].map((s) => [s, [0, 1, 2, 3].map((i) => 10 * s + i)]));
const SETTINGS = { every_us: 1_000_000, dead_after_us: 3_000_000, lease_region: null };

function setup() {
  const sent: { to: HostId; msg: Message }[] = [];
  const moves: { shard: number; remove: HostId; add: HostId }[] = [];
  let now = 0;
  const ctx = {
    now_us: () => now,
    send: (to: HostId, msg: Message) => sent.push({ to, msg }),
  } as unknown as HostContext;
  const rebalancer = new Rebalancer({
    settings: SETTINGS,
    hosts,
    nodes: 4,
    moveReplica: (_ctx, shard, remove, add) => moves.push({ shard, remove, add }),
  });
  /** Every range reports: voters on nodes 0-2, led from node 0. */
  const report = (term = 1) => {
    for (const s of [0, 1, 2])
      rebalancer.onRangeStatus(
        10 * s,
        s,
        { term, voters: [10 * s, 10 * s + 1, 10 * s + 2], learners: [] },
        now,
      );
  };
  return { rebalancer, ctx, sent, moves, report, at: (t: number) => (now = t) };
}

describe("the rebalancer", () => {
  it("plans nothing before any report: it knows only what it is told", () => {
    const { rebalancer, ctx, sent, moves } = setup();
    rebalancer.tick(ctx);
    expect(sent).toEqual([]);
    expect(moves).toEqual([]);
  });

  it("sends a lease transfer to the range's leader, naming the target's host, then waits for it", () => {
    const { rebalancer, ctx, sent, moves, report, at } = setup();
    report();
    rebalancer.tick(ctx);
    // node0 leads all 3; replicas 3,3,3,0: the first lease to move off node0 goes first.
    expect(moves).toEqual([]);
    expect(sent).toEqual([{ to: 0, msg: { kind: "transfer_leadership", digest: 1, to: 1 } }]);
    at(1_000_000);
    report(); // not done yet: the planner's next action is for shard 0 again (its replica on node0)
    rebalancer.tick(ctx);
    expect(sent).toHaveLength(1);
    expect(moves).toEqual([]);
  });

  it("holds a node down once none of its hosts was heard from for dead_after, and moves its replicas off", () => {
    const { rebalancer, ctx, moves, at } = setup();
    // Nodes 0, 1 and 3 keep reporting; node 2 is silent past dead_after.
    at(4_000_000);
    for (const s of [0, 1, 2])
      rebalancer.onRangeStatus(
        10 * s,
        s,
        { term: 1, voters: [10 * s, 10 * s + 1, 10 * s + 2], learners: [] },
        4_000_000,
      );
    rebalancer.heard(3, 4_000_000);
    at(4_000_000 + SETTINGS.dead_after_us - 1);
    rebalancer.heard(3, 4_000_000 + SETTINGS.dead_after_us - 1);
    rebalancer.onRangeStatus(0, 0, { term: 1, voters: [0, 1, 2], learners: [] }, 6_999_999);
    rebalancer.onRangeStatus(11, 1, { term: 2, voters: [10, 11, 12], learners: [] }, 6_999_999);
    rebalancer.onRangeStatus(20, 2, { term: 1, voters: [20, 21, 22], learners: [] }, 6_999_999);
    at(7_000_001);
    rebalancer.tick(ctx);
    expect(moves).toEqual([{ shard: 0, remove: 2, add: 3 }]);
  });

  it("gives an action up after its timeout", () => {
    const { rebalancer, ctx, sent, report, at } = setup();
    report();
    rebalancer.tick(ctx);
    expect(sent).toHaveLength(1);
    at(REBALANCE_ACTION_TIMEOUT_US);
    for (const node of [1, 2, 3]) rebalancer.heard(node, REBALANCE_ACTION_TIMEOUT_US);
    report();
    rebalancer.tick(ctx);
    expect(sent.filter((s) => s.to === 0)).toHaveLength(2); // shard 0's lease asked again
  });
});
