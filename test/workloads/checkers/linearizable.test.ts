import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runChecker } from "../../../workloads/checkers/checker.js";
import { parseHistoryJsonl } from "../../../workloads/checkers/history.js";
import { checkLinearizable, linearizable } from "../../../workloads/checkers/linearizable.js";
import { historyFromPlan, type PlannedOperation, randomPlan } from "./generate.js";
import { history } from "./helpers.js";
import { referenceLinearizable } from "./reference.js";

const valid = (...events: string[]) => checkLinearizable(history(...events)).valid;

describe("linearizable", () => {
  it("accepts a sequential history, and says how much it checked", () => {
    const verdict = checkLinearizable(
      history(
        "0 invoke write 1",
        "0 ok write 1",
        "1 invoke read",
        "1 ok read 1",
        "0 invoke cas [1,2]",
        "0 ok cas [1,2]",
        "1 invoke read",
        "1 ok read 2",
      ),
    );
    expect(verdict).toEqual({ valid: true, ops: 4, keys: 1, keys_checked: 1 });
  });

  it("lets a read concurrent with a write see the old value or the new one", () => {
    for (const seen of ["null", "1"]) {
      expect(valid("0 invoke write 1", "1 invoke read", `1 ok read ${seen}`, "0 ok write 1")).toBe(true);
    }
  });

  it("rejects a read of a value overwritten before it began", () => {
    expect(valid("0 invoke write 1", "0 ok write 1", "1 invoke read", "1 ok read null")).toBe(false);
    expect(
      valid(
        "0 invoke write 1",
        "0 ok write 1",
        "0 invoke write 2",
        "0 ok write 2",
        "1 invoke read",
        "1 ok read 1",
      ),
    ).toBe(false);
  });

  it("reports the key, the operation, the last consistent point and the longest linearization", () => {
    const verdict = checkLinearizable(
      history(
        "0 invoke write 1 x",
        "0 ok write 1 x",
        "1 invoke cas [1,2] x",
        "1 ok cas [1,2] x",
        "2 invoke read null x",
        "2 ok read 1 x",
      ),
    );
    expect(verdict.valid).toBe(false);
    expect(verdict.violation).toEqual({
      key: "x",
      operation: { process: 2, f: "read", key: "x", type: "ok", value: 1, index: 4, complete_index: 5 },
      register: 2,
      last_consistent_index: 4,
      linearization: {
        length: 2,
        omitted: 0,
        steps: [
          {
            operation: {
              process: 0,
              f: "write",
              key: "x",
              type: "ok",
              value: 1,
              index: 0,
              complete_index: 1,
            },
            register: 1,
          },
          {
            operation: {
              process: 1,
              f: "cas",
              key: "x",
              type: "ok",
              value: [1, 2],
              index: 2,
              complete_index: 3,
            },
            register: 2,
          },
        ],
      },
    });
    expect(verdict.reason).toBe(
      'key "x": read -> 1 by process 2 (index 4..5) cannot be linearized: after the longest consistent order ' +
        "found (2 ops) the register holds 2; the history is consistent up to index 4",
    );
  });

  describe("info operations", () => {
    it("may take effect at any time after their invoke, even after their info completion", () => {
      expect(
        valid(
          "0 invoke write 1",
          "0 info write",
          "1 invoke read",
          "1 ok read null",
          "1 invoke read",
          "1 ok read 1",
          "1 invoke read",
          "1 ok read 1",
        ),
      ).toBe(true);
    });

    it("may never take effect", () => {
      expect(valid("0 invoke write 1", "0 info write", "1 invoke read", "1 ok read null")).toBe(true);
      expect(valid("0 invoke cas [null,1]", "1 invoke read", "1 ok read null")).toBe(true); // no completion: info
    });

    it("take effect once: a register cannot go back", () => {
      expect(
        valid(
          "0 invoke write 1",
          "0 info write",
          "1 invoke read",
          "1 ok read 1",
          "1 invoke read",
          "1 ok read null",
        ),
      ).toBe(false);
    });

    it("cannot take effect before their invoke", () => {
      expect(valid("1 invoke read", "1 ok read 1", "0 invoke write 1", "0 info write")).toBe(false);
    });

    it("of the same effect stand in for each other", () => {
      // Two info writes of 1: the register can hold 1, then 2, then 1 again.
      const events = ["0 invoke write 1", "0 info write", "1 invoke write 1", "1 info write"];
      const reads = [
        "3 invoke read",
        "3 ok read 1",
        "2 invoke write 2",
        "2 ok write 2",
        "3 invoke read",
        "3 ok read 1",
      ];
      expect(valid(...events, ...reads)).toBe(true);
      expect(valid(events[0] as string, events[1] as string, ...reads)).toBe(false);
    });
  });

  it("drops failed operations: they never took effect", () => {
    expect(valid("0 invoke write 1", "0 fail write", "1 invoke read", "1 ok read 1")).toBe(false);
    expect(valid("0 invoke write 1", "0 fail write", "1 invoke read", "1 ok read null")).toBe(true);
    expect(valid("0 invoke cas [null,1]", "0 fail cas [null,1]", "1 invoke read", "1 ok read null")).toBe(
      true,
    );
  });

  it("lets only one of two concurrent cas from the same value succeed", () => {
    const start = ["0 invoke write 0", "0 ok write 0", "1 invoke cas [0,1]", "2 invoke cas [0,2]"];
    expect(valid(...start, "1 ok cas [0,1]", "2 ok cas [0,2]")).toBe(false);
    expect(valid(...start, "1 ok cas [0,1]", "2 fail cas [0,2]", "3 invoke read", "3 ok read 1")).toBe(true);
    // Chained: cas 0 -> 1 then 1 -> 2, both concurrent.
    expect(
      valid(
        "0 invoke write 0",
        "0 ok write 0",
        "1 invoke cas [1,2]",
        "2 invoke cas [0,1]",
        "1 ok cas [1,2]",
        "2 ok cas [0,1]",
      ),
    ).toBe(true);
  });

  it("checks keys independently: each starts empty", () => {
    expect(valid("0 invoke write 1 a", "0 ok write 1 a", "1 invoke read null b", "1 ok read null b")).toBe(
      true,
    );
    expect(valid("0 invoke write 1 a", "0 ok write 1 a", "1 invoke read null b", "1 ok read 1 b")).toBe(
      false,
    );
    // No key is a register of its own.
    expect(valid("0 invoke write 1 a", "0 ok write 1 a", "1 invoke read", "1 ok read 1")).toBe(false);
  });

  it("says there was nothing to check in an empty history: unknown, not linearizable", () => {
    expect(checkLinearizable(history())).toEqual({
      valid: "unknown",
      ops: 0,
      keys: 0,
      keys_checked: 0,
      reason: "nothing to check (0 operations)",
    });
  });

  it("compares object values structurally, not by their JSON text", () => {
    const write = JSON.stringify({ process: 0, type: "invoke", f: "write", value: { a: 1, b: 2 } });
    const events = [
      write,
      JSON.stringify({ process: 0, type: "ok", f: "write", value: { a: 1, b: 2 } }),
      JSON.stringify({ process: 1, type: "invoke", f: "read", value: null }),
      JSON.stringify({ process: 1, type: "ok", f: "read", value: { b: 2, a: 1 } }),
    ];
    expect(checkLinearizable(parseHistoryJsonl(events.join("\n"), "objects")).valid).toBe(true);
  });

  it("checks the smallest key first and stops at the first violation", () => {
    const big = Array.from({ length: 10 }, (_, i) => [
      `0 invoke write ${i} big`,
      `0 ok write ${i} big`,
    ]).flat();
    const bad = [
      "1 invoke write 1 small",
      "1 ok write 1 small",
      "1 invoke read null small",
      "1 ok read 2 small",
    ];
    const verdict = checkLinearizable(history(...big, ...bad));
    expect(verdict).toMatchObject({ valid: false, keys: 2, keys_checked: 0, violation: { key: "small" } });
  });

  it("gives unknown past its time limit, between keys or within one", () => {
    let now = 0;
    const ticking = { now_ms: () => now++, timeout_ms: 0.5 };
    expect(checkLinearizable(history("0 invoke write 1", "0 ok write 1"), ticking)).toEqual({
      valid: "unknown",
      ops: 1,
      keys: 1,
      keys_checked: 0,
      reason: "time limit of 0.5 ms reached with 0 of 1 key checked",
    });
    // One key long enough for the search to look at the clock itself.
    const long = Array.from({ length: 2000 }, (_, i) => [`0 invoke write ${i}`, `0 ok write ${i}`]).flat();
    let calls = 0;
    const stopsLater = { now_ms: () => (calls++ < 2 ? 0 : 10), timeout_ms: 5 };
    expect(checkLinearizable(history(...long), stopsLater)).toMatchObject({
      valid: "unknown",
      keys_checked: 0,
    });
    expect(calls).toBe(3);
  });

  it("throws on a time limit without a clock and on functions the model does not know: unknown under runChecker", () => {
    const h = history("0 invoke append 1", "0 ok append 1");
    expect(() => checkLinearizable(h)).toThrow(
      'the register model knows read, write and cas, not f "append"',
    );
    expect(runChecker(linearizable, h)).toEqual({
      valid: "unknown",
      error: 'the register model knows read, write and cas, not f "append" (the operation at index 0)',
    });
    expect(runChecker(linearizable, history(), { timeout_ms: 10 })).toEqual({
      valid: "unknown",
      error: "a time limit (timeout_ms) needs a clock (now_ms)",
    });
  });

  const plannedOperation = (
    processes: number,
    keys: number,
    values: number,
  ): fc.Arbitrary<PlannedOperation> =>
    fc.record({
      process: fc.nat({ max: processes - 1 }),
      f: fc.constantFrom("read" as const, "write" as const, "cas" as const),
      key: fc.nat({ max: keys - 1 }),
      value: fc.nat({ max: values - 1 }),
      next: fc.nat({ max: values - 1 }),
      gap: fc.nat({ max: 10 }),
      length: fc.nat({ max: 30 }),
      effect: fc.nat({ max: 30 }),
      info: fc.nat({ max: 5 }).map((n) => n === 0),
      infoEffect: fc.option(fc.nat({ max: 200 })),
    });

  it("accepts every history of a correct register with random concurrency (property)", () => {
    fc.assert(
      fc.property(fc.array(plannedOperation(6, 3, 4), { maxLength: 80 }), (plan) => {
        const verdict = checkLinearizable(parseHistoryJsonl(historyFromPlan(plan), "generated"));
        if (plan.length === 0)
          expect(verdict.valid).toBe("unknown"); // nothing to check
        else {
          expect(verdict.reason).toBeUndefined();
          expect(verdict.valid).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with a brute-force search on small histories with tampered outcomes (property)", () => {
    const tampering = fc.array(fc.record({ at: fc.nat(), to: fc.nat({ max: 3 }) }), { maxLength: 3 });
    fc.assert(
      fc.property(fc.array(plannedOperation(4, 2, 3), { maxLength: 14 }), tampering, (plan, tampers) => {
        const events = historyFromPlan(plan)
          .split("\n")
          .filter((text) => text !== "")
          .map((text) => JSON.parse(text));
        for (const { at, to } of tampers) {
          const event = events[at % Math.max(1, events.length)];
          if (event === undefined || event.type === "invoke") continue;
          if (event.f === "read" && event.type === "ok") event.value = to === 3 ? null : to;
          else event.type = ["ok", "fail", "info"][to % 3];
        }
        const tampered = parseHistoryJsonl(
          events.map((event) => JSON.stringify(event)).join("\n"),
          "tampered",
        );
        const expected = tampered.operations.length === 0 ? "unknown" : referenceLinearizable(tampered);
        expect(checkLinearizable(tampered).valid).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it("checks a 100k-operation history over 1,000 keys", () => {
    const text = historyFromPlan(
      randomPlan({ operations: 100_000, keys: 1000, processes: 100, infoRate: 0.02, seed: 7 }),
    );
    const verdict = checkLinearizable(parseHistoryJsonl(text, "big"));
    expect(verdict).toEqual({ valid: true, ops: 100_000, keys: 1000, keys_checked: 1000 });
  });
});
