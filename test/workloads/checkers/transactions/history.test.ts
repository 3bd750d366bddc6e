// Transaction histories: Jepsen's and elle-cli's JSONL shape, checked line by line.

import { describe, expect, it } from "vitest";
import {
  MAX_MICRO_OPS,
  TransactionHistoryParser,
} from "../../../../workloads/checkers/transactions/history.js";
import { parseTransactions } from "./helpers.js";

describe("transaction histories", () => {
  it("pair invokes and completions; an ok transaction has its completion's reads, others their invoke's", () => {
    const txns = parseTransactions(
      [
        `{"index":0,"time":1200,"process":3,"type":"invoke","f":"txn","value":[["append","x",1],["r","y",null]]}`,
        `{"index":1,"time":1300,"process":4,"type":"invoke","f":"txn","value":[["append",7,2]]}`,
        `{"index":2,"time":2900,"process":3,"type":"ok","f":"txn","value":[["append","x",1],["r","y",[1,2]]]}`,
        `{"index":3,"time":3000,"process":4,"type":"info","f":"txn","value":[["append",7,2]]}`,
        `{"index":4,"process":"nemesis","type":"info","f":"start-partition","value":null}`,
        `{"index":5,"time":3100,"process":5,"type":"invoke","f":"txn","value":[["r","x"]]}`,
        `{"index":6,"time":3200,"process":5,"type":"fail","f":"txn","value":null}`,
      ].join("\n"),
      "list-append",
    );
    expect(txns.map((txn) => [txn.operation.type, txn.mops])).toEqual([
      [
        "ok",
        [
          { f: "append", key: "x", value: 1 },
          { f: "r", key: "y", value: [1, 2] },
        ],
      ],
      ["info", [{ f: "append", key: "7", value: 2 }]],
      ["fail", [{ f: "r", key: "x", value: null }]],
    ]);
  });

  it("takes rw-register writes and reads of values", () => {
    const txns = parseTransactions(
      `{"process":0,"type":"invoke","f":"txn","value":[["w","x",1],["r","y",null]]}\n` +
        `{"process":0,"type":"ok","f":"txn","value":[["w","x",1],["r","y","a"]]}`,
      "rw-register",
    );
    expect(txns[0]?.mops).toEqual([
      { f: "w", key: "x", value: 1 },
      { f: "r", key: "y", value: "a" },
    ]);
  });

  const bad: [string, string, string][] = [
    ["not JSON", `{"process":0`, "test.jsonl:1: not JSON"],
    [
      "another function",
      `{"process":0,"type":"invoke","f":"read"}`,
      `test.jsonl:1: "f" must be "txn" in a transaction history (got "read")`,
    ],
    [
      "a value that is no list",
      `{"process":0,"type":"invoke","f":"txn","value":7}`,
      "test.jsonl:1: a transaction's value must be a list of micro-operations (got 7)",
    ],
    [
      "a function of the other model",
      `{"process":0,"type":"invoke","f":"txn","value":[["w","x",1]]}`,
      `test.jsonl:1: micro-operation 0: f must be "r" or "append" for list-append (got "w")`,
    ],
    [
      "a bad key",
      `{"process":0,"type":"invoke","f":"txn","value":[["append",1.5,1]]}`,
      "test.jsonl:1: micro-operation 0: the key must be a string or an integer (got 1.5)",
    ],
    [
      "an append of a list",
      `{"process":0,"type":"invoke","f":"txn","value":[["append","x",[1]]]}`,
      "test.jsonl:1: micro-operation 0: the value written must be a string or an integer (got [1])",
    ],
    [
      "a read of no list",
      `{"process":0,"type":"invoke","f":"txn","value":[["r","x",null]]}\n{"process":0,"type":"ok","f":"txn","value":[["r","x",3]]}`,
      "test.jsonl:2: micro-operation 0: a list read must be a list of strings and integers, or null (got 3)",
    ],
    [
      "a completion with no invoke",
      `{"process":0,"type":"ok","f":"txn","value":[]}`,
      `test.jsonl:1: "ok" for process 0, which has no pending invoke`,
    ],
    [
      "too many micro-operations",
      JSON.stringify({
        process: 0,
        type: "invoke",
        f: "txn",
        value: Array.from({ length: MAX_MICRO_OPS + 1 }, () => ["r", "x"]),
      }),
      `test.jsonl:1: a transaction of ${MAX_MICRO_OPS + 1} micro-operations: at most ${MAX_MICRO_OPS} are allowed`,
    ],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what} with one line naming the line`, () => {
      expect(() => parseTransactions(text, "list-append")).toThrow(message);
    });
  }

  it("refuses more transactions than its limit, naming it", () => {
    const parser = new TransactionHistoryParser("h.jsonl", "list-append", 2);
    const invoke = (process: number) => JSON.stringify({ process, type: "invoke", f: "txn", value: [] });
    parser.lineText(invoke(0), 1);
    parser.lineText(invoke(1), 2);
    expect(() => parser.lineText(invoke(2), 3)).toThrow(
      "h.jsonl:3: more than 2 transactions, the most a history may have",
    );
  });
});
