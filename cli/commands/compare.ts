// dbsim compare <run-dir|report.json>... [--html FILE] [--json]

import { writeFileSync } from "node:fs";
import { compareRuns, comparisonTable } from "../../reports/compare.js";
import { renderComparisonHtml } from "../../reports/html.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_OK } from "../exit-codes.js";
import { readReport } from "../report-file.js";

export interface CompareArgs {
  runs: string[];
  html?: string;
  json: boolean;
}

export async function compareCommand(args: CompareArgs, io: CliIo): Promise<number> {
  if (args.runs.length < 2) {
    throw new CliError(
      `compare needs at least two runs (got ${args.runs.length}): dbsim compare runs/a runs/b`,
    );
  }
  const runs = args.runs.map((source) => ({ source, report: readReport(source) }));
  const comparison = compareRuns(runs);
  if (args.html !== undefined) {
    const labelled = runs.map((run, i) => ({
      label: comparison.columns[i]?.label ?? run.source,
      report: run.report,
    }));
    try {
      writeFileSync(args.html, renderComparisonHtml(comparison, labelled));
    } catch (error) {
      throw new CliError(`cannot write ${args.html}: ${(error as Error).message}`);
    }
  }
  if (args.json) io.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
  else io.stdout.write(comparisonTable(comparison));
  return EXIT_OK;
}
