import { describe, expect, it } from "vitest";
import type { MetricsSnapshot } from "../../../reports/metrics/exposition.js";
import { MetricsTimeline } from "../../../reports/metrics/timeline.js";
import { contentText } from "../../../reports/run-dir.js";

function counter(value: number, labels: Record<string, string> = {}): MetricsSnapshot[number] {
  return {
    name: "x_total",
    help: "X",
    type: "counter",
    aggregator: "sum",
    values: [{ value, labels: { ...labels, run: "r/seed-1" } }],
  };
}

/** The sample lines of `text`, as [series, value, timestamp]. */
function samples(text: string): [string, string, string][] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.split(" ") as [string, string, string]);
}

describe("MetricsTimeline", () => {
  it("stamps samples so that the run ends at the wall-clock instant it finished", () => {
    const t = new MetricsTimeline();
    t.add(0, [counter(0)]);
    t.add(1_000_000, [counter(5)]);
    t.add(1_500_000, [counter(7)]);
    const text = contentText(t.toOpenMetrics(1_500_000, 1_700_000_000_000));
    expect(samples(text)).toEqual([
      ['x_total{run="r/seed-1"}', "0", "1699999998.500"],
      ['x_total{run="r/seed-1"}', "5", "1699999999.500"],
      ['x_total{run="r/seed-1"}', "7", "1700000000.000"],
    ]);
    expect(text.startsWith("# HELP x X\n# TYPE x counter\n")).toBe(true);
    expect(text.endsWith("# EOF\n")).toBe(true);
  });

  it("keeps each series' samples together and in time order", () => {
    const t = new MetricsTimeline();
    for (let i = 0; i < 3; i++) {
      const values = [...counter(i, { op: "read" }).values, ...counter(10 * i, { op: "update" }).values];
      t.add(i * 1_000_000, [{ ...counter(i), values }]);
    }
    const lines = samples(contentText(t.toOpenMetrics(2_000_000, 1_000_000)));
    expect(lines.map(([series]) => series)).toEqual([
      ...Array(3).fill('x_total{op="read",run="r/seed-1"}'),
      ...Array(3).fill('x_total{op="update",run="r/seed-1"}'),
    ]);
    const stamps = lines.slice(0, 3).map(([, , stamp]) => Number(stamp));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(new Set(stamps).size).toBe(3);
  });

  it("starts a counter that appears late at 0 one sample earlier; a gauge as it comes", () => {
    const gauge = (value: number): MetricsSnapshot[number] => ({
      name: "g",
      help: "G",
      type: "gauge",
      aggregator: "sum",
      values: [{ value, labels: { run: "r/seed-1" } }],
    });
    const t = new MetricsTimeline();
    t.add(0, []);
    t.add(1_000_000, []);
    t.add(2_000_000, [counter(4), gauge(9)]);
    const lines = samples(contentText(t.toOpenMetrics(2_000_000, 10_000)));
    expect(lines).toEqual([
      ['x_total{run="r/seed-1"}', "0", "9.000"],
      ['x_total{run="r/seed-1"}', "4", "10.000"],
      ['g{run="r/seed-1"}', "9", "10.000"],
    ]);
  });

  it("groups a histogram's buckets, sum and count per timestamp", () => {
    const histogram = (n: number): MetricsSnapshot[number] => ({
      name: "h_seconds",
      help: "H",
      type: "histogram",
      aggregator: "sum",
      values: [
        { metricName: "h_seconds_bucket", value: n, labels: { le: 0.1, run: "r" } },
        { metricName: "h_seconds_bucket", value: n, labels: { le: "+Inf", run: "r" } },
        { metricName: "h_seconds_sum", value: n / 20, labels: { run: "r" } },
        { metricName: "h_seconds_count", value: n, labels: { run: "r" } },
      ],
    });
    const t = new MetricsTimeline();
    t.add(0, [histogram(0)]);
    t.add(1_000_000, [histogram(2)]);
    const names = samples(contentText(t.toOpenMetrics(1_000_000, 5_000))).map(
      ([series, , stamp]) => `${series} ${stamp}`,
    );
    expect(names).toEqual([
      'h_seconds_bucket{run="r",le="0.1"} 4.000',
      'h_seconds_bucket{run="r",le="+Inf"} 4.000',
      'h_seconds_sum{run="r"} 4.000',
      'h_seconds_count{run="r"} 4.000',
      'h_seconds_bucket{run="r",le="0.1"} 5.000',
      'h_seconds_bucket{run="r",le="+Inf"} 5.000',
      'h_seconds_sum{run="r"} 5.000',
      'h_seconds_count{run="r"} 5.000',
    ]);
  });

  it("keeps the later of two samples that fall in the same millisecond, and replaces one at the same time", () => {
    const t = new MetricsTimeline();
    t.add(0, [counter(1)]);
    t.add(1_000_000, [counter(2)]);
    t.add(1_000_400, [counter(3)]);
    t.add(1_000_400, [counter(4)]);
    expect(
      samples(contentText(t.toOpenMetrics(1_000_400, 2_000))).map(([, value, stamp]) => `${value}@${stamp}`),
    ).toEqual(["1@1.000", "4@2.000"]);
  });

  it("refuses samples out of order, and rendering without samples", () => {
    const t = new MetricsTimeline();
    expect(() => t.toOpenMetrics(0, 0)).toThrow(/no samples/);
    t.add(5, []);
    expect(() => t.add(4, [])).toThrow(RangeError);
    expect(() => t.toOpenMetrics(4, 0)).toThrow(RangeError);
  });
});
