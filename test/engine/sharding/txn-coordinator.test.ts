// Two-phase commit's coordinator (the router host's), against scripted participants: the protocol's
// messages, the durable decision before any participant hears it, presumed abort, and recovery.

import { describe, expect, it } from "vitest";
import type { Response, TxnResponse, TxnSpec } from "../../../engine/protocol.js";
import { type CoordinatorLink, TxnCoordinator } from "../../../engine/sharding/txn-coordinator.js";
import type { TxnMicroOp } from "../../../engine/txn/transactions.js";
import type { HostContext } from "../../../sim/host.js";

interface Call {
  readonly shard: number;
  readonly spec: TxnSpec;
  readonly answer: (r: Partial<TxnResponse> | null) => void;
}

/** A router with two shards (keys "a*" on 0, the others on 1) whose calls wait to be answered. */
function harness(disk: { data: unknown } = { data: undefined }) {
  const calls: Call[] = [];
  const replies: Response[] = [];
  const timers: number[] = [];
  let crossShard = 0;
  const ctx = {
    disk,
    monotonic_us: () => 0,
    setTimer: (delay_us: number) => timers.push(delay_us),
  } as unknown as HostContext;
  const link: CoordinatorLink = {
    shardOf: (key) => (key.startsWith("a") ? 0 : 1),
    shards: () => [0, 1],
    call(_ctx, shard, spec, onAnswer) {
      calls.push({
        shard,
        spec,
        answer: (r) =>
          onAnswer(ctx, r === null ? null : ({ status: "ok", txn: 0, mops: [], ...r } as Response)),
      });
    },
    crossShard: () => {
      crossShard++;
    },
    reply: (_ctx, _client, id, response) => replies.push({ ...response, id }),
  };
  const coordinator = new TxnCoordinator(link, 5_000_000, 1);
  coordinator.onStart(ctx);
  const request = (txn: number, mops: readonly TxnMicroOp[], commit: boolean) =>
    coordinator.onRequest(ctx, 9, {
      kind: "req",
      digest: 0,
      id: 42,
      min_lsn: 0,
      require_leader: false,
      op: "txn",
      txn,
      mops,
      commit,
    });
  const take = () => calls.splice(0);
  return { ctx, coordinator, calls, replies, timers, take, request, disk, crossShard: () => crossShard };
}

const ONE_SHOT: readonly TxnMicroOp[] = [
  ["append", "a1", 1],
  ["r", "b1", null],
  ["r", "a2", null],
];

describe("TxnCoordinator", () => {
  it("commits over two shards: prepare, the decision logged, then commit; the client hears ok last", () => {
    const { request, take, replies, disk, crossShard } = harness();
    request(0, ONE_SHOT, true);
    const prepares = take();
    expect(prepares.map(({ shard, spec }) => [shard, spec])).toEqual([
      [
        0,
        {
          op: "txn",
          txn: 0,
          mops: [ONE_SHOT[0], ONE_SHOT[2]],
          commit: false,
          two_phase: { step: "prepare", gtid: 1 },
        },
      ],
      [1, { op: "txn", txn: 0, mops: [ONE_SHOT[1]], commit: false, two_phase: { step: "prepare", gtid: 1 } }],
    ]);
    expect(crossShard()).toBe(1);
    prepares[0]?.answer({
      mops: [
        ["append", "a1", 1],
        ["r", "a2", [7]],
      ],
    });
    prepares[1]?.answer({ mops: [["r", "b1", [3]]] });
    // Durable before any participant hears it.
    expect((disk.data as { commits: Map<number, Set<number>> }).commits.get(1)).toEqual(new Set([0, 1]));
    const commits = take();
    expect(commits.map(({ shard, spec }) => [shard, spec.two_phase])).toEqual([
      [0, { step: "commit", gtid: 1 }],
      [1, { step: "commit", gtid: 1 }],
    ]);
    commits[0]?.answer({});
    expect(replies).toEqual([]);
    commits[1]?.answer({});
    expect(replies).toMatchObject([
      {
        id: 42,
        status: "ok",
        txn: 0,
        mops: [
          ["append", "a1", 1],
          ["r", "b1", [3]],
          ["r", "a2", [7]],
        ],
      },
    ]);
    expect((disk.data as { commits: Map<number, Set<number>> }).commits.size).toBe(0);
  });

  it("aborts when a participant refuses: the others that prepared hear abort, nothing is logged", () => {
    const { request, take, replies, disk } = harness();
    request(0, ONE_SHOT, true);
    const [first, second] = take();
    first?.answer({});
    second?.answer({ status: "validation" });
    expect(replies).toMatchObject([{ id: 42, status: "validation" }]);
    expect(take().map(({ shard, spec }) => [shard, spec.two_phase])).toEqual([
      [0, { step: "abort", gtid: 1 }],
    ]);
    expect((disk.data as { commits: Map<number, Set<number>> }).commits.size).toBe(0);
  });

  it("sends a decision again until it is acknowledged", () => {
    const { coordinator, ctx, request, take, timers } = harness();
    request(0, ONE_SHOT, true);
    for (const prepare of take()) prepare.answer({});
    const [commit0, commit1] = take();
    commit0?.answer(null);
    commit1?.answer({});
    expect(timers).toHaveLength(1);
    coordinator.onTimer(ctx);
    expect(take().map(({ shard, spec }) => [shard, spec.two_phase])).toEqual([
      [0, { step: "commit", gtid: 1 }],
    ]);
  });

  it("runs a transaction on one shard as that shard's one-phase commit", () => {
    const { request, take, replies } = harness();
    request(
      0,
      [
        ["append", "a1", 1],
        ["r", "a2", null],
      ],
      true,
    );
    const [call] = take();
    expect(call?.spec).toEqual({
      op: "txn",
      txn: 0,
      mops: [
        ["append", "a1", 1],
        ["r", "a2", null],
      ],
      commit: true,
    });
    call?.answer({
      mops: [
        ["append", "a1", 1],
        ["r", "a2", [1]],
      ],
    });
    expect(replies).toMatchObject([{ status: "ok", txn: 0 }]);
  });

  it("maps an interactive transaction to each shard's own, and prepares every shard it touched", () => {
    const { request, take, replies } = harness();
    request(0, [["r", "a1", null]], false);
    take()[0]?.answer({ txn: 501, mops: [["r", "a1", [1]]] });
    expect(replies.at(-1)).toMatchObject({ status: "ok", txn: 1 });
    request(1, [["append", "b1", 2]], false);
    const [b] = take();
    expect([b?.shard, b?.spec]).toEqual([
      1,
      { op: "txn", txn: 0, mops: [["append", "b1", 2]], commit: false },
    ]);
    b?.answer({ txn: 602, mops: [["append", "b1", 2]] });
    request(1, [["append", "b2", 3]], true);
    expect(take().map(({ shard, spec }) => [shard, spec.txn, spec.mops, spec.two_phase?.step])).toEqual([
      [1, 602, [["append", "b2", 3]], "prepare"],
      [0, 501, [], "prepare"],
    ]);
    // A statement naming a transaction the router does not know (forgotten, or its crash).
    request(77, [["r", "a1", null]], false);
    expect(replies.at(-1)).toMatchObject({ status: "unknown_txn" });
  });

  it("ends an abandoned interactive transaction on every shard it touched", () => {
    const { coordinator, ctx, request, take, replies } = harness();
    request(
      0,
      [
        ["r", "a1", null],
        ["r", "b1", null],
      ],
      false,
    );
    for (const call of take()) call.answer({ txn: call.shard === 0 ? 501 : 602 });
    coordinator.onRequest(ctx, 9, {
      kind: "req",
      digest: 0,
      id: 43,
      min_lsn: 0,
      require_leader: false,
      op: "txn",
      txn: 1,
      mops: [],
      commit: false,
      abort: true,
    });
    expect(take().map(({ shard, spec }) => [shard, spec])).toEqual([
      [0, { op: "txn", txn: 501, mops: [], commit: false, abort: true }],
      [1, { op: "txn", txn: 602, mops: [], commit: false, abort: true }],
    ]);
    expect(replies.at(-1)).toMatchObject({ id: 43, status: "ok" });
    request(1, [["r", "a1", null]], false); // forgotten by the router
    expect(replies.at(-1)).toMatchObject({ status: "unknown_txn" });
  });

  it("recovers after a restart: asks every shard what it holds in doubt; commit if logged, else abort", () => {
    const { request, take, disk } = harness();
    request(0, ONE_SHOT, true); // gtid 1: decided commit, then the router crashes
    for (const prepare of take()) prepare.answer({});
    take();
    request(0, ONE_SHOT, true); // gtid 2: prepared, no decision
    take();
    const restarted = harness(disk);
    const questions = restarted.take();
    expect(questions.map(({ shard, spec }) => [shard, spec.two_phase])).toEqual([
      [0, { step: "in_doubt", gtid: 0 }],
      [1, { step: "in_doubt", gtid: 0 }],
    ]);
    questions[0]?.answer({ in_doubt: [1, 2] });
    questions[1]?.answer({ in_doubt: [2] }); // it had committed 1 before the crash
    expect(restarted.take().map(({ shard, spec }) => [shard, spec.two_phase])).toEqual([
      [0, { step: "commit", gtid: 1 }],
      [0, { step: "abort", gtid: 2 }],
      [1, { step: "abort", gtid: 2 }],
    ]);
    // A new transaction gets a new id: the counter is on the disk.
    restarted.request(0, ONE_SHOT, true);
    expect(restarted.take()[0]?.spec.two_phase).toEqual({ step: "prepare", gtid: 3 });
  });
});
