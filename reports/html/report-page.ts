// The page of one run: report.json as tables (server-rendered) and plots (drawn by uPlot).

import { stringify } from "yaml";
import { formatUs } from "../compare.js";
import type { LatencySummaryJson, Report } from "../report-schema.js";
import { lostWritesLine, SUMMARY_COLUMNS, summaryRows } from "../summary.js";
import { checksSection } from "./checks.js";
import { escapeHtml } from "./escape.js";
import { finalReadsSection } from "./final-reads.js";
import { page } from "./page.js";
import {
  cacheHitRatioSpec,
  lagOverTimeSpec,
  latencyOverTimeSpec,
  plotFigure,
  SPECTRUM_CAPTION,
  SPECTRUM_NOTE,
  solidStyle,
  spectrumSpec,
  THROUGHPUT_CAPTION,
  TIME_SHADING_CAPTION,
  throughputSpec,
} from "./plots.js";
import { rpoRtoSection } from "./rpo-rto.js";
import { strategyFacts } from "./strategy.js";
import { type Cell, table } from "./tables.js";
import { thresholdsSection } from "./thresholds.js";
import { transactionsSection } from "./transactions.js";

const LATENCY_COLUMNS = ["p50", "p90", "p99", "p99.9", "max", "mean"];

function latencyCells(l: LatencySummaryJson): string[] {
  return [l.p50, l.p90, l.p99, l.p999, l.max, l.mean].map(formatUs);
}

function header(report: Report): string {
  const { sim, config } = report;
  const end_s = Math.round((sim.measured_from_s + sim.measured_duration_s) * 1e6) / 1e6; // whole µs
  const target = report.target;
  const facts: [string, string][] = [
    ...(target === undefined
      ? ([
          ["trace hash", report.trace_hash],
          ["dbsim", report.host.dbsim_version],
          [
            "measured",
            `${config.duration} after ${config.warmup} warmup (virtual ${sim.measured_from_s}–${end_s} s); ` +
              `${sim.virtual_duration_s} s simulated, ${sim.events} events, ${sim.messages} messages`,
          ],
        ] as [string, string][])
      : ([
          ["real database", `${target.name} (${target.version}): not deterministic, times are wall-clock`],
          ["dbsim", report.host.dbsim_version],
          [
            "measured",
            `${sim.measured_duration_s} s after ${config.warmup} warmup; ${sim.virtual_duration_s} s in all`,
          ],
        ] as [string, string][])),
    ["throughput", `${report.throughput_ops_per_s} ok ops/s`],
    ...strategyFacts(config),
  ];
  const description =
    config.description === "" ? "" : `<p class="description">${escapeHtml(config.description)}</p>\n`;
  const list = facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("\n");
  return `<header>
<h1>dbsim ${target === undefined ? "run" : "real"}: ${escapeHtml(report.scenario)}, seed ${report.seed}</h1>
${description}<dl class="facts">
${list}
</dl>
</header>`;
}

function summarySection(report: Report): string {
  return `<section id="summary">
<h2>Summary</h2>
${table([...SUMMARY_COLUMNS], summaryRows(report))}
<p class="note">count, ok, fail, info: operations intended in the measured phase, by outcome (info: outcome unknown).
ops/s: ok operations per measured second. Latency from each operation's intended start, ok operations only
(HDR histogram, 3 significant digits; max and mean exact).</p>
</section>`;
}

function errorsSection(report: Report): string {
  const rows = Object.entries(report.ops).flatMap(([name, op]) =>
    Object.entries(op.errors).map(([reason, n]) => [name, { text: reason }, String(n)]),
  );
  const body =
    rows.length === 0
      ? `<p>No errors: every measured operation completed ok.</p>`
      : table(["op", "reason", "operations"], rows);
  return `<section id="errors">
<h2>Errors</h2>
${body}
</section>`;
}

function nodeTimeSection(report: Report): string {
  const rows = Object.entries(report.ops).flatMap(([name, op]) => [
    [name, { text: "queue" }, ...latencyCells(op.queue_us)],
    [name, { text: "service" }, ...latencyCells(op.service_us)],
    ...(op.disk_us === undefined ? [] : [[name, { text: "disk" }, ...latencyCells(op.disk_us)]]),
  ]);
  return `<section id="node-time">
<h2>Node-side time</h2>
${table(["op", "part", ...LATENCY_COLUMNS], rows)}
<p class="note">queue: waiting in the node's queue; service: CPU time at the node; disk: waiting for pages read from the node's disk (missing from its buffer pool).</p>
</section>`;
}

/** Every operation's spectrum in one plot, one line each: their tails side by side. */
function spectrumSection(report: Report): string {
  const ops = Object.entries(report.ops);
  const drawn = ops.filter(([, op]) => op.spectrum.length > 0);
  const figure =
    drawn.length === 0
      ? ""
      : plotFigure(
          "Latency by percentile",
          `One line per operation (all: every operation). ${SPECTRUM_CAPTION}`,
          spectrumSpec(drawn.map(([name, op], i) => ({ label: name, style: solidStyle(i), op }))),
        );
  const empty = ops.filter(([, op]) => op.spectrum.length === 0).map(([name]) => name);
  const note =
    empty.length === 0
      ? ""
      : `<p class="note">No ok operations, no spectrum: ${escapeHtml(empty.join(", "))}.</p>`;
  return `<section id="spectrum">
<h2>Latency percentile spectrum</h2>
<p class="note">${escapeHtml(SPECTRUM_NOTE)}</p>
${figure}
${note}
</section>`;
}

function timelineSection(report: Report): string {
  const throughput = throughputSpec([{ label: "ok ops/s", style: solidStyle(0), report }]);
  return `<section id="timeline">
<h2>Over ${report.target === undefined ? "virtual " : "wall-clock "}time</h2>
<p class="note">${escapeHtml(TIME_SHADING_CAPTION)}</p>
${plotFigure("Throughput", THROUGHPUT_CAPTION, throughput)}
${plotFigure(
  "Latency p50 and p99",
  "Latency of the ok operations completed in each interval, log scale.",
  latencyOverTimeSpec(report),
)}
${
  report.replication.replicas >= 2
    ? plotFigure(
        "Replication lag",
        "The largest lag of a follower applying an entry in each interval (leader's clock to follower's), log scale.",
        lagOverTimeSpec(report),
      )
    : ""
}
${
  report.timeline.cache_hit_ratio === undefined
    ? ""
    : plotFigure(
        "Cache hit ratio",
        "Cache reads answered from memory in each interval, of all cache reads (hits and misses), in percent.",
        cacheHitRatioSpec(report),
      )
}
</section>`;
}

function replicationSection(report: Report): string {
  const r = report.replication;
  if (r.replicas < 2) return "";
  const lag = table(
    ["follower", "p50", "p99", "max", "mean", "entries", "trend per s", "last"],
    Object.entries(r.lag_us).map(([node, l]) => [
      { text: node },
      formatUs(l.p50),
      formatUs(l.p99),
      formatUs(l.max),
      formatUs(l.mean),
      String(l.samples),
      l.trend_us_per_s === undefined
        ? "-"
        : `${l.trend_us_per_s < 0 ? "-" : "+"}${formatUs(Math.abs(l.trend_us_per_s))}`,
      l.last === undefined ? "-" : formatUs(l.last),
    ]),
  );
  const failovers =
    r.failovers.length === 0
      ? "<p>No failover.</p>"
      : table(
          ["at (s)", "new leader", "term", "write outage (s)", "writes failed or timed out"],
          r.failovers.map((f) => [
            f.at_s.toFixed(3),
            { text: f.leader },
            String(f.term),
            f.write_outage_s === null ? "none since" : f.write_outage_s.toFixed(3),
            String(f.writes_failed_or_timed_out),
          ]),
        );
  const lost = lostWritesLine(report);
  const facts = [
    `mode ${r.mode}, ${r.replicas} replicas`,
    ...(lost === null ? [] : [lost]),
    `conflicts: ${r.conflicts}`,
    `log entries discarded by rejoining replicas: ${r.truncated_entries}`,
    `snapshots installed by followers too far behind: ${r.snapshots_installed ?? 0}`,
    `leaders at the end: ${r.leaders_at_end.join(", ") || "none"}`,
  ];
  return `<section id="replication">
<h2>Replication</h2>
<ul>${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join("")}</ul>
<h3>Lag per follower</h3>
${lag}
<h3>Failovers</h3>
${failovers}
</section>`;
}

/** Each node's buffer pool and disk in the measured phase. */
function storageSection(report: Report): string {
  const nodes = Object.entries(report.storage?.nodes ?? {});
  if (nodes.length === 0) return "";
  const rows = nodes.map(([node, s]) => [
    { text: node },
    String(s.pool_pages),
    String(s.data_pages),
    s.hit_ratio === null ? "-" : `${(s.hit_ratio * 100).toFixed(1)}%`,
    String(s.misses),
    String(s.evictions),
    String(s.disk_writes),
    String(s.fsyncs),
  ]);
  return `<section id="storage">
<h2>Buffer pool and disk</h2>
${table(["node", "pool pages", "data pages", "hit ratio", "disk reads", "evictions", "disk writes", "fsyncs"], rows)}
<p class="note">In the measured phase. Disk reads: page lookups that missed the pool; disk writes: dirty pages evicted.</p>
</section>`;
}

/** The caching tier in the measured phase: per cache host and in total. */
function cacheSection(report: Report): string {
  const cache = report.cache;
  if (cache === undefined) return "";
  const rows = [...Object.entries(cache.nodes), ["total", cache.total] as const].map(([node, c]) => [
    { text: node },
    c.hit_ratio === null ? "-" : `${(c.hit_ratio * 100).toFixed(1)}%`,
    String(c.hits),
    String(c.misses),
    String(c.lease_waits),
    String(c.sets_refused),
    String(c.invalidations),
    String(c.evictions),
    String(c.dirty_lost),
  ]);
  const leases = cache.leases ? "leases" : "no leases";
  return `<section id="cache">
<h2>Cache</h2>
<p>${escapeHtml(`${cache.strategy}, invalidation ${cache.invalidation}, ${leases}`)}</p>
${table(["node", "hit ratio", "hits", "misses", "lease waits", "sets refused", "invalidations", "evictions", "dirty lost"], rows)}
<p class="note">In the measured phase. Each hit is a database read saved; sets refused are stale sets a lease prevented; dirty lost: write-behind writes a crash lost.</p>
</section>`;
}

function shardingSection(report: Report): string {
  const sh = report.sharding;
  if (sh === null) return "";
  const shards = table(
    ["shard", "keys at the end", "requests", "load share"],
    (report.shards ?? []).map((shard) => [
      { text: `shard${shard.id}` },
      shard.keys === null ? "?" : String(shard.keys),
      String(shard.ops),
      `${(shard.load_share * 100).toFixed(1)}%`,
    ]),
  );
  const changes =
    sh.reshards.length === 0
      ? "<p>No change of the shard map.</p>"
      : table(
          ["at (s)", "change", "duration (s)", "keys moved", "fraction moved", "restarts"],
          sh.reshards.map((r) => [
            r.at_s.toFixed(3),
            { text: r.change },
            r.duration_s === null ? "still moving" : r.duration_s.toFixed(3),
            String(r.moved_keys),
            r.moved_fraction === null ? "" : `${(r.moved_fraction * 100).toFixed(1)}%`,
            String(r.restarts),
          ]),
        );
  const { during_reshards: during, outside_reshards: outside } = sh.latency_us;
  const facts = [
    `strategy ${sh.strategy}, routing ${sh.routing}, ${sh.shards_at_start} shards at the start, ${sh.shards_at_end} at the end`,
    `load skew (busiest shard's requests / mean): ${sh.skew === null ? "n/a" : sh.skew.toFixed(3)}`,
    `cross-shard operations (scatter-gather): ${sh.cross_shard_ops}`,
    ...(during === null || outside === null
      ? []
      : [
          `latency p50/p99 while data moved ${formatUs(during.p50)}/${formatUs(during.p99)}, ` +
            `otherwise ${formatUs(outside.p50)}/${formatUs(outside.p99)}`,
        ]),
  ];
  return `<section id="sharding">
<h2>Sharding</h2>
<ul>${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join("")}</ul>
<h3>Shards</h3>
${shards}
<h3>Changes of the shard map</h3>
${changes}
</section>`;
}

function queriesSection(report: Report): string {
  const q = report.queries;
  if (q === null) return "";
  const rows: Cell[][] = Object.entries(q.templates).map(([name, t]) => [
    name,
    String(t.count),
    String(t.ok),
    `${(t.share * 100).toFixed(1)}%`,
    { text: t.plan ?? "none" },
    { text: t.index ?? "" },
    t.index === null ? "" : t.covering ? "yes" : "no",
    String(t.rows_examined_mean),
    String(t.pages_read_mean),
    String(t.pages_written_mean),
    formatUs(t.latency_us.p50),
    formatUs(t.latency_us.p99),
    formatUs(t.latency_us.max),
  ]);
  const advice =
    q.index_advice.length === 0
      ? "<p>No index advice: no template of 5% or more of the operations ran as a full table scan.</p>"
      : `<ul>${q.index_advice.map((a) => `<li>${escapeHtml(a.line)}</li>`).join("")}</ul>`;
  return `<section id="queries">
<h2>Queries</h2>
${table(
  [
    "template",
    "count",
    "ok",
    "share",
    "plan (most frequent)",
    "index",
    "covering",
    "rows examined",
    "pages read",
    "pages written",
    "p50",
    "p99",
    "max",
  ],
  rows,
)}
<p class="note">Per query template: rows examined and pages read and written are means over ok operations
(pages written include every index the write maintains: write amplification); latency from intended start,
ok operations only. The plan is EXPLAIN without estimates (values shown as ?).</p>
<h3>Index advice</h3>
${advice}
</section>`;
}

function faultsSection(report: Report): string {
  const body =
    report.faults.length === 0
      ? "<p>No faults injected.</p>"
      : table(
          ["at (s)", "for (s)", "ended (s)", "kind", "targets", "detail"],
          report.faults.map((fault) => [
            String(fault.at_s),
            fault.for_s === undefined ? "" : String(fault.for_s),
            fault.end_s === undefined ? "" : String(fault.end_s),
            { text: fault.kind },
            { text: fault.targets.join(", ") },
            { text: detailText(fault.detail ?? {}) },
          ]),
        );
  return `<section id="faults">
<h2>Faults</h2>
${body}
</section>`;
}

/** A fault's detail as "name value" pairs ("shape one_way; random true"). */
function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([name, value]) => `${name} ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join("; ");
}

function configSection(report: Report, reproduce: string | undefined): string {
  const command =
    reproduce === undefined
      ? ""
      : `<h3>Reproduce</h3>\n<pre><code>${escapeHtml(reproduce)}</code></pre>\n` +
        (report.target === undefined
          ? `<p class="note">The same seed gives trace hash ${escapeHtml(report.trace_hash)} again.</p>\n`
          : `<p class="note">The same seed sends the same operations again; a real database's figures vary from run to run.</p>\n`);
  return `<section id="config">
<h2>Configuration</h2>
${command}<details>
<summary>Resolved scenario (YAML, every default filled in)</summary>
<pre><code>${escapeHtml(stringify(report.config))}</code></pre>
</details>
</section>`;
}

/**
 * The self-contained HTML page of one run: a pure function of the report (outside `host`, only the
 * dbsim version is shown) and the command that reproduces the run.
 */
export function renderReportHtml(report: Report, options: { reproduce?: string } = {}): string {
  const body = [
    header(report),
    summarySection(report),
    errorsSection(report),
    nodeTimeSection(report),
    spectrumSection(report),
    timelineSection(report),
    replicationSection(report),
    shardingSection(report),
    storageSection(report),
    cacheSection(report),
    transactionsSection(report),
    queriesSection(report),
    faultsSection(report),
    rpoRtoSection(report),
    finalReadsSection(report),
    checksSection(report),
    ...(report.thresholds === undefined ? [] : [thresholdsSection(report)]),
    configSection(report, options.reproduce),
    `<footer>dbsim ${escapeHtml(report.host.dbsim_version)}, report schema ${escapeHtml(report.schema)}. ` +
      "This page is self-contained: it loads nothing from the network.</footer>",
  ];
  return page(`dbsim run: ${report.scenario}, seed ${report.seed}`, body.join("\n"));
}
