// The virtual-time metrics timeline: snapshots of a run's registry taken at virtual-time sample
// boundaries, kept in columns (one array of values per series), written as `metrics.om`:
// OpenMetrics text that `promtool tsdb create-blocks-from openmetrics` backfills into Prometheus.
//
// Timestamps are in seconds (millisecond precision), anchored so that the run's last sample falls
// on the wall-clock instant the run finished: a sample taken at virtual time t is stamped
// wallEnd - (end - t). Each series' samples are in time order (a histogram's buckets, _count and
// _sum grouped per timestamp, as OpenMetrics wants a MetricPoint), and the text ends with `# EOF`.

import { familyHeader, formatLabels, formatValue, type MetricsSnapshot } from "./exposition.js";

interface Series {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  /** Sample index -> value; holes where the series was absent. */
  readonly values: (number | undefined)[];
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  /** Counters and histograms: series key -> series. Histograms: key of the labels without `le`. */
  readonly series: Map<string, Series>;
  /** Histograms: per series (labels without `le`), the keys of its samples in exposition order (buckets, _sum, _count). */
  readonly points: Map<string, string[]>;
}

export class MetricsTimeline {
  private readonly times_us: number[] = [];
  private readonly families = new Map<string, Family>();

  /** Number of samples taken. */
  get length(): number {
    return this.times_us.length;
  }

  /** Virtual time of the last sample (µs), or -1 before the first. */
  get last_us(): number {
    return this.times_us[this.times_us.length - 1] ?? -1;
  }

  /**
   * Adds the snapshot taken at virtual time t_us (a copy: nothing of it is kept by reference). A
   * sample at the time of the previous one replaces it (the run's last sample, at its end).
   */
  add(t_us: number, snapshot: MetricsSnapshot): void {
    if (!Number.isFinite(t_us) || t_us < 0) throw new RangeError(`sample time ${t_us}us`);
    const last = this.last_us;
    if (t_us < last) throw new RangeError(`sample at ${t_us}us after one at ${last}us`);
    let index = this.times_us.length;
    if (t_us === last) index--;
    else this.times_us.push(t_us);
    for (const metric of snapshot) {
      let family = this.families.get(metric.name);
      if (family === undefined) {
        family = {
          name: metric.name,
          help: metric.help,
          type: metric.type,
          series: new Map(),
          points: new Map(),
        };
        this.families.set(metric.name, family);
      }
      for (const value of metric.values) {
        const metricName = value.metricName ?? metric.name;
        let key = metricName;
        for (const name in value.labels) key += `\u0000${name}\u0000${value.labels[name]}`;
        let series = family.series.get(key);
        if (series === undefined) {
          series = { metricName, labels: { ...value.labels }, values: [] };
          family.series.set(key, series);
          if (family.type === "histogram") {
            const { le: _le, ...rest } = value.labels;
            const groupKey = formatLabels(rest);
            let group = family.points.get(groupKey);
            if (group === undefined) {
              group = [];
              family.points.set(groupKey, group);
            }
            group.push(key);
          }
        }
        series.values[index] = value.value;
      }
    }
  }

  /**
   * The timeline as OpenMetrics text, in chunks (a day-long run's text is larger than one string may
   * be). `end_us`: the run's end in virtual time; `wallEnd_ms`: the wall-clock instant it finished
   * (ms since the epoch). Samples that would round to the same millisecond keep only the later one.
   */
  toOpenMetrics(end_us: number, wallEnd_ms: number): () => Iterable<string> {
    if (this.times_us.length === 0) throw new Error("metrics timeline: no samples");
    const last = this.last_us;
    if (end_us < last) throw new RangeError(`run end ${end_us}us before the last sample at ${last}us`);
    const end_ms = Math.round(wallEnd_ms);
    // Stamp each sample; of samples sharing a millisecond, keep the later.
    const stamps: string[] = [];
    const keep: number[] = [];
    let previous = Number.NaN;
    for (let i = 0; i < this.times_us.length; i++) {
      const ms = end_ms - Math.round((end_us - (this.times_us[i] as number)) / 1000);
      if (ms === previous) keep.pop();
      keep.push(i);
      stamps[i] = formatSeconds(ms);
      previous = ms;
    }
    return () => this.chunks(stamps, keep);
  }

  private *chunks(stamps: readonly string[], keep: readonly number[]): Generator<string> {
    let parts: string[] = [];
    for (const family of this.families.values()) {
      if (family.series.size === 0) continue;
      parts.push(familyHeader(family, "openmetrics"));
      const monotonic = family.type === "counter" || family.type === "histogram";
      if (family.type === "histogram") {
        for (const group of family.points.values()) {
          const series = group.map((key) => {
            const s = family.series.get(key) as Series;
            return { printed: `${s.metricName}${formatLabels(s.labels)}`, values: s.values };
          });
          const first = firstPresent(series[0]?.values ?? [], keep);
          for (const [k, i] of keep.entries()) {
            if (k < first - 1) continue;
            const zero = k === first - 1; // counters start at 0: say so one sample before the first
            for (const { printed, values } of series) {
              const value = zero ? 0 : values[i];
              if (value === undefined) continue;
              parts.push(`${printed} ${formatValue(value)} ${stamps[i]}\n`);
            }
          }
          if (parts.length >= CHUNK_LINES) {
            yield parts.join("");
            parts = [];
          }
        }
        continue;
      }
      for (const s of family.series.values()) {
        const printed = `${s.metricName}${formatLabels(s.labels)}`;
        const first = firstPresent(s.values, keep);
        for (const [k, i] of keep.entries()) {
          const zero = monotonic && k === first - 1;
          const value = zero ? 0 : s.values[i];
          if (value === undefined) continue;
          parts.push(`${printed} ${formatValue(value)} ${stamps[i]}\n`);
        }
        if (parts.length >= CHUNK_LINES) {
          yield parts.join("");
          parts = [];
        }
      }
    }
    parts.push("# EOF\n");
    yield parts.join("");
  }
}

/** Lines gathered before a chunk is handed on (a family's lines stay in one chunk or more). */
const CHUNK_LINES = 10_000;

/** Position in `keep` of the first kept sample where the series is present (keep.length if none). */
function firstPresent(values: readonly (number | undefined)[], keep: readonly number[]): number {
  for (const [k, i] of keep.entries()) if (values[i] !== undefined) return k;
  return keep.length;
}

/** Milliseconds since the epoch as seconds with three decimals. */
function formatSeconds(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${seconds}.${String(ms - seconds * 1000).padStart(3, "0")}`;
}
