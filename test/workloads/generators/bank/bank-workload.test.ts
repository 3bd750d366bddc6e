import { describe, expect, it } from "vitest";
import type { Response } from "../../../../engine/protocol.js";
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
      expect(op.from).not.toBe(op.to);
      expect(bank.keys).toContain(op.from);
      expect(bank.keys).toContain(op.to);
      amounts.add(op.amount);
    }
    expect([...amounts].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(reads / n).toBeGreaterThan(0.28);
    expect(reads / n).toBeLessThan(0.32);
  });

  it("is deterministic for a seed", () => {
    const a = new BankWorkload(CONFIG, Rng.fromSeed(3));
    const b = new BankWorkload(CONFIG, Rng.fromSeed(3));
    for (let i = 0; i < 100; i++) expect(a.next()).toEqual(b.next());
  });

  it("a transaction is one transfer request; a read is one read of every account", () => {
    const bank = new BankWorkload({ ...CONFIG, read_fraction: 0 }, Rng.fromSeed(1));
    const transfer = bank.next();
    expect(bank.first(transfer)).toMatchObject({
      op: "transfer",
      key: transfer.from,
      to_key: transfer.to,
      amount: transfer.amount,
    });
    expect(bank.after(transfer, 0, ok("transfer"))).toBeNull();
    expect(bank.detail(transfer)).toEqual({
      f: "transfer",
      from: transfer.from,
      to: transfer.to,
      amount: transfer.amount,
    });

    const reader = new BankWorkload({ ...CONFIG, read_fraction: 1 }, Rng.fromSeed(1));
    const read = reader.next();
    expect(reader.first(read)).toMatchObject({ op: "read_all", key: "acct00", limit: 12 });
    const records = [{ key: "acct00", value: 100 }];
    expect(reader.after(read, 0, ok("read_all", { records }))).toBeNull();
    expect(reader.detail(read)).toEqual({ f: "read", balances: records });
  });

  it("read_then_write reads both balances, then writes both, or fails when funds are short", () => {
    const bank = new BankWorkload(
      { ...CONFIG, read_fraction: 0, transfer: "read_then_write" },
      Rng.fromSeed(2),
    );
    const op = bank.next();
    expect(bank.first(op)).toMatchObject({ op: "read", key: op.from });
    expect(bank.after(op, 0, ok("read", { value: 50 }))).toMatchObject({ op: "read", key: op.to });
    expect(bank.after(op, 1, ok("read", { value: 20 }))).toMatchObject({
      op: "update",
      key: op.from,
      value: 50 - op.amount,
    });
    expect(bank.after(op, 2, ok("update"))).toMatchObject({
      op: "update",
      key: op.to,
      value: 20 + op.amount,
    });
    expect(bank.after(op, 3, ok("update"))).toBeNull();

    const poor = bank.next();
    bank.first(poor);
    bank.after(poor, 0, ok("read", { value: 0 }));
    expect(bank.after(poor, 1, ok("read", { value: 100 }))).toEqual({ fail: "insufficient_funds" });
  });

  it("refuses fewer than two accounts", () => {
    expect(() => new BankWorkload({ ...CONFIG, accounts: 1 }, Rng.fromSeed(1))).toThrow(/accounts/);
  });
});
