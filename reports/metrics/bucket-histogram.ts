// A prom-client Histogram whose bucket counts are kept by its owner rather than by observe().
//
// prom-client's observe() validates and hashes the label set on every call (about 0.4 µs): on the
// hot path of a simulation that completes an operation every few microseconds of wall time, that
// is a tenth of the run. RunMetrics counts latencies into flat arrays instead (one comparison loop
// per operation), and this class exposes those counts through prom-client's registry in exactly the
// shape a Histogram fed the same values would (test/reports/metrics/bucket-histogram.test.ts holds
// the two side by side), so the registry, getMetricsAsJSON, metrics() and AggregatorRegistry work
// unchanged.

import { Histogram, type Registry } from "prom-client";

/** One series: its labels, the count of values in each bucket (not cumulative; last = above every bound), their sum. */
export interface BucketSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly counts: ArrayLike<number>;
  readonly sum: number;
}

interface BucketValue {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string | number>;
  value: number;
  metricName: string;
  exemplar?: null;
}

type HistogramJson<T extends string> = Awaited<ReturnType<Histogram<T>["get"]>>;

export class BucketHistogram<T extends string> extends Histogram<T> {
  private readonly bounds: readonly number[];
  private readonly series: () => Iterable<BucketSeries>;
  private readonly family: { name: string; help: string; aggregator: string };

  constructor(
    config: {
      name: string;
      help: string;
      labelNames: readonly T[];
      buckets: readonly number[];
      registers: Registry[];
      aggregator?: "sum" | "omit";
    },
    series: () => Iterable<BucketSeries>,
  ) {
    super({ ...config, labelNames: [...config.labelNames], buckets: [...config.buckets] });
    this.bounds = [...config.buckets];
    this.series = series;
    this.family = { name: config.name, help: config.help, aggregator: config.aggregator ?? "sum" };
  }

  /** As Histogram.get(): per series its buckets (cumulative, then +Inf), _sum and _count. */
  override async get(): Promise<HistogramJson<T>> {
    return this.build(true);
  }

  /** As Histogram.getForPromString() (what Registry.metrics() renders). */
  async getForPromString(): Promise<HistogramJson<T>> {
    return this.build(false);
  }

  private build(splay: boolean): HistogramJson<T> {
    const values: BucketValue[] = [];
    const point = (
      metricName: string,
      own: Record<string, string | number>,
      shared: Readonly<Record<string, string>>,
      value: number,
      exemplar: boolean,
    ): BucketValue => {
      const entry: BucketValue = splay
        ? { value, metricName, labels: { ...own, ...shared } }
        : { labels: own, sharedLabels: { ...shared }, value, metricName };
      if (exemplar) entry.exemplar = null;
      return entry;
    };
    const name = this.family.name;
    for (const s of this.series()) {
      if (s.counts.length !== this.bounds.length + 1)
        throw new RangeError(`${name}: expected ${this.bounds.length + 1} bucket counts`);
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.counts[i] as number;
        values.push(point(`${name}_bucket`, { le: this.bounds[i] as number }, s.labels, cumulative, true));
      }
      cumulative += s.counts[this.bounds.length] as number;
      values.push(point(`${name}_bucket`, { le: "+Inf" }, s.labels, cumulative, true));
      values.push(point(`${name}_sum`, {}, s.labels, s.sum, false));
      values.push(point(`${name}_count`, {}, s.labels, cumulative, false));
    }
    return {
      name,
      help: this.family.help,
      type: "histogram",
      values,
      aggregator: this.family.aggregator,
    } as unknown as HistogramJson<T>;
  }
}
