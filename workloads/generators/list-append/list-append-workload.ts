// Elle's list-append workload: transactions of reads of a key's list and appends of an element to
// it, each element unique (a run-wide counter), so every read names the appends it saw and the
// transaction checker can infer the order of transactions (workloads/checkers/transactions/).
// One-shot (the transaction in one request) or interactive (one request per micro-operation, the
// last committing), which is what lets transactions overlap on the node.

import { okResponse, type Response } from "../../../engine/protocol.js";
import type { TxnMicroOp } from "../../../engine/txn/transactions.js";
import type { Rng } from "../../../sim/rng.js";
import type { ClientOperation, ClientWorkload, NextStep, RequestPlan } from "../../client/client-workload.js";
import { type NumberGenerator, UniformLongGenerator, ZipfianGenerator } from "../ycsb/generators.js";
import type { ListAppendConfig } from "./settings.js";

export interface TxnOperation extends ClientOperation {
  readonly kind: "txn";
  /** As invoked: reads with value null. */
  readonly mops: readonly TxnMicroOp[];
  /** What each statement answered, in order (complete once it committed). */
  readonly results: TxnMicroOp[];
  /** Its commit's time at the leader (queue and CPU work, where validation runs); null until it commits. */
  validation_us: number | null;
}

/** A transaction's detail, as its history records it: as invoked, and as completed (null: not ok). */
export interface TxnData {
  readonly invoked: readonly TxnMicroOp[];
  readonly completed: readonly TxnMicroOp[] | null;
  /** TxnOperation.validation_us (null: not committed). */
  readonly validation_us: number | null;
  /** Times a retrying client re-ran it after an abort (absent: the workload does not retry). */
  readonly retries?: number;
}

export class ListAppendWorkload implements ClientWorkload<TxnOperation> {
  readonly uniqueWrites = false;
  private readonly config: ListAppendConfig;
  private readonly length: Rng;
  private readonly choice: Rng;
  /** Picks a place among the keys in use. */
  private readonly keys: NumberGenerator;
  /** The key in use at each place, and the appends it took. */
  private readonly keyAt: number[];
  private readonly appendsAt: number[];
  private lastKey: number;
  private lastElement = 0;

  constructor(config: ListAppendConfig, rng: Rng) {
    if (config.max_txn_length < config.min_txn_length) {
      throw new RangeError(
        `list_append max_txn_length (${config.max_txn_length}) must be >= min_txn_length (${config.min_txn_length})`,
      );
    }
    this.config = config;
    this.length = rng.split("length");
    this.choice = rng.split("op");
    const key = rng.split("key");
    this.keys =
      config.key_distribution === "zipfian"
        ? new ZipfianGenerator(key, 0, config.key_count - 1)
        : new UniformLongGenerator(key, 0, config.key_count - 1);
    this.keyAt = Array.from({ length: config.key_count }, (_, i) => i);
    this.appendsAt = new Array<number>(config.key_count).fill(0);
    this.lastKey = config.key_count - 1;
  }

  next(_now_us = 0): TxnOperation {
    const { min_txn_length, max_txn_length, read_fraction } = this.config;
    const length = this.length.intBetween(min_txn_length, max_txn_length);
    const mops = Array.from({ length }, (): TxnMicroOp => {
      const place = this.keys.next();
      const key = String(this.keyAt[place]);
      if (this.choice.float() < read_fraction) return ["r", key, null];
      this.retireWhenFull(place);
      return ["append", key, ++this.lastElement];
    });
    return { kind: "txn", key: "", mops, results: [], validation_us: null };
  }

  /** Counts an append at `place`; its key's last one gives the place to a new key (later transactions'). */
  private retireWhenFull(place: number): void {
    const appends = (this.appendsAt[place] as number) + 1;
    if (appends < this.config.max_writes_per_key) {
      this.appendsAt[place] = appends;
      return;
    }
    this.keyAt[place] = ++this.lastKey;
    this.appendsAt[place] = 0;
  }

  first(op: TxnOperation): RequestPlan {
    return this.config.interactive ? statement(op, 0, 0) : { op: "txn", txn: 0, mops: op.mops, commit: true };
  }

  after(op: TxnOperation, step: number, response: Response): NextStep {
    const answer = okResponse(response, "txn");
    op.results.push(...answer.mops);
    if (op.results.length < op.mops.length) return statement(op, step + 1, answer.txn);
    op.validation_us = commitTime_us(response);
    return null;
  }

  finished(): void {}

  detail(op: TxnOperation, ended: { readonly result: string }): TxnData {
    const ok = ended.result === "ok";
    return {
      invoked: op.mops,
      completed: ok ? op.results : null,
      validation_us: ok ? op.validation_us : null,
    };
  }
}

/** Statement `n` of an interactive transaction: its micro-operation n, committing with the last. */
function statement(op: TxnOperation, n: number, txn: number): RequestPlan {
  return { op: "txn", txn, mops: [op.mops[n] as TxnMicroOp], commit: n === op.mops.length - 1 };
}

/** A commit's time at the leader until its validation's verdict: its queue wait and CPU work. */
export function commitTime_us(response: Response): number {
  return response.queue_us + response.service_us;
}
