import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { reproduceCommand } from "../../cli/commands/run.js";
import { compareRuns, compareVariants } from "../../reports/compare.js";
import type { PlotSpec } from "../../reports/html/plots.js";
import { strategyFacts } from "../../reports/html/strategy.js";
import { renderComparisonHtml, renderReportHtml } from "../../reports/html.js";
import { type Report, validateReport } from "../../reports/report-schema.js";
import { terminalSummary } from "../../reports/summary.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import { cli, scenarioFile, TINY, tempDir } from "../cli/helpers.js";

const HOSTILE = "</script><script>alert(1)</script>";

interface TinyRun {
  report: Report;
  /** What the terminal printed. */
  stdout: string;
}

/** TINY with `set` overrides; a "--seed=N" among them runs seed N. */
async function tinyRun(...set: string[]): Promise<TinyRun> {
  const dir = tempDir();
  const { code, stdout, stderr } = await cli(
    "run",
    scenarioFile(TINY),
    "--out",
    dir,
    ...set.flatMap((s) => (s.startsWith("--") ? [s] : ["--set", s])),
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
    // Marked while the data moved, on every time plot.
    for (const spec of plotSpecs(page).filter((s) => s.kind === "time")) {
      expect(spec.bands.filter((b) => b.kind === "reshard").map((b) => [b.from_s, b.label])).toEqual([
        [1, "reshard to 3 shards"],
      ]);
    }
    expect(sharded.stdout).toMatch(/sharding: hash, 3 shards \(2 at the start\), routing client/);
  });

  it("has each node's buffer pool and disk, and the time requests waited for the disk", () => {
    const storage = htmlTable(html, "storage");
    expect(storage[0]).toEqual([
      "node",
      "pool pages",
      "data pages",
      "hit ratio",
      "disk reads",
      "evictions",
      "disk writes",
      "fsyncs",
    ]);
    expect(storage.slice(1).map((row) => row[0])).toEqual(Object.keys(always.report.storage?.nodes ?? {}));
    const parts = htmlTable(html, "node-time").map((row) => row[1]);
    expect(parts).toContain("disk");
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

  it("embeds a valid plot spec for the spectra (one line per op) and per timeline", () => {
    const specs = plotSpecs(html);
    const ops = Object.keys(always.report.ops);
    expect(specs.map((s) => s.kind)).toEqual(["spectrum", "time", "time"]);
    expect(specs[0]?.series.map((s) => s.label)).toEqual(ops);
    for (const spec of specs) {
      for (const series of spec.series) expect(series.values).toHaveLength(spec.x.length);
    }
    // The measured phase: the warmup, and the drain after it when the run went on, are labelled bands.
    const { sim } = always.report;
    const drain =
      sim.virtual_duration_s > 2.5 ? [{ from_s: 2.5, to_s: sim.virtual_duration_s, label: "drain" }] : [];
    expect(specs[1]?.bands.map(({ from_s, to_s, label }) => ({ from_s, to_s, label }))).toEqual([
      { from_s: 0, to_s: 0.5, label: "warmup" },
      ...drain,
    ]);
  });

  it("draws the offered load beside the achieved throughput (open loop)", () => {
    const spec = plotSpecs(html)[1] as PlotSpec;
    expect(spec.series.map((s) => s.label)).toEqual(["ok ops/s", "offered ops/s"]);
    expect(spec.series[1]?.dash).not.toEqual([]);
    // 500/s offered, and each interval's arrivals are all there is to complete.
    const offered = always.report.timeline.offered_ops_per_s as number[];
    expect(offered).toHaveLength(always.report.timeline.t_s.length);
    for (const rate of offered.slice(0, 2)) expect(rate).toBeGreaterThan(400);
  });

  it("draws the last, partial interval where it lies, at the rate it had", () => {
    const { timeline, sim } = always.report;
    const spec = plotSpecs(html)[1] as PlotSpec;
    const last = timeline.t_s.length - 1;
    expect(spec.x.at(-1)).toBeCloseTo(((timeline.t_s[last] as number) + sim.virtual_duration_s) / 2, 5);
    // 500/s offered: no interval (the last included) shows a collapse.
    for (const rate of timeline.ops_per_s.slice(1)) expect(rate).toBeGreaterThan(400);
  });

  it("places the spectrum on HdrHistogram's axis, the maximum at the ok count", () => {
    const read = always.report.ops.read as Report["ops"][string];
    const spec = plotSpecs(html)[0] as PlotSpec;
    const series = spec.series[0] as PlotSpec["series"][number];
    expect(spec.x[0]).toBe(1); // percentile 0
    expect(spec.x).toContain(10); // percentile 90
    expect(spec.x).toContain(read.ok);
    expect(series.values[spec.x.indexOf(read.ok)]).toBe(read.latency_us.max);
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

  it("has an RPO and RTO section only after a region fault: the summary line's figures in one row", () => {
    expect(html).not.toContain('<section id="rpo-rto">');
    const report: Report = {
      ...always.report,
      rpo_rto: {
        fault: { kind: "region_outage", region: "us-west", at_s: 15, for_s: 20 },
        lost_writes: 3,
        divergent_writes: 0,
        lost_acked_first_s: 15.018883,
        lost_acked_last_s: 15.029615,
        lost_before_fault_s: 0.040457,
        write_outage_s: 1.121651,
        writes_failed_or_timed_out: 184,
      },
    };
    const rows = htmlTable(renderReportHtml(report), "rpo-rto");
    expect(rows).toEqual([
      [
        "fault",
        "at (s)",
        "for (s)",
        "RPO: writes lost",
        "held by only some replicas",
        "RPO: data lost before the fault",
        "lost writes acknowledged (s)",
        "RTO: write outage (s)",
        "writes failed or timed out",
      ],
      ["region_outage us-west", "15.00", "20.00", "3", "0", "40.5ms", "15.019 to 15.030", "1.122", "184"],
    ]);
    expect(terminalSummary(report, "")).toContain(
      "region_outage us-west at 15.00s: RPO 3 acknowledged writes lost, the last 40.5ms of data before it " +
        "(acknowledged 15.019s to 15.030s); RTO longest write outage 1.12s; 184 writes failed or timed out",
    );
    const unjudged = renderReportHtml({
      ...report,
      rpo_rto: {
        ...(report.rpo_rto as NonNullable<Report["rpo_rto"]>),
        fault: { kind: "region_partition", region: "eu-west", at_s: 15, for_s: null },
        lost_writes: null,
        divergent_writes: null,
        lost_acked_first_s: null,
        lost_acked_last_s: null,
        lost_before_fault_s: null,
        write_outage_s: null,
      },
    });
    expect(htmlTable(unjudged, "rpo-rto")[1]).toEqual([
      "region_partition eu-west",
      "15.00",
      "the run",
      "not judged",
      "-",
      "-",
      "-",
      "no write since",
      "184",
    ]);
  });

  it("labels faults, failovers and reshards on every time axis, and renders check verdicts", () => {
    const report: Report = {
      ...always.report,
      faults: [
        { at_s: 1, kind: "partition", targets: ["shard0/n0"], for_s: 0.5, detail: { shape: "isolate" } },
        { at_s: 1.2, kind: "crash", targets: ["shard0/n1"] },
        { at_s: 1.8, kind: "heal", targets: [] },
      ],
      replication: {
        ...always.report.replication,
        failovers: [
          {
            at_s: 1.25,
            leader: "shard0/n2",
            shard: 0,
            term: 2,
            write_outage_s: 0.1,
            writes_failed_or_timed_out: 3,
          },
        ],
      },
      checks: { linearizable: { valid: false, anomaly: "<G1c>" }, lost_writes: { valid: "unknown" } },
    } as Report;
    const page = renderReportHtml(report);
    const times = plotSpecs(page).filter((s) => s.kind === "time");
    expect(times).toHaveLength(2);
    for (const spec of times) {
      expect(
        spec.bands
          .filter((b) => b.kind === "fault")
          .map(({ from_s, to_s, label }) => ({ from_s, to_s, label })),
      ).toEqual([
        { from_s: 1, to_s: 1.5, label: "partition isolate shard0/n0" },
        // Never restarted: to the run's end.
        { from_s: 1.2, to_s: report.sim.virtual_duration_s, label: "crash shard0/n1" },
      ]);
      // Overlapping faults get colors of their own.
      expect(new Set(spec.bands.filter((b) => b.kind === "fault").map((b) => b.color)).size).toBe(2);
      expect(spec.markers.map(({ at_s, label }) => ({ at_s, label }))).toEqual([
        { at_s: 1.8, label: "heal (no target)" },
        { at_s: 1.25, label: "failover: shard0/n2 leads (term 2)" },
      ]);
    }
    expect(htmlTable(page, "faults")[1]?.slice(0, 5)).toEqual(["1", "0.5", "", "partition", "shard0/n0"]);
    const checks = htmlTable(page, "checks");
    expect(checks.map((row) => row[0])).toEqual(["check", "linearizable", "lost_writes"]);
    expect(checks[1]?.[1]).toContain("false");
    expect(checks[1]?.[4]).toBe("anomaly &quot;&lt;G1c&gt;&quot;");
    expect(page).not.toContain("Reproduce");
  });

  it("lists check violations as a table: kind, key, operations, why; 20 rows shared among the checks", () => {
    const op = (f: string, value: unknown, process: number, index: number) => ({
      process,
      f,
      key: "user7",
      type: "ok",
      value,
      index,
      complete_index: index + 3,
      node: "shard0/n0",
    });
    const lost = Array.from({ length: 20 }, (_, i) => ({
      key: `user${i}`,
      write: op("write", 100 + i, 1, 10 * i),
      last_observed: { value: 5, index: null },
    }));
    const stale = Array.from({ length: 20 }, () => ({
      key: "user7",
      read: op("read", 3, 2, 50),
      read_from: op("write", 3, 3, 10),
      newer_write: op("write", 4, 4, 20),
    }));
    const report: Report = {
      ...always.report,
      checks: {
        lost_writes: { valid: false, checked: 900, count: 27, anomalies: lost },
        stale_reads: { valid: false, checked: 800, count: 834, anomalies: stale },
        linearizable: {
          valid: false,
          ops: 2000,
          reason: 'key "user7": read -> 3 ... cannot be linearized',
          violation: {
            key: "user7",
            operation: op("read", 3, 2, 50),
            register: 4,
            last_consistent_index: 49,
            linearization: {
              length: 12,
              omitted: 10,
              steps: [{ operation: op("write", 4, 4, 20), register: 4 }],
            },
          },
        },
      },
    };
    const page = renderReportHtml(report);
    expect(page.split('<section id="checks">')[1]?.split("</section>")[0]).not.toContain("<pre>");
    const verdicts = htmlTable(page, "checks");
    expect(verdicts.map((row) => row.slice(0, 4))).toEqual([
      ["check", "valid", "checked", "anomalies"],
      ["lost_writes", '<span class="verdict-false">false</span>', "900", "27"],
      ["stale_reads", '<span class="verdict-false">false</span>', "800", "834"],
      ["linearizable", '<span class="verdict-false">false</span>', "2000", "1"],
    ]);
    const violations = page.split('<table class="violations">')[1]?.split("</table>")[0] ?? "";
    const rows = [...violations.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) => m[1] as string).slice(1);
    expect(rows).toHaveLength(20);
    const kinds = rows.map((row) => /<th scope="row">(.*?)<\/th>/.exec(row)?.[1]);
    // One row for the linearizability violation, the rest shared evenly.
    expect(kinds.filter((k) => k === "lost write")).toHaveLength(10);
    expect(kinds.filter((k) => k === "stale read")).toHaveLength(9);
    expect(kinds.filter((k) => k === "not linearizable")).toHaveLength(1);
    expect(rows[0]).toContain("write(100) by process 1 on shard0/n0, index 0–3");
    expect(rows[0]).toContain("acknowledged, yet later the key showed 5, not this write or a newer one");
    expect(rows[10]).toContain("read returned 3 though write(4) was acknowledged before it began");
    expect(rows[19]).toContain("linearized before it:");
    expect(page).toContain("Violations: the first 20 of 862");
    expect(page).toContain("Not shown: 17 more of lost_writes, 825 more of stale_reads.");
  });

  it("says of a liveness violation when the quiet period began, and the first write that succeeded late", () => {
    const late = {
      process: 3,
      f: "write",
      key: "user7",
      type: "ok",
      value: 9,
      index: 900,
      complete_index: 910,
    };
    const report: Report = {
      ...always.report,
      checks: {
        liveness: {
          valid: false,
          reason:
            "no write succeeded in the 10.0 s after the faults healed at 40.0 s; the first ok write came at 52.3 s",
          within_s: 10,
          checked: 2,
          count: 2,
          anomalies: [
            {
              type: "no recovery",
              quiet_from_s: 40,
              after: "heal",
              within_s: 10,
              quiet_until_s: 65,
              until: "clients stopped",
              first_ok: late,
              first_ok_at_s: 52.3,
            },
            {
              type: "no recovery",
              quiet_from_s: 6,
              after: "lasting fault",
              within_s: 10,
              quiet_until_s: 21,
              until: "next fault",
            },
          ],
        },
      },
    };
    const violations =
      renderReportHtml(report).split('<table class="violations">')[1]?.split("</table>")[0] ?? "";
    const rows = [...violations.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) => m[1] as string).slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain("no recovery");
    expect(rows[0]).toContain("first ok:</span> write(9) by process 3, index 900–910");
    expect(rows[0]).toContain(
      "nothing succeeded within 10 s after the faults healed at 40 s; the first ok one came at 52.3 s",
    );
    expect(rows[1]).toContain(
      "nothing succeeded within 10 s after the lasting fault at 6 s; none before the next fault at 21 s",
    );
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
    expect(sections).toEqual([
      "throughput",
      "latency read",
      "latency update",
      "latency all",
      "outcomes",
      "storage",
    ]);
    const updateP50 = rows[rows.findIndex((r) => r[0] === "latency update") + 1];
    expect(updateP50?.[0]).toBe("p50");
    expect(updateP50?.[1]).not.toContain("best");
    expect(updateP50?.[2]).toMatch(/<strong class="best">\d+us \*<\/strong>/);
  });

  it("stars no difference within noise: two seeds of one configuration", async () => {
    const seed2 = (await tinyRun("--seed=2")).report;
    const rows = htmlTable(page([always, seed2]), "comparison");
    expect(rows[0]).toEqual(["figure", "seed=1", "seed=2"]);
    expect(rows.flat().join(" ")).not.toContain('class="best"');
  });

  it("overlays one series per run on each op's spectrum and on throughput", () => {
    const specs = plotSpecs(page([always, never]));
    expect(specs.map((s) => s.kind)).toEqual(["spectrum", "spectrum", "spectrum", "time"]);
    for (const spec of specs) {
      // Both runs had the same arrivals (one seed): their offered load is one line.
      const offered = spec.kind === "time" ? ["offered ops/s"] : [];
      expect(spec.series.map((s) => s.label)).toEqual([
        "fsync_policy=always",
        "fsync_policy=never",
        ...offered,
      ]);
      for (const series of spec.series) expect(series.values).toHaveLength(spec.x.length);
    }
  });

  it("draws each run's offered load when the runs were offered different loads", async () => {
    const seed2 = (await tinyRun("--seed=2")).report;
    const throughput = plotSpecs(page([always, seed2])).at(-1) as PlotSpec;
    expect(throughput.series.map((s) => s.label)).toEqual([
      "seed=1",
      "seed=2",
      "seed=1 offered",
      "seed=2 offered",
    ]);
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

describe("the strategy facts", () => {
  it("name the links' bandwidth when a scenario limits it", () => {
    const network = (text: string) =>
      new Map(strategyFacts(loadScenario(`name: x\nnetwork: ${text}\n`).doc)).get("network");
    expect(network("{ latency: { dist: constant, value: 1ms } }")).toBe(
      "constant one-way latency: value 1ms",
    );
    expect(network("{ latency: { dist: constant, value: 1ms }, bandwidth: 100Mbit/s }")).toBe(
      "constant one-way latency: value 1ms; every link 100Mbit/s",
    );
  });

  it("name the cache and the connection pool when a scenario has them, and nothing otherwise", () => {
    const facts = (text: string) => new Map(strategyFacts(loadScenario(`name: x\n${text}`).doc));
    const plain = facts("");
    expect([plain.has("cache"), plain.has("connections")]).toEqual([false, false]);
    expect(facts("cluster: { cache: { nodes: 2, leases: true, ttl: 1s } }\n").get("cache")).toBe(
      "2 hosts, cache-aside, invalidation delete, leases; 100000 entries each (lru), ttl 1s; 20us per request",
    );
    expect(facts("cluster: { cache: { strategy: write-behind } }\n").get("cache")).toBe(
      "1 host, write-behind; 100000 entries each (lru), no ttl; 20us per request",
    );
    expect(facts("workload: { pool: { size: 8 } }\n").get("connections")).toBe(
      "pool of 8 per node (max_wait 1s)",
    );
  });
});
