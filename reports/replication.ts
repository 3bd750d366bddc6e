// What replication did during a run, from the engine's events and the clients' writes: lag per
// follower, failovers with the write outage around each, conflicts and discarded log entries.

import type { EngineEvent } from "../engine/events.js";
import { WriteSet } from "../engine/write-set.js";
import type { CompletedOperation, Observer } from "../workloads/observer.js";
import { type Histogram, newHistogram, summarize } from "./latency.js";
import type { ReplicationReport } from "./report-schema.js";

const WRITES = new Set(["update", "insert", "rmw", "transfer"]);

/** A promotion, and the write outage around it as far as the run has gone. */
interface Failover {
  at_us: number;
  node: number;
  term: number;
  /** Completion of the last ok write before the promotion (0: none). */
  from_us: number;
  /** Completion of the first ok write at or after it (null: none yet). */
  to_us: number | null;
  /** Writes that failed or timed out from `from_us` on, until `to_us`. */
  bad: number;
}

/**
 * Memory stays flat however long the run: acknowledged writes are a bitset of their values, and a
 * failover's outage is closed by the first ok write after it (no list of every write is kept).
 */
export class ReplicationRecorder implements Observer {
  private readonly names: ReadonlyMap<number, string>;
  private readonly lag = new Map<number, { histogram: Histogram; sum: number; max: number }>();
  private readonly failovers: Failover[] = [];
  /** Failovers whose outage has not ended yet (no ok write since). */
  private open: Failover[] = [];
  private lastOkWrite_us = 0;
  /** Writes that failed or timed out since the last ok write. */
  private badSinceOk = 0;
  /** Values of acknowledged writes, to find those the final leader does not hold. */
  private readonly acked = new WriteSet();
  private conflicts = 0;
  private truncated = 0;
  private snapshots = 0;

  constructor(names: ReadonlyMap<number, string>) {
    this.names = names;
  }

  onOperation(op: CompletedOperation): void {
    if (!WRITES.has(op.op)) return;
    if (op.result === "ok") {
      for (const f of this.open) f.to_us = op.completed_us;
      this.open = [];
      this.lastOkWrite_us = op.completed_us;
      this.badSinceOk = 0;
      if (op.value !== null) this.acked.add(op.value);
    } else if (op.error !== "backlog_full" && op.error !== "not_sent") {
      this.badSinceOk++;
      for (const f of this.open) f.bad++;
    }
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
        if (event.role === "leader" && time_us > 0) {
          const failover: Failover = {
            at_us: time_us,
            node: event.node,
            term: event.term,
            from_us: this.lastOkWrite_us,
            to_us: null,
            bad: this.badSinceOk,
          };
          this.failovers.push(failover);
          this.open.push(failover);
        }
        break;
      case "conflict":
        this.conflicts++;
        break;
      case "truncate":
        this.truncated += event.entries;
        break;
      case "snapshot":
        this.snapshots++;
        break;
    }
  }

  /** `surviving`: values of the writes the final leader holds (null: unknown, e.g. no single leader). */
  finish(
    config: { mode: string; replicas: number },
    end: { surviving: WriteSet | null; leaders: readonly number[] },
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
      failovers: this.failovers.map((f) => ({
        at_s: f.at_us / 1e6,
        leader: this.name(f.node),
        term: f.term,
        write_outage_s: f.to_us === null ? null : (f.to_us - f.from_us) / 1e6,
        writes_failed_or_timed_out: f.bad,
      })),
      lost_writes: surviving === null ? null : this.acked.countMissingFrom(surviving),
      conflicts: this.conflicts,
      leaders_at_end: end.leaders.map((node) => this.name(node)),
      truncated_entries: this.truncated,
      snapshots_installed: this.snapshots,
    };
  }

  private name(node: number): string {
    return this.names.get(node) ?? `host${node}`;
  }
}
