import { readFileSync } from "node:fs";
import {
  type Transaction,
  TransactionHistoryParser,
  type TransactionModel,
} from "../../../../workloads/checkers/transactions/history.js";

/** The transactions of a JSONL text. */
export function parseTransactions(
  text: string,
  model: TransactionModel,
  source = "test.jsonl",
): Transaction[] {
  const parser = new TransactionHistoryParser(source, model);
  text.split("\n").forEach((line, i) => {
    parser.lineText(line, i + 1);
  });
  return parser.transactions();
}

export function readTransactions(path: string, model: TransactionModel): Transaction[] {
  return parseTransactions(readFileSync(path, "utf8"), model, path);
}

type Mop = [string, string | number, unknown];

/** A JSONL history of transactions, each [process, type, micro-operations], one after another. */
export function sequential(...txns: [number, "ok" | "fail" | "info", Mop[]][]): string {
  return events(
    ...txns.flatMap(([process, type, mops]): [number, "invoke" | "ok" | "fail" | "info", Mop[]][] => [
      [process, "invoke", mops],
      [process, type, mops],
    ]),
  );
}

/**
 * A JSONL history from events in order: [process, type, micro-operations] (an invoke's reads are
 * written with a null value, as clients record them).
 */
export function events(...list: [number, "invoke" | "ok" | "fail" | "info", Mop[]][]): string {
  return list
    .map(([process, type, mops]) =>
      JSON.stringify({
        process,
        type,
        f: "txn",
        value: mops.map(([f, k, v]) => [f, k, type === "invoke" && f === "r" ? null : v]),
      }),
    )
    .join("\n");
}
