// What the transactions of a run did in its measured phase (report.json `transactions`): commits per
// second, commit latency, aborts by reason, retries, the commit's validation time at the leader, and
// the keys aborted transactions touched. Fed by every `txn` operation; absent from runs without one.

import type { TxnMicroOp } from "../engine/txn/transactions.js";
import type { TxnData } from "../workloads/generators/list-append/list-append-workload.js";
import type { CompletedOperation, Observer } from "../workloads/observer.js";
import { LatencyWindow } from "./latency.js";
import type { TransactionsReport } from "./report-schema.js";

/** Keys listed in `conflict_keys`, most aborts first. */
export const CONFLICT_KEYS_MAX = 10;

export class TransactionsRecorder implements Observer {
  private seen = false;
  private committed = 0;
  private aborted = 0;
  private unknown = 0;
  private retries = 0;
  private readonly aborts = new Map<string, number>();
  private readonly commitLatency = new LatencyWindow();
  private readonly validation = new LatencyWindow();
  private readonly abortsByKey = new Map<string, number>();

  onOperation(op: CompletedOperation): void {
    if (op.op !== "txn") return;
    this.seen = true;
    if (!op.measured) return;
    const data = op.detail as TxnData; // every txn workload's detail
    if ((op.attempt ?? 0) > 0) this.retries++; // each retry is an operation of its own
    if (op.result === "ok") {
      this.committed++;
      this.commitLatency.record(op.completed_us - op.sent_us);
      if (data.validation_us !== null) this.validation.record(data.validation_us);
      return;
    }
    if (op.result === "info") {
      this.unknown++; // it may have committed: not an abort
      return;
    }
    this.aborted++;
    const reason = op.error ?? "unknown";
    this.aborts.set(reason, (this.aborts.get(reason) ?? 0) + 1);
    for (const key of suspectKeys(data.invoked, reason))
      this.abortsByKey.set(key, (this.abortsByKey.get(key) ?? 0) + 1);
  }

  /** The section, or undefined when the run had no transaction (its report has none). */
  finish(measured_s: number): TransactionsReport | undefined {
    if (!this.seen) return undefined;
    const decided = this.committed + this.aborted;
    return {
      committed: this.committed,
      aborted: this.aborted,
      unknown: this.unknown,
      committed_per_s: Math.round((this.committed / measured_s) * 10) / 10,
      abort_rate: decided === 0 ? null : Math.round((this.aborted / decided) * 1e4) / 1e4,
      aborts: Object.fromEntries([...this.aborts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
      retries: this.retries,
      commit_latency_us: this.commitLatency.summary(),
      validation_us: this.validation.summary(),
      lock_wait_us: null,
      conflict_keys: [...this.abortsByKey.entries()]
        .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1))
        .slice(0, CONFLICT_KEYS_MAX)
        .map(([key, aborts]) => ({ key, aborts })),
    };
  }
}

/**
 * The keys among which an abort's conflict lies: a write-write conflict's are the keys it wrote,
 * a failed validation's the keys it read (the node does not name the key); none for other reasons.
 */
function suspectKeys(mops: readonly TxnMicroOp[], reason: string): Set<string> {
  const keys = new Set<string>();
  if (reason !== "conflict" && reason !== "validation") return keys;
  const read = reason === "validation";
  for (const [f, key] of mops) if ((f === "r") === read) keys.add(key);
  return keys;
}
