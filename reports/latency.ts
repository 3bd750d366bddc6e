// HDR latency histograms per operation (µs, 3 significant digits), fed by the run's Observer.
// Histograms hold operations that completed `ok` in the measured phase; fail and info outcomes are
// counted (with their reasons) but kept out of the latency figures, as YCSB reports failed
// operations apart.

import * as hdr from "hdr-histogram-js";
import { type CompletedOperation, type Observer, OP_NAMES, type OpName } from "../workloads/observer.js";

export type Histogram = hdr.Histogram;

export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
    autoResize: true,
  });
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Everything measured about one operation type (or all of them). */
export class OpStats {
  count = 0;
  ok = 0;
  fail = 0;
  info = 0;
  /** Of count, retries of an operation that failed (CompletedOperation.attempt > 0). */
  retries = 0;
  readonly errors = new Map<string, number>();
  readonly latency = newHistogram();
  readonly service = newHistogram();
  readonly queue = newHistogram();
  /** Most operations wait for no disk read: their zeros are counted here and added at the end. */
  private readonly diskNonZero = newHistogram();
  private diskZeros = 0;
  /** Waits for a pooled connection, zeros counted apart as the disk's. */
  private readonly poolWaitNonZero = newHistogram();
  private poolWaitZeros = 0;
  poolWaitSum_us = 0;
  /** Exact sums and maximum (HDR keeps 3 significant digits). */
  latencySum_us = 0;
  latencyMax_us = 0;
  serviceSum_us = 0;
  queueSum_us = 0;
  diskSum_us = 0;

  record(op: CompletedOperation): void {
    this.count++;
    if ((op.attempt ?? 0) > 0) this.retries++;
    if (op.error !== null) this.errors.set(op.error, (this.errors.get(op.error) ?? 0) + 1);
    if (op.result === "fail") {
      this.fail++;
      return;
    }
    if (op.result === "info") {
      this.info++;
      return;
    }
    this.ok++;
    this.latency.recordValue(op.latency_us);
    this.service.recordValue(op.service_us);
    this.queue.recordValue(op.queue_us);
    if (op.disk_us === 0) this.diskZeros++;
    else this.diskNonZero.recordValue(op.disk_us);
    this.latencySum_us += op.latency_us;
    if (op.latency_us > this.latencyMax_us) this.latencyMax_us = op.latency_us;
    this.serviceSum_us += op.service_us;
    this.queueSum_us += op.queue_us;
    this.diskSum_us += op.disk_us;
    if (op.pool_wait_us === 0) this.poolWaitZeros++;
    else {
      this.poolWaitNonZero.recordValue(op.pool_wait_us);
      this.poolWaitSum_us += op.pool_wait_us;
    }
  }

  /** The time waiting for disk reads, every operation's (one histogram update per operation that waited). */
  get disk(): Histogram {
    if (this.diskZeros > 0) {
      this.diskNonZero.recordValueWithCount(0, this.diskZeros);
      this.diskZeros = 0;
    }
    return this.diskNonZero;
  }

  /** The time waiting for a pooled connection, every operation's. */
  get poolWait(): Histogram {
    if (this.poolWaitZeros > 0) {
      this.poolWaitNonZero.recordValueWithCount(0, this.poolWaitZeros);
      this.poolWaitZeros = 0;
    }
    return this.poolWaitNonZero;
  }

  latencySummary(): LatencySummary {
    return summarize(this.latency, this.latencySum_us, this.latencyMax_us);
  }
}

/** Percentiles of `histogram`, and the exact `sum` and `max` of the values it holds. */
export function summarize(histogram: Histogram, sum: number, max: number): LatencySummary {
  const n = histogram.totalCount;
  if (n === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    p50: percentile(histogram, 50, max),
    p90: percentile(histogram, 90, max),
    p99: percentile(histogram, 99, max),
    p999: percentile(histogram, 99.9, max),
    max,
    mean: round1(sum / n),
  };
}

/** A histogram of latencies with their exact sum and maximum; its summary is null when empty. */
export class LatencyWindow {
  readonly histogram: Histogram = newHistogram();
  sum = 0;
  max = 0;
  record(latency_us: number): void {
    this.histogram.recordValue(latency_us);
    this.sum += latency_us;
    if (latency_us > this.max) this.max = latency_us;
  }
  summary(): LatencySummary | null {
    return this.histogram.totalCount === 0 ? null : summarize(this.histogram, this.sum, this.max);
  }
}

/**
 * The value at `p` percent, never above `max`, the exact largest value recorded: HDR answers with
 * the highest value of the percentile's bucket (3 significant digits), which can exceed every
 * value recorded (a p99.9 of 79.6 ms beside a max of 79.5 ms).
 */
export function percentile(histogram: Histogram, p: number, max: number): number {
  return Math.min(histogram.getValueAtPercentile(p), max);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * The Observer that measures latency: one OpStats per operation type, and one for all; with a
 * topology, also the ok operations' latency per client region, per operation type and for all.
 */
export class LatencyRecorder implements Observer {
  readonly byOp = new Map<OpName, OpStats>();
  readonly all = new OpStats();
  readonly byClientRegion = new Map<string, Map<OpName | "all", LatencyWindow>>();

  onOperation(op: CompletedOperation): void {
    if (!op.measured) return;
    let stats = this.byOp.get(op.op);
    if (stats === undefined) {
      stats = new OpStats();
      this.byOp.set(op.op, stats);
    }
    stats.record(op);
    this.all.record(op);
    if (op.client_region != null && op.result === "ok") this.recordRegion(op.client_region, op);
  }

  private recordRegion(region: string, op: CompletedOperation): void {
    let byOp = this.byClientRegion.get(region);
    if (byOp === undefined) {
      byOp = new Map([["all", new LatencyWindow()]]);
      this.byClientRegion.set(region, byOp);
    }
    let stats = byOp.get(op.op);
    if (stats === undefined) {
      stats = new LatencyWindow();
      byOp.set(op.op, stats);
    }
    stats.record(op.latency_us);
    (byOp.get("all") as LatencyWindow).record(op.latency_us);
  }

  /** Operation types seen, in the fixed order read, update, insert, scan, rmw. */
  ops(): [OpName, OpStats][] {
    return OP_NAMES.flatMap((name) => {
      const stats = this.byOp.get(name);
      return stats === undefined ? [] : [[name, stats] as [OpName, OpStats]];
    });
  }
}

/**
 * Points of the latency percentile spectrum, spaced evenly on HdrHistogram's log axis 1/(1 - p):
 * percentiles 100 x (1 - 10^-x) for x = 0, 0.25, 0.5, ... while the histogram resolves them, then 100.
 */
export function spectrum(histogram: Histogram): [number, number][] {
  const n = histogram.totalCount;
  if (n === 0) return [];
  // maxValue is the exact largest value recorded (the lowest discernible value is 1).
  const max = histogram.maxValue;
  const points: [number, number][] = [];
  const top = Math.log10(n);
  for (let x = 0; x <= top; x += 0.25) {
    const p = Math.round(100 * (1 - 10 ** -x) * 1e6) / 1e6;
    points.push([p, percentile(histogram, p, max)]);
  }
  points.push([100, max]);
  return points;
}

/** HdrHistogram's standard percentile distribution text (values in µs). */
export function hgrm(histogram: Histogram): string {
  return histogram.outputPercentileDistribution(5, 1);
}
