// dbsim matrix <scenario> --vary path=v1,v2 [--vary ...] [--seeds a..b] [--workers N] [--out DIR] [--set ...]
//
// Runs every variant (the cartesian product of the --vary values) at every seed on a pool of worker
// threads, writes each run's directory and a comparison whose figures are medians across seeds with
// their min-max range. The same seed gives every variant the same workload and arrival schedule.

import { readFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { compareVariants, comparisonTable } from "../../reports/compare.js";
import { renderComparisonHtml } from "../../reports/html.js";
import type { Report } from "../../reports/report-schema.js";
import { writeRunDir } from "../../reports/run-dir.js";
import { ScenarioError } from "../../workloads/scenario/load.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_OK } from "../exit-codes.js";
import { type MetricsArgs, parseMetricsInterval } from "../live-metrics.js";
import { createRunPool, defaultWorkers } from "../pool.js";
import { countProgressBar } from "../progress.js";
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
}

/** Exit code when some runs crashed (a bug in dbsim): the others are still written and compared. */
const EXIT_INTERNAL = 70;

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
  // Refuse a bad path or value before running anything.
  for (const variant of list) {
    try {
      readScenarioFile(args.scenario, [...args.set, ...variant.overrides]);
    } catch (error) {
      if (error instanceof ScenarioError) throw new CliError(error.message.replace(/^--set /, "--vary "));
      throw error;
    }
  }
  const metricsInterval_us = parseMetricsInterval(args);
  const workers = args.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 256)) {
    throw new CliError(`--workers: expected an integer in [1, 256] (got ${args.workers})`);
  }
  const out = args.out ?? join("runs", base.resolved.name, "matrix");
  const text = readFileSync(args.scenario, "utf8");
  const pool = createRunPool(Math.min(workers, list.length * seeds.length));
  const bar = countProgressBar(
    args.progress && !args.json && io.stderr.isTTY === true,
    list.length * seeds.length,
    "runs",
  );
  const crashed: string[] = [];
  try {
    const results = await Promise.all(
      list.map(async (variant) => {
        const reports = await Promise.all(
          seeds.map(async (seed) => {
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
                runLabel: `${base.resolved.name}/${slug(variant.label)}/seed-${seed}`,
              });
              writeRunDir(join(out, slug(variant.label), `seed-${seed}`), new Map(result.files));
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
    const comparison = compareVariants(results);
    const table = comparisonTable(comparison);
    writeRunDir(
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
    );
    bar?.stop();
    if (args.json) io.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
    else io.stdout.write(`${table}wrote ${out}/ (${list.length} variants x ${seeds.length} seeds)\n`);
  } finally {
    bar?.stop();
    await pool.close();
  }
  for (const line of crashed) io.stderr.write(`dbsim: run crashed: ${line}\n`);
  return crashed.length > 0 ? EXIT_INTERNAL : EXIT_OK;
}

function slug(label: string): string {
  return label.replace(/[^A-Za-z0-9._=-]+/g, "_");
}
