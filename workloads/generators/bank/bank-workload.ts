// Jepsen's bank workload: accounts holding balances, clients transferring random amounts between
// them and reading every balance at once. Money is neither made nor destroyed, so every read must
// sum to the same total, and no balance may go negative (the bank checker).
//
// A transfer moves `amount` from one account to each of `accounts_per_transfer - 1` others, one of
// two ways (`transfer`):
// - `transaction`: a transaction on the nodes' transactional keys (engine/txn/, under
//   `cluster.transactions.isolation`): a statement reading every balance it touches, then one
//   writing the new balances and committing (or, short of money, one aborting it). A read of every
//   balance is a one-shot read-only transaction. Under snapshot isolation or serializable, two
//   concurrent transfers from one account cannot both commit; under read committed they can (a
//   lost update);
// - `read_then_write`: what a client without transactions does: read each balance, then write each
//   new one, on the table's records. Concurrent transfers overwrite each other's updates, and one
//   cut short after its first write leaves money missing: the checker should catch both.

import {
  okResponse,
  type RecordValue,
  type Response,
  type TxnSpec,
  valueRead,
} from "../../../engine/protocol.js";
import type { TxnMicroOp } from "../../../engine/txn/transactions.js";
import type { Rng } from "../../../sim/rng.js";
import type { ClientOperation, ClientWorkload, NextStep, RequestPlan } from "../../client/client-workload.js";
import { abortOf } from "../list-append/list-append-workload.js";
import type { BankConfig } from "./settings.js";

/** A bank operation's detail, as its history records it: the transfer asked for, or the balances a read saw. */
export type BankData =
  | {
      readonly f: "transfer";
      readonly from: string;
      /** One account (a transfer between two), or each account credited. */
      readonly to: string | readonly string[];
      readonly amount: number;
    }
  | { readonly f: "read"; readonly balances: readonly RecordValue[] | null };

/** A transfer's accounts when `accounts_per_transfer` is not given: one pays, one is paid. */
export const ACCOUNTS_PER_TRANSFER = 2;

export const BANK_TRANSFER_MODES = ["transaction", "read_then_write"] as const;

export interface BankOperation extends ClientOperation {
  readonly kind: "read" | "transfer";
  /** The account debited (amount x to.length), and those credited (amount each). */
  readonly from: string;
  readonly to: readonly string[];
  readonly amount: number;
  /** The balances its reads saw, of from then each of to, in order. */
  readonly seen: number[];
  /** A read's result, once it has one. */
  balances: readonly RecordValue[] | null;
  /** A transfer's transaction open on the node (0: none yet). */
  txn: number;
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
    const perTransfer = config.accounts_per_transfer ?? ACCOUNTS_PER_TRANSFER;
    if (!(Number.isInteger(perTransfer) && perTransfer >= 2 && perTransfer <= config.accounts)) {
      throw new RangeError(
        `bank accounts_per_transfer must be an integer in [2, accounts (${config.accounts})], got ${perTransfer}`,
      );
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
    if (read) return operation("read", "", [], 0);
    const n = this.config.accounts;
    const from = this.account.int(n);
    const to = this.credited(from);
    return operation(
      "transfer",
      this.keys[from] as string,
      to.map((i) => this.keys[i] as string),
      this.amount.intBetween(1, this.config.max_transfer),
    );
  }

  /** accounts_per_transfer - 1 accounts, distinct and none of them `from`. */
  private credited(from: number): number[] {
    const n = this.config.accounts;
    const count = (this.config.accounts_per_transfer ?? ACCOUNTS_PER_TRANSFER) - 1;
    if (count === 1) return [(from + 1 + this.account.int(n - 1)) % n]; // any account but `from`
    // A partial Fisher-Yates shuffle of the other accounts.
    const others = Array.from({ length: n - 1 }, (_, i) => (from + 1 + i) % n);
    for (let i = 0; i < count; i++) {
      const j = i + this.account.int(others.length - i);
      [others[i], others[j]] = [others[j] as number, others[i] as number];
    }
    return others.slice(0, count);
  }

  first(op: BankOperation): RequestPlan {
    const transactions = this.config.transfer === "transaction";
    if (op.kind === "read")
      return transactions
        ? readTxn(0, this.keys, true)
        : { op: "read_all", key: this.keys[0] as string, limit: this.config.accounts };
    return transactions ? readTxn(0, [op.from, ...op.to], false) : { op: "read", key: op.from };
  }

  after(op: BankOperation, step: number, response: Response): NextStep {
    if (this.config.transfer === "transaction") return this.afterTxn(op, step, response);
    if (op.kind === "read") {
      op.balances = okResponse(response, "read_all").records;
      return null;
    }
    // Reads of from and each of to, then writes of each new balance, one request each.
    const accounts = [op.from, ...op.to];
    if (step < accounts.length) {
      op.seen.push(valueRead(response) ?? 0);
      if (step + 1 < accounts.length) return { op: "read", key: accounts[step + 1] as string };
      if (short(op)) return { fail: "insufficient_funds" };
    }
    const write = step + 1 - accounts.length;
    if (write >= accounts.length) return null;
    return balance(accounts[write] as string, newBalances(op)[write] as number);
  }

  /** A transaction's statements: read the balances, then write them and commit, or abort when short. */
  private afterTxn(op: BankOperation, step: number, response: Response): NextStep {
    const answer = okResponse(response, "txn");
    if (op.kind === "read") {
      op.balances = answer.mops.map(([, key, value]) => ({ key, value: value as number }));
      return null;
    }
    if (step === 0) {
      op.txn = answer.txn;
      for (const [, , value] of answer.mops) op.seen.push(value as number);
      if (short(op)) return abortOf(op.txn);
      const balances = newBalances(op);
      const writes = [op.from, ...op.to].map((key, i): TxnMicroOp => ["w", key, balances[i] as number]);
      return { op: "txn", txn: answer.txn, mops: writes, commit: true };
    }
    return short(op) ? { fail: "insufficient_funds" } : null;
  }

  finished(): void {}

  abandoned(op: BankOperation): RequestPlan | null {
    return abortOf(op.txn);
  }

  detail(op: BankOperation): BankData {
    return op.kind === "read"
      ? { f: "read", balances: op.balances }
      : {
          f: "transfer",
          from: op.from,
          to: op.to.length === 1 ? (op.to[0] as string) : op.to,
          amount: op.amount,
        };
  }
}

function operation(
  kind: "read" | "transfer",
  from: string,
  to: readonly string[],
  amount: number,
): BankOperation {
  return { kind, key: "", from, to, amount, seen: [], balances: null, txn: 0 };
}

/** A statement reading `keys`: a transfer's first (begins, commits later) or a read of every balance (one-shot). */
function readTxn(txn: number, keys: readonly string[], commit: boolean): TxnSpec {
  return { op: "txn", txn, mops: keys.map((key): TxnMicroOp => ["r", key, null]), commit };
}

/** Whether the debited account's balance, as read, is short of the transfer. */
function short(op: BankOperation): boolean {
  return (op.seen[0] as number) < op.amount * op.to.length;
}

/** The balances after the transfer, of from then each of to, from those read. */
function newBalances(op: BankOperation): number[] {
  return op.seen.map((seen, i) => (i === 0 ? seen - op.amount * op.to.length : seen + op.amount));
}

/** Writes an account's new balance (every field of its record). */
function balance(key: string, value: number): RequestPlan {
  return { op: "update", key, field: -1, value };
}
