// Runs one scenario at one seed and turns the outcome into a report and the files of a run
// directory. A composition root: it wires the runner (workloads/) to the observers (reports/).

import { renderReportHtml } from "../reports/html.js";
import { hgrm, LatencyRecorder } from "../reports/latency.js";
import { ReplicationRecorder } from "../reports/replication.js";
import { buildReport } from "../reports/report.js";
import { type Report, validateReport } from "../reports/report-schema.js";
import { markdownSummary } from "../reports/summary.js";
import { TimelineRecorder } from "../reports/timeline.js";
import { type RunProgress, ScenarioRun } from "../workloads/runner.js";
import type { LoadedScenario } from "../workloads/scenario/load.js";
import { dbsimVersion } from "./version.js";

export interface ExecutedRun {
  report: Report;
  /** Relative path -> content, for writeRunDir. */
  files: Map<string, string>;
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
  } = {},
): Promise<ExecutedRun> {
  const latency = new LatencyRecorder();
  const timeline = new TimelineRecorder();
  let replication: ReplicationRecorder | null = null;
  const started = process.hrtime.bigint();
  const run = new ScenarioRun(scenario.resolved, {
    seed,
    observer: {
      onOperation(op) {
        latency.onOperation(op);
        timeline.onOperation(op);
        replication?.onOperation(op);
      },
      onEngineEvent(event, time_us) {
        timeline.onEngineEvent(event, time_us);
        replication?.onEngineEvent(event, time_us);
      },
    },
  });
  replication = new ReplicationRecorder(run.nodeNames);
  while (!run.advance(SLICE_EVENTS)) {
    options.onProgress?.(run.progress);
    if (options.yieldBetweenSlices) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const result = run.result();
  const wall_s = Number(process.hrtime.bigint() - started) / 1e9;
  const report = buildReport({
    doc: scenario.doc,
    scenario: scenario.resolved,
    result,
    latency,
    timeline: timeline.finish(result.virtual_us),
    replication: replication.finish(
      { mode: scenario.resolved.replication.mode, replicas: scenario.resolved.replication.replicas },
      { surviving: run.survivingWrites(), leaders: run.leaders() },
    ),
    faults: run.faultLog.map((record) => ({ ...record })),
    host: {
      wall_s: Math.round(wall_s * 1000) / 1000,
      events_per_wall_s: Math.round(result.events / wall_s),
      ops_per_wall_s: Math.round(result.operations / wall_s),
      node: process.version,
      dbsim_version: dbsimVersion(),
    },
  });
  validateReport(report, "report.json"); // a report that breaks its own schema is a bug: fail loudly
  const files = new Map<string, string>();
  files.set("report.json", `${JSON.stringify(report, null, 2)}\n`);
  files.set(
    "summary.md",
    markdownSummary(report, options.reproduce ?? `dbsim run <scenario> --seed ${seed}`),
  );
  files.set("report.html", renderReportHtml(report, { reproduce: options.reproduce }));
  for (const [name, stats] of latency.ops()) files.set(`latency/${name}.hgrm`, hgrm(stats.latency));
  files.set("latency/all.hgrm", hgrm(latency.all.latency));
  return { report, files };
}
