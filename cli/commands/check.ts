// dbsim check <history.jsonl>... [--model register] [--json] [--timeout 10s]
//
// Checks existing histories for linearizability: one verdict line per file, or one JSON object.
// Exit 0 when every history is linearizable, 1 when any is not, 3 when any is unknown (1 beats 3).
// Verdicts are printed once every file is checked, so bad input in any file exits 2 without any;
// one history at a time is in memory.

import { readFileSync } from "node:fs";
import { mergeValidity, runChecker, type Validity, type Verdict } from "../../workloads/checkers/checker.js";
import { type History, HistoryError, parseHistoryJsonl } from "../../workloads/checkers/history.js";
import {
  type LinearizabilityViolation,
  type LinearizableVerdict,
  linearizable,
} from "../../workloads/checkers/linearizable.js";
import { parseDurationUs, UnitError } from "../../workloads/scenario/units.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATION } from "../exit-codes.js";

const MODELS = ["register"];

export interface CheckArgs {
  histories: string[];
  model: string;
  /** A duration such as "10s": the time limit of each history's check. */
  timeout: string;
  json: boolean;
}

export interface CheckResult {
  readonly file: string;
  readonly valid: Validity;
  /** Why the verdict is false or unknown, in one line. */
  readonly reason?: string;
  readonly ops: number;
  readonly keys: number;
  /** Wall-clock time of the check. */
  readonly ms: number;
  /** Keys whose check finished (all of them when valid, fewer when a key fails or time runs out). */
  readonly keys_checked?: number;
  readonly violation?: LinearizabilityViolation;
}

export async function checkCommand(args: CheckArgs, io: CliIo): Promise<number> {
  if (!MODELS.includes(args.model)) {
    throw new CliError(`--model: unknown model "${args.model}" (the models are: ${MODELS.join(", ")})`);
  }
  const timeout_ms = parseTimeoutMs(args.timeout);
  const results = args.histories.map((file) => checkHistory(readHistory(file), timeout_ms));
  if (args.json) io.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
  else for (const result of results) io.stdout.write(`${verdictLine(result)}\n`);
  const valid = mergeValidity(results.map((result) => result.valid));
  return valid === true ? EXIT_OK : valid === false ? EXIT_VIOLATION : EXIT_UNKNOWN;
}

function parseTimeoutMs(text: string): number {
  let us: number;
  try {
    us = parseDurationUs(text);
  } catch (error) {
    if (error instanceof UnitError) throw new CliError(`--timeout: ${error.message}`);
    throw error;
  }
  if (us === 0) throw new CliError(`--timeout: must be more than 0 (got ${JSON.stringify(text)})`);
  return us / 1000;
}

function readHistory(file: string): History {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code;
    throw new CliError(`cannot read ${file}: ${why}`);
  }
  try {
    return parseHistoryJsonl(text, file);
  } catch (error) {
    if (error instanceof HistoryError) throw new CliError(error.message);
    throw error;
  }
}

function checkHistory(history: History, timeout_ms: number): CheckResult {
  const now_ms = () => performance.now();
  const started = now_ms();
  // runChecker: a checker that throws (say, on an operation the model does not know) gives unknown.
  const verdict: Partial<LinearizableVerdict> & Verdict = runChecker(linearizable, history, {
    now_ms,
    timeout_ms,
  });
  const ms = Math.round((now_ms() - started) * 10) / 10;
  const reason = verdict.reason ?? (typeof verdict.error === "string" ? verdict.error : undefined);
  return {
    file: history.source,
    valid: verdict.valid,
    ...(reason === undefined ? {} : { reason }),
    ops: history.operations.length,
    keys: new Set(history.operations.map((operation) => operation.key)).size,
    ms,
    ...(verdict.keys_checked === undefined ? {} : { keys_checked: verdict.keys_checked }),
    ...(verdict.violation === undefined ? {} : { violation: verdict.violation }),
  };
}

function verdictLine(result: CheckResult): string {
  if (result.valid === true) {
    return `${result.file}: linearizable (${plural(result.ops, "op")}, ${plural(result.keys, "key")}, ${result.ms} ms)`;
  }
  if (result.valid === false) return `${result.file}: NOT linearizable: ${result.reason}`;
  return `${result.file}: unknown: ${result.reason}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
