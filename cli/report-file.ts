// Reads a run's report for a command: a run directory or a report.json path (a regular file under
// REPORT_FILE's limit). Failures are one line with exit code 2.

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Report, ReportError, validateReport } from "../reports/report-schema.js";
import { CliError } from "./errors.js";
import { REPORT_FILE, readInputText } from "./input-file.js";

export function readReport(path: string): Report {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, "report.json");
  } catch {
    throw new CliError(`cannot read ${path}: no such file or directory`);
  }
  if (file !== path && !existsSync(file)) {
    throw new CliError(`cannot read ${file}: no report.json in this directory`);
  }
  const text = readInputText(file, REPORT_FILE);
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
