// Throughput and latency over virtual time: per interval (1 virtual second), the ok operations
// completed and their p50 and p99. Operations are observed in completion order, which is virtual
// time order, so each interval is closed as soon as time passes it.
//
// The run rarely ends on an interval boundary. Its last, partial interval is scaled to its length
// (ops/s per second it lasted, not per whole interval, which would draw the end as a collapse);
// one shorter than half an interval is merged into the interval before it, since a few operations
// in a few milliseconds make no rate. So the last interval runs from its `t_s` to the run's end.
//
// An open loop's offered load counts every operation (whatever its outcome) by its intended start:
// the arrivals of the schedule. An operation completes after its interval may have been written,
// so the counts are kept per interval (one number each, like the timeline) and divided at the end.

import type { EngineEvent } from "../engine/events.js";
import type { CompletedOperation, Observer } from "../workloads/observer.js";
import { type Histogram, newHistogram, percentile } from "./latency.js";
import type { Timeline } from "./report-schema.js";

/** What one interval collected. */
class Interval {
  start_us = 0;
  ok = 0;
  readonly latency: Histogram = newHistogram();
  /** Exact largest latency (HDR percentiles are clamped to it). */
  latencyMax_us = 0;
  maxLag_us = 0;

  reset(start_us: number): void {
    this.start_us = start_us;
    this.ok = 0;
    this.latency.reset();
    this.latencyMax_us = 0;
    this.maxLag_us = 0;
  }

  /** Takes in `later`, the interval after this one. */
  absorb(later: Interval): void {
    this.ok += later.ok;
    this.latency.add(later.latency);
    this.latencyMax_us = Math.max(this.latencyMax_us, later.latencyMax_us);
    this.maxLag_us = Math.max(this.maxLag_us, later.maxLag_us);
  }
}

export class TimelineRecorder implements Observer {
  private readonly interval_us: number;
  /** The interval being filled. */
  private current = new Interval();
  /** The last closed interval, written out when the next one closes (the run's end may extend it). */
  private closed: Interval | null = null;
  private readonly timeline: Timeline;
  /** Open loop: operations by the interval of their intended start (null: closed loop, none). */
  private readonly offered: number[] | null;
  /** How long each written interval lasted. */
  private readonly written_us: number[] = [];

  constructor(options: { openLoop?: boolean; interval_us?: number } = {}) {
    const interval_us = options.interval_us ?? 1_000_000;
    if (!(Number.isInteger(interval_us) && interval_us > 0))
      throw new RangeError("interval_us must be a positive integer");
    this.interval_us = interval_us;
    this.offered = options.openLoop === true ? [] : null;
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
    const offered = this.offered;
    if (offered !== null) {
      const index = Math.floor(op.intended_us / this.interval_us);
      while (offered.length <= index) offered.push(0);
      offered[index] = (offered[index] as number) + 1;
    }
    if (op.result !== "ok") return;
    const current = this.current;
    current.ok++;
    current.latency.recordValue(op.latency_us);
    if (op.latency_us > current.latencyMax_us) current.latencyMax_us = op.latency_us;
  }

  onEngineEvent(event: EngineEvent, time_us: number): void {
    if (event.type !== "lag") return;
    this.advanceTo(time_us);
    if (event.lag_us > this.current.maxLag_us) this.current.maxLag_us = event.lag_us;
  }

  /** Closes every interval up to end_us (the run's end) and returns the timeline. */
  finish(end_us: number): Timeline {
    this.advanceTo(end_us);
    const current = this.current;
    const remainder_us = end_us - current.start_us;
    const closed = this.closed;
    if (closed !== null && remainder_us < this.interval_us / 2) {
      closed.absorb(current);
      this.write(closed, end_us - closed.start_us);
    } else {
      if (closed !== null) this.write(closed, this.interval_us);
      if (remainder_us > 0 || current.ok > 0) this.write(current, Math.max(remainder_us, 1));
    }
    this.closed = null;
    if (this.offered !== null) this.timeline.offered_ops_per_s = this.offeredRates(this.offered);
    return this.timeline;
  }

  /** Per written interval: the operations intended in it, per second it lasted. */
  private offeredRates(offered: readonly number[]): number[] {
    let index = 0;
    return this.written_us.map((length_us) => {
      // A merged last interval spans two intervals' counts.
      const spans = Math.ceil(length_us / this.interval_us);
      let count = 0;
      for (const end = index + spans; index < end; index++) count += offered[index] ?? 0;
      return count / (length_us / 1e6);
    });
  }

  private advanceTo(time_us: number): void {
    while (time_us >= this.current.start_us + this.interval_us) {
      const next_us = this.current.start_us + this.interval_us;
      if (this.closed !== null) this.write(this.closed, this.interval_us);
      // The interval written out is reused for the next one: two histograms for the whole run.
      const reused = this.closed ?? new Interval();
      this.closed = this.current;
      this.current = reused;
      this.current.reset(next_us);
    }
  }

  private write(interval: Interval, length_us: number): void {
    const t = this.timeline;
    this.written_us.push(length_us);
    t.t_s.push(interval.start_us / 1e6);
    t.ops_per_s.push(interval.ok / (length_us / 1e6));
    const empty = interval.latency.totalCount === 0;
    t.p50_us.push(empty ? 0 : percentile(interval.latency, 50, interval.latencyMax_us));
    t.p99_us.push(empty ? 0 : percentile(interval.latency, 99, interval.latencyMax_us));
    t.replication_lag_us.push(interval.maxLag_us);
  }
}
