// dbsim compare <run-dir|report.json>... [--html FILE] [--json]

import { compareRuns, comparisonTable } from "../../reports/compare.js";
import { GENERATOR_META } from "../../reports/html/page.js";
import { renderComparisonHtml } from "../../reports/html.js";
import type { FileMarker } from "../../reports/output-path.js";
import { recoverLeftovers, type WriteOutcome, writeFileAtomic } from "../../reports/run-dir.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_OK } from "../exit-codes.js";
import { DBSIM } from "../invocation.js";
import { preflightFile, sayNotes, sayWrote } from "../output.js";
import { readReport } from "../report-file.js";

/** A page dbsim wrote carries its generator tag near the top. */
const isDbsimPage: FileMarker = (head) => head.includes(GENERATOR_META);

export interface CompareArgs {
  runs: string[];
  html?: string;
  json: boolean;
}

export async function compareCommand(args: CompareArgs, io: CliIo): Promise<number> {
  if (args.runs.length < 2) {
    throw new CliError(
      `compare needs at least two runs (got ${args.runs.length}): ${DBSIM} compare runs/a runs/b`,
    );
  }
  const html = args.html === undefined ? null : preflightFile("--html", args.html, isDbsimPage, io);
  const runs = args.runs.map((source) => {
    sayNotes(io, recoverLeftovers(source)); // a run a killed dbsim had finished is rolled into place
    return { source, report: readReport(source) };
  });
  const comparison = compareRuns(runs);
  let written: WriteOutcome | null = null;
  if (html !== null) {
    const labelled = runs.map((run, i) => ({
      label: comparison.columns[i]?.label ?? run.source,
      report: run.report,
    }));
    try {
      written = writeFileAtomic(html.path, renderComparisonHtml(comparison, labelled), html);
    } catch (error) {
      throw new CliError(`cannot write ${html.path}: ${(error as Error).message}`);
    }
    sayNotes(io, written.notes);
  }
  if (args.json) io.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
  else io.stdout.write(comparisonTable(comparison));
  if (written !== null) sayWrote(io, args.json, written.path);
  return EXIT_OK;
}
