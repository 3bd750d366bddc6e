import { describe, expect, it } from "vitest";
import type { Response, TxnResponse } from "../../../../engine/protocol.js";
import type { TxnMicroOp } from "../../../../engine/txn/transactions.js";
import { Rng } from "../../../../sim/rng.js";
import { TransactionHistoryParser } from "../../../../workloads/checkers/transactions/history.js";
import { HistoryRecorder } from "../../../../workloads/client/history-recorder.js";
import { ListAppendWorkload } from "../../../../workloads/generators/list-append/list-append-workload.js";
import { listAppendSchema } from "../../../../workloads/generators/list-append/settings.js";
import { ScenarioRun } from "../../../../workloads/runner.js";
import { loadScenario } from "../../../../workloads/scenario/load.js";

const config = (knobs: object = {}) => listAppendSchema.parse(knobs);

/** An ok answer to a txn statement: its micro-operations, the open transaction's id. */
function answer(mops: readonly TxnMicroOp[], txn: number): Response {
  return { op: "txn", status: "ok", mops, txn } as Partial<TxnResponse> as Response;
}

describe("ListAppendWorkload", () => {
  it("draws transactions of min..max micro-operations, appends unique, the same for a seed", () => {
    const draw = () => {
      const workload = new ListAppendWorkload(
        config({ min_txn_length: 2, max_txn_length: 5 }),
        Rng.fromSeed(7),
      );
      return Array.from({ length: 500 }, () => workload.next().mops);
    };
    const txns = draw();
    expect(draw()).toEqual(txns);
    expect(txns.every((mops) => mops.length >= 2 && mops.length <= 5)).toBe(true);
    const elements = txns
      .flat()
      .filter(([f]) => f === "append")
      .map(([, , e]) => e);
    expect(new Set(elements).size).toBe(elements.length);
  });

  it("retires a key after max_writes_per_key appends: no list grows longer", () => {
    const workload = new ListAppendWorkload(config({ key_count: 3, max_writes_per_key: 4 }), Rng.fromSeed(3));
    const mops = Array.from({ length: 300 }, () => workload.next().mops).flat();
    const appends = new Map<string, number>();
    for (const [f, key] of mops) if (f === "append") appends.set(key, (appends.get(key) ?? 0) + 1);
    expect(Math.max(...appends.values())).toBe(4);
    expect(appends.size).toBeGreaterThan(20);
  });

  it("sends a transaction as one committing request, or one statement per micro-operation", () => {
    const oneShot = new ListAppendWorkload(config({ min_txn_length: 3, max_txn_length: 3 }), Rng.fromSeed(1));
    const op = oneShot.next();
    expect(oneShot.first(op)).toEqual({ op: "txn", txn: 0, mops: op.mops, commit: true });
    expect(oneShot.after(op, 0, answer(op.mops, 0))).toBeNull();

    const interactive = new ListAppendWorkload(
      config({ min_txn_length: 3, max_txn_length: 3, interactive: true }),
      Rng.fromSeed(1),
    );
    const txn = interactive.next();
    const [m0, m1, m2] = txn.mops as [TxnMicroOp, TxnMicroOp, TxnMicroOp];
    expect(interactive.first(txn)).toEqual({ op: "txn", txn: 0, mops: [m0], commit: false });
    expect(interactive.after(txn, 0, answer([m0], 42))).toEqual({
      op: "txn",
      txn: 42,
      mops: [m1],
      commit: false,
    });
    expect(interactive.after(txn, 1, answer([m1], 42))).toEqual({
      op: "txn",
      txn: 42,
      mops: [m2],
      commit: true,
    });
    expect(interactive.after(txn, 2, answer([m2], 0))).toBeNull();
  });

  it("refuses a max_txn_length below min_txn_length", () => {
    expect(
      () => new ListAppendWorkload(config({ min_txn_length: 4, max_txn_length: 2 }), Rng.fromSeed(1)),
    ).toThrow(RangeError);
  });
});

describe("a list-append run's history", () => {
  it("is Elle's: invokes with reads empty, ok completions with what they read, aborts as invoked", () => {
    const scenario = loadScenario(`
name: la
duration: 1s
workload:
  type: list-append
  list_append: { key_count: 3, interactive: true }
  rate: 400/s
  clients: 8
cluster: { transactions: { isolation: snapshot } }
`).resolved;
    let recorder: HistoryRecorder | null = null;
    const run = new ScenarioRun(scenario, {
      seed: 1,
      observer: { onOperation: (op) => recorder?.onOperation(op) },
    });
    recorder = new HistoryRecorder((n) => run.nodeNames.get(n) ?? `host${n}`, run.plugin.history);
    run.runToEnd();
    const events = [...recorder.jsonlChunks()]
      .join("")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.every((e) => e.f === "txn")).toBe(true);
    const invokes = events.filter((e) => e.type === "invoke");
    expect(invokes.every((e) => e.value.every(([f, , v]: TxnMicroOp) => f !== "r" || v === null))).toBe(true);
    const reads = events
      .filter((e) => e.type === "ok")
      .flatMap((e) => e.value.filter(([f]: TxnMicroOp) => f === "r"));
    expect(reads.some(([, , v]: TxnMicroOp) => Array.isArray(v) && v.length > 0)).toBe(true);
    expect(events.some((e) => e.type === "fail")).toBe(true);
    const parser = new TransactionHistoryParser("history.jsonl", "list-append");
    events.forEach((event, i) => {
      parser.event(event, i + 1);
    });
    expect(parser.transactions()).toHaveLength(invokes.length);
  });
});
