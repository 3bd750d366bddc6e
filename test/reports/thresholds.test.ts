import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { executeRun } from "../../cli/execute.js";
import { renderReportHtml } from "../../reports/html.js";
import { type Report, reportSchema, validateReport } from "../../reports/report-schema.js";
import { markdownSummary, terminalSummary } from "../../reports/summary.js";
import { evaluateThresholds, figureValue, thresholdLine } from "../../reports/thresholds.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import { parseThreshold, REPORT_FIGURE_PATHS } from "../../workloads/scenario/thresholds.js";

// A leader crash mid-run: a failover with a write outage, followers with lag, final reads.
const FAILOVER = `name: failover
duration: 8s
cluster: { replicas: 3, replication: { mode: semi-sync } }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: a, records: 200, rate: 500/s, clients: 8, timeout: 500ms }
faults: { schedule: [{ at: 3s, kind: crash, target: leader, restart_after: 2s }] }
checks: [lost_writes]
`;

const THRESHOLDS = `thresholds:
  update.p99: "< 10s"
  read.count: "> 0"
  all.error_rate: "< 100%"
  throughput: "> 1/s"
  lost_writes: "== 0"
  write_outage: "< 1ms"
  replication.lag.p99: "< 1h"
  scan.p99: "< 1s"
  sharding.skew: "< 2"
  final_reads.end_s: "> 0s"
  ops.update.queue_us.max: ">= 0us"
`;

let report: Report;
let plain: Report;

beforeAll(async () => {
  report = (await executeRun(loadScenario(FAILOVER + THRESHOLDS), 1, { metrics: false })).report;
  plain = (await executeRun(loadScenario(FAILOVER), 1, { metrics: false })).report;
}, 120_000);

const value = (figure: string, condition = "> 0") => figureValue(report, parseThreshold(figure, condition));

describe("figureValue over a real report", () => {
  it("reads each short name from its place in the report, durations in µs", () => {
    const update = report.ops.update;
    expect(value("update.p99").value).toBe(update?.latency_us.p99);
    expect(value("update.fail").value).toBe(update?.fail);
    expect(value("throughput", "> 1/s").value).toBe(report.throughput_ops_per_s);
    const all = report.ops.all;
    expect(value("all.error_rate").value).toBe(((all?.fail ?? 0) + (all?.info ?? 0)) / (all?.count ?? 1));
    expect(value("lost_writes").value).toBe(report.final_reads?.lost_writes?.lost);
    const outages = report.replication.failovers.map((f) => f.write_outage_s as number);
    expect(outages.length).toBeGreaterThan(0);
    expect(value("write_outage").value).toBe(Math.round(Math.max(...outages) * 1e6));
    const lags = Object.values(report.replication.lag_us).map((lag) => lag.p99);
    expect(value("replication.lag.p99").value).toBe(Math.max(...lags));
    expect(value("final_reads.end_s", "> 0s").value).toBe(Math.round((report.final_reads?.end_s ?? 0) * 1e6));
  });

  it("says why a figure the report lacks has no value", () => {
    expect(value("scan.p99")).toEqual({
      value: null,
      note: "the run has no scan operations; it has read, update, all",
    });
    expect(value("sharding.skew")).toEqual({ value: null, note: "the report has no sharding.skew" });
  });
});

describe("evaluateThresholds", () => {
  it("judges each threshold in the scenario's order; a figure without value is not met", () => {
    expect(evaluateThresholds(report, [parseThreshold("update.p99", "<= 1us")])).toEqual([
      { figure: "update.p99", condition: "<= 1us", value: report.ops.update?.latency_us.p99, ok: false },
    ]);
    expect(report.thresholds?.map((r) => [r.figure, r.ok])).toEqual([
      ["update.p99", true],
      ["read.count", true],
      ["all.error_rate", true],
      ["throughput", true],
      ["lost_writes", true],
      ["write_outage", false],
      ["replication.lag.p99", true],
      ["scan.p99", false],
      ["sharding.skew", false],
      ["final_reads.end_s", true],
      ["ops.update.queue_us.max", true],
    ]);
    expect(report.thresholds?.[7]).toMatchObject({ value: null, ok: false, note: expect.any(String) });
  });

  it("puts the results in report.json after the checks, valid by its schema; none without thresholds", () => {
    expect(validateReport(JSON.parse(JSON.stringify(report)), "report.json")).toBeDefined();
    const keys = Object.keys(report);
    expect(keys.indexOf("thresholds")).toBe(keys.indexOf("checks") + 1);
    expect("thresholds" in plain).toBe(false);
    expect("thresholds" in plain.config).toBe(false);
    // The thresholds change nothing else the run measured.
    const { thresholds: _t, config: _c, host: _h, ...measured } = report;
    const { config: _pc, host: _ph, ...plainMeasured } = plain;
    expect(measured).toEqual(plainMeasured);
  });
});

describe("where the results are shown", () => {
  it("in the summaries, each with its value in its condition's unit", () => {
    const text = terminalSummary(report, "npx dbsim run x.yaml --seed 1");
    const outage = report.thresholds?.find((r) => r.figure === "write_outage");
    expect(outage).toBeDefined();
    expect(text).toContain(`threshold ${thresholdLine(outage as NonNullable<typeof outage>)}`);
    expect(text).toMatch(/threshold write_outage < 1ms: BREACHED \([\d.]+ms\)/);
    expect(text).toMatch(/threshold throughput > 1\/s: met \([\d.]+\/s\)/);
    expect(text).toMatch(/threshold all.error_rate < 100%: met \([\d.]+%\)/);
    expect(text).toContain("threshold scan.p99 < 1s: BREACHED (no value: the run has no scan operations");
    expect(markdownSummary(report, "x")).toContain("- threshold update.p99 < 10s: met (");
    expect(terminalSummary(plain, "x")).not.toContain("threshold");
  });

  it("in report.html, as a table after the checks; no section without thresholds", () => {
    const html = renderReportHtml(report);
    expect(html).toContain('<section id="thresholds">');
    expect(html.indexOf('id="thresholds"')).toBeGreaterThan(html.indexOf('id="checks"'));
    expect(html).toContain("3 of 11 breached: the run exits 5");
    expect(renderReportHtml(plain)).not.toContain('id="thresholds"');
  });
});

describe("the figure catalogue", () => {
  /** Numeric leaves of report.json by path (`*`: any key of a record). */
  function numericLeaves(): string[] {
    type Json = {
      type?: string;
      properties?: Record<string, Json>;
      additionalProperties?: Json | boolean;
      anyOf?: Json[];
    };
    const leaves: string[] = [];
    const walk = (schema: Json, path: string[]): void => {
      const alternatives = schema.anyOf?.filter((alternative) => alternative.type !== "null");
      if (alternatives?.length === 1) {
        walk(alternatives[0] as Json, path);
        return;
      }
      if (schema.type === "number" || schema.type === "integer") leaves.push(path.join("."));
      if (schema.type !== "object") return;
      for (const [key, child] of Object.entries(schema.properties ?? {})) walk(child, [...path, key]);
      if (typeof schema.additionalProperties === "object") walk(schema.additionalProperties, [...path, "*"]);
    };
    walk(z.toJSONSchema(reportSchema, { io: "output", unrepresentable: "any" }) as Json, []);
    return leaves;
  }

  it("is every numeric leaf of report.json that a threshold can judge", () => {
    // Left out: the seed and the scenario echoed; the timeline's interval; a template's plans (keyed
    // by EXPLAIN text, no path names them); host (not a function of the seed). A check's fields
    // are open (`checks.<check>.<field>`), so the schema has none to list.
    const judged = numericLeaves().filter(
      (path) =>
        !["seed", "timeline.interval_s", "queries.templates.*.plans.*"].includes(path) &&
        !path.startsWith("config.") &&
        !path.startsWith("host."),
    );
    expect([...REPORT_FIGURE_PATHS].filter((path) => path !== "checks.*.*").sort()).toEqual(judged.sort());
  });
});
