import { describe, expect, it } from "vitest";
import type { TxnMicroOp } from "../../engine/txn/transactions.js";
import { CONFLICT_KEYS_MAX, TransactionsRecorder } from "../../reports/transactions.js";
import type { TxnData } from "../../workloads/generators/list-append/list-append-workload.js";
import type { CompletedOperation } from "../../workloads/observer.js";
import { completedOperation } from "./completed-operation.js";

/** A measured txn operation of `mops`, sent at 1000 µs and completed at 1000 + `took_us`. */
function txn(
  mops: readonly TxnMicroOp[],
  outcome: {
    result?: CompletedOperation["result"];
    error?: string;
    took_us?: number;
    validation_us?: number;
    /** 0: a first attempt; n: the n-th retry. */
    attempt?: number;
  } = {},
): CompletedOperation {
  const result = outcome.result ?? "ok";
  const detail: TxnData = {
    invoked: mops,
    completed: result === "ok" ? mops : null,
    validation_us: result === "ok" ? (outcome.validation_us ?? 50) : null,
  };
  return completedOperation({
    op: "txn",
    result,
    error: outcome.error ?? null,
    intended_us: 0,
    sent_us: 1000,
    completed_us: 1000 + (outcome.took_us ?? 2000),
    latency_us: 3000,
    detail,
    ...(outcome.attempt === undefined ? {} : { attempt: outcome.attempt }),
  });
}

describe("TransactionsRecorder", () => {
  it("has no section for a run without transactions", () => {
    const recorder = new TransactionsRecorder();
    recorder.onOperation(completedOperation());
    expect(recorder.finish(10)).toBeUndefined();
  });

  it("counts commits, aborts by reason and unknown outcomes; latency from the first statement sent", () => {
    const recorder = new TransactionsRecorder();
    const write: TxnMicroOp[] = [
      ["r", "a", null],
      ["w", "b", 1],
    ];
    for (let i = 0; i < 6; i++)
      recorder.onOperation(txn(write, { took_us: 1000 * (i + 1), validation_us: 40 + i }));
    recorder.onOperation(txn(write, { result: "fail", error: "conflict" }));
    recorder.onOperation(txn(write, { result: "fail", error: "validation" }));
    recorder.onOperation(txn(write, { result: "info", error: "timeout" }));
    recorder.onOperation({ ...txn(write, { result: "fail", error: "conflict" }), measured: false });
    const report = recorder.finish(2);
    expect(report).toMatchObject({
      committed: 6,
      aborted: 2,
      unknown: 1,
      committed_per_s: 3,
      abort_rate: 0.25,
      aborts: { conflict: 1, validation: 1 },
      retries: 0,
      lock_wait_us: null,
    });
    expect(report?.commit_latency_us).toMatchObject({ max: 6000, mean: 3500 });
    expect(report?.validation_us).toMatchObject({ max: 45, mean: 42.5 });
  });

  it("names the keys aborts touched: a conflict's writes, a validation's reads, most first", () => {
    const recorder = new TransactionsRecorder();
    recorder.onOperation(
      txn(
        [
          ["r", "x", null],
          ["w", "hot", 1],
        ],
        { result: "fail", error: "conflict" },
      ),
    );
    recorder.onOperation(
      txn(
        [
          ["r", "hot", null],
          ["w", "y", 1],
        ],
        { result: "fail", error: "validation" },
      ),
    );
    recorder.onOperation(
      txn(
        [
          ["r", "z", null],
          ["append", "w", 3],
        ],
        { result: "fail", error: "conflict" },
      ),
    );
    recorder.onOperation(txn([["w", "q", 1]], { result: "info", error: "timeout" }));
    expect(recorder.finish(1)?.conflict_keys).toEqual([
      { key: "hot", aborts: 2 },
      { key: "w", aborts: 1 },
    ]);
  });

  it("keeps the top keys only, and counts the retries (attempts after the first)", () => {
    const recorder = new TransactionsRecorder();
    for (let k = 0; k < CONFLICT_KEYS_MAX + 5; k++)
      recorder.onOperation(txn([["w", `k${k}`, 1]], { result: "fail", error: "conflict" }));
    for (const attempt of [0, 1, 2, 3]) recorder.onOperation(txn([["w", "k", attempt]], { attempt }));
    const report = recorder.finish(1);
    expect(report?.conflict_keys).toHaveLength(CONFLICT_KEYS_MAX);
    expect(report?.retries).toBe(3);
    expect(report?.abort_rate).toBeCloseTo(15 / 19, 3);
  });
});
