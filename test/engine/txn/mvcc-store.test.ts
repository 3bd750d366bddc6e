import { describe, expect, it } from "vitest";
import { MvccStore, type TxnPayload } from "../../../engine/txn/mvcc-store.js";

const txn = (...effects: TxnPayload["effects"]): TxnPayload => ({ kind: "txn", effects });

describe("MvccStore", () => {
  it("installs a commit's effects as versions at the next timestamp", () => {
    const store = new MvccStore();
    store.apply(txn(["append", "x", 1], ["w", "r", 7]), 0);
    store.apply(txn(["append", "x", 2], ["append", "x", 3]), 0);
    expect(store.clock).toBe(2);
    expect(store.latest("x")).toEqual([1, 2, 3]);
    expect(store.latest("r")).toBe(7);
    expect(store.latest("absent")).toBeNull();
    expect(store.lastWriteTs("x")).toBe(2);
    expect(store.lastWriteTs("r")).toBe(1);
  });

  it("reads as of a timestamp while the horizon keeps its versions", () => {
    const store = new MvccStore();
    store.apply(txn(["append", "x", 1]), 0);
    store.apply(txn(["append", "x", 2]), 1); // a snapshot at 1 is open
    store.apply(txn(["append", "x", 3]), 1);
    expect(store.asOf("x", 0)).toBeNull();
    expect(store.asOf("x", 1)).toEqual([1]);
    expect(store.asOf("x", 2)).toEqual([1, 2]);
    expect(store.versionCount("x")).toBe(3);
  });

  it("collects versions no open snapshot can read: one version per key at rest", () => {
    const store = new MvccStore();
    for (let i = 1; i <= 1000; i++) store.apply(txn(["w", "k", i]), Number.POSITIVE_INFINITY);
    expect(store.versionCount("k")).toBe(1);
    expect(store.latest("k")).toBe(1000);
  });

  it("undoes commits newest first, even when their predecessors were collected", () => {
    const store = new MvccStore();
    store.apply(txn(["append", "x", 1]), 0);
    const u2 = store.apply(txn(["append", "x", 2], ["w", "y", 5]), 1);
    const u3 = store.apply(txn(["append", "x", 3]), 3); // no snapshot open: collects x's older versions
    expect(store.versionCount("x")).toBe(1);
    store.undo(u3);
    expect(store.latest("x")).toEqual([1, 2]);
    store.undo(u2);
    expect(store.latest("x")).toEqual([1]);
    expect(store.latest("y")).toBeNull();
    expect(store.clock).toBe(1);
  });

  it("copies independently", () => {
    const store = new MvccStore();
    store.apply(txn(["append", "x", 1]), 0);
    const copy = store.copy();
    store.apply(txn(["append", "x", 2]), 1);
    expect(copy.latest("x")).toEqual([1]);
    expect(copy.clock).toBe(1);
  });
});
