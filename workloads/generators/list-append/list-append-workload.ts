// Elle's list-append and rw-register workloads: transactions of reads of a key and writes to it, an
// append of an element to its list (list-append) or a write of its register (rw-register), each
// value unique (a run-wide counter), so every read names the write it saw and the transaction
// checker can infer the order of transactions (workloads/checkers/transactions/). One-shot (the
// transaction in one request) or interactive (one request per micro-operation, the last
// committing), which is what lets transactions overlap on the node.

import { okResponse, type Response } from "../../../engine/protocol.js";
import { us } from "../../../engine/settings/fields.js";
import { ABORT_REASONS, type TxnMicroOp } from "../../../engine/txn/transactions.js";
import type { Rng } from "../../../sim/rng.js";
import type { ClientOperation, ClientWorkload, NextStep, RequestPlan } from "../../client/client-workload.js";
import { RetryPolicy } from "../../client/retries.js";
import { type NumberGenerator, UniformLongGenerator, ZipfianGenerator } from "../ycsb/generators.js";
import type { ElleWorkloadConfig, ElleWorkloadType } from "./settings.js";

export interface TxnOperation extends ClientOperation {
  readonly kind: "txn";
  /** As invoked: reads with value null. */
  readonly mops: readonly TxnMicroOp[];
  /** What each statement answered, in order (complete once it committed). */
  readonly results: TxnMicroOp[];
  /** Its commit's time at the leader (queue and CPU work, where validation runs); null until it commits. */
  validation_us: number | null;
  /** The transaction open on the node (0: none yet). */
  txn: number;
}

/** A transaction's detail, as its history records it: as invoked, and as completed (null: not ok). */
export interface TxnData {
  readonly invoked: readonly TxnMicroOp[];
  readonly completed: readonly TxnMicroOp[] | null;
  /** TxnOperation.validation_us (null: not committed). */
  readonly validation_us: number | null;
}

export class ElleWorkload implements ClientWorkload<TxnOperation> {
  readonly uniqueWrites = false;
  /** A statement before the commit cannot commit: when it times out, the transaction failed. */
  readonly readTimeoutsFail = true;
  private readonly config: ElleWorkloadConfig;
  /** A write's micro-operation: `append` (list-append) or `w` (rw-register). */
  private readonly write: "append" | "w";
  private readonly retries: RetryPolicy;
  private readonly length: Rng;
  private readonly choice: Rng;
  /** Picks a place among the keys in use. */
  private readonly keys: NumberGenerator;
  /** The key in use at each place, and the writes it took. */
  private readonly keyAt: number[];
  private readonly writesAt: number[];
  private lastKey: number;
  private lastValue = 0;

  constructor(type: ElleWorkloadType, config: ElleWorkloadConfig, rng: Rng) {
    if (config.max_txn_length < config.min_txn_length) {
      throw new RangeError(
        `${type} max_txn_length (${config.max_txn_length}) must be >= min_txn_length (${config.min_txn_length})`,
      );
    }
    this.config = config;
    this.write = type === "list-append" ? "append" : "w";
    this.length = rng.split("length");
    this.choice = rng.split("op");
    const key = rng.split("key");
    this.keys =
      config.key_distribution === "zipfian"
        ? new ZipfianGenerator(key, 0, config.key_count - 1)
        : new UniformLongGenerator(key, 0, config.key_count - 1);
    this.keyAt = Array.from({ length: config.key_count }, (_, i) => i);
    this.writesAt = new Array<number>(config.key_count).fill(0);
    this.lastKey = config.key_count - 1;
    this.retries = new RetryPolicy(
      { retries: config.retries, backoff_us: us(config.backoff) },
      rng.split("backoff"),
    );
  }

  next(_now_us = 0): TxnOperation {
    const { min_txn_length, max_txn_length, read_fraction } = this.config;
    const length = this.length.intBetween(min_txn_length, max_txn_length);
    const mops = Array.from({ length }, (): TxnMicroOp => {
      const place = this.keys.next();
      const key = String(this.keyAt[place]);
      if (this.choice.float() < read_fraction) return ["r", key, null];
      this.retireWhenFull(place);
      return [this.write, key, ++this.lastValue];
    });
    return { kind: "txn", key: "", mops, results: [], validation_us: null, txn: 0 };
  }

  /** Counts a write at `place`; its key's last one gives the place to a new key (later transactions'). */
  private retireWhenFull(place: number): void {
    const writes = (this.writesAt[place] as number) + 1;
    if (writes < this.config.max_writes_per_key) {
      this.writesAt[place] = writes;
      return;
    }
    this.keyAt[place] = ++this.lastKey;
    this.writesAt[place] = 0;
  }

  first(op: TxnOperation): RequestPlan {
    return this.config.interactive ? statement(op, 0, 0) : { op: "txn", txn: 0, mops: op.mops, commit: true };
  }

  after(op: TxnOperation, step: number, response: Response): NextStep {
    const answer = okResponse(response, "txn");
    op.results.push(...answer.mops);
    op.txn = answer.txn;
    if (op.results.length < op.mops.length) return statement(op, step + 1, answer.txn);
    op.validation_us = commitTime_us(response);
    return null;
  }

  finished(): void {}

  /** An aborted transaction runs again (same reads and keys; fresh values, as writes must be unique). */
  retry(op: TxnOperation, error: string, attempt: number): { op: TxnOperation; after_us: number } | null {
    if (!ABORTS.has(error)) return null;
    const after_us = this.retries.delay_us(attempt);
    if (after_us === null) return null;
    const mops = op.mops.map(
      (mop): TxnMicroOp => (mop[0] === "r" ? mop : [mop[0], mop[1], ++this.lastValue]),
    );
    return { op: { kind: "txn", key: "", mops, results: [], validation_us: null, txn: 0 }, after_us };
  }

  abandoned(op: TxnOperation): RequestPlan | null {
    return abortOf(op.txn);
  }

  detail(op: TxnOperation, ended: { readonly result: string }): TxnData {
    const ok = ended.result === "ok";
    return {
      invoked: op.mops,
      completed: ok ? op.results : null,
      validation_us: ok ? op.validation_us : null,
    };
  }
}

/** Why a transaction definitely did not commit: the node aborted it (a client timeout before the commit is `timeout` too). */
const ABORTS: ReadonlySet<string> = new Set(ABORT_REASONS);

/** The statement ending open transaction `txn` without effect (null: none is open). */
export function abortOf(txn: number): RequestPlan | null {
  return txn === 0 ? null : { op: "txn", txn, mops: [], commit: false, abort: true };
}

/** Statement `n` of an interactive transaction: its micro-operation n, committing with the last. */
function statement(op: TxnOperation, n: number, txn: number): RequestPlan {
  return { op: "txn", txn, mops: [op.mops[n] as TxnMicroOp], commit: n === op.mops.length - 1 };
}

/** A commit's time at the leader until its validation's verdict: its queue wait and CPU work. */
export function commitTime_us(response: Response): number {
  return response.queue_us + response.service_us;
}
