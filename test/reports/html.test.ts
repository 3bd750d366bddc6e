import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { reproduceCommand } from "../../cli/commands/run.js";
import { compareRuns, compareVariants } from "../../reports/compare.js";
import type { PlotSpec } from "../../reports/html/plots.js";
import { renderComparisonHtml, renderReportHtml } from "../../reports/html.js";
import { type Report, validateReport } from "../../reports/report-schema.js";
import { cli, scenarioFile, TINY, tempDir } from "../cli/helpers.js";

const HOSTILE = "</script><script>alert(1)</script>";

interface TinyRun {
  report: Report;
  /** What the terminal printed. */
  stdout: string;
}

async function tinyRun(...set: string[]): Promise<TinyRun> {
  const dir = tempDir();
  const { code, stdout, stderr } = await cli(
    "run",
    scenarioFile(TINY),
    "--out",
    dir,
    ...set.flatMap((s) => ["--set", s]),
  );
  expect(code, stderr).toBe(0);
  const path = join(dir, "report.json");
  return { report: validateReport(JSON.parse(readFileSync(path, "utf8")), path), stdout };
}

/** The PlotSpecs embedded in a page, parsed. */
function plotSpecs(html: string): PlotSpec[] {
  const scripts = [...html.matchAll(/<script type="application\/json" class="plot-data">(.*?)<\/script>/gs)];
  return scripts.map((m) => JSON.parse(m[1] as string) as PlotSpec);
}

/** The terminal summary's table, split into cells (header first). */
function terminalTable(stdout: string): string[][] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((l) => l.startsWith("op "));
  const end = lines.indexOf("", start);
  return lines.slice(start, end).map((l) => l.trim().split(/\s+/));
}

/** The cells of each row of the page's first table in `section`, header first. */
function htmlTable(html: string, section: string): string[][] {
  const body = html.split(`<section id="${section}">`)[1]?.split("</table>")[0] ?? "";
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((row) =>
    [...(row[1] as string).matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => c[1] as string),
  );
}

function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  expect(html).not.toMatch(/<link\b/i);
  expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
  expect(html).not.toMatch(/url\(\s*["']?\s*(https?:)?\/\//i);
}

describe("report.html", () => {
  let always: TinyRun;
  let html: string;

  beforeAll(async () => {
    always = await tinyRun();
    html = renderReportHtml(always.report, { reproduce: "dbsim run s.yaml --seed 1" });
  });

  it("has a sharding section only for a sharded cluster: shards, and each change of the map", async () => {
    expect(html).not.toContain('<section id="sharding">');
    const sharded = await tinyRun("cluster.shards=2", "changes=[{at: 1s, kind: reshard, shards: 3}]");
    const page = renderReportHtml(sharded.report);
    const shards = htmlTable(page, "sharding");
    expect(shards[0]).toEqual(["shard", "keys at the end", "requests", "load share"]);
    expect(shards.slice(1).map((row) => row[0])).toEqual(["shard0", "shard1", "shard2"]);
    expect(page).toContain("reshard to 3 shards");
    expect(sharded.stdout).toMatch(/sharding: hash, 3 shards \(2 at the start\), routing client/);
  });

  it("is one self-contained page", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expectSelfContained(html);
    expect(html).toContain("uPlot"); // the library is inlined
  });

  it("holds the summary table the terminal prints, figure names and values alike", () => {
    expect(htmlTable(html, "summary")).toEqual(terminalTable(always.stdout));
    expect(terminalTable(always.stdout)[0]).toEqual([
      ...["op", "count", "ok", "fail", "info", "ops/s"],
      ...["p50", "p90", "p99", "p99.9", "max", "mean"],
    ]);
  });

  it("states the run's identity and strategy", () => {
    const { report } = always;
    for (const text of [
      report.trace_hash,
      report.host.dbsim_version,
      "fsync_policy always",
      "open loop at 500/s",
      "4 clients",
      "timeout 2s",
      "constant one-way latency: value 100us",
      "500 records",
      "YCSB preset a",
      "dbsim run s.yaml --seed 1",
      "No faults injected.",
      "No checks configured.",
      "No errors",
    ]) {
      expect(html).toContain(text);
    }
  });

  it("embeds a valid plot spec per op spectrum and per timeline", () => {
    const specs = plotSpecs(html);
    const ops = Object.keys(always.report.ops);
    expect(specs.map((s) => s.kind)).toEqual([...ops.map(() => "spectrum"), "time", "time"]);
    for (const spec of specs) {
      for (const series of spec.series) expect(series.values).toHaveLength(spec.x.length);
    }
    // The measured phase: the warmup is shaded.
    expect(specs[ops.length]?.shades).toContainEqual({ from_s: 0, to_s: 0.5, kind: "outside" });
  });

  it("places the spectrum on HdrHistogram's axis, the maximum at the ok count", () => {
    const read = always.report.ops.read as Report["ops"][string];
    const spec = plotSpecs(html)[0] as PlotSpec;
    expect(spec.x[0]).toBe(1); // percentile 0
    expect(spec.x).toContain(10); // percentile 90
    expect(spec.x[spec.x.length - 1]).toBe(read.ok);
    expect(spec.series[0]?.values.at(-1)).toBe(read.latency_us.max);
  });

  it("is a pure function of the report: the same seed gives the same page", async () => {
    const again = await tinyRun();
    expect(renderReportHtml(again.report, { reproduce: "dbsim run s.yaml --seed 1" })).toBe(html);
  });

  it("escapes hostile text everywhere", async () => {
    const hostile = await tinyRun(`description=${HOSTILE}`);
    const reproduce = reproduceCommand("s.yaml", 1, [`description=${HOSTILE}`]);
    const page = renderReportHtml(hostile.report, { reproduce });
    expect(page).not.toContain("<script>alert(1)");
    expect(page).toContain("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.match(/<script\b/g)).toHaveLength(2 + plotSpecs(page).length);
  });

  it("shades faults on the time axes and renders check verdicts with their details", () => {
    const report: Report = {
      ...always.report,
      faults: [{ at_s: 1, kind: "partition", targets: ["shard0/n0"], for_s: 0.5 }],
      checks: { linearizable: { valid: false, anomaly: "<G1c>" }, lost_writes: { valid: "unknown" } },
    };
    const page = renderReportHtml(report);
    for (const spec of plotSpecs(page).filter((s) => s.kind === "time")) {
      expect(spec.shades).toContainEqual({ from_s: 1, to_s: 1.5, kind: "fault" });
    }
    expect(htmlTable(page, "faults")[1]?.slice(0, 4)).toEqual(["1", "0.5", "partition", "shard0/n0"]);
    const checks = htmlTable(page, "checks");
    expect(checks.map((row) => row[0])).toEqual(["check", "linearizable", "lost_writes"]);
    expect(checks[1]?.[1]).toContain("false");
    expect(checks[1]?.[2]).toContain("&quot;anomaly&quot;: &quot;&lt;G1c&gt;&quot;");
    expect(page).not.toContain("Reproduce");
  });
});

describe("comparison html", () => {
  let always: Report;
  let never: Report;

  beforeAll(async () => {
    always = (await tinyRun()).report;
    never = (await tinyRun("cluster.node.fsync_policy=never")).report;
  });

  function page(reports: Report[]): string {
    const comparison = compareRuns(reports.map((report, i) => ({ source: `run-${i}`, report })));
    const runs = reports.map((report, i) => ({ label: comparison.columns[i]?.label as string, report }));
    return renderComparisonHtml(comparison, runs);
  }

  it("is self-contained and marks the best value of each row", () => {
    const html = page([always, never]);
    expectSelfContained(html);
    const rows = htmlTable(html, "comparison");
    expect(rows[0]).toEqual(["figure", "fsync_policy=always", "fsync_policy=never"]);
    const sections = rows.filter((r) => r.length === 1).map((r) => r[0]);
    expect(sections).toEqual(["throughput", "latency read", "latency update", "latency all", "outcomes"]);
    const updateP50 = rows[rows.findIndex((r) => r[0] === "latency update") + 1];
    expect(updateP50?.[0]).toBe("p50");
    expect(updateP50?.[1]).not.toContain("best");
    expect(updateP50?.[2]).toMatch(/<strong class="best">\d+us \*<\/strong>/);
  });

  it("overlays one series per run on each op's spectrum and on throughput", () => {
    const specs = plotSpecs(page([always, never]));
    expect(specs.map((s) => s.kind)).toEqual(["spectrum", "spectrum", "spectrum", "time"]);
    for (const spec of specs) {
      expect(spec.series.map((s) => s.label)).toEqual(["fsync_policy=always", "fsync_policy=never"]);
      for (const series of spec.series) expect(series.values).toHaveLength(spec.x.length);
    }
  });

  it("shows seed ranges and the within-noise note of a matrix", () => {
    const comparison = compareVariants([
      { label: "mixed", source: "", reports: [always, never] },
      { label: "never", source: "", reports: [never, { ...never, seed: 2 }] },
    ]);
    const html = renderComparisonHtml(comparison, [
      { label: "mixed", report: always },
      { label: "never", report: never },
    ]);
    expect(html).toContain("min–max range across seeds");
    // "never" has the lower update p50, but "mixed" ranges over never's value too.
    const rows = htmlTable(html, "comparison");
    const updateP50 = rows[rows.findIndex((r) => r[0] === "latency update") + 1];
    expect(updateP50?.[0]).toBe('p50 <span class="noise">(within noise)</span>');
    expect(updateP50?.[1]).toMatch(/^\S+<span class="range">\d+us–1\.\d+ms<\/span>$/);
    expect(html).toContain("seed range overlaps");
  });

  it("escapes labels taken from hostile configs, in the table and in the embedded data", async () => {
    const hostile = (await tinyRun(`description=${HOSTILE}`)).report;
    const html = page([always, hostile]);
    expect(html).not.toContain("<script>alert(1)");
    expect(html.match(/<script\b/g)).toHaveLength(2 + plotSpecs(html).length);
    expect(plotSpecs(html)[0]?.series[1]?.label).toBe(`description=${HOSTILE}`);
  });
});
