// Jepsen's bank workload: accounts holding balances, clients transferring random amounts between
// two of them and reading every balance at once. Money is neither made nor destroyed, so every read
// must sum to the same total, and no balance may go negative (the bank checker).
//
// A transfer is done one of two ways (`transfer`):
// - `transaction`: one atomic request; the node checks the balance and writes both accounts in one
//   log entry, so replicas apply and undo it whole;
// - `read_then_write`: what a client without transactions does: read both balances, then write the
//   two new ones. Concurrent transfers overwrite each other's updates, and one cut short after its
//   first write leaves money missing: the checker should catch both.

import { okResponse, type RecordValue, type Response, valueRead } from "../../../engine/protocol.js";
import type { Rng } from "../../../sim/rng.js";
import type { ClientOperation, ClientWorkload, NextStep, RequestPlan } from "../../client/client-workload.js";
import type { BankConfig } from "./settings.js";

/** A bank operation's detail, as its history records it: the transfer asked for, or the balances a read saw. */
export type BankData =
  | { readonly f: "transfer"; readonly from: string; readonly to: string; readonly amount: number }
  | { readonly f: "read"; readonly balances: readonly RecordValue[] | null };

export const BANK_TRANSFER_MODES = ["transaction", "read_then_write"] as const;

export interface BankOperation extends ClientOperation {
  readonly kind: "read" | "transfer";
  readonly from: string;
  readonly to: string;
  readonly amount: number;
  /** read_then_write: the balances its reads saw. */
  fromBalance: number;
  toBalance: number;
  /** A read's result, once it has one. */
  balances: readonly RecordValue[] | null;
}

/** Accounts' records are named acct0, acct1, ... zero-padded so that key order is account order. */
export function accountKeys(accounts: number): string[] {
  const width = String(accounts - 1).length;
  return Array.from({ length: accounts }, (_, i) => `acct${String(i).padStart(width, "0")}`);
}

export class BankWorkload implements ClientWorkload<BankOperation> {
  readonly uniqueWrites = false;
  readonly config: BankConfig;
  readonly keys: readonly string[];
  private readonly choice: Rng;
  private readonly account: Rng;
  private readonly amount: Rng;

  constructor(config: BankConfig, rng: Rng) {
    if (!(Number.isInteger(config.accounts) && config.accounts >= 2)) {
      throw new RangeError(`bank accounts must be an integer >= 2, got ${config.accounts}`);
    }
    if (!(Number.isInteger(config.max_transfer) && config.max_transfer >= 1)) {
      throw new RangeError(`bank max_transfer must be an integer >= 1, got ${config.max_transfer}`);
    }
    this.config = config;
    this.keys = accountKeys(config.accounts);
    this.choice = rng.split("op");
    this.account = rng.split("account");
    this.amount = rng.split("amount");
  }

  /** Money in the bank: what every read must sum to. */
  get total(): number {
    return this.config.accounts * this.config.initial_balance;
  }

  next(_now_us = 0): BankOperation {
    const read = this.choice.float() < this.config.read_fraction;
    if (read) return operation("read", "", "", 0);
    const n = this.config.accounts;
    const from = this.account.int(n);
    const to = (from + 1 + this.account.int(n - 1)) % n; // any account but `from`
    return operation(
      "transfer",
      this.keys[from] as string,
      this.keys[to] as string,
      this.amount.intBetween(1, this.config.max_transfer),
    );
  }

  first(op: BankOperation): RequestPlan {
    if (op.kind === "read")
      return { op: "read_all", key: this.keys[0] as string, limit: this.config.accounts };
    if (this.config.transfer === "transaction") {
      return { op: "transfer", key: op.from, to_key: op.to, amount: op.amount };
    }
    return { op: "read", key: op.from };
  }

  after(op: BankOperation, step: number, response: Response): NextStep {
    if (op.kind === "read") {
      op.balances = okResponse(response, "read_all").records;
      return null;
    }
    if (this.config.transfer === "transaction") return null;
    switch (step) {
      case 0:
        op.fromBalance = valueRead(response) ?? 0;
        return { op: "read", key: op.to };
      case 1:
        op.toBalance = valueRead(response) ?? 0;
        if (op.fromBalance < op.amount) return { fail: "insufficient_funds" };
        return balance(op.from, op.fromBalance - op.amount);
      case 2:
        return balance(op.to, op.toBalance + op.amount);
      default:
        return null;
    }
  }

  finished(): void {}

  detail(op: BankOperation): BankData {
    return op.kind === "read"
      ? { f: "read", balances: op.balances }
      : { f: "transfer", from: op.from, to: op.to, amount: op.amount };
  }
}

function operation(kind: "read" | "transfer", from: string, to: string, amount: number): BankOperation {
  return { kind, key: "", from, to, amount, fromBalance: 0, toBalance: 0, balances: null };
}

/** Writes an account's new balance (every field of its record). */
function balance(key: string, value: number): RequestPlan {
  return { op: "update", key, field: -1, value };
}
