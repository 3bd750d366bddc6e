// Every anomaly class the transaction checker reports, each from a small history that produces
// exactly it (dirty-update only with the G1a its read shows: see docs/transactions.md), and its
// explanation in words.

import { describe, expect, it } from "vitest";
import {
  checkTransactions,
  type TransactionVerdict,
} from "../../../../workloads/checkers/transactions/check.js";
import type { ConsistencyModel } from "../../../../workloads/checkers/transactions/consistency.js";
import type { TransactionModel } from "../../../../workloads/checkers/transactions/history.js";
import { events, parseTransactions, sequential } from "./helpers.js";

const a = (key: string, element: number): ["append", string, number] => ["append", key, element];
const r = (key: string, list: number[] | null): ["r", string, number[] | null] => ["r", key, list];
const w = (key: string, value: number): ["w", string, number] => ["w", key, value];
const rv = (key: string, value: number | null): ["r", string, number | null] => ["r", key, value];

function check(
  text: string,
  consistency: ConsistencyModel,
  model: TransactionModel = "list-append",
): TransactionVerdict {
  return checkTransactions(parseTransactions(text, model), { model, consistency });
}

interface Case {
  readonly type: string;
  readonly consistency: ConsistencyModel;
  readonly history: string;
  readonly model?: TransactionModel;
  /** Reported with it (dirty-update's read also shows G1a). */
  readonly also?: readonly string[];
  /** Words its explanation has. */
  readonly why: RegExp;
}

const CASES: Case[] = [
  {
    type: "G0",
    consistency: "read-committed",
    history: sequential(
      [0, "ok", [a("x", 1), a("y", 1)]],
      [1, "ok", [a("x", 2), a("y", 2)]],
      [2, "ok", [r("x", [1, 2]), r("y", [2, 1])]],
    ),
    why: /T2 appended 2 after T0 appended 1 to "x"; however, T2 < T0, because T0 appended 1 after T2 appended 2 to "y": a contradiction/,
  },
  {
    type: "G1a",
    consistency: "read-committed",
    history: sequential(
      [0, "fail", [a("x", 1)]],
      [1, "ok", [a("y", 1)]],
      [2, "ok", [r("x", [1]), r("y", [1])]],
    ),
    why: /T4 read key "x" = \[1\], with 1, which the aborted T0 appended/,
  },
  {
    type: "G1b",
    consistency: "read-committed",
    history: sequential([0, "ok", [a("x", 1), a("x", 2)]], [1, "ok", [r("x", [1])]]),
    why: /T2 read key "x" = \[1\], ending in 1, which T0 appended and then appended to again/,
  },
  {
    type: "G1c",
    consistency: "read-committed",
    history: sequential(
      [0, "ok", [a("x", 1), r("y", [1])]],
      [1, "ok", [a("x", 2), a("y", 1)]],
      [2, "ok", [r("x", [1, 2])]],
    ),
    why: /T0 observed T2's append of 1 to "y"/,
  },
  {
    type: "G-single-item",
    consistency: "serializable",
    history: sequential(
      [0, "ok", [a("x", 1), a("y", 1)]],
      [1, "ok", [a("x", 2), r("y", null)]],
      [2, "ok", [r("x", [1, 2])]],
    ),
    why: /T2 observed the initial \(nil\) state of "y", which T0 created by appending 1/,
  },
  {
    type: "G-nonadjacent-item",
    consistency: "serializable",
    history: sequential(
      [0, "ok", [a("x", 1)]],
      [1, "ok", [r("x", [1]), r("y", null)]],
      [2, "ok", [a("y", 1)]],
      [3, "ok", [r("y", [1]), r("x", null)]],
    ),
    why: /observed the initial \(nil\) state of "y"/,
  },
  {
    type: "G2-item",
    consistency: "serializable",
    history: sequential([0, "ok", [a("x", 1), r("y", null)]], [1, "ok", [a("y", 1), r("x", null)]]),
    why: /T0 observed the initial \(nil\) state of "y", which T2 created by appending 1/,
  },
  {
    type: "internal",
    consistency: "serializable",
    history: sequential([0, "ok", [a("x", 1)]], [1, "ok", [r("x", [1]), a("x", 2), r("x", [1])]]),
    why: /T2 read key "x" = \[1\], but its own earlier reads and appends say \[1,2\]/,
  },
  {
    type: "future-read",
    consistency: "read-committed",
    history: sequential([0, "ok", [a("y", 1)]], [1, "ok", [r("y", [1]), r("x", [1]), a("x", 1)]]),
    why: /T2 read 1 in key "x" before it appended it itself/,
  },
  {
    type: "dirty-update",
    consistency: "read-committed",
    also: ["G1a"],
    history: sequential([0, "fail", [a("x", 1)]], [1, "ok", [a("x", 2)]], [2, "ok", [r("x", [1, 2])]]),
    why: /T2 appended 2 to key "x" after \[1\], from the aborted T0 on/,
  },
  {
    type: "duplicate-elements",
    consistency: "read-committed",
    history: sequential([0, "ok", [a("x", 1)]], [1, "ok", [r("x", [1, 1])]]),
    why: /T2 read key "x" = \[1,1\], with 1 2 times/,
  },
  {
    type: "incompatible-order",
    consistency: "read-committed",
    history: sequential(
      [0, "ok", [a("x", 1)]],
      [1, "ok", [a("x", 2)]],
      [2, "ok", [r("x", [1])]],
      [3, "ok", [r("x", [2])]],
    ),
    why: /key "x" was read as \[1\] and as \[2\]: neither is a prefix of the other/,
  },
  {
    type: "lost-update",
    consistency: "snapshot-isolation",
    history: sequential(
      [0, "ok", [a("x", 0)]],
      [1, "ok", [r("x", [0]), a("x", 1)]],
      [2, "ok", [r("x", [0]), a("x", 2)]],
    ),
    why: /T2 and T4 each read key "x" at version 0 and then wrote it/,
  },
  {
    type: "empty-transaction-graph",
    consistency: "serializable",
    history: sequential([0, "ok", [a("x", 1)]], [1, "ok", [a("y", 1)]]),
    why: /no transaction depends on another: 2 transactions/,
  },
  // Real-time order (strict-serializable): each cycle needs a realtime edge.
  {
    type: "G0-realtime",
    consistency: "strict-serializable",
    history: sequential([0, "ok", [a("x", 1)]], [1, "ok", [a("x", 2)]], [2, "ok", [r("x", [2, 1])]]),
    why: /T0 completed \(index 1\) before T2 was invoked \(index 2\)/,
  },
  {
    type: "G1c-realtime",
    consistency: "strict-serializable",
    history: sequential([0, "ok", [r("y", [1])]], [1, "ok", [a("y", 1)]]),
    why: /T0 observed T2's append of 1 to "y"/,
  },
  {
    type: "G-single-item-realtime",
    consistency: "strict-serializable",
    history: sequential(
      [0, "ok", [a("x", 1)]],
      [1, "ok", [a("x", 2)]],
      [2, "ok", [r("x", [1])]],
      [3, "ok", [r("x", [1, 2])]],
    ),
    why: /T4 did not observe T2's append of 2 to "x"/,
  },
  {
    type: "G-nonadjacent-item-realtime",
    consistency: "strict-serializable",
    // B completes before C begins; A and D overlap everything.
    history: events(
      [0, "invoke", [r("x", null), r("z", null)]],
      [3, "invoke", [a("y", 1), a("z", 1)]],
      [1, "invoke", [a("x", 1)]],
      [1, "ok", [a("x", 1)]],
      [2, "invoke", [r("y", null)]],
      [2, "ok", [r("y", null)]],
      [0, "ok", [r("x", null), r("z", [1])]],
      [3, "ok", [a("y", 1), a("z", 1)]],
    ),
    why: /T2 completed \(index 3\) before T4 was invoked \(index 4\)/,
  },
  {
    type: "G2-item-realtime",
    consistency: "strict-serializable",
    // C completes before A begins; B overlaps both.
    history: events(
      [1, "invoke", [a("x", 1), r("y", null)]],
      [2, "invoke", [a("y", 1)]],
      [2, "ok", [a("y", 1)]],
      [0, "invoke", [r("x", null)]],
      [0, "ok", [r("x", null)]],
      [1, "ok", [a("x", 1), r("y", null)]],
    ),
    why: /T1 completed \(index 2\) before T3 was invoked \(index 3\)/,
  },
  // Process order (strong-session-serializable): each cycle needs a process edge.
  {
    type: "G0-process",
    consistency: "strong-session-serializable",
    history: sequential([0, "ok", [a("x", 1)]], [0, "ok", [a("x", 2)]], [1, "ok", [r("x", [2, 1])]]),
    why: /T0 completed before T2 began, on process 0/,
  },
  {
    type: "G1c-process",
    consistency: "strong-session-serializable",
    history: sequential([0, "ok", [r("y", [1])]], [0, "ok", [a("y", 1)]]),
    why: /T0 completed before T2 began, on process 0/,
  },
  {
    type: "G-single-item-process",
    consistency: "strong-session-serializable",
    history: sequential(
      [0, "ok", [a("x", 1)]],
      [1, "ok", [a("x", 2)]],
      [1, "ok", [r("x", [1])]],
      [2, "ok", [r("x", [1, 2])]],
    ),
    why: /T2 completed before T4 began, on process 1/,
  },
  {
    type: "G-nonadjacent-item-process",
    consistency: "strong-session-serializable",
    history: sequential(
      [0, "ok", [r("x", null), r("z", [1])]],
      [1, "ok", [a("x", 1)]],
      [1, "ok", [r("z", null)]],
      [2, "ok", [a("z", 1)]],
    ),
    why: /T2 completed before T4 began, on process 1/,
  },
  {
    type: "G2-item-process",
    consistency: "strong-session-serializable",
    history: events(
      [1, "invoke", [a("x", 1), r("y", null)]],
      [0, "invoke", [a("y", 1)]],
      [0, "ok", [a("y", 1)]],
      [0, "invoke", [r("x", null)]],
      [0, "ok", [r("x", null)]],
      [1, "ok", [a("x", 1), r("y", null)]],
    ),
    why: /T1 completed before T3 began, on process 0/,
  },
  // rw-register
  {
    type: "G0",
    model: "rw-register",
    consistency: "read-committed",
    // Writes follow reads: T2 wrote x over T0's 1, T0 wrote y over T2's 3.
    history: events(
      [0, "invoke", [rv("y", null), w("x", 1), w("y", 4)]],
      [1, "invoke", [rv("x", null), w("x", 2), w("y", 3)]],
      [1, "ok", [rv("x", 1), w("x", 2), w("y", 3)]],
      [0, "ok", [rv("y", 3), w("x", 1), w("y", 4)]],
    ),
    why: /read "x" = 1, which T0 wrote, and then wrote "x" = 2/,
  },
  {
    type: "G1a",
    model: "rw-register",
    consistency: "read-committed",
    history: sequential(
      [0, "fail", [w("x", 1)]],
      [1, "ok", [w("y", 1)]],
      [2, "ok", [rv("x", 1), rv("y", 1)]],
    ),
    why: /T4 read key "x" = 1, which the aborted T0 wrote/,
  },
  {
    type: "G1b",
    model: "rw-register",
    consistency: "read-committed",
    history: sequential([0, "ok", [w("x", 1), w("x", 2), w("y", 1)]], [1, "ok", [rv("x", 1), rv("y", 1)]]),
    why: /T2 read key "x" = 1, which T0 wrote and then overwrote itself/,
  },
  {
    type: "G1c",
    model: "rw-register",
    consistency: "read-committed",
    history: sequential([0, "ok", [w("x", 1), rv("y", 1)]], [1, "ok", [w("y", 1), rv("x", 1)]]),
    why: /T2 read "x" = 1, which T0 wrote/,
  },
  {
    type: "G-single-item",
    model: "rw-register",
    consistency: "serializable",
    history: events(
      [0, "invoke", [rv("x", null), rv("y", null)]],
      [1, "invoke", [w("y", 1), w("x", 2)]],
      [1, "ok", [w("y", 1), w("x", 2)]],
      [0, "ok", [rv("x", null), rv("y", 1)]],
    ),
    why: /T0 read the initial \(nil\) state of "x", which T1 overwrote with 2/,
  },
  {
    type: "internal",
    model: "rw-register",
    consistency: "serializable",
    history: sequential([0, "ok", [w("y", 1)]], [1, "ok", [rv("y", 1), rv("x", 1), w("x", 2), rv("x", 1)]]),
    why: /T2 read key "x" = 1, but its own last read or write of it says 2/,
  },
  {
    type: "lost-update",
    model: "rw-register",
    consistency: "snapshot-isolation",
    history: sequential(
      [0, "ok", [w("x", 0)]],
      [1, "ok", [rv("x", 0), w("x", 1)]],
      [2, "ok", [rv("x", 0), w("x", 2)]],
    ),
    why: /T2 and T4 each read key "x" at version 0 and then wrote it/,
  },
];

describe("each anomaly class", () => {
  for (const c of CASES) {
    it(`${c.type} (${c.model ?? "list-append"}, ${c.consistency})`, () => {
      const verdict = check(c.history, c.consistency, c.model);
      expect(verdict.anomaly_types).toEqual([c.type, ...(c.also ?? [])].sort());
      expect(verdict.valid).toBe(c.type === "empty-transaction-graph" ? "unknown" : false);
      const anomaly = verdict.anomalies[c.type]?.[0];
      expect(anomaly?.why).toMatch(c.why);
    });
  }

  it("a valid history is valid under every model", () => {
    const history = sequential(
      [0, "ok", [a("x", 1), r("y", null)]],
      [1, "ok", [r("x", [1]), a("y", 1)]],
      [0, "ok", [r("y", [1])]],
    );
    for (const consistency of [
      "read-committed",
      "snapshot-isolation",
      "serializable",
      "strict-serializable",
    ] as const) {
      expect(check(history, consistency)).toMatchObject({ valid: true, anomaly_types: [], transactions: 3 });
    }
  });

  it("cycles come as steps from, to, type, key, values and why, and a sentence", () => {
    const verdict = check(
      sequential(
        [0, "ok", [a("x", 1), r("y", [1])]],
        [1, "ok", [a("x", 2), a("y", 1)]],
        [2, "ok", [r("x", [1, 2])]],
      ),
      "serializable",
    );
    expect(verdict.anomalies.G1c?.[0]).toMatchObject({
      type: "G1c",
      steps: [
        { from: "T2", to: "T0", type: "wr", key: "y", value: 1, why: `T0 observed T2's append of 1 to "y"` },
        {
          from: "T0",
          to: "T2",
          type: "ww",
          key: "x",
          value: 1,
          next_value: 2,
          why: `T2 appended 2 after T0 appended 1 to "x"`,
        },
      ],
      why:
        `G1c: T2 < T0, because T0 observed T2's append of 1 to "y"; however, T0 < T2, because T2 appended 2 ` +
        `after T0 appended 1 to "x": a contradiction`,
    });
    expect(verdict.reason).toMatch(/^not serializable: G1c; G1c: T2 < T0/);
  });

  it("is unknown past the time limit, keeping what it found", () => {
    let clock = 0;
    const now_ms = () => (clock += 1000);
    const history = sequential([0, "ok", [a("x", 1), r("y", null)]], [1, "ok", [a("y", 1), r("x", null)]]);
    const verdict = checkTransactions(parseTransactions(history, "list-append"), {
      model: "list-append",
      consistency: "serializable",
      now_ms,
      timeout_ms: 500,
    });
    expect(verdict).toMatchObject({ valid: "unknown", anomaly_types: ["cycle-search-timeout"] });
    expect(verdict.reason).toMatch(/the time limit passed while searching a cycle of 2 transactions for G0/);
  });

  it("keeps the first 20 anomalies of a type and counts them all", () => {
    const txns: [number, "ok", ReturnType<typeof r>[]][] = Array.from({ length: 30 }, (_, i) => [
      i,
      "ok",
      [r("x", [1, 1])],
    ]);
    const verdict = check(sequential([99, "ok", [a("x", 1)]], ...txns), "read-committed");
    expect(verdict.anomalies["duplicate-elements"]).toHaveLength(20);
    expect(verdict.anomaly_counts["duplicate-elements"]).toBe(30);
  });

  it("needs unique appends and writes: a repeated one makes the check fail (unknown through runChecker)", () => {
    expect(() => check(sequential([0, "ok", [a("x", 1)]], [1, "ok", [a("x", 1)]]), "serializable")).toThrow(
      `list-append needs unique appends: T0 and T2 both appended 1 to key "x"`,
    );
    expect(() =>
      check(sequential([0, "ok", [w("x", 1)]], [1, "ok", [w("x", 1)]]), "serializable", "rw-register"),
    ).toThrow(`rw-register needs unique writes: T0 and T2 wrote 1 to key "x"`);
  });
});
