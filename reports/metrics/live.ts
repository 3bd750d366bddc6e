// What the live endpoint serves besides a run's own metrics: wall-clock progress of a run, and for
// a sweep the aggregate of its workers' runs (prom-client's AggregatorRegistry.aggregate) with the
// seeds done. These read the wall clock: they belong to the live endpoint, never to metrics.om.

import { AggregatorRegistry, Counter, Gauge, Registry } from "prom-client";
import { METRICS, metricOptions, RUN_LABEL } from "./catalogue.js";
import { copySnapshot, type MetricsSnapshot } from "./exposition.js";

/** Shortest wall-clock window over which events per second are measured. */
const RATE_WINDOW_MS = 500;

async function snapshotOf(registry: {
  getMetricsAsJSON(): Promise<readonly unknown[]>;
}): Promise<MetricsSnapshot> {
  return copySnapshot(await registry.getMetricsAsJSON());
}

/** A run's wall-clock progress: events per wall second and the share of virtual time done. */
export class LiveProgress {
  readonly registry = new Registry();
  private readonly eventsPerSecond: Gauge;
  private readonly progress: Gauge;
  private windowStart_ms = Number.NaN;
  private windowEvents = 0;

  constructor(run: string) {
    this.registry.setDefaultLabels({ [RUN_LABEL]: run });
    const registers = [this.registry];
    const { simEventsPerWallSecond: rate, runProgress: progress } = METRICS;
    this.eventsPerSecond = new Gauge({
      ...metricOptions(rate),
      registers,
    });
    this.progress = new Gauge({
      ...metricOptions(progress),
      registers,
    });
    this.eventsPerSecond.set(0);
    this.progress.set(0);
  }

  /** Between slices: `end_us` is the planned end of the run (warmup + duration). */
  update(state: { now_us: number; end_us: number; events: number }, wallNow_ms: number): void {
    this.progress.set(state.end_us > 0 ? Math.min(1, state.now_us / state.end_us) : 1);
    if (Number.isNaN(this.windowStart_ms)) {
      this.windowStart_ms = wallNow_ms;
      this.windowEvents = state.events;
      return;
    }
    const elapsed_ms = wallNow_ms - this.windowStart_ms;
    if (elapsed_ms < RATE_WINDOW_MS) return;
    this.eventsPerSecond.set(Math.round(((state.events - this.windowEvents) * 1000) / elapsed_ms));
    this.windowStart_ms = wallNow_ms;
    this.windowEvents = state.events;
  }

  /** The run is over: nothing runs any more. */
  finish(): void {
    this.progress.set(1);
    this.eventsPerSecond.set(0);
  }

  snapshot(): Promise<MetricsSnapshot> {
    return snapshotOf(this.registry);
  }
}

export type SeedOutcome = "pass" | "fail" | "unknown" | "crashed";

/**
 * A live sweep's metrics: the runs in progress on the workers (their latest snapshots), plus the
 * counters and histograms of the runs that finished, aggregated with AggregatorRegistry.aggregate
 * (each metric by its catalogue aggregator: counters summed, one run's state omitted) under one
 * `run` label, `<scenario>/sweep`; the seeds planned and done by outcome; and the sweep's events
 * per wall second (from its events counter, so it is there between runs too).
 */
export class SweepMetrics {
  private readonly run: string;
  private readonly registry = new Registry();
  private readonly seedsDone: Counter;
  private readonly eventsPerSecond: Gauge;
  private windowStart_ms = Number.NaN;
  private windowEvents = 0;
  private readonly inProgress = new Map<number, MetricsSnapshot>();
  private readonly done = new Set<number>();
  private finishedRuns: MetricsSnapshot = [];

  constructor(run: string, seeds: number) {
    this.run = run;
    this.registry.setDefaultLabels({ [RUN_LABEL]: run });
    const registers = [this.registry];
    const { sweepSeeds, sweepSeedsDone } = METRICS;
    new Gauge({
      ...metricOptions(sweepSeeds),
      registers,
    }).set(seeds);
    this.seedsDone = new Counter({
      ...metricOptions(sweepSeedsDone),
      labelNames: sweepSeedsDone.labels,
      registers,
    });
    for (const result of ["pass", "fail", "unknown", "crashed"] as const) this.seedsDone.inc({ result }, 0);
    const rate = METRICS.simEventsPerWallSecond;
    this.eventsPerSecond = new Gauge({
      ...metricOptions(rate),
      registers,
    });
    this.eventsPerSecond.set(0);
  }

  /** The latest snapshot of a seed's run in progress (posted by its worker; late ones are dropped). */
  progress(seed: number, snapshot: MetricsSnapshot): void {
    if (!this.done.has(seed)) this.inProgress.set(seed, this.relabel(snapshot));
  }

  /** A seed finished: its final counters join the finished runs' (none when it crashed). */
  async finished(seed: number, outcome: SeedOutcome, final: MetricsSnapshot | null): Promise<void> {
    this.done.add(seed);
    this.inProgress.delete(seed);
    this.seedsDone.inc({ result: outcome });
    if (final === null) return;
    const monotonic = this.relabel(final).filter((m) => m.type === "counter" || m.type === "histogram");
    this.finishedRuns = await aggregate([this.finishedRuns, monotonic]);
  }

  /** The sweep's metrics now (`wallNow_ms`: the wall clock, for events per second). */
  async snapshot(wallNow_ms = Date.now()): Promise<MetricsSnapshot> {
    const runs = await aggregate([this.finishedRuns, ...this.inProgress.values()]);
    const events = runs.find((m) => m.name === METRICS.simEvents.name)?.values[0]?.value ?? 0;
    if (Number.isNaN(this.windowStart_ms)) {
      this.windowStart_ms = wallNow_ms;
      this.windowEvents = events;
    } else if (wallNow_ms - this.windowStart_ms >= RATE_WINDOW_MS) {
      const rate = ((events - this.windowEvents) * 1000) / (wallNow_ms - this.windowStart_ms);
      this.eventsPerSecond.set(Math.max(0, Math.round(rate)));
      this.windowStart_ms = wallNow_ms;
      this.windowEvents = events;
    }
    return [...runs, ...(await snapshotOf(this.registry))];
  }

  /**
   * Puts every series of a run's snapshot under the sweep's `run` label, and leaves out the run's
   * own events per wall second (the sweep measures its own).
   */
  private relabel(snapshot: MetricsSnapshot): MetricsSnapshot {
    return snapshot
      .filter((family) => family.name !== METRICS.simEventsPerWallSecond.name)
      .map((family) => ({
        ...family,
        values: family.values.map((value) => ({
          ...value,
          labels: { ...value.labels, [RUN_LABEL]: this.run },
        })),
      }));
  }
}

async function aggregate(snapshots: MetricsSnapshot[]): Promise<MetricsSnapshot> {
  const registry = AggregatorRegistry.aggregate(
    snapshots as unknown as Parameters<typeof AggregatorRegistry.aggregate>[0],
  );
  return snapshotOf(registry);
}
