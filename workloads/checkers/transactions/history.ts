// Transaction histories in Jepsen's and elle-cli's shape (docs/formats.md, "Transaction histories"):
// one event a line, `f` "txn", the value a list of micro-operations:
//   list-append: ["append", k, e] and ["r", k, [e...] | null]
//   rw-register: ["w", k, v] and ["r", k, v | null]
// Keys are strings or integers (an integer key is its decimal text, as in history.jsonl). The events
// pair into operations as every history's do (../history.ts): `ok` committed, `fail` aborted, `info`
// unknown. Each line's value is checked and normalized here, with the line's number in errors, before
// HistoryParser pairs it. Malformed input is a HistoryError naming the line.

import { describeValue, type History, HistoryError, HistoryParser, type Operation } from "../history.js";

export type TransactionModel = "list-append" | "rw-register";

/** An element of a list (list-append) or a register's value (rw-register). */
export type Element = number | string;

export type MicroOp =
  | { readonly f: "append"; readonly key: string; readonly value: Element }
  | { readonly f: "w"; readonly key: string; readonly value: Element }
  /** list-append: the list read (null = empty); rw-register: the value read (null = the initial nil). */
  | { readonly f: "r"; readonly key: string; readonly value: readonly Element[] | Element | null };

/** One transaction: an operation whose value is its micro-operations. */
export interface Transaction {
  /** Its position in the history (invoke order): the node of the dependency graph. */
  readonly id: number;
  readonly operation: Operation;
  readonly mops: readonly MicroOp[];
}

/** A transaction's micro-operations at most (Jepsen's transactions have a handful). */
export const MAX_MICRO_OPS = 10_000;
/**
 * Transactions in one history at most: a check keeps about 1.4 KB of memory per transaction (a
 * million list-append transactions: max RSS 1.4 GB), so the most takes about 3 GB.
 */
export const MAX_TRANSACTIONS = 2_000_000;

const WRITE_FUNCTION: Record<TransactionModel, "append" | "w"> = {
  "list-append": "append",
  "rw-register": "w",
};

/** Parses a transaction history's lines (HistoryParser's checks, and the micro-operations'). */
export class TransactionHistoryParser {
  private readonly events: HistoryParser;
  private readonly model: TransactionModel;
  private readonly source: string;
  private readonly maxTransactions: number;
  private invokes = 0;
  private line = 0;

  constructor(source: string, model: TransactionModel, maxTransactions = MAX_TRANSACTIONS) {
    this.events = new HistoryParser(source);
    this.model = model;
    this.source = source;
    this.maxTransactions = maxTransactions;
  }

  /** One line of JSONL (1-based `line` names it in errors); blank lines are skipped. */
  lineText(text: string, line: number): void {
    if (text.trim() === "") return;
    this.line = line;
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch (error) {
      this.fail(`not JSON (${(error as Error).message})`);
    }
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
      this.fail(`expected one event as a JSON object (got ${describeValue(event)})`);
    }
    this.event(event as Record<string, unknown>, line);
  }

  /** One decoded event. */
  event(event: Readonly<Record<string, unknown>>, line: number): void {
    this.line = line;
    if (event.process === "nemesis") return;
    if (event.f !== "txn")
      this.fail(`"f" must be "txn" in a transaction history (got ${describeValue(event.f)})`);
    if (event.type === "invoke" && ++this.invokes > this.maxTransactions) {
      this.fail(`more than ${this.maxTransactions} transactions, the most a history may have`);
    }
    // A fail or info completion may repeat the invoke's value or carry none.
    const value =
      event.value === null || event.value === undefined
        ? event.value
        : parseMicroOps(event.value, this.model, event.type === "ok", (problem) => this.fail(problem));
    this.events.event({ ...event, value }, line);
  }

  /** The transactions, in invoke order. */
  transactions(): Transaction[] {
    return transactionsOf(this.events.history());
  }

  history(): History {
    return this.events.history();
  }

  private fail(problem: string): never {
    throw new HistoryError(this.source, this.line, problem);
  }
}

/**
 * Checks and normalizes one event's value, a list of micro-operations (a completion's reads with
 * what they read; an invoke's without); `fail` throws with the problem.
 */
function parseMicroOps(
  value: unknown,
  model: TransactionModel,
  completed: boolean,
  fail: (problem: string) => never,
): MicroOp[] {
  if (!Array.isArray(value))
    fail(`a transaction's value must be a list of micro-operations (got ${describeValue(value)})`);
  if (value.length > MAX_MICRO_OPS) {
    fail(`a transaction of ${value.length} micro-operations: at most ${MAX_MICRO_OPS} are allowed`);
  }
  return value.map((mop, at) => parseMicroOp(mop, at, model, completed, fail));
}

function parseMicroOp(
  mop: unknown,
  at: number,
  model: TransactionModel,
  completed: boolean,
  fail: (problem: string) => never,
): MicroOp {
  const where = `micro-operation ${at}`;
  if (!Array.isArray(mop) || mop.length < 2 || mop.length > 3) {
    fail(`${where} must be [f, key, value] (got ${describeValue(mop)})`);
  }
  const [f, rawKey, value = null] = mop as [unknown, unknown, unknown];
  const write = WRITE_FUNCTION[model];
  if (f !== "r" && f !== write) {
    fail(`${where}: f must be "r" or "${write}" for ${model} (got ${describeValue(f)})`);
  }
  let key: string;
  if (typeof rawKey === "string") key = rawKey;
  else if (typeof rawKey === "number" && Number.isSafeInteger(rawKey)) key = String(rawKey);
  else fail(`${where}: the key must be a string or an integer (got ${describeValue(rawKey)})`);
  if (f === write) {
    if (!isElement(value))
      fail(`${where}: the value written must be a string or an integer (got ${describeValue(value)})`);
    return { f: write, key, value } as MicroOp;
  }
  // An invoke's reads have no value yet; only a completion's are checked.
  if (!completed || value === null) return { f: "r", key, value: null };
  if (model === "rw-register") {
    if (!isElement(value))
      fail(`${where}: a register read must be a string, an integer or null (got ${describeValue(value)})`);
    return { f: "r", key, value };
  }
  if (!Array.isArray(value) || !value.every(isElement)) {
    fail(
      `${where}: a list read must be a list of strings and integers, or null (got ${describeValue(value)})`,
    );
  }
  return { f: "r", key, value: value as Element[] };
}

/**
 * The transactions of a history whose operations' values are still JSON micro-operations (a run's
 * recorder builds its History from the events it writes); malformed values are a HistoryError
 * naming the operation's invoke index.
 */
export function transactionsFromHistory(history: History, model: TransactionModel): Transaction[] {
  return history.operations.map((operation, id) => {
    const fail = (problem: string): never => {
      throw new HistoryError(history.source, operation.invokeIndex + 1, problem);
    };
    const value = operation.value;
    const mops =
      value === null || value === undefined ? [] : parseMicroOps(value, model, operation.type === "ok", fail);
    return { id, operation, mops };
  });
}

function isElement(value: unknown): value is Element {
  return typeof value === "string" || (typeof value === "number" && Number.isSafeInteger(value));
}

/** A parsed history's transactions (each operation's value is already its micro-operations). */
export function transactionsOf(history: History): Transaction[] {
  return history.operations.map((operation, id) => ({
    id,
    operation,
    mops: (operation.value ?? []) as MicroOp[],
  }));
}
