// A run's metrics, wired (a composition root, as cli/execute.ts): the registry (reports/metrics)
// reading the run through a RunView, the virtual-time sampler that fills metrics.om, and the live
// publication (a `dbsim run` endpoint, or a sweep worker posting snapshots to the main thread).
//
// Sampling never adds a simulator event: the run is advanced in slices that stop at each
// virtual-time boundary (ScenarioRun.advance's until_us), and the registry is read there, between
// two events. The events executed, their order, and so the trace hash are those of a run without
// metrics (test/cli/metrics.test.ts).

import type { EngineEvent } from "../engine/events.js";
import { runLabel } from "../reports/metrics/catalogue.js";
import type { MetricsSnapshot } from "../reports/metrics/exposition.js";
import { LiveProgress } from "../reports/metrics/live.js";
import { RunMetrics } from "../reports/metrics/run-metrics.js";
import { MetricsTimeline } from "../reports/metrics/timeline.js";
import { TXN_WORKLOAD_TYPES } from "../workloads/generators/plugins.js";
import { hasDiskFaults } from "../workloads/nemesis/injector.js";
import type { CompletedOperation } from "../workloads/observer.js";
import type { ScenarioRun } from "../workloads/runner.js";

/** Default sample interval of metrics.om: one virtual second. */
export const DEFAULT_METRICS_INTERVAL_US = 1_000_000;
/** More samples than this per run and the interval widens (a whole multiple of the one asked for). */
export const MAX_METRICS_SAMPLES = 10_000;

/** Where a run's live metrics go. */
export interface LiveMetricsSink {
  /** Called once, when the run's registry exists: what a scrape (or a post) reads. */
  attach(snapshot: () => Promise<MetricsSnapshot>): void;
  /** Called between slices of the run, and once at its end. */
  tick?(): void;
}

export interface RunMetricsOptions {
  /** Virtual µs between samples of metrics.om (default 1 s; >= 1 ms, whole ms). */
  interval_us?: number;
  /** The `run` label (default `<scenario>/seed-<seed>`). */
  run?: string;
  live?: LiveMetricsSink;
}

/** The sample interval for a run of `planned_us` virtual µs: `asked`, widened to keep at most MAX_METRICS_SAMPLES. */
export function sampleInterval(asked_us: number, planned_us: number): number {
  if (!(Number.isInteger(asked_us) && asked_us >= 1000 && asked_us % 1000 === 0))
    throw new RangeError(
      `metrics interval ${asked_us}us: expected a whole number of milliseconds, at least 1ms`,
    );
  const factor = Math.max(1, Math.ceil(planned_us / asked_us / MAX_METRICS_SAMPLES));
  return asked_us * factor;
}

export class RunMetricsSession {
  readonly metrics: RunMetrics;
  readonly interval_us: number;
  private readonly run: ScenarioRun;
  private readonly timeline = new MetricsTimeline();
  private readonly live: LiveProgress | null;
  private readonly sink: LiveMetricsSink | null;
  /** Virtual time of the next sample: the run is advanced no further than this between samples. */
  nextSample_us = 0;

  constructor(run: ScenarioRun, options: RunMetricsOptions = {}) {
    this.run = run;
    const { end_us } = run.progress;
    this.interval_us = sampleInterval(options.interval_us ?? DEFAULT_METRICS_INTERVAL_US, end_us);
    const label = options.run ?? runLabel(run.scenario.name, run.seed);
    this.metrics = new RunMetrics({
      run: label,
      nodeNames: run.nodeNames,
      checks: run.scenario.checks,
      transactions: TXN_WORKLOAD_TYPES.includes(run.scenario.workload.type),
      disk_faults: hasDiskFaults(run.scenario.faults),
      clientRegions: run.scenario.topology?.client_hosts.map((place) => place.region) ?? [],
      view: run.state, // the run as it ended once its final phase begins
    });
    this.sink = options.live ?? null;
    this.live = this.sink === null ? null : new LiveProgress(label);
    if (this.sink !== null) {
      const live = this.live as LiveProgress;
      this.sink.attach(async () => [...(await this.metrics.snapshot()), ...(await live.snapshot())]);
    }
  }

  onOperation(op: CompletedOperation): void {
    this.metrics.onOperation(op);
  }

  onEngineEvent(event: EngineEvent, time_us: number): void {
    this.metrics.onEngineEvent(event, time_us);
  }

  /** After each slice: samples when the run stands at the next boundary; updates the live progress. */
  async afterSlice(): Promise<void> {
    const now_us = this.run.state.now_us();
    if (now_us >= this.nextSample_us) {
      await this.sample(now_us);
      this.nextSample_us = (Math.floor(now_us / this.interval_us) + 1) * this.interval_us;
    }
    this.publish();
  }

  /** After the run and its checks: the last sample (at the run's end, with the checks' verdicts). */
  async finish(checks: Readonly<Record<string, { valid: boolean | "unknown" }>>): Promise<void> {
    this.metrics.setCheckVerdicts(checks);
    await this.sample(this.run.state.now_us());
    if (this.live !== null) {
      this.live.finish();
      this.sink?.tick?.();
    }
  }

  /** metrics.om in chunks, anchored at the wall-clock instant the run finished (after finish()). */
  openMetrics(): () => Iterable<string> {
    return this.timeline.toOpenMetrics(this.run.state.now_us(), Date.now());
  }

  private async sample(t_us: number): Promise<void> {
    this.metrics.closeInterval();
    this.timeline.add(t_us, await this.metrics.snapshot());
  }

  private publish(): void {
    if (this.live === null) return;
    const progress = this.run.progress;
    this.live.update(progress, Date.now());
    this.sink?.tick?.();
  }
}
