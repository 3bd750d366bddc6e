import { describe, expect, it } from "vitest";
import { HistoryError, parseHistoryJsonl } from "../../../workloads/checkers/history.js";
import { history, line } from "./helpers.js";

describe("parseHistoryJsonl", () => {
  it("pairs each invoke with its process's completion, in invoke order", () => {
    const { operations } = history(
      "0 invoke write 1",
      "1 invoke read",
      "1 ok read 1",
      "0 ok write 1",
      "0 invoke cas [1,2] x",
      "0 fail cas [1,2] x",
    );
    expect(operations).toEqual([
      {
        process: 0,
        f: "write",
        key: null,
        type: "ok",
        value: 1,
        invokeIndex: 0,
        completeIndex: 3,
        invokeTime: null,
        completeTime: null,
        node: null,
      },
      expect.objectContaining({
        process: 1,
        f: "read",
        type: "ok",
        value: 1,
        invokeIndex: 1,
        completeIndex: 2,
      }),
      expect.objectContaining({
        process: 0,
        f: "cas",
        key: "x",
        type: "fail",
        value: [1, 2],
        completeIndex: 5,
      }),
    ]);
  });

  it("takes a read's value from its completion (null = empty) and an info's from its invoke", () => {
    const { operations } = history(
      "0 invoke read",
      "0 ok read null",
      "1 invoke write 3",
      "1 info write null",
    );
    expect(operations.map((op) => [op.type, op.value])).toEqual([
      ["ok", null],
      ["info", 3],
    ]);
  });

  it("makes an invoke with no completion info", () => {
    const { operations } = history("0 invoke write 1", "1 invoke read", "1 ok read null");
    expect(operations[0]).toMatchObject({ type: "info", value: 1, completeIndex: null });
  });

  it("reads index, time and node, and skips blank lines and Jepsen's nemesis", () => {
    const text = [
      JSON.stringify({
        index: 10,
        time: 1200,
        process: 3,
        type: "invoke",
        f: "write",
        key: "user17",
        value: 5,
      }),
      "",
      JSON.stringify({ index: 11, process: "nemesis", type: "info", f: "start", value: null }),
      JSON.stringify({
        index: 12,
        time: 2900,
        process: 3,
        type: "ok",
        f: "write",
        value: 5,
        node: "shard0/n1",
      }),
      "",
    ].join("\n");
    expect(parseHistoryJsonl(text, "h.jsonl").operations).toEqual([
      {
        process: 3,
        f: "write",
        key: "user17",
        type: "ok",
        value: 5,
        invokeIndex: 10,
        completeIndex: 12,
        invokeTime: 1200,
        completeTime: 2900,
        node: "shard0/n1",
      },
    ]);
  });

  it("takes integer keys as their decimal text", () => {
    const text = `${JSON.stringify({ process: 0, type: "invoke", f: "read", key: 7 })}`;
    expect(parseHistoryJsonl(text, "h").operations[0]?.key).toBe("7");
  });

  const malformed: [string, string[], string][] = [
    ["a line that is not JSON", [line("0 invoke read"), "{nope"], "h.jsonl:2: not JSON"],
    [
      "a line that is not an object",
      ["[1, 2]"],
      "h.jsonl:1: expected one event as a JSON object (got [1,2])",
    ],
    [
      "an unknown type",
      ['{"process":0,"type":"done","f":"read"}'],
      'h.jsonl:1: "type" must be one of invoke, ok, fail, info (got "done")',
    ],
    [
      "a missing f",
      ['{"process":0,"type":"invoke"}'],
      'h.jsonl:1: "f" must be a non-empty string such as "read" (got nothing)',
    ],
    [
      "a process that is not an integer",
      ['{"process":1.5,"type":"invoke","f":"read"}'],
      'h.jsonl:1: "process" must be an integer (got 1.5)',
    ],
    [
      "a bad key",
      ['{"process":0,"type":"invoke","f":"read","key":[1]}'],
      'h.jsonl:1: "key" must be a string or an integer (got [1])',
    ],
    [
      "a bad time",
      ['{"process":0,"type":"invoke","f":"read","time":"soon"}'],
      'h.jsonl:1: "time" must be a number (got "soon")',
    ],
    [
      "an index that goes back",
      [
        '{"index":5,"process":0,"type":"invoke","f":"read"}',
        '{"index":5,"process":0,"type":"ok","f":"read"}',
      ],
      'h.jsonl:2: "index" 5 is not greater than the previous event\'s 5: events must be in order',
    ],
    [
      "a completion with no invoke",
      [line("0 ok read 1")],
      'h.jsonl:1: "ok" for process 0, which has no pending invoke',
    ],
    [
      "a second invoke before the completion",
      [line("0 invoke read"), line("0 invoke write 1")],
      "h.jsonl:2: process 0 invokes again while its invoke on line 1 has no completion",
    ],
    [
      "a completion of another f",
      [line("0 invoke read"), line("0 ok write 1")],
      'h.jsonl:2: "ok" of f "write" completes the invoke of f "read" on line 1',
    ],
    [
      "a completion of another key",
      [line("0 invoke read null a"), line("0 ok read 1 b")],
      'h.jsonl:2: "ok" of key "b" completes the invoke of key "a" on line 1',
    ],
    [
      "a cas value that is not a pair",
      [line("0 invoke cas 3")],
      "h.jsonl:1: a cas value must be [expected, new] (got 3)",
    ],
  ];
  for (const [what, lines, message] of malformed) {
    it(`names the line and the problem for ${what}`, () => {
      const parse = () => parseHistoryJsonl(lines.join("\n"), "h.jsonl");
      expect(parse).toThrow(HistoryError);
      expect(parse).toThrow(message);
    });
  }

  it("gives the line of the error as a field too", () => {
    try {
      parseHistoryJsonl(`${line("0 invoke read")}\n\n${line("1 ok read 2")}`, "h.jsonl");
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ name: "HistoryError", source: "h.jsonl", line: 3 });
    }
  });
});
