// The run summary: the table the terminal prints and summary.md holds.

import { rateText } from "../workloads/client/settings.js";
import { clientRegionLines } from "./client-regions.js";
import { formatUs } from "./compare.js";
import { connectionLines } from "./connections.js";
import type { Report } from "./report-schema.js";
import { alignedLines } from "./text-table.js";
import { thresholdLine } from "./thresholds.js";

/** The summary table's columns: the figure names the terminal, summary.md, report.html and compare share. */
export const SUMMARY_COLUMNS = [
  "op",
  "count",
  "ok",
  "fail",
  "info",
  "ops/s",
  "p50",
  "p90",
  "p99",
  "p99.9",
  "max",
  "mean",
] as const;

/** The summary table's rows: one per operation and one for all. */
export function summaryRows(report: Report): string[][] {
  const measured_s = report.sim.measured_duration_s;
  return Object.entries(report.ops).map(([name, op]) => [
    name,
    String(op.count),
    String(op.ok),
    String(op.fail),
    String(op.info),
    (op.ok / measured_s).toFixed(1),
    formatUs(op.latency_us.p50),
    formatUs(op.latency_us.p90),
    formatUs(op.latency_us.p99),
    formatUs(op.latency_us.p999),
    formatUs(op.latency_us.max),
    formatUs(op.latency_us.mean),
  ]);
}

function header(report: Report): string[] {
  const c = report.config;
  const load = `${c.workload.clients} clients, ${rateText(c.workload.rate)}`;
  if (report.target !== undefined) {
    // A real database's run: wall-clock time, no simulated events, not reproducible bit for bit.
    return [
      `dbsim real: ${report.scenario} on ${report.target.name} (${report.target.version}), seed ${report.seed}`,
      `${report.sim.measured_duration_s}s measured after ${c.warmup} warmup; ${load}; real database: not deterministic`,
    ];
  }
  return [
    `dbsim run: ${report.scenario}, seed ${report.seed}`,
    `${c.duration} measured after ${c.warmup} warmup; ${load}; ${report.sim.events} events, trace ${report.trace_hash}`,
  ];
}

function errorLines(report: Report): string[] {
  const all = report.ops.all;
  if (all === undefined || Object.keys(all.errors).length === 0) return [];
  const parts = Object.entries(all.errors).map(([reason, n]) => `${reason} ${n}`);
  return [`not ok: ${parts.join(", ")}`];
}

/** Replication and fault lines: what a reader of a fault scenario looks for first. */
function shardingLines(report: Report): string[] {
  const sh = report.sharding;
  if (sh === null) return [];
  const skew = sh.skew === null ? "" : `; load skew ${sh.skew.toFixed(2)} (busiest shard / mean)`;
  const lines = [
    `sharding: ${sh.strategy}, ${sh.shards_at_end} shards (${sh.shards_at_start} at the start), routing ${sh.routing}${skew}; ` +
      `${sh.cross_shard_ops} cross-shard operations`,
  ];
  if (report.shards !== null) {
    const shards = report.shards
      .map(
        (shard) =>
          `shard${shard.id} ${shard.keys ?? "?"}/${shard.ops} (${(shard.load_share * 100).toFixed(1)}%)`,
      )
      .join(", ");
    lines.push(`shard keys/requests: ${shards}`);
  }
  const tp = sh.two_phase;
  if (tp !== undefined) {
    const blocked =
      tp.prepared_blocked_us_max === null
        ? ""
        : `; keys held prepared up to ${formatUs(tp.prepared_blocked_us_max)} (mean ${formatUs(tp.prepared_blocked_us_mean ?? 0)}), ${tp.keys_held_max} keys at most`;
    lines.push(
      `two-phase commit: ${tp.decisions} decisions (${tp.commits} commit, ${tp.aborts} abort)${blocked}`,
    );
  }
  for (const r of sh.reshards) {
    const fraction = r.moved_fraction === null ? "" : ` (${(r.moved_fraction * 100).toFixed(1)}%)`;
    const took = r.duration_s === null ? "still moving at the end" : `in ${r.duration_s.toFixed(2)}s`;
    const restarts = r.restarts > 0 ? `, ${r.restarts} restarts` : "";
    lines.push(
      `${r.change} at ${r.at_s.toFixed(2)}s: ${r.moved_keys} key${r.moved_keys === 1 ? "" : "s"} moved${fraction} ${took}${restarts}`,
    );
  }
  const { during_reshards: during, outside_reshards: outside } = sh.latency_us;
  if (during !== null && outside !== null) {
    lines.push(
      `latency while data moved p50/p99 ${formatUs(during.p50)}/${formatUs(during.p99)}, ` +
        `otherwise ${formatUs(outside.p50)}/${formatUs(outside.p99)}`,
    );
  }
  return lines;
}

function replicationLines(report: Report): string[] {
  const r = report.replication;
  const lines: string[] = [];
  if (r.replicas >= 2) {
    const lag = Object.entries(r.lag_us)
      .map(([node, l]) => `${node} ${formatUs(l.p50)}/${formatUs(l.p99)}/${formatUs(l.max)}`)
      .join(", ");
    lines.push(`replication: ${r.mode}, ${r.replicas} replicas; lag p50/p99/max: ${lag || "none"}`);
    const growing = Object.entries(r.lag_us).filter(
      ([, l]) => (l.trend_us_per_s ?? 0) >= LAG_GROWING_US_PER_S && (l.last ?? 0) >= LAG_BEHIND_US,
    );
    if (growing.length > 0) {
      const parts = growing.map(
        ([node, l]) =>
          `${node} +${formatUs(l.trend_us_per_s ?? 0)} per second (last entry ${formatUs(l.last ?? 0)})`,
      );
      lines.push(`lag growing: ${parts.join(", ")}`);
    }
  }
  for (const f of r.failovers) {
    const outage =
      f.write_outage_s === null
        ? "no write acknowledged since"
        : `write outage ${f.write_outage_s.toFixed(2)}s`;
    lines.push(
      `failover at ${f.at_s.toFixed(2)}s: ${f.leader} leads (term ${f.term}); ${outage}; ` +
        `${f.writes_failed_or_timed_out} writes failed or timed out`,
    );
  }
  const lost = lostWritesLine(report);
  if (lost !== null) lines.push(lost);
  if (r.mode === "multi-leader") lines.push(`conflicts: ${r.conflicts} writes discarded by last-writer-wins`);
  if (r.truncated_entries > 0)
    lines.push(`log entries discarded by rejoining replicas: ${r.truncated_entries}`);
  if ((r.snapshots_installed ?? 0) > 0)
    lines.push(`snapshots installed by followers too far behind: ${r.snapshots_installed}`);
  for (const m of r.membership_changes ?? []) {
    const learners = m.learners.length === 0 ? "" : `; learners ${m.learners.join(", ")}`;
    lines.push(
      `membership at ${m.at_s.toFixed(2)}s: shard${m.shard} voters ${m.voters.join(", ")}${learners}`,
    );
  }
  for (const t of r.leader_transfers ?? []) {
    const what = t.done
      ? `leadership transferred at ${t.at_s.toFixed(2)}s`
      : `leadership transfer aborted at ${t.at_s.toFixed(2)}s`;
    lines.push(`${what}: shard${t.shard} ${t.from} -> ${t.to} (term ${t.term})`);
  }
  if (r.disk !== undefined) {
    const d = r.disk;
    lines.push(
      `disk faults: ${d.faults_injected}; corrupt log entries detected ${d.corruptions_detected}, ` +
        `entries dropped ${d.entries_dropped}, repaired from the leader ${d.entries_repaired}`,
    );
  }
  for (const f of report.faults) {
    const span = f.for_s === undefined ? "" : ` for ${f.for_s}s`;
    const details = Object.entries(f.detail ?? {})
      .map(([key, value]) => (key === "note" ? String(value) : `${key} ${JSON.stringify(value)}`))
      .join(", ");
    const note = details === "" ? "" : ` (${details})`;
    lines.push(
      `fault at ${f.at_s.toFixed(2)}s: ${f.kind} ${f.targets.join(" ") || "(no target)"}${span}${note}`,
    );
  }
  const rpoRto = rpoRtoLine(report);
  if (rpoRto !== null) lines.push(rpoRto);
  return lines;
}

/** RPO and RTO of the region fault, one line (none without one). */
function rpoRtoLine(report: Report): string | null {
  const r = report.rpo_rto;
  if (r === undefined) return null;
  const lost = r.lost_writes === null ? "not judged" : `${r.lost_writes} acknowledged writes lost`;
  const span = lostDataText(r);
  const divergent =
    (r.divergent_writes ?? 0) > 0 ? ` (${r.divergent_writes} more held by only some replicas)` : "";
  const outage =
    r.write_outage_s === null
      ? "no write succeeded after it began"
      : `longest write outage ${r.write_outage_s.toFixed(2)}s`;
  return (
    `${r.fault.kind} ${r.fault.region} at ${r.fault.at_s.toFixed(2)}s: RPO ${lost}${span}${divergent}; ` +
    `RTO ${outage}; ${r.writes_failed_or_timed_out} writes failed or timed out while it lasted`
  );
}

/** RPO as a time: how far before the fault the data lost goes back, and when it was acknowledged. */
function lostDataText(r: NonNullable<Report["rpo_rto"]>): string {
  const { lost_acked_first_s: first, lost_acked_last_s: last, lost_before_fault_s: before } = r;
  if (first === null || last === null || before === null) return "";
  const back =
    before > 0 ? `the last ${formatUs(before * 1e6)} of data before it` : "all sent after it began";
  return `, ${back} (acknowledged ${first.toFixed(3)}s to ${last.toFixed(3)}s)`;
}

/**
 * A follower is reported as falling behind when its lag grew at least this fast (µs per second) and
 * its last entry applied was still this late: one that fell behind and caught up is not.
 */
const LAG_GROWING_US_PER_S = 10_000;
const LAG_BEHIND_US = 100_000;

/** Each node's buffer pool in the measured phase: its hit ratio and disk reads, against its data's pages. */
function storageLines(report: Report): string[] {
  const nodes = Object.entries(report.storage?.nodes ?? {});
  const first = nodes[0]?.[1];
  if (first === undefined) return [];
  const parts = nodes.map(([node, s]) => {
    const ratio = s.hit_ratio === null ? "no lookups" : `${(s.hit_ratio * 100).toFixed(1)}% hits`;
    return `${node} ${ratio} (${s.disk_reads} disk reads)`;
  });
  return [`buffer pool ${first.pool_pages} pages, data ${first.data_pages} pages: ${parts.join(", ")}`];
}

/**
 * Ranges over physical nodes, one line (none without `cluster.nodes`): per node its replicas and
 * leaseholders at the end (fewest-most over the run) and its CPU's busy share.
 */
function rangeLines(report: Report): string[] {
  const ranges = report.ranges;
  if (ranges === undefined) return [];
  const parts = Object.entries(ranges.nodes).map(
    ([node, n]) =>
      `${node} ${n.ranges} (${n.ranges_min}-${n.ranges_max})/${n.leaseholders} (${n.leaseholders_min}-${n.leaseholders_max}) ` +
      `CPU ${(n.cpu_busy_share * 100).toFixed(1)}%`,
  );
  return [
    `ranges/leaseholders per node (fewest-most over the run), ${ranges.moves} moves, ${ranges.lease_transfers} lease transfers: ${parts.join(", ")}`,
  ];
}

/** The caching tier in the measured phase, one line (none without a cache). */
function cacheLines(report: Report): string[] {
  const cache = report.cache;
  if (cache === undefined) return [];
  const t = cache.total;
  const ratio = t.hit_ratio === null ? "no reads" : `${(t.hit_ratio * 100).toFixed(1)}% hits`;
  // write-through and write-behind update the cache themselves: no invalidation.
  const how = [
    ...(cache.strategy === "cache-aside" || cache.strategy === "read-through" ? [cache.invalidation] : []),
    ...(cache.leases ? ["leases"] : []),
  ];
  return [
    `cache ${cache.strategy}${how.length === 0 ? "" : ` (${how.join(", ")})`}: ${ratio}, ${t.misses} misses, ` +
      `${t.lease_waits} lease waits, ${t.sets_refused} sets refused, ${t.evictions} evictions, ` +
      `${t.dirty_lost} dirty entries lost`,
  ];
}

/** The transactions in the measured phase, two lines (none without transactions). */
function transactionLines(report: Report): string[] {
  const t = report.transactions;
  if (t === undefined) return [];
  const rate = t.abort_rate === null ? "none decided" : `${(t.abort_rate * 100).toFixed(1)}% aborted`;
  const reasons = Object.entries(t.aborts).map(([reason, n]) => `${reason} ${n}`);
  const percentiles = (s: Report["ops"][string]["latency_us"] | null) =>
    s === null ? "none" : [s.p50, s.p99, s.max].map(formatUs).join("/");
  const keys = t.conflict_keys.map(({ key, aborts }) => `${key} (${aborts})`);
  return [
    `transactions: ${t.committed_per_s} committed/s, ${rate} (${reasons.join(", ") || "no aborts"}), ` +
      `${t.unknown} unknown, ${t.retries} retries`,
    `commit latency p50/p99/max ${percentiles(t.commit_latency_us)}, validation ` +
      `${percentiles(t.validation_us)}, no lock waits; aborts by key: ${keys.join(", ") || "none"}`,
  ];
}

/**
 * The lost-writes figure, one line. With final reads it is every acknowledged write judged on the
 * state the replicas converged to, and the engine's log count is explained beside it; without, the
 * log count alone (not counted when a shard has no single leader at the end).
 */
export function lostWritesLine(report: Report): string | null {
  if (report.source === "real") return null; // one real server: no replicas to lose writes between
  const r = report.replication;
  const judged = report.final_reads?.lost_writes ?? null;
  const replicated = r.replicas >= 2 || report.faults.length > 0;
  if (judged !== null) {
    const parts = [
      `lost acknowledged writes: ${judged.lost} of ${judged.acknowledged} ` +
        "(judged on the final reads of every replica: their key's final value was written before them)",
    ];
    if (judged.divergent > 0) {
      parts.push(
        `${judged.divergent} more held by only some replicas (they disagree at rest on ${report.final_reads?.diverged_keys} keys)`,
      );
    }
    if (judged.unjudged > 0) parts.push(`${judged.unjudged} not judged (no majority of the replicas agrees)`);
    if (r.lost_writes !== null && r.lost_writes !== judged.lost) {
      parts.push(
        `the final leaders' logs miss ${r.lost_writes} (also counting writes a later write overwrote: their keys end right)`,
      );
    }
    return parts.join("; ");
  }
  if (r.lost_writes !== null) {
    return replicated
      ? `lost acknowledged writes: ${r.lost_writes} (missing from the final leaders' logs)`
      : null;
  }
  const leaderless = shardsWithoutOneLeader(report);
  if (r.mode === "multi-leader" || leaderless.length === 0) return null;
  return (
    `leaders at the end: ${r.leaders_at_end.join(", ") || "none"} ` +
    `(lost writes not counted: no single leader of ${leaderless.join(", ")})`
  );
}

/** The shards in use whose leaders at the end are not exactly one (nodes are named shard<i>/n<j>). */
function shardsWithoutOneLeader(report: Report): string[] {
  const shards = report.shards?.map((shard) => `shard${shard.id}`) ?? ["shard0"];
  return shards.filter(
    (shard) => report.replication.leaders_at_end.filter((node) => node.startsWith(`${shard}/`)).length !== 1,
  );
}

/** Jepsen's final phase: when the reads ran, what they covered, and where the replicas disagree. */
function finalReadsLines(report: Report): string[] {
  const f = report.final_reads;
  if (f === null || f === undefined) return [];
  const unanswered = f.unanswered > 0 ? `, ${f.unanswered} unanswered` : "";
  const what =
    report.config.workload.type === "bank"
      ? `${f.reads} reads of every balance, one per replica`
      : `${f.reads} reads of ${f.keys} key${f.keys === 1 ? "" : "s"} on every replica`;
  const lines = [
    `final reads at ${f.reads_from_s.toFixed(2)}s (every fault ended, then ${f.settle_s}s to settle): ` +
      `${what}${unanswered}; leaders then: ${f.leaders.join(", ") || "none"}`,
  ];
  const first = f.divergence[0];
  if (first !== undefined) {
    const values = Object.entries(first.values)
      .map(([node, value]) => `${node} ${JSON.stringify(value)}`)
      .join(", ");
    lines.push(
      `replicas disagree at rest on ${f.diverged_keys} keys, e.g. ${first.key ?? "the balances"}: ${values}`,
    );
  }
  return lines;
}

/** A mean as the summary prints it: one decimal unless whole. */
function meanText(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** Per query template (domain workloads): p99, pages and rows, and the plan; then index advice. */
export function queryLines(report: Report): string[] {
  const q = report.queries;
  if (q === null) return [];
  const lines = Object.entries(q.templates).map(([name, t]) => {
    const written = t.pages_written_mean > 0 ? `, ${meanText(t.pages_written_mean)} written` : "";
    const hits =
      t.hit_ratio === null || t.hit_ratio === undefined
        ? ""
        : ` (${(t.hit_ratio * 100).toFixed(1)}% in memory)`;
    return (
      `query ${name} (${(t.share * 100).toFixed(1)}%): p99 ${formatUs(t.latency_us.p99)}, ` +
      `${meanText(t.pages_read_mean)} pages read${hits}${written}, ${meanText(t.rows_examined_mean)} rows examined; ` +
      `plan ${t.plan ?? "none (no ok operation)"}`
    );
  });
  for (const advice of q.index_advice) lines.push(advice.line);
  return lines;
}

function checkLines(report: Report): string[] {
  return Object.entries(report.checks).map(([name, verdict]) => {
    const state = verdict.valid === true ? "ok" : verdict.valid === false ? "VIOLATED" : "unknown";
    // An unknown verdict found nothing: "(0 anomalies)" beside it would read as a pass.
    const count =
      typeof verdict.count === "number" && verdict.valid !== "unknown" ? ` (${verdict.count} anomalies)` : "";
    const reason = typeof verdict.reason === "string" ? `: ${verdict.reason}` : "";
    return `check ${name}: ${state}${count}${reason}`;
  });
}

/** Each threshold of the scenario, met or breached, with its value in the condition's unit. */
function thresholdLines(report: Report): string[] {
  return (report.thresholds ?? []).map((result) => `threshold ${thresholdLine(result)}`);
}

/** Plain text for a terminal: aligned columns. `reproduce` is the command that reruns the run. */
export function terminalSummary(report: Report, reproduce: string): string {
  const table = [Array.from(SUMMARY_COLUMNS), ...summaryRows(report)];
  const lines = alignedLines(table, (i) => i === 0);
  return [
    ...header(report),
    "",
    ...lines,
    "",
    `throughput ${report.throughput_ops_per_s} ops/s (ok operations per measured second); latency from intended start`,
    ...errorLines(report),
    ...clientRegionLines(report),
    ...replicationLines(report),
    ...shardingLines(report),
    ...storageLines(report),
    ...connectionLines(report),
    ...cacheLines(report),
    ...rangeLines(report),
    ...transactionLines(report),
    ...queryLines(report),
    ...finalReadsLines(report),
    ...checkLines(report),
    ...thresholdLines(report),
    ...(report.source === "real"
      ? [`run again: ${reproduce}`, `wall ${report.host.wall_s.toFixed(2)}s`]
      : [
          `reproduce: ${reproduce}`,
          `wall ${report.host.wall_s.toFixed(2)}s, ${Math.round(report.host.events_per_wall_s)} events/s, ` +
            `${Math.round(report.host.ops_per_wall_s)} ops/s of wall time`,
        ]),
  ].join("\n");
}

/** The same, as Markdown. */
export function markdownSummary(report: Report, reproduce: string): string {
  const table = [
    `| ${SUMMARY_COLUMNS.join(" | ")} |`,
    `|${SUMMARY_COLUMNS.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...summaryRows(report).map((row) => `| ${row.join(" | ")} |`),
  ];
  const [title, ...rest] = header(report);
  return [
    `# ${title}`,
    "",
    ...rest,
    "",
    ...table,
    "",
    `Throughput: ${report.throughput_ops_per_s} ops/s (ok operations per measured second). ` +
      "Latency counts from each operation's intended start; only ok operations are in the percentiles.",
    ...errorLines(report).map((line) => `\n${line}`),
    ...[
      ...clientRegionLines(report),
      ...replicationLines(report),
      ...shardingLines(report),
      ...storageLines(report),
      ...connectionLines(report),
      ...cacheLines(report),
      ...rangeLines(report),
      ...rangeLines(report),
      ...transactionLines(report),
      ...queryLines(report),
      ...finalReadsLines(report),
      ...checkLines(report),
      ...thresholdLines(report),
    ].map((line, i) => `${i === 0 ? "\n" : ""}- ${line}`),
    "",
    report.source === "real"
      ? `Run again: \`${reproduce}\` (a real database's figures vary from run to run).`
      : `Reproduce: \`${reproduce}\` (trace hash ${report.trace_hash}).`,
    "",
  ].join("\n");
}
