import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import {
  formatLabels,
  formatValue,
  type MetricsSnapshot,
  negotiateFormat,
  renderExposition,
} from "../../../reports/metrics/exposition.js";

/** Prometheus 2.x's Accept header when it scrapes. */
const PROMETHEUS_ACCEPT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

async function sample(): Promise<{ registry: Registry; snapshot: MetricsSnapshot }> {
  const registry = new Registry();
  registry.setDefaultLabels({ run: "x/seed-1" });
  new Counter({
    name: "a_total",
    help: 'A "counter"\\ with\nlines',
    labelNames: ["op"],
    registers: [registry],
  }).inc({ op: 'we"ird\\' }, 3);
  new Gauge({ name: "b_seconds", help: "A gauge", registers: [registry] }).set(0.25);
  const h = new Histogram({
    name: "c_seconds",
    help: "H",
    labelNames: ["op"],
    buckets: [0.1, 1],
    registers: [registry],
  });
  h.observe({ op: "read" }, 0.05);
  h.observe({ op: "read" }, 5);
  return { registry, snapshot: (await registry.getMetricsAsJSON()) as unknown as MetricsSnapshot };
}

describe("content negotiation", () => {
  it("serves OpenMetrics to Prometheus and text to everything else", () => {
    expect(negotiateFormat(PROMETHEUS_ACCEPT)).toBe("openmetrics");
    expect(negotiateFormat("application/openmetrics-text; version=1.0.0")).toBe("openmetrics");
    expect(negotiateFormat(undefined)).toBe("text");
    expect(negotiateFormat("*/*")).toBe("text");
    expect(negotiateFormat("text/plain;version=0.0.4")).toBe("text");
    expect(negotiateFormat("text/plain, application/openmetrics-text;q=0.5")).toBe("text");
    expect(negotiateFormat("application/openmetrics-text;q=0")).toBe("text");
  });
});

describe("renderExposition", () => {
  it("writes the classic text format as prom-client does", async () => {
    const { registry, snapshot } = await sample();
    // prom-client separates families with blank lines and orders labels its own way (le first);
    // the lines are otherwise the same.
    const normalize = (text: string) =>
      text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) =>
          line.replace(
            /\{(.*)\}/,
            (_all, inner: string) =>
              `{${inner
                .split(/,(?=[a-z_]+=")/)
                .sort()
                .join(",")}}`,
          ),
        );
    expect(normalize(renderExposition(snapshot, "text"))).toEqual(normalize(await registry.metrics()));
  });

  it("writes OpenMetrics: counter families without _total, escaped help, # EOF last", async () => {
    const { snapshot } = await sample();
    const text = renderExposition(snapshot, "openmetrics");
    expect(text).toContain('# HELP a A \\"counter\\"\\\\ with\\nlines\n# TYPE a counter\n');
    expect(text).toContain('a_total{op="we\\"ird\\\\",run="x/seed-1"} 3\n');
    expect(text).toContain('c_seconds_bucket{op="read",run="x/seed-1",le="+Inf"} 2\n');
    expect(text.endsWith("\n# EOF\n")).toBe(true);
    expect(text.match(/# EOF/g)).toHaveLength(1);
  });

  it("formats values and labels", () => {
    expect(formatValue(3)).toBe("3");
    expect(formatValue(0.1)).toBe("0.1");
    expect(formatValue(Number.NaN)).toBe("NaN");
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe("+Inf");
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe("-Inf");
    expect(formatLabels({})).toBe("");
    expect(formatLabels({ le: 0.5, op: "a\nb" })).toBe('{op="a\\nb",le="0.5"}');
  });

  it("leaves out families without samples", () => {
    const empty: MetricsSnapshot = [{ name: "z", help: "h", type: "gauge", aggregator: "sum", values: [] }];
    expect(renderExposition(empty, "text")).toBe("");
    expect(renderExposition(empty, "openmetrics")).toBe("# EOF\n");
  });
});
