// Two-phase commit's participant: a prepare logs a record and holds the transaction's keys until the
// coordinator's decision; a conflicting statement or commit aborts (`prepared`) meanwhile.

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../../engine/events.js";
import { NodeStorage } from "../../../engine/node/storage.js";
import type { RequestOf, TwoPhaseStep, TxnResponse } from "../../../engine/protocol.js";
import type { Payload } from "../../../engine/replication/protocol.js";
import type { Execution } from "../../../engine/state/state-machine.js";
import { TxnMachine } from "../../../engine/state/txn-machine.js";
import { Table } from "../../../engine/table.js";
import type { TxnPayload } from "../../../engine/txn/mvcc-store.js";
import type { TxnMicroOp } from "../../../engine/txn/transactions.js";

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

function node() {
  const storage = new NodeStorage(new Table({ fieldCount: 1, fanout: 8 }));
  const events: EngineEvent[] = [];
  const machine = new TxnMachine(storage, { isolation: "serializable", timeout_us: 10_000_000 }, 1, (event) =>
    events.push(event),
  );
  const x = execution();
  const send = (txn: number, mops: readonly TxnMicroOp[], commit: boolean, two_phase?: TwoPhaseStep) => {
    const req: RequestOf<"txn"> = {
      kind: "req",
      digest: 0,
      id: 1,
      min_lsn: 0,
      require_leader: true,
      op: "txn",
      txn,
      mops,
      commit,
      ...(two_phase === undefined ? {} : { two_phase }),
    };
    return machine.execute(req, x) as TxnResponse;
  };
  return { storage, machine, x, events, send };
}

const prepare = (gtid: number): TwoPhaseStep => ({ step: "prepare", gtid });

describe("two-phase commit's participant", () => {
  it("prepares: logs a prepare record, installs nothing, and holds its keys until the decision", () => {
    const { storage, x, events, send } = node();
    x.now_us = 1_000;
    const prepared = send(
      0,
      [
        ["append", "a", 1],
        ["r", "b", null],
      ],
      false,
      prepare(7),
    );
    expect(prepared).toMatchObject({
      status: "ok",
      lsn: 1,
      mops: [
        ["append", "a", 1],
        ["r", "b", null],
      ],
    });
    expect(x.logged).toEqual([
      {
        kind: "txn",
        effects: [["append", "a", 1]],
        two_phase: { step: "prepare", gtid: 7, reads: ["b"], prepared_us: 1_000 },
      },
    ]);
    expect(storage.txn.latest("a")).toBeNull();
    // Held: its written key may be neither read nor written, its read key not written.
    expect(send(0, [["append", "a", 2]], true).status).toBe("prepared");
    expect(send(0, [["r", "a", null]], true).status).toBe("prepared");
    expect(send(0, [["append", "b", 3]], true).status).toBe("prepared");
    const interactive = send(0, [["append", "b", 4]], false);
    expect(send(interactive.txn, [], true).status).toBe("prepared");
    // Not held: another key, and reading what it only read.
    expect(send(0, [["r", "b", null]], true).status).toBe("ok");
    expect(send(0, [["append", "c", 5]], true).status).toBe("ok");

    x.now_us = 4_000;
    expect(send(0, [], false, { step: "commit", gtid: 7 })).toMatchObject({ status: "ok", lsn: 3 });
    expect(x.logged[2]).toEqual({ kind: "txn", effects: [], two_phase: { step: "commit", gtid: 7 } });
    expect(storage.txn.latest("a")).toEqual([1]);
    expect(events).toEqual([
      { type: "txn_decided", node: 1, decision: "commit", blocked_us: 3_000, keys: 2 },
    ]);
    // Released.
    expect(send(0, [["append", "a", 6]], true).status).toBe("ok");
    expect(storage.txn.latest("a")).toEqual([1, 6]);
  });

  it("aborts: releases the keys without effect; a decision for a transaction not prepared here logs nothing", () => {
    const { storage, x, send } = node();
    send(0, [["append", "a", 1]], false, prepare(7));
    expect(send(0, [], false, { step: "abort", gtid: 7 }).status).toBe("ok");
    expect(storage.txn.latest("a")).toBeNull();
    expect(send(0, [["append", "a", 2]], true).status).toBe("ok");
    const logged = x.logged.length;
    expect(send(0, [], false, { step: "commit", gtid: 7 })).toMatchObject({ status: "ok", lsn: 0 });
    expect(send(0, [], false, { step: "abort", gtid: 99 })).toMatchObject({ status: "ok", lsn: 0 });
    expect(x.logged).toHaveLength(logged);
  });

  it("refuses a prepare arriving after its abort; answers a repeated prepare without logging again", () => {
    const { storage, x, send } = node();
    send(0, [], false, { step: "abort", gtid: 7 }); // the coordinator heard nothing in time
    expect(send(0, [["append", "a", 1]], false, prepare(7)).status).toBe("unknown_txn");
    expect(storage.txn.prepared.size).toBe(0);
    expect(send(0, [["append", "a", 2]], false, prepare(8)).status).toBe("ok");
    const logged = x.logged.length;
    expect(send(0, [["append", "a", 2]], false, prepare(8))).toMatchObject({ status: "ok", lsn: 0 });
    expect(x.logged).toHaveLength(logged);
    expect(storage.txn.prepared.gtids()).toEqual([8]);
  });

  it("validates at prepare as at commit: a refused prepare holds nothing", () => {
    const { storage, send } = node();
    const reader = send(0, [["r", "a", null]], false);
    send(0, [["append", "a", 1]], true);
    const refused = send(reader.txn, [["append", "b", 2]], false, prepare(7));
    expect(refused.status).toBe("validation");
    expect(storage.txn.prepared.size).toBe(0);
    expect(send(0, [["append", "b", 3]], true).status).toBe("ok");
  });

  it("answers in_doubt with the transactions prepared here, in prepare order", () => {
    const { send } = node();
    send(0, [["append", "a", 1]], false, prepare(9));
    send(0, [["append", "b", 2]], false, prepare(4));
    expect(send(0, [], false, { step: "in_doubt", gtid: 0 }).in_doubt).toEqual([9, 4]);
  });

  it("replicates: a replica applying the log holds the same keys; undo and snapshots keep them", () => {
    const { machine, x, send } = node();
    send(0, [["append", "a", 1]], false, prepare(7));
    const replica = new NodeStorage(new Table({ fieldCount: 1, fanout: 8 }));
    const follower = new TxnMachine(replica, { isolation: "serializable", timeout_us: 10_000_000 }, 2);
    const undoPrepare = follower.apply(x.logged[0] as TxnPayload);
    expect(replica.txn.prepared.writeHeld("a")).toBe(true);
    const copy = follower.snapshot();
    follower.undo(x.logged[0] as TxnPayload, undoPrepare);
    expect(replica.txn.prepared.size).toBe(0);
    follower.restore(copy);
    expect(replica.txn.prepared.gtids()).toEqual([7]);

    send(0, [], false, { step: "commit", gtid: 7 });
    const commit = x.logged[1] as TxnPayload;
    const undoCommit = follower.apply(commit);
    expect(replica.txn.latest("a")).toEqual([1]);
    follower.undo(commit, undoCommit);
    expect(replica.txn.latest("a")).toBeNull();
    expect(replica.txn.prepared.writeHeld("a")).toBe(true);
    expect(machine.snapshot().prepared.size).toBe(0);
  });
});
