// The transactions' metrics (catalogue: dbsim_txn_*): commits and aborts, aborts by reason, and
// commit latency (first statement sent to the commit's ok). Registered only in runs of a transaction
// workload, so other runs' metrics stay as they were.

import { Counter, type Registry } from "prom-client";
import type { CompletedOperation } from "../../workloads/observer.js";
import { BucketHistogram } from "./bucket-histogram.js";
import { LATENCY_BUCKETS_US, latencyBucket, METRICS, metricOptions } from "./catalogue.js";

/** dbsim_txn_total's results, by the operation's outcome (ok, fail, info). */
const TXN_RESULTS = ["committed", "aborted", "unknown"] as const;

export class TxnMetrics {
  private readonly results = new Float64Array(TXN_RESULTS.length);
  private readonly aborts = new Map<string, number>();
  /** Commit latency bucket counts (not cumulative), last = above 10 s; their exact sum in µs. */
  private readonly buckets = new Float64Array(LATENCY_BUCKETS_US.length + 1);
  private sum_us = 0;

  constructor(registry: Registry) {
    this.register([registry]);
  }

  /** A completed `txn` operation. */
  onOperation(op: CompletedOperation): void {
    const result = op.result === "ok" ? 0 : op.result === "fail" ? 1 : 2;
    this.results[result] = (this.results[result] as number) + 1;
    if (result === 0) {
      const latency_us = op.completed_us - op.sent_us;
      const b = latencyBucket(latency_us);
      this.buckets[b] = (this.buckets[b] as number) + 1;
      this.sum_us += latency_us;
      return;
    }
    if (result === 2) return; // unknown: it may have committed
    const reason = op.error ?? "unknown";
    this.aborts.set(reason, (this.aborts.get(reason) ?? 0) + 1);
  }

  private register(registers: Registry[]): void {
    const self = this;
    const m = METRICS;
    new Counter({
      ...metricOptions(m.txns),
      labelNames: m.txns.labels,
      registers,
      collect() {
        this.reset();
        for (const [i, result] of TXN_RESULTS.entries()) this.inc({ result }, self.results[i] as number);
      },
    });
    new Counter({
      ...metricOptions(m.txnAborts),
      labelNames: m.txnAborts.labels,
      registers,
      collect() {
        this.reset();
        for (const [reason, count] of self.aborts) this.inc({ reason }, count);
      },
    });
    new BucketHistogram(
      {
        ...metricOptions(m.txnCommitLatency),
        labelNames: m.txnCommitLatency.labels,
        buckets: m.txnCommitLatency.buckets ?? [],
        registers,
        aggregator: "sum",
      },
      function* () {
        yield { labels: {}, counts: self.buckets, sum: self.sum_us / 1e6 };
      },
    );
  }
}
