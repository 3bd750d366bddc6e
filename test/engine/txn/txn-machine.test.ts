import { describe, expect, it } from "vitest";
import { NodeStorage } from "../../../engine/node/storage.js";
import type { Request, RequestOf, TxnResponse } from "../../../engine/protocol.js";
import type { Payload } from "../../../engine/replication/protocol.js";
import type { Execution } from "../../../engine/state/state-machine.js";
import { TxnMachine } from "../../../engine/state/txn-machine.js";
import { Table } from "../../../engine/table.js";
import type { TxnPayload } from "../../../engine/txn/mvcc-store.js";
import type { TransactionSettings } from "../../../engine/txn/settings.js";
import type { IsolationLevel, TxnMicroOp } from "../../../engine/txn/transactions.js";

/**
 * The node as a state machine sees it: a log that only counts, applying entries as it logs them (or,
 * like Raft, leaving them for the test to apply, advancing `log.applied_lsn`).
 */
function execution(
  applies_at_once = true,
): Execution & { logged: Payload[]; now_us: number; term: number; log: { applied_lsn: number } } {
  const logged: Payload[] = [];
  return {
    logged,
    now_us: 0,
    queue_us: 0,
    term: 1,
    leader_hint: 0,
    applies_at_once,
    log: { applied_lsn: 0 } as Execution["log"] & { applied_lsn: number },
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

  it("aborts an open transaction on request: its snapshot no longer holds versions back", () => {
    const storage = new NodeStorage(new Table({ fieldCount: 1, fanout: 8 }));
    const machine = new TxnMachine(storage, settings("snapshot"), 0);
    const x = execution();
    const open = run(machine, x, txn(0, [["append", "b", 9]], false)).txn;
    run(machine, x, txn(0, [["append", "a", 1]], true));
    expect(run(machine, x, { ...txn(open, [], false), abort: true })).toMatchObject({ status: "ok", lsn: 0 });
    run(machine, x, txn(0, [["append", "a", 2]], true));
    expect(storage.txn.versionCount("a")).toBe(1);
    expect(storage.txn.latest("b")).toBeNull(); // its buffered write went with it
    expect(run(machine, x, txn(open, [], true))).toMatchObject({ status: "unknown_txn" });
  });

  describe("applying once committed (Raft)", () => {
    /** A leader that logged a commit of "a" (lsn 1), not applied yet; `applied`: the commit applied. */
    function loggedNotApplied(isolation: IsolationLevel) {
      const storage = new NodeStorage(new Table({ fieldCount: 1, fanout: 8 }));
      const machine = new TxnMachine(storage, settings(isolation), 0);
      const x = execution(false);
      const reader = run(machine, x, txn(0, [["r", "a", null]], false)).txn;
      const writer = run(machine, x, txn(0, [["append", "a", 2]], false)).txn;
      expect(run(machine, x, txn(0, [["append", "a", 1]], true))).toMatchObject({ status: "ok", lsn: 1 });
      expect(storage.txn.latest("a")).toBeNull(); // logged, not applied
      const applied = () => {
        machine.apply(x.logged[0] as TxnPayload);
        x.log.applied_lsn = 1;
      };
      return { machine, x, reader, writer, applied };
    }

    it("validates against commits logged but not applied: a second writer of the key aborts", () => {
      const { machine, x, writer } = loggedNotApplied("snapshot");
      expect(run(machine, x, txn(writer, [], true))).toMatchObject({ status: "conflict", lsn: 0 });
      // A transaction that began before the commit was applied writes "a" after its snapshot too.
      const late = run(machine, x, txn(0, [["append", "a", 3]], false)).txn;
      expect(run(machine, x, txn(late, [], true))).toMatchObject({ status: "conflict" });
      expect(x.logged).toHaveLength(1);
    });

    it("serializable: a writer that read the key aborts (validation); read committed: a writer conflicts", () => {
      const serializable = loggedNotApplied("serializable");
      const { machine, x, reader } = serializable;
      expect(run(machine, x, txn(reader, [["append", "b", 5]], true))).toMatchObject({
        status: "validation",
      });
      const rc = loggedNotApplied("read-committed");
      expect(run(rc.machine, rc.x, txn(rc.writer, [], true))).toMatchObject({ status: "conflict" });
    });

    it("forgets a logged commit once applied, and every one under a new term", () => {
      const first = loggedNotApplied("snapshot");
      first.applied();
      const after = run(first.machine, first.x, txn(0, [["append", "a", 3]], true));
      expect(after).toMatchObject({ status: "ok", lsn: 2 });
      // Another leader's term: what this node logged before is committed and applied by then.
      const second = loggedNotApplied("snapshot");
      second.x.term = 2;
      expect(run(second.machine, second.x, txn(0, [["append", "a", 3]], true))).toMatchObject({
        status: "ok",
      });
    });
  });
});
