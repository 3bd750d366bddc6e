import { describe, expect, it } from "vitest";
import type { Response, TxnResponse } from "../../../../engine/protocol.js";
import type { TxnMicroOp } from "../../../../engine/txn/transactions.js";
import { Rng } from "../../../../sim/rng.js";
import { smallbankSchema } from "../../../../workloads/generators/smallbank/settings.js";
import {
  INITIAL_BALANCE,
  SMALLBANK_MIX,
  type SmallbankOperation,
  SmallbankWorkload,
} from "../../../../workloads/generators/smallbank/smallbank-workload.js";
import { loadScenario } from "../../../../workloads/scenario/load.js";

const config = (knobs: object = {}) => smallbankSchema.parse(knobs);

/** An ok answer to a txn statement: its micro-operations, the open transaction's id, its node times. */
function answer(mops: readonly TxnMicroOp[], txn: number): Response {
  return {
    op: "txn",
    status: "ok",
    mops,
    txn,
    queue_us: 3,
    service_us: 40,
  } as Partial<TxnResponse> as Response;
}

/** The reads of `op` answered with `balances` (a key absent: never written, null). */
function readAnswer(op: SmallbankOperation, balances: Record<string, number> = {}): Response {
  return answer(
    op.mops.map(([, key]): TxnMicroOp => ["r", key, balances[key] ?? null]),
    77,
  );
}

function drawUntil(workload: SmallbankWorkload, type: SmallbankOperation["type"]): SmallbankOperation {
  for (;;) {
    const op = workload.next();
    if (op.type === type) return op;
  }
}

describe("SmallbankWorkload", () => {
  it("draws OLTPBench's mix, the same for a seed, accounts in range, two distinct for transfers", () => {
    const draw = () => {
      const workload = new SmallbankWorkload(config({ accounts: 50 }), Rng.fromSeed(5));
      return Array.from({ length: 20_000 }, () => workload.next());
    };
    const ops = draw();
    expect(draw()).toEqual(ops);
    for (const [type, share] of SMALLBANK_MIX) {
      const seen = ops.filter((op) => op.type === type).length / ops.length;
      expect(Math.abs(seen - share), type).toBeLessThan(0.02);
    }
    expect(ops.every((op) => op.a >= 0 && op.a < 50 && op.b >= 0 && op.b < 50)).toBe(true);
    const transfers = ops.filter((op) => op.type === "send-payment" || op.type === "amalgamate");
    expect(transfers.every((op) => op.a !== op.b)).toBe(true);
  });

  it("finds a second account even when every pick goes to a hot set of one", () => {
    const workload = new SmallbankWorkload(config({ hot_accounts: 1, hot_fraction: 1 }), Rng.fromSeed(4));
    const pay = drawUntil(workload, "send-payment");
    expect([pay.a, pay.b]).toEqual([0, 1]);
  });

  it("hot_fraction sends that share of the picks to the hot accounts", () => {
    const hotShare = (hot_fraction: number) => {
      const workload = new SmallbankWorkload(
        config({ accounts: 1000, hot_accounts: 10, hot_fraction }),
        Rng.fromSeed(2),
      );
      const ops = Array.from({ length: 10_000 }, () => workload.next());
      return ops.filter((op) => op.a < 10).length / ops.length;
    };
    expect(hotShare(0)).toBeLessThan(0.02);
    expect(hotShare(0.9)).toBeGreaterThan(0.88);
  });

  it("reads first, then writes computed from the reads, committing; balance is one statement", () => {
    const workload = new SmallbankWorkload(config(), Rng.fromSeed(1));
    const pay = drawUntil(workload, "send-payment");
    expect(workload.first(pay)).toEqual({
      op: "txn",
      txn: 0,
      mops: [
        ["r", `c${pay.a}`, null],
        ["r", `c${pay.b}`, null],
      ],
      commit: false,
    });
    const second = workload.after(pay, 0, readAnswer(pay, { [`c${pay.a}`]: 500 }));
    expect(second).toEqual({
      op: "txn",
      txn: 77,
      mops: [
        ["w", `c${pay.a}`, 490],
        ["w", `c${pay.b}`, INITIAL_BALANCE + 10],
      ],
      commit: true,
    });
    expect(workload.after(pay, 1, answer(pay.writes, 77))).toBeNull();
    expect(workload.detail(pay, { result: "ok" })).toMatchObject({ validation_us: 43 });
    expect(workload.detail(pay, { result: "fail" })).toMatchObject({
      invoked: [...pay.mops, ...pay.writes],
      completed: null,
      validation_us: null,
    });

    const balance = drawUntil(workload, "balance");
    expect(workload.first(balance)).toMatchObject({
      commit: true,
      mops: [
        ["r", `c${balance.a}`, null],
        ["r", `s${balance.a}`, null],
      ],
    });
    expect(workload.after(balance, 0, readAnswer(balance))).toBeNull();
  });

  it("amalgamate empties a customer into another's checking; write-check charges an overdraft", () => {
    const workload = new SmallbankWorkload(config(), Rng.fromSeed(3));
    const merge = drawUntil(workload, "amalgamate");
    workload.first(merge);
    const { a, b } = merge;
    expect(
      workload.after(merge, 0, readAnswer(merge, { [`c${a}`]: 5, [`s${a}`]: 7, [`c${b}`]: 1 })),
    ).toMatchObject({
      mops: [
        ["w", `c${a}`, 0],
        ["w", `s${a}`, 0],
        ["w", `c${b}`, 13],
      ],
    });
    const check = drawUntil(workload, "write-check");
    workload.first(check);
    const c = `c${check.a}`;
    const s = `s${check.a}`;
    expect(workload.after(check, 0, readAnswer(check, { [c]: 4, [s]: 3 }))).toMatchObject({
      mops: [["w", c, -7]],
    });
    expect(workload.after(check, 0, readAnswer(check, { [c]: 4, [s]: 30 }))).toMatchObject({
      mops: [["w", c, -6]],
    });
  });

  it("is refused with more hot accounts than accounts, and its section without the type", () => {
    expect(() => new SmallbankWorkload(config({ accounts: 5, hot_accounts: 6 }), Rng.fromSeed(1))).toThrow(
      "smallbank hot_accounts (6) must be <= accounts (5)",
    );
    expect(() => loadScenario("name: t\nworkload: { smallbank: { accounts: 10 } }")).toThrow(
      "workload.smallbank: needs workload.type smallbank (got ycsb)",
    );
    expect(() => loadScenario("name: t\nworkload: { type: smallbank }\nchecks: [elle]")).toThrow(
      "elle does not apply to workload.type smallbank",
    );
  });
});
