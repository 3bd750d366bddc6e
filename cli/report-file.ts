// Reads a run's report for a command: a run directory or a report.json path. Failures are one line
// with exit code 2.

import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Report, ReportError, validateReport } from "../reports/report-schema.js";
import { CliError } from "./errors.js";

export function readReport(path: string): Report {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, "report.json");
  } catch {
    throw new CliError(`cannot read ${path}: no such file or directory`);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new CliError(
      `cannot read ${file}: ${path === file ? "no such file" : "no report.json in this directory"}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: not JSON (${(error as Error).message})`);
  }
  try {
    return validateReport(value, file);
  } catch (error) {
    if (error instanceof ReportError) throw new CliError(error.message);
    throw error;
  }
}
