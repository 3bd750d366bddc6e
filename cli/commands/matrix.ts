// dbsim matrix <scenario> --vary path=v1,v2 [--vary ...] [--seeds a..b] [--workers N] [--out DIR] [--set ...]
//
// Runs every variant (the cartesian product of the --vary values) at every seed on a pool of worker
// threads, writes each run's directory and a comparison whose figures are medians across seeds with
// their min-max range. The same seed gives every variant the same workload and arrival schedule.

import { basename, extname, join } from "node:path";
import { compareVariants, comparisonTable } from "../../reports/compare.js";
import { renderComparisonHtml } from "../../reports/html.js";
import type { Report } from "../../reports/report-schema.js";
import { writeRunDir } from "../../reports/run-dir.js";
import { ScenarioError } from "../../workloads/scenario/errors.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_INTERNAL } from "../exit-codes.js";
import { type MetricsArgs, parseMetricsInterval } from "../live-metrics.js";
import {
  makeOutputDirectoryOrFail,
  preflightOutputDirectory,
  preflightRunDirsIn,
  sayNotes,
  sayWrote,
  settingsSlug,
} from "../output.js";
import { createRunPool, defaultWorkers } from "../pool.js";
import { countProgressBar } from "../progress.js";
import { refuseBadProtocol } from "../protocol-module.js";
import { runOutcome, worstExit } from "../run-outcome.js";
import { readScenarioFile } from "../scenario-file.js";
import { MATRIX_MAX_RUNS, parseSeedRange, parseVary, variants } from "../vary.js";
import { reproduceCommand } from "./run.js";

export interface MatrixArgs extends Pick<MetricsArgs, "metrics" | "metricsInterval"> {
  scenario: string;
  vary: string[];
  seeds: string;
  workers?: number;
  out?: string;
  set: string[];
  json: boolean;
  progress: boolean;
  /** --max-memory: the most memory the runs at once (one per worker) may be estimated to keep. */
  maxMemory?: string;
}

export async function matrixCommand(args: MatrixArgs, io: CliIo): Promise<number> {
  if (args.vary.length === 0) throw new CliError("matrix needs at least one --vary path=v1,v2");
  const seeds = parseSeedRange(args.seeds);
  const base = readScenarioFile(args.scenario, args.set);
  const list = variants(args.vary.map(parseVary));
  if (list.length * seeds.length > MATRIX_MAX_RUNS) {
    throw new CliError(
      `matrix: ${list.length} variants x ${seeds.length} seeds is more than ${MATRIX_MAX_RUNS} runs`,
    );
  }
  const workers = args.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 256)) {
    throw new CliError(`--workers: expected an integer in [1, 256] (got ${args.workers})`);
  }
  // Refuse a bad path or value, or a variant too large for the workers' memory, before running anything.
  const budget = { maxMemory: args.maxMemory, runs: Math.min(workers, list.length * seeds.length) };
  const protocols = new Set<string | null>();
  for (const variant of list) {
    try {
      const loaded = readScenarioFile(args.scenario, [...args.set, ...variant.overrides], budget);
      protocols.add(loaded.resolved.cluster.replication.protocol);
    } catch (error) {
      if (error instanceof ScenarioError) throw new CliError(error.message.replace(/^--set /, "--vary "));
      throw error;
    }
  }
  for (const protocol of protocols) await refuseBadProtocol(protocol);
  const metricsInterval_us = parseMetricsInterval(args);
  const out = args.out ?? join("runs", base.resolved.name, "matrix");
  // Each variant's directory: its settings, made unique (two labels may clean up alike).
  const directories = list.map((variant) => settingsSlug(variant.label.split(", ")));
  if (new Set(directories).size !== directories.length) {
    throw new Error(`two variants share a directory name: ${directories.join(" ")}`);
  }
  const state = preflightOutputDirectory("--out", out, "matrix", io);
  const runPaths = directories.flatMap((directory) =>
    seeds.map((seed) => join(out, directory, `seed-${seed}`)),
  );
  const runTargets = preflightRunDirsIn("--out", state, runPaths, io);
  const [comparisonTarget] = preflightRunDirsIn("--out", state, [join(out, "comparison")], io, "comparison");
  makeOutputDirectoryOrFail(out, "matrix");
  const text = base.text;
  const pool = createRunPool(Math.min(workers, list.length * seeds.length));
  const bar = countProgressBar(
    args.progress && !args.json && io.stderr.isTTY === true,
    list.length * seeds.length,
    "runs",
  );
  const crashed: string[] = [];
  const runs: { label: string; report: Report }[] = [];
  try {
    const results = await Promise.all(
      list.map(async (variant, v) => {
        const reports = await Promise.all(
          seeds.map(async (seed, s) => {
            const overrides = [...args.set, ...variant.overrides];
            try {
              const result = await pool.run({
                text,
                sourceName: args.scenario,
                fallbackName: basename(args.scenario, extname(args.scenario)),
                overrides,
                seed,
                reproduce: reproduceCommand(args.scenario, seed, overrides),
                metrics: args.metrics,
                metricsInterval_us,
                // Variants share the scenario and the seeds: the variant tells their metrics apart.
                runLabel: `${base.resolved.name}/${directories[v]}/seed-${seed}`,
                out: runTargets[v * seeds.length + s],
              });
              sayNotes(io, result.written?.notes ?? []);
              return result.report;
            } catch (error) {
              crashed.push(`${variant.label} seed ${seed}: ${(error as Error).message}`);
              return null;
            } finally {
              bar?.increment();
            }
          }),
        );
        return {
          label: variant.label,
          source: variant.overrides.join(" "),
          reports: reports.filter((r): r is Report => r !== null),
        };
      }),
    );
    runs.push(...results.flatMap((v) => v.reports.map((report) => ({ label: v.label, report }))));
    const comparison = compareVariants(results);
    const table = comparisonTable(comparison);
    const written = writeRunDir(
      join(out, "comparison"),
      new Map([
        ["comparison.json", `${JSON.stringify(comparison, null, 2)}\n`],
        [
          "comparison.md",
          `# dbsim matrix: ${base.resolved.name}, seeds ${args.seeds}\n\n\`\`\`\n${table}\`\`\`\n`,
        ],
        // The spectra drawn are each variant's first seed; the table holds medians across seeds.
        [
          "comparison.html",
          renderComparisonHtml(
            comparison,
            results.flatMap((v) => {
              const first = v.reports[0];
              return first === undefined ? [] : [{ label: `${v.label} (seed ${first.seed})`, report: first }];
            }),
          ),
        ],
      ]),
      { kind: "comparison", expected: comparisonTarget },
    );
    bar?.stop();
    sayNotes(io, written.notes);
    io.stdout.write(args.json ? `${JSON.stringify(comparison, null, 2)}\n` : table);
    sayWrote(io, args.json, `${out}/ (${list.length} variants x ${seeds.length} seeds)`);
  } finally {
    bar?.stop();
    await pool.close();
  }
  for (const line of crashed) io.stderr.write(`dbsim: run crashed: ${line}\n`);
  if (crashed.length > 0) return EXIT_INTERNAL;
  const outcomes = runs.map(({ label, report }) => ({ label, report, ...runOutcome(report) }));
  const failed = outcomes.filter((run) => run.violations.length > 0);
  if (failed.length > 0) {
    io.stderr.write(`dbsim: check failed in ${runList(failed, (run) => run.violations.join(", "))}\n`);
  }
  const breached = outcomes.filter((run) => run.breached.length > 0);
  if (breached.length > 0) {
    io.stderr.write(
      `dbsim: threshold breached in ${runList(breached, (run) => run.breached.map((r) => `${r.figure} ${r.condition}`).join(", "))}\n`,
    );
  }
  return worstExit(outcomes.map((run) => run.exit));
}

/** "2 runs: fsync_policy=never seed 1 (update.p99 < 10ms), ..." (the first 10). */
function runList<Run extends { label: string; report: Report }>(
  runs: Run[],
  what: (run: Run) => string,
): string {
  const shown = runs.slice(0, 10).map((run) => `${run.label} seed ${run.report.seed} (${what(run)})`);
  const more = runs.length > shown.length ? `, and ${runs.length - shown.length} more` : "";
  return `${runs.length} run${runs.length === 1 ? "" : "s"}: ${shown.join(", ")}${more}`;
}
