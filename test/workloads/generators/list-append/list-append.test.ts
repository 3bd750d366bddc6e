import { describe, expect, it } from "vitest";
import type { Response, TxnResponse } from "../../../../engine/protocol.js";
import type { TxnMicroOp } from "../../../../engine/txn/transactions.js";
import { Rng } from "../../../../sim/rng.js";
import { TransactionHistoryParser } from "../../../../workloads/checkers/transactions/history.js";
import { HistoryRecorder } from "../../../../workloads/client/history-recorder.js";
import { ElleWorkload } from "../../../../workloads/generators/list-append/list-append-workload.js";
import { listAppendSchema } from "../../../../workloads/generators/list-append/settings.js";
import type { CompletedOperation } from "../../../../workloads/observer.js";
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
      const workload = new ElleWorkload(
        "list-append",
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
    const workload = new ElleWorkload(
      "list-append",
      config({ key_count: 3, max_writes_per_key: 4 }),
      Rng.fromSeed(3),
    );
    const mops = Array.from({ length: 300 }, () => workload.next().mops).flat();
    const appends = new Map<string, number>();
    for (const [f, key] of mops) if (f === "append") appends.set(key, (appends.get(key) ?? 0) + 1);
    expect(Math.max(...appends.values())).toBe(4);
    expect(appends.size).toBeGreaterThan(20);
  });

  it("sends a transaction as one committing request, or one statement per micro-operation", () => {
    const oneShot = new ElleWorkload(
      "list-append",
      config({ min_txn_length: 3, max_txn_length: 3 }),
      Rng.fromSeed(1),
    );
    const op = oneShot.next();
    expect(oneShot.first(op)).toEqual({ op: "txn", txn: 0, mops: op.mops, commit: true });
    expect(oneShot.after(op, 0, answer(op.mops, 0))).toBeNull();

    const interactive = new ElleWorkload(
      "list-append",
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

    // Given up (a timeout) once a statement opened it: an abort, so the node need not wait its timeout.
    const abandoned = interactive.next();
    expect(interactive.abandoned(abandoned)).toBeNull(); // nothing open yet
    interactive.after(abandoned, 0, answer([abandoned.mops[0] as TxnMicroOp], 7));
    expect(interactive.abandoned(abandoned)).toEqual({
      op: "txn",
      txn: 7,
      mops: [],
      commit: false,
      abort: true,
    });
  });

  it("retries an aborted transaction up to `retries` times: same keys and reads, fresh elements", () => {
    const workload = new ElleWorkload(
      "list-append",
      config({ min_txn_length: 4, max_txn_length: 4, read_fraction: 0.5, retries: 2, backoff: "2ms" }),
      Rng.fromSeed(5),
    );
    const op = workload.next();
    const retry = workload.retry(op, "validation", 0);
    expect(retry?.after_us).toBeGreaterThanOrEqual(1000);
    expect(retry?.after_us).toBeLessThanOrEqual(2000);
    const again = retry?.op.mops ?? [];
    expect(again.map(([f, k]) => [f, k])).toEqual(op.mops.map(([f, k]) => [f, k]));
    op.mops.forEach((mop, i) => {
      if (mop[0] === "r") expect(again[i]).toEqual(mop);
      else expect(again[i]?.[2]).not.toBe(mop[2]);
    });
    expect(workload.retry(op, "conflict", 1)).not.toBeNull();
    expect(workload.retry(op, "conflict", 2)).toBeNull(); // retries spent
    expect(workload.retry(op, "overloaded", 0)).toBeNull(); // not an abort
    expect(new ElleWorkload("list-append", config(), Rng.fromSeed(5)).retry(op, "conflict", 0)).toBeNull();
  });

  it("rw-register: writes registers (`w`) with values unique per key", () => {
    const workload = new ElleWorkload("rw-register", config({ key_count: 3 }), Rng.fromSeed(2));
    const mops = Array.from({ length: 300 }, () => workload.next().mops).flat();
    const writes = mops.filter(([f]) => f !== "r");
    expect(writes.every(([f]) => f === "w")).toBe(true);
    expect(new Set(writes.map(([, k, v]) => `${k}=${v}`)).size).toBe(writes.length);
  });

  it("refuses a max_txn_length below min_txn_length", () => {
    expect(
      () =>
        new ElleWorkload("list-append", config({ min_txn_length: 4, max_txn_length: 2 }), Rng.fromSeed(1)),
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

describe("a list-append run's retries and timeouts", () => {
  /** Every operation of a run, and its report. */
  function runOf(yaml: string) {
    const ops: CompletedOperation[] = [];
    const run = new ScenarioRun(loadScenario(yaml).resolved, {
      seed: 1,
      observer: { onOperation: (op) => ops.push(op) },
    });
    run.runToEnd();
    return ops;
  }
  const SCENARIO = `
name: la
duration: 2s
workload:
  type: list-append
  list_append: { key_count: 4, interactive: true, retries: 3, backoff: 2ms }
  rate: 400/s
  clients: 8
cluster: { transactions: { isolation: serializable } }
`;

  it("runs an aborted transaction again as a new operation of the same process, after the backoff", () => {
    const ops = runOf(SCENARIO);
    const retries = ops.filter((op) => (op.attempt ?? 0) > 0);
    expect(retries.length).toBeGreaterThan(50);
    expect(Math.max(...retries.map((op) => op.attempt ?? 0))).toBe(3);
    for (const retry of retries) {
      // The attempt before it: the same process's latest operation, an abort ended at least 1 ms earlier.
      const before = ops
        .filter((op) => op.process === retry.process && op.completed_us <= retry.sent_us)
        .at(-1);
      expect(before).toMatchObject({ result: "fail", attempt: (retry.attempt ?? 0) - 1 });
      expect(retry.sent_us - (before?.completed_us ?? 0)).toBeGreaterThanOrEqual(1000);
      expect(retry.intended_us).toBe(retry.sent_us);
    }
    const without = runOf(SCENARIO.replace("retries: 3", "retries: 0"));
    const okOf = (list: CompletedOperation[]) => list.filter((op) => op.result === "ok").length;
    expect(okOf(ops)).toBeGreaterThan(okOf(without));
  });

  it("records a statement that times out before the commit as fail (it cannot commit), a commit's as info", () => {
    const ops = runOf(
      SCENARIO.replace("clients: 8", "clients: 8\n  timeout: 1ms").replace("retries: 3", "retries: 0") +
        "network: { latency: { dist: lognormal, median: 400us, p99: 2ms } }\n",
    );
    const timedOut = (result: string) => ops.filter((op) => op.error === "timeout" && op.result === result);
    expect(timedOut("fail").length).toBeGreaterThan(10);
    expect(timedOut("info").length).toBeGreaterThan(10);
  });
});
