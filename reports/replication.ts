// What replication did during a run, from the engine's events and the clients' writes: lag per
// follower, failovers with the write outage around each, conflicts and discarded log entries.

import type { EngineEvent } from "../engine/events.js";
import type { CompletedOperation, Observer } from "../workloads/observer.js";
import { type Histogram, newHistogram, summarize } from "./latency.js";
import type { ReplicationReport } from "./report-schema.js";

const WRITES = new Set(["update", "insert", "rmw", "transfer"]);

interface Failover {
  at_us: number;
  node: number;
  term: number;
}

export class ReplicationRecorder implements Observer {
  private readonly names: ReadonlyMap<number, string>;
  private readonly lag = new Map<number, { histogram: Histogram; sum: number; max: number }>();
  private readonly failovers: Failover[] = [];
  /** Completion times of ok writes, and of writes that failed or timed out, in time order. */
  private readonly okWrites_us: number[] = [];
  private readonly badWrites_us: number[] = [];
  /** Values of acknowledged writes, to find those the final leader does not hold. */
  private readonly ackedValues: number[] = [];
  private conflicts = 0;
  private truncated = 0;

  constructor(names: ReadonlyMap<number, string>) {
    this.names = names;
  }

  onOperation(op: CompletedOperation): void {
    if (!WRITES.has(op.op)) return;
    if (op.result === "ok") {
      this.okWrites_us.push(op.completed_us);
      if (op.value !== null) this.ackedValues.push(op.value);
    } else if (op.error !== "backlog_full" && op.error !== "not_sent")
      this.badWrites_us.push(op.completed_us);
  }

  onEngineEvent(event: EngineEvent, time_us: number): void {
    switch (event.type) {
      case "lag": {
        let lag = this.lag.get(event.node);
        if (lag === undefined) {
          lag = { histogram: newHistogram(), sum: 0, max: 0 };
          this.lag.set(event.node, lag);
        }
        lag.histogram.recordValue(event.lag_us);
        lag.sum += event.lag_us;
        if (event.lag_us > lag.max) lag.max = event.lag_us;
        break;
      }
      case "role":
        if (event.role === "leader" && time_us > 0)
          this.failovers.push({ at_us: time_us, node: event.node, term: event.term });
        break;
      case "conflict":
        this.conflicts++;
        break;
      case "truncate":
        this.truncated += event.entries;
        break;
    }
  }

  /** `surviving`: values of the writes the final leader holds (null: unknown, e.g. no single leader). */
  finish(
    config: { mode: string; replicas: number },
    end: { surviving: ReadonlySet<number> | null; leaders: readonly number[] },
  ): ReplicationReport {
    const surviving = end.surviving;
    const lag_us: ReplicationReport["lag_us"] = {};
    for (const node of [...this.lag.keys()].sort((a, b) => a - b)) {
      const lag = this.lag.get(node) as { histogram: Histogram; sum: number; max: number };
      const { p50, p99, max, mean } = summarize(lag.histogram, lag.sum, lag.max);
      lag_us[this.name(node)] = { p50, p99, max, mean, samples: lag.histogram.totalCount };
    }
    return {
      mode: config.mode,
      replicas: config.replicas,
      lag_us,
      failovers: this.failovers.map((f) => this.failoverReport(f)),
      lost_writes: surviving === null ? null : this.ackedValues.filter((v) => !surviving.has(v)).length,
      conflicts: this.conflicts,
      leaders_at_end: end.leaders.map((node) => this.name(node)),
      truncated_entries: this.truncated,
    };
  }

  /** The write outage around a promotion: from the last ok write before it to the first after it. */
  private failoverReport(f: Failover): ReplicationReport["failovers"][number] {
    const before = lastBefore(this.okWrites_us, f.at_us);
    const after = firstAtOrAfter(this.okWrites_us, f.at_us);
    const from = before ?? 0;
    const to = after ?? Number.POSITIVE_INFINITY;
    return {
      at_s: f.at_us / 1e6,
      leader: this.name(f.node),
      term: f.term,
      write_outage_s: after === null ? null : (to - from) / 1e6,
      writes_failed_or_timed_out: this.badWrites_us.filter((t) => t >= from && t <= to).length,
    };
  }

  private name(node: number): string {
    return this.names.get(node) ?? `host${node}`;
  }
}

function lastBefore(sorted: number[], t: number): number | null {
  let result: number | null = null;
  for (const x of sorted) {
    if (x >= t) break;
    result = x;
  }
  return result;
}

function firstAtOrAfter(sorted: number[], t: number): number | null {
  for (const x of sorted) if (x >= t) return x;
  return null;
}
