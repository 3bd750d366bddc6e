// dbsim check <history.jsonl>... [--model register|bank|list-append|rw-register] [--total N]
//   [--consistency MODEL] [--json] [--timeout 10s] [--max-size 2GiB]
//
// Checks existing histories: for linearizability (register), a bank's invariants (bank: every
// read sums to the total, no negative balance), or a transaction history's isolation anomalies
// under a consistency model (list-append, rw-register: Elle's method, workloads/checkers/transactions/).
// One verdict line per file (a transaction history's anomalies below it), or one JSON object.
// Exit 0 when every history passes, 1 when any does not, 3 when any is unknown (1 beats 3).
// Verdicts are printed once every file is checked, so bad input in any file exits 2 without any;
// one history at a time is in memory, read line by line (never as one string).

import { parseByteSize, parseDurationUs, UnitError } from "../../engine/settings/units.js";
import { bankChecker } from "../../workloads/checkers/bank.js";
import { mergeValidity, runChecker, type Validity, type Verdict } from "../../workloads/checkers/checker.js";
import { type History, HistoryError, HistoryParser } from "../../workloads/checkers/history.js";
import {
  type LinearizabilityViolation,
  type LinearizableVerdict,
  linearizable,
} from "../../workloads/checkers/linearizable.js";
import { checkTransactions, type TransactionVerdict } from "../../workloads/checkers/transactions/check.js";
import {
  CONSISTENCY_MODELS,
  type ConsistencyModel,
} from "../../workloads/checkers/transactions/consistency.js";
import {
  TransactionHistoryParser,
  type TransactionModel,
  transactionsOf,
} from "../../workloads/checkers/transactions/history.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATION } from "../exit-codes.js";
import { type InputKind, readInputLines } from "../input-file.js";

const MODELS = ["register", "bank", "list-append", "rw-register"];
const TRANSACTION_MODELS: readonly string[] = ["list-append", "rw-register"];
/** Elle's default. */
const DEFAULT_CONSISTENCY: ConsistencyModel = "strict-serializable";

/**
 * A history file may have at most this much unless --max-size says more. A 1 GiB history (about 2.3M
 * operations) is checked in about 1.6 GiB of memory (docs/files.md, "Input limits and memory").
 */
export const DEFAULT_MAX_HISTORY_BYTES = 2 * 2 ** 30;
/** One event's line: a bank read of 10,000 accounts is about 0.2 MiB. */
const MAX_LINE_BYTES = 16 * 2 ** 20;

export interface CheckArgs {
  histories: string[];
  model: string;
  /** bank: the money in the bank (default: the first read's sum). */
  total?: number;
  /** list-append, rw-register: the consistency model the history must satisfy. */
  consistency?: string;
  /** A duration such as "10s": the time limit of each history's check. */
  timeout: string;
  json: boolean;
  /** A size such as "4GiB": the largest history file read (default DEFAULT_MAX_HISTORY_BYTES). */
  maxSize?: string;
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
  /** bank: the reads checked, the total they must sum to, and the anomalies found. */
  readonly reads?: number;
  readonly expected_total?: number | null;
  readonly anomalies?: readonly object[] | Record<string, readonly object[]>;
  readonly anomaly_count?: number;
  /** list-append, rw-register (elle-cli's fields): the forbidden anomaly types found, and counts. */
  readonly consistency?: ConsistencyModel;
  readonly anomaly_types?: readonly string[];
  readonly anomaly_counts?: Record<string, number>;
  readonly transactions?: number;
}

export async function checkCommand(args: CheckArgs, io: CliIo): Promise<number> {
  if (!MODELS.includes(args.model)) {
    throw new CliError(`--model: unknown model "${args.model}" (the models are: ${MODELS.join(", ")})`);
  }
  if (args.total !== undefined && args.model !== "bank")
    throw new CliError("--total: only with --model bank");
  if (args.total !== undefined && !Number.isFinite(args.total)) {
    throw new CliError(`--total: expected a number (got ${args.total})`);
  }
  const transactional = TRANSACTION_MODELS.includes(args.model);
  if (args.consistency !== undefined && !transactional) {
    throw new CliError("--consistency: only with --model list-append or rw-register");
  }
  const consistency = parseConsistency(args.consistency ?? DEFAULT_CONSISTENCY);
  const timeout_ms = parseTimeoutMs(args.timeout);
  const kind: InputKind = { noun: "history", limit_bytes: parseMaxSize(args.maxSize), raise: "--max-size" };
  const model = args.model as TransactionModel;
  const results = transactional
    ? args.histories.map((file) =>
        checkTransactionHistory(readTransactionHistory(file, kind, model), model, consistency, timeout_ms),
      )
    : args.histories.map((file) =>
        args.model === "bank"
          ? checkBank(readHistory(file, kind), args.total)
          : checkHistory(readHistory(file, kind), timeout_ms),
      );
  if (args.json) io.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
  else {
    const line = transactional
      ? transactionVerdictLines
      : args.model === "bank"
        ? bankVerdictLine
        : verdictLine;
    for (const result of results) io.stdout.write(`${line(result)}\n`);
  }
  const valid = mergeValidity(results.map((result) => result.valid));
  return valid === true ? EXIT_OK : valid === false ? EXIT_VIOLATION : EXIT_UNKNOWN;
}

function parseConsistency(text: string): ConsistencyModel {
  if (!(CONSISTENCY_MODELS as readonly string[]).includes(text)) {
    throw new CliError(
      `--consistency: unknown consistency model "${text}" (the models are: ${CONSISTENCY_MODELS.join(", ")})`,
    );
  }
  return text as ConsistencyModel;
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

function parseMaxSize(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_HISTORY_BYTES;
  try {
    return parseByteSize(text);
  } catch (error) {
    if (error instanceof UnitError) throw new CliError(`--max-size: ${error.message}`);
    throw error;
  }
}

/** The history, parsed event by event as its lines are read. */
function readHistory(file: string, kind: InputKind): History {
  const parser = new HistoryParser(file);
  let line = 0;
  try {
    for (const text of readInputLines(file, kind, MAX_LINE_BYTES)) parser.line(text, ++line);
  } catch (error) {
    if (error instanceof HistoryError) throw new CliError(error.message);
    throw error;
  }
  return parser.history();
}

/** A transaction history, parsed and its micro-operations checked event by event as its lines are read. */
function readTransactionHistory(
  file: string,
  kind: InputKind,
  model: TransactionModel,
): TransactionHistoryParser {
  const parser = new TransactionHistoryParser(file, model);
  let line = 0;
  try {
    for (const text of readInputLines(file, kind, MAX_LINE_BYTES)) parser.lineText(text, ++line);
  } catch (error) {
    if (error instanceof HistoryError) throw new CliError(error.message);
    throw error;
  }
  return parser;
}

function checkTransactionHistory(
  parser: TransactionHistoryParser,
  model: TransactionModel,
  consistency: ConsistencyModel,
  timeout_ms: number,
): CheckResult {
  const now_ms = () => performance.now();
  const started = now_ms();
  const history = parser.history();
  const transactions = transactionsOf(history);
  // runChecker: a checker that throws (say, on an append that is not unique) gives unknown.
  const verdict: Partial<TransactionVerdict> & Verdict = runChecker(
    () => checkTransactions(transactions, { model, consistency, now_ms, timeout_ms }),
    history,
  );
  const ms = Math.round((now_ms() - started) * 10) / 10;
  const reason = verdict.reason ?? (typeof verdict.error === "string" ? verdict.error : undefined);
  const keys = new Set<string>();
  for (const txn of transactions) for (const mop of txn.mops) keys.add(mop.key);
  return {
    file: history.source,
    valid: verdict.valid,
    ...(reason === undefined ? {} : { reason }),
    consistency,
    anomaly_types: verdict.anomaly_types ?? [],
    anomalies: verdict.anomalies ?? {},
    anomaly_counts: verdict.anomaly_counts ?? {},
    ops: history.operations.length,
    transactions: history.operations.length,
    keys: keys.size,
    ms,
  };
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

function checkBank(history: History, total: number | undefined): CheckResult {
  const now_ms = () => performance.now();
  const started = now_ms();
  const verdict = runChecker(bankChecker, history, total === undefined ? {} : { bank: { total } });
  const ms = Math.round((now_ms() - started) * 10) / 10;
  const reason = typeof verdict.reason === "string" ? verdict.reason : verdict.error;
  return {
    file: history.source,
    valid: verdict.valid,
    ...(typeof reason === "string" ? { reason } : {}),
    ops: history.operations.length,
    keys: 0,
    ms,
    ...(typeof verdict.reads === "number" ? { reads: verdict.reads } : {}),
    ...(verdict.expected_total === undefined
      ? {}
      : { expected_total: verdict.expected_total as number | null }),
    ...(typeof verdict.count === "number" ? { anomaly_count: verdict.count } : {}),
    ...(Array.isArray(verdict.anomalies) ? { anomalies: verdict.anomalies as object[] } : {}),
  };
}

function verdictLine(result: CheckResult): string {
  if (result.valid === true) {
    return `${result.file}: linearizable (${plural(result.ops, "op")}, ${plural(result.keys, "key")}, ${result.ms} ms)`;
  }
  if (result.valid === false) return `${result.file}: NOT linearizable: ${result.reason}`;
  return `${result.file}: unknown: ${result.reason}`;
}

function bankVerdictLine(result: CheckResult): string {
  if (result.valid === true) {
    return `${result.file}: bank invariants hold (${plural(result.reads ?? 0, "read")}, total ${result.expected_total}, ${result.ms} ms)`;
  }
  if (result.valid === false) {
    return `${result.file}: bank invariants VIOLATED (${plural(result.anomaly_count ?? 0, "anomaly", "anomalies")}): ${result.reason}`;
  }
  return `${result.file}: unknown: ${result.reason}`;
}

/** The verdict line, then one line per anomaly type: its count and the first one's explanation. */
function transactionVerdictLines(result: CheckResult): string {
  const count = plural(result.transactions ?? 0, "transaction");
  if (result.valid === true) return `${result.file}: ${result.consistency} holds (${count}, ${result.ms} ms)`;
  const head =
    result.valid === false
      ? `${result.file}: NOT ${result.consistency} (${count}): ${(result.anomaly_types ?? []).join(", ")}`
      : `${result.file}: unknown: ${result.reason}`;
  const anomalies = (result.anomalies ?? {}) as Record<string, readonly { why?: string }[]>;
  const details = Object.entries(anomalies).map(
    ([type, list]) => `  ${type} (${result.anomaly_counts?.[type] ?? list.length}): ${list[0]?.why ?? ""}`,
  );
  return [head, ...(result.valid === false ? details : [])].join("\n");
}

function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
