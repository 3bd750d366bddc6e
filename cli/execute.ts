// Runs one scenario at one seed and turns the outcome into a report and the files of a run
// directory. A composition root: it wires the runner (workloads/) to the observers (reports/).

import { copyCacheStats, newCacheStats } from "../engine/cache/stats.js";
import { IoStats } from "../engine/node/io-stats.js";
import { CacheTimeline, cacheReport } from "../reports/cache.js";
import { connectionsReport } from "../reports/connections.js";
import { finalReadsReport } from "../reports/final-reads.js";
import { renderReportHtml } from "../reports/html.js";
import { type Histogram, hgrm, LatencyRecorder } from "../reports/latency.js";
import { QueriesRecorder } from "../reports/queries.js";
import { RangesRecorder } from "../reports/ranges.js";
import { ReplicationRecorder } from "../reports/replication.js";
import { buildReport } from "../reports/report.js";
import { type FinalReadsReport, type Report, validateReport } from "../reports/report-schema.js";
import { firstRegionFault, RpoRtoRecorder } from "../reports/rpo-rto.js";
import type { FileContent } from "../reports/run-dir.js";
import { ShardingRecorder } from "../reports/sharding.js";
import { storageReport } from "../reports/storage.js";
import { markdownSummary } from "../reports/summary.js";
import { TimelineRecorder } from "../reports/timeline.js";
import { TransactionsRecorder } from "../reports/transactions.js";
import type { TraceCheckpoint } from "../sim/trace.js";
import { type CheckOptions, runChecker, type Verdict } from "../workloads/checkers/checker.js";
import { lostWrites } from "../workloads/checkers/checks.js";
import type { History, Operation } from "../workloads/checkers/history.js";
import type { LivenessOptions } from "../workloads/checkers/liveness.js";
import { HistoryRecorder } from "../workloads/client/history-recorder.js";
import { TXN_WORKLOAD_TYPES } from "../workloads/generators/plugins.js";
import { faultSpans } from "../workloads/nemesis/fault-spans.js";
import { hasDiskFaults, isDiskFault } from "../workloads/nemesis/injector.js";
import { type RunProgress, ScenarioRun } from "../workloads/runner.js";
import type { LoadedScenario } from "../workloads/scenario/load.js";
import type { ResolvedScenario } from "../workloads/scenario/resolve.js";
import { DBSIM } from "./invocation.js";
import { loadProtocol } from "./protocol-module.js";
import { type RunMetricsOptions, RunMetricsSession } from "./run-metrics.js";
import { dbsimVersion } from "./version.js";

/** Time limit of each check (linearizability can take long on a pathological history). */
const CHECK_TIMEOUT_MS = 60_000;

/**
 * The state the checks judge the end of the run by: Jepsen's final reads (in the history, by their
 * process) when the final phase ran; otherwise what the final leaders hold (the workload's
 * `finalState`, null without a single leader per shard), which lost_writes judges against and the
 * bank checker sums.
 */
function finalStateOptions(
  run: ScenarioRun,
  history: HistoryRecorder,
  finalProcess: number | null,
): Pick<CheckOptions, "final_reads" | "final_state"> {
  if (finalProcess !== null) return { final_reads: { process: finalProcess } };
  const finalState = run.workload.checks.finalState(run.cluster, history.touchedKeys);
  return finalState === null ? {} : { final_state: finalState };
}

/** Runs the scenario's checks on the recorded history; a checker that throws gives unknown. */
function runScenarioChecks(
  run: ScenarioRun,
  parsed: History,
  finalState: Pick<CheckOptions, "final_reads" | "final_state">,
  lostWritesVerdict: Verdict | null,
): Record<string, Verdict> {
  const { checkers, options: workloadOptions } = run.workload.checks;
  const options: CheckOptions = {
    now_ms: () => performance.now(),
    timeout_ms: CHECK_TIMEOUT_MS,
    ...finalState,
    ...workloadOptions,
    ...(run.scenario.checks.includes("liveness") ? { liveness: livenessOptions(run) } : {}),
  };
  const verdicts: Record<string, Verdict> = {};
  for (const name of run.scenario.checks) {
    const checker = checkers[name];
    if (checker === undefined) throw new Error(`no checker named ${name}`);
    verdicts[name] =
      name === "lost_writes" && lostWritesVerdict !== null
        ? lostWritesVerdict
        : runChecker(checker, parsed, options);
  }
  return verdicts;
}

/** The liveness check's bound, and the faults as they were in force when the clients stopped. */
function livenessOptions(run: ScenarioRun): LivenessOptions {
  const { scenario } = run;
  return {
    within_us: scenario.liveness.within_us,
    faults: faultSpans(run.state.faults),
    clients_end_us: scenario.warmup_us + scenario.duration_us,
  };
}

/**
 * After the run: Jepsen's final phase (when on), then the checks on the history with the final
 * reads in it, and report.json's `final_reads`. lost_writes is judged once: its verdict is both
 * the check's and the final reads' headline figure.
 */
function endOfRun(
  run: ScenarioRun,
  history: HistoryRecorder,
  finalReads: boolean,
  rpoRto: RpoRtoRecorder | null,
): { checks: Record<string, Verdict>; finalReads: FinalReadsReport | null } {
  const phase = finalReads ? run.finalPhase(history.touchedKeys) : null;
  const finalProcess = phase === null ? null : history.recordFinalReads(phase.reads);
  const parsed = history.toHistory("history.jsonl");
  const finalState = finalStateOptions(run, history, finalProcess);
  const judged =
    run.workload.checks.lost_writes && (phase !== null || run.scenario.checks.includes("lost_writes"));
  const timing = rpoRto === null ? {} : { on_lost_write: (write: Operation) => rpoRto.onLostWrite(write) };
  const lostWritesVerdict = judged ? runChecker(lostWrites, parsed, { ...finalState, ...timing }) : null;
  const checks = runScenarioChecks(run, parsed, finalState, lostWritesVerdict);
  if (phase === null || finalProcess === null) return { checks, finalReads: null };
  return {
    checks,
    finalReads: finalReadsReport({
      phase,
      process: finalProcess,
      history: parsed,
      nodeName: (node) => run.nodeNames.get(node) ?? run.sim.nameOf(node),
      lostWrites: lostWritesVerdict,
    }),
  };
}

export interface ExecutedRun {
  /** The all-operations latency histogram (a sweep merges them across seeds). */
  latencyAll: Histogram;
  report: Report;
  /** Relative path -> content, for writeRunDir. */
  files: Map<string, FileContent>;
  /** The trace hash at each checkpoint (every 100,000 events), to locate where two runs diverge. */
  checkpoints: readonly TraceCheckpoint[];
}

/** Events per slice between progress callbacks (and between yields to the event loop). */
const SLICE_EVENTS = 250_000;

export async function executeRun(
  scenario: LoadedScenario,
  seed: number,
  options: {
    onProgress?: (progress: RunProgress) => void;
    yieldBetweenSlices?: boolean;
    /** The command that reproduces this run, for the summary. */
    reproduce?: string;
    /** Prometheus metrics: metrics.om (the virtual-time timeline) and live publication; false: none. */
    metrics?: false | RunMetricsOptions;
    /** "failed": render the run directory's files only when a check failed (a sweep's other seeds). */
    files?: "always" | "failed";
  } = {},
): Promise<ExecutedRun> {
  const finalReads = scenario.resolved.final_reads.enabled;
  const wantsHistory = scenario.resolved.checks.length > 0 || finalReads;
  let history: HistoryRecorder | null = null;
  const latency = new LatencyRecorder();
  const timeline = new TimelineRecorder({ openLoop: scenario.resolved.workload.rate !== null });
  let replication: ReplicationRecorder | null = null;
  const sharding = new ShardingRecorder();
  const transactions = new TransactionsRecorder();
  const regionFault = firstRegionFault(scenario.resolved.faults.schedule);
  const rpoRto = regionFault === null ? null : new RpoRtoRecorder(regionFault);
  let queries: QueriesRecorder | null = null;
  let metrics: RunMetricsSession | null = null;
  let cacheTimeline: CacheTimeline | null = null;
  let ranges: RangesRecorder | null = null;
  const protocolPath = scenario.resolved.cluster.replication.protocol;
  const protocol = protocolPath === null ? undefined : await loadProtocol(protocolPath);
  const started = process.hrtime.bigint();
  const run = new ScenarioRun(scenario.resolved, {
    seed,
    protocol,
    observer: {
      onOperation(op) {
        latency.onOperation(op);
        timeline.onOperation(op);
        replication?.onOperation(op);
        sharding.onOperation(op);
        transactions.onOperation(op);
        rpoRto?.onOperation(op);
        queries?.onOperation(op);
        history?.onOperation(op);
        metrics?.onOperation(op);
        cacheTimeline?.onOperation(op);
      },
      onEngineEvent(event, time_us) {
        timeline.onEngineEvent(event, time_us);
        replication?.onEngineEvent(event, time_us);
        sharding.onEngineEvent(event, time_us);
        ranges?.onEngineEvent(event, time_us);
        metrics?.onEngineEvent(event, time_us);
      },
    },
  });
  replication = new ReplicationRecorder(run.nodeNames);
  const { domain } = run.workload;
  if (domain !== null) queries = new QueriesRecorder(domain.templates.map((t) => t.name));
  if (wantsHistory) {
    history = new HistoryRecorder(
      (node) => run.nodeNames.get(node) ?? run.sim.nameOf(node),
      run.plugin.history,
    );
  }
  if (options.metrics !== false) metrics = new RunMetricsSession(run, options.metrics);
  const cache = scenario.resolved.cluster.cache;
  if (cache !== null) cacheTimeline = new CacheTimeline(run.cacheStats);
  if (scenario.resolved.cluster.ranges !== null) ranges = new RangesRecorder(() => run.cluster.rangeSpread());
  const cpuBusy = () => run.cluster.rangeSpread()?.cpu_busy_us ?? [];
  // The nodes' I/O counters as the measured phase begins: report.json `storage` counts from there.
  const warmup_us = scenario.resolved.warmup_us;
  let ioAtWarmupEnd = warmup_us === 0 ? run.ioStats() : null;
  let cacheAtWarmupEnd = warmup_us === 0 ? run.cacheStats.map(copyCacheStats) : null;
  let cpuBusyAtWarmupEnd = warmup_us === 0 ? cpuBusy() : null;
  // With metrics, slices also stop at each sample boundary (virtual time), where the registry is read,
  // and, until it is taken, at the end of the warmup.
  const stopAt = () =>
    Math.min(
      metrics?.nextSample_us ?? Number.POSITIVE_INFINITY,
      ioAtWarmupEnd === null ? warmup_us : Number.POSITIVE_INFINITY,
    );
  while (!run.advance(SLICE_EVENTS, stopAt())) {
    if (ioAtWarmupEnd === null && run.progress.now_us >= warmup_us) {
      ioAtWarmupEnd = run.ioStats();
      cacheAtWarmupEnd = run.cacheStats.map(copyCacheStats);
      cpuBusyAtWarmupEnd = cpuBusy();
      ranges?.sample();
    }
    if (metrics !== null) await metrics.afterSlice();
    options.onProgress?.(run.progress);
    if (options.yieldBetweenSlices) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const result = run.result();
  const ioAtEnd = run.ioStats();
  const storage = storageReport(
    run.cluster.nodes.map(({ id, name }) => ({
      name,
      pool_pages: scenario.resolved.cluster.node.buffer_pool.pages,
      data_pages: run.cluster.dataPagesOn(id),
      from: ioAtWarmupEnd?.get(id) ?? new IoStats(),
      to: ioAtEnd.get(id) as IoStats,
    })),
  );
  // The report's figures are the run's, as it ended: taken before the final phase changes anything.
  const replicationReport = replication.finish(
    {
      mode: replicationLabel(scenario.resolved.cluster.replication),
      replicas: scenario.resolved.cluster.replicas,
      disk_faults: hasDiskFaults(scenario.resolved.faults)
        ? run.state.faults.filter((f) => isDiskFault(f.kind) && f.targets.length > 0).length
        : null,
    },
    { surviving: run.survivingWrites(), leaders: run.cluster.leaders() },
  );
  const shardingReport = sharding.finish(run.shardUsage(), {
    routing: scenario.resolved.cluster.sharding.routing,
    shards: scenario.resolved.cluster.shards,
    two_phase: TXN_WORKLOAD_TYPES.includes(scenario.resolved.workload.type),
  });
  const connections = connectionsReport(run);
  const timelineReport = timeline.finish(result.virtual_us);
  const rangesReport = ranges?.finish(cpuBusyAtWarmupEnd ?? [], scenario.resolved.duration_us);
  const cacheSection =
    cache === null
      ? {}
      : {
          cache: cacheReport(cache, cacheAtWarmupEnd ?? run.cacheStats.map(newCacheStats), run.cacheStats),
        };
  if (cacheTimeline !== null)
    timelineReport.cache_hit_ratio = cacheTimeline.finish(result.virtual_us, timelineReport);
  const faults = run.faultLog.map((record) => ({ ...record }));
  const ended = history === null ? null : endOfRun(run, history, finalReads, rpoRto);
  const wall_s = Number(process.hrtime.bigint() - started) / 1e9;
  const report = buildReport({
    doc: scenario.doc,
    scenario: scenario.resolved,
    result,
    latency,
    timeline: timelineReport,
    replication: replicationReport,
    ...(rpoRto === null ? {} : { rpo_rto: rpoRto.finish(ended?.finalReads ?? null, replicationReport) }),
    ...shardingReport,
    queries: queries === null ? null : queries.finish(run.cluster.finalDatabase()),
    storage,
    ...(connections === undefined ? {} : { connections }),
    ...cacheSection,
    ...(rangesReport === undefined ? {} : { ranges: rangesReport }),
    transactions: transactions.finish(scenario.resolved.duration_us / 1e6),
    faults,
    checks: ended?.checks ?? {},
    final_reads: ended?.finalReads ?? null,
    host: {
      wall_s: Math.round(wall_s * 1000) / 1000,
      events_per_wall_s: Math.round(result.events / wall_s),
      ops_per_wall_s: Math.round(result.operations / wall_s),
      node: process.version,
      dbsim_version: dbsimVersion(),
    },
  });
  validateReport(report, "report.json"); // a report that breaks its own schema is a bug: fail loudly
  const checks = report.checks;
  await metrics?.finish(checks);
  const files = new Map<string, FileContent>();
  const violations = Object.entries(checks).filter(([, verdict]) => verdict.valid === false);
  if (options.files === "failed" && violations.length === 0) {
    return { report, files, checkpoints: result.checkpoints, latencyAll: latency.all.latency };
  }
  if (metrics !== null) files.set("metrics.om", metrics.openMetrics());
  files.set("report.json", `${JSON.stringify(report, null, 2)}\n`);
  files.set(
    "summary.md",
    markdownSummary(report, options.reproduce ?? `${DBSIM} run <scenario> --seed ${seed}`),
  );
  files.set("report.html", renderReportHtml(report, { reproduce: options.reproduce }));
  for (const [name, stats] of latency.ops()) files.set(`latency/${name}.hgrm`, hgrm(stats.latency));
  const recorded = history;
  if (recorded !== null) files.set("history.jsonl", () => recorded.jsonlChunks());
  if (violations.length > 0) {
    const failure = {
      schema: "dbsim.failure/v1",
      scenario: scenario.doc,
      seed,
      dbsim_version: report.host.dbsim_version,
      trace_hash: result.trace_hash,
      checkpoints: result.checkpoints,
      violations: Object.fromEntries(violations),
      command: options.reproduce ?? `${DBSIM} run <scenario> --seed ${seed}`,
    };
    files.set("failure.json", `${JSON.stringify(failure, null, 2)}\n`);
  }
  files.set("latency/all.hgrm", hgrm(latency.all.latency));
  return { report, files, checkpoints: result.checkpoints, latencyAll: latency.all.latency };
}

/** What replicated the run: the built-in mode, or the protocol module that replaced it. */
function replicationLabel(replication: ResolvedScenario["cluster"]["replication"]): string {
  return replication.protocol === null ? replication.mode : `protocol ${replication.protocol}`;
}
