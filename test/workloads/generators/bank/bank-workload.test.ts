import { describe, expect, it } from "vitest";
import type { Response, TxnResponse } from "../../../../engine/protocol.js";
import type { TxnMicroOp } from "../../../../engine/txn/transactions.js";
import { Rng } from "../../../../sim/rng.js";
import { accountKeys, BankWorkload } from "../../../../workloads/generators/bank/bank-workload.js";
import type { BankConfig } from "../../../../workloads/generators/bank/settings.js";

const CONFIG: BankConfig = {
  accounts: 12,
  initial_balance: 100,
  max_transfer: 5,
  read_fraction: 0.3,
  transfer: "transaction",
};

/** An `ok` answer to a txn statement: what it read, the open transaction's id. */
function txnOk(mops: readonly TxnMicroOp[], txn: number): Response {
  return { op: "txn", status: "ok", mops, txn } as Partial<TxnResponse> as Response;
}

/** An `ok` answer to a request of `op` (only what the bank reads of it). */
function ok(op: Response["op"], fields: { value?: number; records?: unknown } = {}): Response {
  return { op, status: "ok", ...fields } as Response;
}

describe("BankWorkload", () => {
  it("names accounts so that key order is account order", () => {
    expect(accountKeys(3)).toEqual(["acct0", "acct1", "acct2"]);
    const keys = accountKeys(12);
    expect(keys[10]).toBe("acct10");
    expect([...keys].sort()).toEqual(keys);
  });

  it("transfers 1..max_transfer between two different accounts, and reads at read_fraction", () => {
    const bank = new BankWorkload(CONFIG, Rng.fromSeed(7));
    let reads = 0;
    const amounts = new Set<number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const op = bank.next();
      if (op.kind === "read") {
        reads++;
        continue;
      }
      expect(op.to).toHaveLength(1);
      expect(op.to).not.toContain(op.from);
      expect(bank.keys).toContain(op.from);
      expect(bank.keys).toContain(op.to[0]);
      amounts.add(op.amount);
    }
    expect([...amounts].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(reads / n).toBeGreaterThan(0.28);
    expect(reads / n).toBeLessThan(0.32);
  });

  it("accounts_per_transfer: the first account pays each of the others, all distinct", () => {
    const bank = new BankWorkload({ ...CONFIG, read_fraction: 0, accounts_per_transfer: 4 }, Rng.fromSeed(4));
    const credited = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const op = bank.next();
      expect(new Set([op.from, ...op.to]).size).toBe(4);
      for (const key of op.to) credited.add(key);
    }
    expect(credited.size).toBe(12);
    expect(() => new BankWorkload({ ...CONFIG, accounts_per_transfer: 13 }, Rng.fromSeed(1))).toThrow(
      /accounts_per_transfer/,
    );
  });

  it("is deterministic for a seed", () => {
    const a = new BankWorkload(CONFIG, Rng.fromSeed(3));
    const b = new BankWorkload(CONFIG, Rng.fromSeed(3));
    for (let i = 0; i < 100; i++) expect(a.next()).toEqual(b.next());
  });

  it("a transfer is a transaction: read the balances, then write them and commit", () => {
    const bank = new BankWorkload({ ...CONFIG, read_fraction: 0, accounts_per_transfer: 3 }, Rng.fromSeed(1));
    const transfer = bank.next();
    const [to1, to2] = transfer.to as [string, string];
    const reads: TxnMicroOp[] = [
      ["r", transfer.from, null],
      ["r", to1, null],
      ["r", to2, null],
    ];
    expect(bank.first(transfer)).toEqual({ op: "txn", txn: 0, mops: reads, commit: false });
    const seen = txnOk(
      [
        ["r", transfer.from, 50],
        ["r", to1, 7],
        ["r", to2, 0],
      ],
      9,
    );
    const a = transfer.amount;
    expect(bank.after(transfer, 0, seen)).toEqual({
      op: "txn",
      txn: 9,
      mops: [
        ["w", transfer.from, 50 - 2 * a],
        ["w", to1, 7 + a],
        ["w", to2, a],
      ],
      commit: true,
    });
    expect(bank.after(transfer, 1, txnOk([], 0))).toBeNull();
    expect(bank.detail(transfer)).toEqual({ f: "transfer", from: transfer.from, to: [to1, to2], amount: a });

    // Short of money: the transaction is aborted, and the transfer fails.
    const poor = bank.next();
    bank.first(poor);
    const broke = txnOk(
      [poor.from, ...poor.to].map((key, i): TxnMicroOp => ["r", key, i === 0 ? 1 : 100]),
      4,
    );
    expect(bank.after(poor, 0, broke)).toEqual({ op: "txn", txn: 4, mops: [], commit: false, abort: true });
    expect(bank.after(poor, 1, txnOk([], 0))).toEqual({ fail: "insufficient_funds" });
  });

  it("a read of every balance is a one-shot read-only transaction", () => {
    const reader = new BankWorkload({ ...CONFIG, accounts: 2, read_fraction: 1 }, Rng.fromSeed(1));
    const read = reader.next();
    expect(reader.first(read)).toEqual({
      op: "txn",
      txn: 0,
      mops: [
        ["r", "acct0", null],
        ["r", "acct1", null],
      ],
      commit: true,
    });
    const answer = txnOk(
      [
        ["r", "acct0", 90],
        ["r", "acct1", 110],
      ],
      0,
    );
    expect(reader.after(read, 0, answer)).toBeNull();
    expect(reader.detail(read)).toEqual({
      f: "read",
      balances: [
        { key: "acct0", value: 90 },
        { key: "acct1", value: 110 },
      ],
    });
  });

  it("read_then_write reads both balances, then writes both, or fails when funds are short", () => {
    const bank = new BankWorkload(
      { ...CONFIG, read_fraction: 0, transfer: "read_then_write" },
      Rng.fromSeed(2),
    );
    const op = bank.next();
    const to = op.to[0] as string;
    expect(bank.first(op)).toMatchObject({ op: "read", key: op.from });
    expect(bank.after(op, 0, ok("read", { value: 50 }))).toMatchObject({ op: "read", key: to });
    expect(bank.after(op, 1, ok("read", { value: 20 }))).toMatchObject({
      op: "update",
      key: op.from,
      value: 50 - op.amount,
    });
    expect(bank.after(op, 2, ok("update"))).toMatchObject({ op: "update", key: to, value: 20 + op.amount });
    expect(bank.after(op, 3, ok("update"))).toBeNull();
    expect(bank.detail(op)).toEqual({ f: "transfer", from: op.from, to, amount: op.amount });

    const poor = bank.next();
    bank.first(poor);
    bank.after(poor, 0, ok("read", { value: 0 }));
    expect(bank.after(poor, 1, ok("read", { value: 100 }))).toEqual({ fail: "insufficient_funds" });

    const reader = new BankWorkload(
      { ...CONFIG, read_fraction: 1, transfer: "read_then_write" },
      Rng.fromSeed(1),
    );
    const read = reader.next();
    expect(reader.first(read)).toMatchObject({ op: "read_all", key: "acct00", limit: 12 });
    const records = [{ key: "acct00", value: 100 }];
    expect(reader.after(read, 0, ok("read_all", { records }))).toBeNull();
    expect(reader.detail(read)).toEqual({ f: "read", balances: records });
  });

  it("refuses fewer than two accounts", () => {
    expect(() => new BankWorkload({ ...CONFIG, accounts: 1 }, Rng.fromSeed(1))).toThrow(/accounts/);
  });
});
