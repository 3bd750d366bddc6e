import { describe, expect, it } from "vitest";
import { bankChecker } from "../../../workloads/checkers/bank.js";
import { runChecker } from "../../../workloads/checkers/checker.js";
import { history } from "./helpers.js";

const transfer = (process: number, type: string, from: string, to: string, amount: number) =>
  `${process} ${type} transfer ${JSON.stringify({ from, to, amount })}`;
const read = (process: number, balances: Record<string, number>) => [
  `${process} invoke read`,
  `${process} ok read ${JSON.stringify(balances)}`,
];

describe("bank checker", () => {
  it("passes reads that all sum to the total, with transfers between them", () => {
    const h = history(
      ...read(0, { a: 10, b: 10 }),
      transfer(1, "invoke", "a", "b", 3),
      transfer(1, "ok", "a", "b", 3),
      ...read(0, { a: 7, b: 13 }),
      transfer(1, "invoke", "b", "a", 20),
      transfer(1, "fail", "b", "a", 20),
    );
    const verdict = bankChecker(h, { bank: { total: 20, accounts: ["a", "b"] } });
    expect(verdict).toMatchObject({ valid: true, reads: 2, expected_total: 20, count: 0 });
    expect(verdict.totals_seen).toEqual({ min: 20, max: 20 });
  });

  it("finds a read whose total is wrong, naming it", () => {
    const h = history(...read(0, { a: 10, b: 10 }), ...read(1, { a: 7, b: 10 }));
    const verdict = bankChecker(h, { bank: { total: 20 } });
    expect(verdict.valid).toBe(false);
    expect(verdict.reason).toBe("the read at index 2 sums to 17, not 20");
    expect(verdict.by_type).toEqual({ "wrong-total": 1 });
    expect(verdict.anomalies).toEqual([
      expect.objectContaining({
        type: "wrong-total",
        total: 17,
        expected: 20,
        read: expect.objectContaining({ index: 2 }),
      }),
    ]);
  });

  it("finds negative balances, even when the total is right", () => {
    const verdict = bankChecker(history(...read(0, { a: -5, b: 25 })), { bank: { total: 20 } });
    expect(verdict.valid).toBe(false);
    expect(verdict.by_type).toEqual({ "negative-balance": 1 });
    expect(verdict.reason).toBe("the read at index 0 shows a at -5");
  });

  it("finds missing and unexpected accounts", () => {
    const verdict = bankChecker(history(...read(0, { a: 20, c: 0 })), {
      bank: { total: 20, accounts: ["a", "b"] },
    });
    expect(verdict.by_type).toEqual({ "unexpected-account": 1, "missing-account": 1 });
  });

  it("takes the total and the accounts from the first read when not told", () => {
    const h = history(...read(0, { a: 10, b: 10 }), ...read(1, { a: 10, b: 11 }));
    const verdict = bankChecker(h, {});
    expect(verdict).toMatchObject({ valid: false, expected_total: 20, total_from: "first read", count: 1 });
  });

  it("judges the final state like one more read", () => {
    const h = history(...read(0, { a: 10, b: 10 }));
    const final_state = new Map<string | null, unknown>([
      ["a", 4],
      ["b", 10],
    ]);
    const verdict = bankChecker(h, { bank: { total: 20 }, final_state });
    expect(verdict).toMatchObject({ valid: false, reads: 1, final_state_checked: true });
    expect(verdict.reason).toBe("the final state sums to 14, not 20");
  });

  it("ignores reads that failed or timed out; with no read to check, says so: unknown, never ok", () => {
    const h = history("0 invoke read", "0 info read", "1 invoke read", "1 fail read");
    const nothing = { valid: "unknown", reason: "nothing to check (0 reads)", reads: 0 };
    expect(bankChecker(h, { bank: { total: 20 } })).toMatchObject(nothing);
    expect(bankChecker(history(), {})).toMatchObject({ ...nothing, expected_total: null });
    const read = history("0 invoke read", '0 ok read {"a":20}');
    expect(bankChecker(read, { bank: { total: 20 } })).toMatchObject({ valid: true, reads: 1 });
  });

  it("a read that returned no map gives unknown with the reason (never a crash)", () => {
    const verdict = runChecker(bankChecker, history("0 invoke read", "0 ok read 5"), {});
    expect(verdict.valid).toBe("unknown");
    expect(verdict.error).toMatch(/returned 5, not a map of account to balance/);
  });
});
