import { describe, expect, it } from "vitest";
import { NodeStorage } from "../../../engine/node/storage.js";
import type { Request, RequestOf, TxnResponse } from "../../../engine/protocol.js";
import type { Payload } from "../../../engine/replication/protocol.js";
import type { Execution } from "../../../engine/state/state-machine.js";
import { TxnMachine } from "../../../engine/state/txn-machine.js";
import { Table } from "../../../engine/table.js";
import type { TransactionSettings } from "../../../engine/txn/settings.js";
import type { IsolationLevel, TxnMicroOp } from "../../../engine/txn/transactions.js";

/** The node as a state machine sees it: a log that only counts, applying entries as it logs them. */
function execution(): Execution & { logged: Payload[]; now_us: number } {
  const logged: Payload[] = [];
  return {
    logged,
    now_us: 0,
    queue_us: 0,
    term: 1,
    leader_hint: 0,
    applies_at_once: true,
    log: {} as Execution["log"],
    append(payload) {
      logged.push(payload);
      return logged.length;
    },
    service_us: () => 50,
  };
}

const settings = (isolation: IsolationLevel): TransactionSettings => ({ isolation, timeout_us: 1_000_000 });

function txn(id: number, mops: readonly TxnMicroOp[], commit: boolean): RequestOf<"txn"> {
  return {
    kind: "req",
    digest: 0,
    id: 1,
    min_lsn: 0,
    require_leader: true,
    op: "txn",
    txn: id,
    mops,
    commit,
  };
}

const run = (machine: TxnMachine, x: Execution, req: Request) =>
  machine.execute(req as RequestOf<"txn">, x) as TxnResponse;

describe("TxnMachine", () => {
  it("commits a one-shot transaction as one logged entry, applied at once", () => {
    const storage = new NodeStorage(new Table({ fieldCount: 1, fanout: 8 }));
    const machine = new TxnMachine(storage, settings("serializable"), 3);
    const x = execution();
    const answer = run(
      machine,
      x,
      txn(
        0,
        [
          ["append", "a", 1],
          ["r", "a", null],
        ],
        true,
      ),
    );
    expect(answer).toMatchObject({
      status: "ok",
      txn: 0,
      lsn: 1,
      mops: [
        ["append", "a", 1],
        ["r", "a", [1]],
      ],
    });
    expect(x.logged).toEqual([{ kind: "txn", effects: [["append", "a", 1]] }]);
    expect(storage.txn.latest("a")).toEqual([1]);
    // A read-only transaction logs nothing.
    expect(run(machine, x, txn(0, [["r", "a", null]], true))).toMatchObject({ status: "ok", lsn: 0 });
    expect(x.logged).toHaveLength(1);
  });

  it("aborts the later of two conflicting writers, logging nothing for it", () => {
    const storage = new NodeStorage(new Table({ fieldCount: 1, fanout: 8 }));
    const machine = new TxnMachine(storage, settings("snapshot"), 0);
    const x = execution();
    const first = run(machine, x, txn(0, [["append", "a", 1]], false)).txn;
    const second = run(machine, x, txn(0, [["append", "a", 2]], false)).txn;
    expect(run(machine, x, txn(second, [], true))).toMatchObject({ status: "ok" });
    expect(run(machine, x, txn(first, [], true))).toMatchObject({
      status: "conflict",
      txn: 0,
      lsn: 0,
      mops: [],
    });
    expect(x.logged).toHaveLength(1);
  });

  it("never gives a transaction's id again: not after a restart, not on another node", () => {
    const storage = new NodeStorage(new Table({ fieldCount: 1, fanout: 8 }));
    const x = execution();
    const before = new TxnMachine(storage, settings("serializable"), 2);
    const open = run(before, x, txn(0, [["r", "a", null]], false)).txn;
    // A restart: a new instance on the same disk forgets the open transaction.
    const after = new TxnMachine(storage, settings("serializable"), 2);
    expect(run(after, x, txn(open, [["append", "a", 1]], true))).toMatchObject({ status: "unknown_txn" });
    const other = new TxnMachine(
      new NodeStorage(new Table({ fieldCount: 1, fanout: 8 })),
      settings("serializable"),
      5,
    );
    const ids = [
      run(after, x, txn(0, [], false)).txn,
      run(other, x, txn(0, [], false)).txn,
      run(other, x, txn(0, [], false)).txn,
    ];
    expect(new Set([open, ...ids]).size).toBe(4);
    expect(ids.every((id) => id > 0)).toBe(true);
  });

  it("aborts a transaction open longer than the timeout (timeout, said once), which then holds no version back", () => {
    const storage = new NodeStorage(new Table({ fieldCount: 1, fanout: 8 }));
    const machine = new TxnMachine(storage, settings("snapshot"), 0);
    const x = execution();
    const idle = run(machine, x, txn(0, [["r", "a", null]], false)).txn;
    x.now_us = 500_000;
    for (let e = 1; e <= 3; e++) run(machine, x, txn(0, [["append", "a", e]], true));
    expect(storage.txn.versionCount("a")).toBe(3); // the idle snapshot may read any of them
    x.now_us = 1_000_000;
    run(machine, x, txn(0, [["append", "a", 4]], true));
    expect(storage.txn.versionCount("a")).toBe(1);
    expect(run(machine, x, txn(idle, [], true))).toMatchObject({ status: "timeout", txn: 0 });
    expect(run(machine, x, txn(idle, [], true))).toMatchObject({ status: "unknown_txn" });
  });
});
