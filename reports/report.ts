// Builds report.json (schema dbsim.report/v1, see report-schema.ts). Everything outside `host` is a
// pure function of (scenario, seed, dbsim version); `host` says where and how fast it ran.

import type { RunResult } from "../workloads/runner.js";
import type { ResolvedScenario } from "../workloads/scenario/resolve.js";
import type { ScenarioDoc } from "../workloads/scenario/schema.js";
import { scenarioThresholds } from "../workloads/scenario/thresholds.js";
import { clientRegionsReport } from "./client-regions.js";
import { type LatencyRecorder, type OpStats, spectrum, summarize } from "./latency.js";
import {
  type FinalReadsReport,
  type HostInfo,
  type OpReport,
  REPORT_SCHEMA,
  type RealTargetInfo,
  type ReplicationReport,
  type Report,
  type Timeline,
} from "./report-schema.js";
import { evaluateThresholds } from "./thresholds.js";

function opReport(stats: OpStats, pooled: boolean): OpReport {
  return {
    count: stats.count,
    ok: stats.ok,
    fail: stats.fail,
    info: stats.info,
    errors: Object.fromEntries([...stats.errors.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
    ...(stats.retries > 0 ? { retries: stats.retries } : {}),
    latency_us: stats.latencySummary(),
    queue_us: summarize(stats.queue, stats.queueSum_us, stats.queue.maxValue),
    service_us: summarize(stats.service, stats.serviceSum_us, stats.service.maxValue),
    disk_us: summarize(stats.disk, stats.diskSum_us, stats.disk.maxValue),
    ...(pooled
      ? { pool_wait_us: summarize(stats.poolWait, stats.poolWaitSum_us, stats.poolWait.maxValue) }
      : {}),
    spectrum: spectrum(stats.latency),
  };
}

export function buildReport(input: {
  doc: ScenarioDoc;
  scenario: ResolvedScenario;
  result: RunResult;
  latency: LatencyRecorder;
  timeline: Timeline;
  replication: ReplicationReport;
  /** RPO and RTO of the schedule's first region fault (absent without one). */
  rpo_rto?: Report["rpo_rto"];
  shards: Report["shards"];
  sharding: Report["sharding"];
  queries: Report["queries"];
  /** Each node's buffer pool and disk (null: a real database's run). */
  storage: Report["storage"];
  /** The clients' connection pools and the nodes' connections (absent without a pool). */
  connections?: Report["connections"];
  /** The caching tier (absent without one). */
  cache?: Report["cache"];
  /** Ranges over physical nodes (absent without `cluster.nodes`). */
  ranges?: Report["ranges"];
  /** The transactions (absent without any). */
  transactions?: Report["transactions"];
  faults: Report["faults"];
  checks: Report["checks"];
  final_reads: FinalReadsReport | null;
  host: HostInfo;
  /** A run on a real database (`dbsim real`): the target it measured; absent for simulated runs. */
  real?: RealTargetInfo;
}): Report {
  const { doc, scenario, result, latency } = input;
  const ops: Record<string, OpReport> = {};
  const pooled = input.connections !== undefined;
  for (const [name, stats] of latency.ops()) ops[name] = opReport(stats, pooled);
  ops.all = opReport(latency.all, pooled);
  const measured_s = scenario.duration_us / 1e6;
  const report: Report = {
    schema: REPORT_SCHEMA,
    ...(input.real === undefined ? {} : { source: "real" as const, target: input.real }),
    scenario: scenario.name,
    seed: result.seed,
    config: doc,
    trace_hash: result.trace_hash,
    sim: {
      virtual_duration_s: result.virtual_us / 1e6,
      measured_from_s: scenario.warmup_us / 1e6,
      measured_duration_s: measured_s,
      events: result.events,
      messages: result.messages,
    },
    throughput_ops_per_s: Math.round((latency.all.ok / measured_s) * 10) / 10,
    ops,
    ...(scenario.topology === null || input.real !== undefined
      ? {}
      : {
          client_regions: clientRegionsReport(
            latency,
            scenario.topology.client_hosts.map((place) => place.region),
          ),
        }),
    timeline: input.timeline,
    replication: input.replication,
    ...(input.rpo_rto === undefined ? {} : { rpo_rto: input.rpo_rto }),
    shards: input.shards,
    sharding: input.sharding,
    queries: input.queries,
    storage: input.storage,
    ...(input.connections === undefined ? {} : { connections: input.connections }),
    ...(input.cache === undefined ? {} : { cache: input.cache }),
    ...(input.ranges === undefined ? {} : { ranges: input.ranges }),
    ...(input.transactions === undefined ? {} : { transactions: input.transactions }),
    network: input.real === undefined ? networkReport(result) : null,
    checks: input.checks,
    final_reads: input.final_reads,
    faults: input.faults,
    host: input.host,
  };
  if (doc.thresholds === undefined) return report;
  // After `checks`, judged on the figures above (which do not depend on it).
  const { final_reads, faults, host, ...head } = report;
  const thresholds = evaluateThresholds(report, scenarioThresholds(doc.thresholds));
  return { ...head, thresholds, final_reads, faults, host };
}

/** What the network carried: messages and bytes per kind, kinds in alphabetical order. */
function networkReport(result: RunResult): NonNullable<Report["network"]> {
  const kinds = [...result.messages_by_kind.keys()].sort();
  let bytes = 0;
  for (const sent of result.bytes_by_kind.values()) bytes += sent;
  return {
    bytes,
    messages_by_kind: Object.fromEntries(kinds.map((kind) => [kind, result.messages_by_kind.get(kind) ?? 0])),
    bytes_by_kind: Object.fromEntries(kinds.map((kind) => [kind, result.bytes_by_kind.get(kind) ?? 0])),
  };
}

/** A report without `host`: what must be identical for the same scenario, seed and version. */
export function deterministicPart(report: Report): Omit<Report, "host"> {
  const { host: _host, ...rest } = report;
  return rest;
}
