// SmallBank (Alomari, Cahill, Fekete and Röhm, "The Cost of Serializability on Platforms That Use
// Snapshot Isolation", ICDE 2008), the contended OLTP workload of the transactions' figure: each
// customer has a checking and a savings balance (registers `c<n>`, `s<n>`, starting at
// INITIAL_BALANCE: a never-written key reads null); six transaction types, each two statements of
// one transaction: its reads, then its writes computed from what they read, committing (Balance
// reads only: one statement). Contention comes from a hot set of accounts that a share of the picks
// goes to. WriteCheck reads both balances and writes one: snapshot isolation's write skew.

import { okResponse, type Response } from "../../../engine/protocol.js";
import type { TxnMicroOp } from "../../../engine/txn/transactions.js";
import type { Rng } from "../../../sim/rng.js";
import type { ClientWorkload, NextStep, RequestPlan } from "../../client/client-workload.js";
import { commitTime_us, type TxnData, type TxnOperation } from "../list-append/list-append-workload.js";
import type { SmallbankConfig } from "./settings.js";

/** What a balance holds before its first write. */
export const INITIAL_BALANCE = 10_000;
/** What a deposit, a savings transaction, a check and a payment move; a bounced check's penalty. */
const AMOUNT = 10;
const OVERDRAFT_PENALTY = 1;

/** The transaction types, with their share of the mix (OLTPBench's defaults). */
export const SMALLBANK_MIX = [
  ["amalgamate", 0.15],
  ["balance", 0.15],
  ["deposit-checking", 0.15],
  ["send-payment", 0.25],
  ["transact-savings", 0.15],
  ["write-check", 0.15],
] as const;
export type SmallbankTxn = (typeof SMALLBANK_MIX)[number][0];

export interface SmallbankOperation extends TxnOperation {
  readonly type: SmallbankTxn;
  /** The first account, and the second one (amalgamate, send-payment; else the first). */
  readonly a: number;
  readonly b: number;
  /** Its writes, once its reads answered (empty before, and for balance). */
  writes: readonly TxnMicroOp[];
}

const checking = (account: number) => `c${account}`;
const savings = (account: number) => `s${account}`;

export class SmallbankWorkload implements ClientWorkload<SmallbankOperation> {
  readonly uniqueWrites = false;
  private readonly config: SmallbankConfig;
  private readonly pick: Rng;
  private readonly type: Rng;

  constructor(config: SmallbankConfig, rng: Rng) {
    if (config.hot_accounts > config.accounts) {
      throw new RangeError(
        `smallbank hot_accounts (${config.hot_accounts}) must be <= accounts (${config.accounts})`,
      );
    }
    this.config = config;
    this.pick = rng.split("account");
    this.type = rng.split("type");
  }

  next(_now_us = 0): SmallbankOperation {
    const type = this.pickType();
    const a = this.pickAccount();
    let b = a;
    if (type === "amalgamate" || type === "send-payment") {
      b = this.pickAccount();
      // The next account when it drew the same (a hot set of one would never draw another).
      if (b === a) b = (a + 1) % this.config.accounts;
    }
    const mops = reads(type, a, b);
    return { kind: "txn", key: "", type, a, b, mops, writes: [], results: [], validation_us: null, txn: 0 };
  }

  private pickType(): SmallbankTxn {
    let u = this.type.float();
    for (const [type, share] of SMALLBANK_MIX) {
      u -= share;
      if (u < 0) return type;
    }
    return "write-check"; // rounding: the shares sum to 1
  }

  private pickAccount(): number {
    const { accounts, hot_accounts, hot_fraction } = this.config;
    const hot = this.pick.float() < hot_fraction;
    return this.pick.intBetween(0, (hot ? hot_accounts : accounts) - 1);
  }

  first(op: SmallbankOperation): RequestPlan {
    return { op: "txn", txn: 0, mops: op.mops, commit: op.type === "balance" };
  }

  after(op: SmallbankOperation, step: number, response: Response): NextStep {
    const answer = okResponse(response, "txn");
    op.results.push(...answer.mops);
    if (step > 0 || op.type === "balance") {
      op.validation_us = commitTime_us(response);
      return null;
    }
    op.writes = writes(op, balances(answer.mops));
    return { op: "txn", txn: answer.txn, mops: op.writes, commit: true };
  }

  finished(): void {}

  detail(op: SmallbankOperation, ended: { readonly result: string }): TxnData {
    const ok = ended.result === "ok";
    return {
      invoked: [...op.mops, ...op.writes],
      completed: ok ? op.results : null,
      validation_us: ok ? op.validation_us : null,
    };
  }
}

/** A transaction's first statement: the balances it reads. */
function reads(type: SmallbankTxn, a: number, b: number): TxnMicroOp[] {
  const keys =
    type === "amalgamate"
      ? [checking(a), savings(a), checking(b)]
      : type === "balance" || type === "write-check"
        ? [checking(a), savings(a)]
        : type === "send-payment"
          ? [checking(a), checking(b)]
          : type === "transact-savings"
            ? [savings(a)]
            : [checking(a)];
  return keys.map((key): TxnMicroOp => ["r", key, null]);
}

/** What the reads answered, by key (a never-written balance holds INITIAL_BALANCE). */
function balances(mops: readonly TxnMicroOp[]): Map<string, number> {
  return new Map(mops.map(([, key, value]) => [key, typeof value === "number" ? value : INITIAL_BALANCE]));
}

/** A transaction's second statement: its writes, from the balances it read. */
function writes(op: SmallbankOperation, read: ReadonlyMap<string, number>): TxnMicroOp[] {
  const { a, b } = op;
  const balance = (key: string) => read.get(key) as number;
  switch (op.type) {
    case "amalgamate":
      return [
        ["w", checking(a), 0],
        ["w", savings(a), 0],
        ["w", checking(b), balance(checking(b)) + balance(checking(a)) + balance(savings(a))],
      ];
    case "deposit-checking":
      return [["w", checking(a), balance(checking(a)) + AMOUNT]];
    case "transact-savings":
      return [["w", savings(a), balance(savings(a)) + AMOUNT]];
    case "write-check": {
      const total = balance(checking(a)) + balance(savings(a));
      return [["w", checking(a), balance(checking(a)) - AMOUNT - (total < AMOUNT ? OVERDRAFT_PENALTY : 0)]];
    }
    case "send-payment":
      return [
        ["w", checking(a), balance(checking(a)) - AMOUNT],
        ["w", checking(b), balance(checking(b)) + AMOUNT],
      ];
    case "balance":
      return [];
  }
}
