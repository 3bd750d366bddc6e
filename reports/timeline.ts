// Throughput and latency over virtual time: per interval (1 virtual second), the ok operations
// completed and their p50 and p99. Operations are observed in completion order, which is virtual
// time order, so each interval is closed as soon as time passes it.

import type { EngineEvent } from "../engine/events.js";
import type { CompletedOperation, Observer } from "../workloads/observer.js";
import { type Histogram, newHistogram } from "./latency.js";
import type { Timeline } from "./report-schema.js";

export class TimelineRecorder implements Observer {
  private readonly interval_us: number;
  private readonly histogram: Histogram = newHistogram();
  private intervalStart_us = 0;
  private okInInterval = 0;
  private maxLagInInterval_us = 0;
  private readonly timeline: Timeline;

  constructor(interval_us = 1_000_000) {
    if (!(Number.isInteger(interval_us) && interval_us > 0))
      throw new RangeError("interval_us must be a positive integer");
    this.interval_us = interval_us;
    this.timeline = {
      interval_s: interval_us / 1e6,
      t_s: [],
      ops_per_s: [],
      p50_us: [],
      p99_us: [],
      replication_lag_us: [],
    };
  }

  onOperation(op: CompletedOperation): void {
    this.advanceTo(op.completed_us);
    if (op.result !== "ok") return;
    this.okInInterval++;
    this.histogram.recordValue(op.latency_us);
  }

  onEngineEvent(event: EngineEvent, time_us: number): void {
    if (event.type !== "lag") return;
    this.advanceTo(time_us);
    if (event.lag_us > this.maxLagInInterval_us) this.maxLagInInterval_us = event.lag_us;
  }

  /** Closes every interval up to end_us (the run's end) and returns the timeline. */
  finish(end_us: number): Timeline {
    this.advanceTo(end_us);
    if (this.okInInterval > 0 || end_us > this.intervalStart_us) this.close();
    return this.timeline;
  }

  private advanceTo(time_us: number): void {
    while (time_us >= this.intervalStart_us + this.interval_us) this.close();
  }

  private close(): void {
    const t = this.timeline;
    t.t_s.push(this.intervalStart_us / 1e6);
    t.ops_per_s.push(this.okInInterval / t.interval_s);
    const empty = this.histogram.totalCount === 0;
    t.p50_us.push(empty ? 0 : this.histogram.getValueAtPercentile(50));
    t.p99_us.push(empty ? 0 : this.histogram.getValueAtPercentile(99));
    t.replication_lag_us.push(this.maxLagInInterval_us);
    this.histogram.reset();
    this.okInInterval = 0;
    this.maxLagInInterval_us = 0;
    this.intervalStart_us += this.interval_us;
  }
}
