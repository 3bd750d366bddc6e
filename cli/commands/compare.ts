// dbsim compare <run-dir|report.json>... [--html FILE] [--json]

import { compareRuns, comparisonTable } from "../../reports/compare.js";
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
  if (args.json) io.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
  else io.stdout.write(comparisonTable(comparison));
  return EXIT_OK;
}
