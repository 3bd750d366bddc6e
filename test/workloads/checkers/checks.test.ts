import { describe, expect, it } from "vitest";
import {
  type Checker,
  combineVerdicts,
  mergeValidity,
  runChecker,
  runCheckers,
} from "../../../workloads/checkers/checker.js";
import {
  lostWrites,
  monotonicReads,
  readYourWrites,
  registerChecks,
  staleReads,
} from "../../../workloads/checkers/checks.js";
import { parseHistoryJsonl } from "../../../workloads/checkers/history.js";
import { historyFromPlan, randomPlan } from "./generate.js";
import { history, line } from "./helpers.js";

const W1 = ["0 invoke write 1", "0 ok write 1"];
const W2 = ["0 invoke write 2", "0 ok write 2"];

describe("lost_writes", () => {
  const lost = (events: string[], final?: Map<string | null, unknown>) =>
    lostWrites(history(...events), final === undefined ? {} : { final_state: final });

  it("sees a write in a later read of it or of a write it may precede", () => {
    expect(lost([...W1, ...W2, "1 invoke read", "1 ok read 2"])).toMatchObject({
      valid: true,
      checked: 2,
      count: 0,
    });
  });

  it("finds an acknowledged write that no later observation shows", () => {
    const verdict = lost([...W1, ...W2, "1 invoke read", "1 ok read 1"]);
    expect(verdict).toMatchObject({ valid: false, checked: 2, count: 1 });
    expect(verdict.anomalies).toEqual([
      {
        key: null,
        write: { process: 0, f: "write", key: null, type: "ok", value: 2, index: 2, complete_index: 3 },
        last_observed: { value: 1, index: 4 },
      },
    ]);
    expect(lost([...W1, "1 invoke read", "1 ok read null"])).toMatchObject({ valid: false, count: 1 });
  });

  it("does not judge a write nothing observed after, unless the final state is given", () => {
    expect(lost(W1)).toMatchObject({ valid: true, checked: 1 });
    expect(lost(W1, new Map([[null, 1]]))).toMatchObject({ valid: true });
    expect(lost(W1, new Map([[null, null]]))).toMatchObject({
      valid: false,
      anomalies: [{ last_observed: { value: null, index: null } }],
    });
    // A later read that shows it is enough, whatever the final state.
    expect(lost([...W1, "1 invoke read", "1 ok read 1"], new Map([[null, null]]))).toMatchObject({
      valid: true,
    });
  });

  it("lets a concurrent write or an info write hide it", () => {
    const concurrent = ["0 invoke write 1", "1 invoke write 2", "0 ok write 1", "1 ok write 2"];
    expect(lost([...concurrent, "2 invoke read", "2 ok read 2"])).toMatchObject({ valid: true });
    expect(lost([...concurrent, "2 invoke read", "2 ok read 1"])).toMatchObject({ valid: true });
    expect(lost([...W1, "1 invoke write 2", "1 info write", "2 invoke read", "2 ok read 2"])).toMatchObject({
      valid: true,
      checked: 1,
    });
  });
});

describe("stale_reads", () => {
  it("finds a read of a value overwritten by an acknowledged write before the read began", () => {
    const verdict = staleReads(history(...W1, ...W2, "1 invoke read", "1 ok read 1"), {});
    expect(verdict).toMatchObject({ valid: false, checked: 1, count: 1 });
    expect(verdict.anomalies).toEqual([
      {
        key: null,
        read: { process: 1, f: "read", key: null, type: "ok", value: 1, index: 4, complete_index: 5 },
        read_from: { process: 0, f: "write", key: null, type: "ok", value: 1, index: 0, complete_index: 1 },
        newer_write: { process: 0, f: "write", key: null, type: "ok", value: 2, index: 2, complete_index: 3 },
      },
    ]);
    expect(staleReads(history(...W1, "1 invoke read", "1 ok read null"), {})).toMatchObject({ valid: false });
  });

  it("names the node that served a stale read when the history says", () => {
    const served = JSON.stringify({ process: 1, type: "ok", f: "read", value: null, node: "shard0/n2" });
    const text = [...W1, "1 invoke read"].map(line).join("\n");
    const verdict = staleReads(parseHistoryJsonl(`${text}\n${served}`, "h"), {});
    expect(verdict.anomalies).toMatchObject([{ read: { node: "shard0/n2" }, read_from: null }]);
  });

  it("accepts reads concurrent with the newer write, and values of info writes", () => {
    expect(
      staleReads(history(...W1, "0 invoke write 2", "1 invoke read", "1 ok read 1", "0 ok write 2"), {}),
    ).toMatchObject({
      valid: true,
    });
    expect(
      staleReads(history(...W1, "2 invoke write 2", "2 info write", "1 invoke read", "1 ok read 1"), {}),
    ).toMatchObject({
      valid: true,
    });
  });

  it("reads cas as a write of its new value, on each key apart", () => {
    const events = ["0 invoke write 1 a", "0 ok write 1 a", "0 invoke cas [1,2] a", "0 ok cas [1,2] a"];
    expect(staleReads(history(...events, "1 invoke read null a", "1 ok read 1 a"), {})).toMatchObject({
      valid: false,
    });
    expect(staleReads(history(...events, "1 invoke read null b", "1 ok read null b"), {})).toMatchObject({
      valid: true,
    });
  });
});

describe("read_your_writes", () => {
  it("finds a process that does not see its own acknowledged write", () => {
    const verdict = readYourWrites(history(...W1, "0 invoke read", "0 ok read null"), {});
    expect(verdict).toMatchObject({ valid: false, count: 1, anomalies: [{ process: 0, read_from: null }] });
  });

  it("asks nothing of other processes, and accepts a newer write by another", () => {
    expect(readYourWrites(history(...W1, "1 invoke read", "1 ok read null"), {})).toMatchObject({
      valid: true,
    });
    expect(
      readYourWrites(history(...W1, "1 invoke write 2", "1 ok write 2", "0 invoke read", "0 ok read 2"), {}),
    ).toMatchObject({ valid: true, checked: 1 });
  });
});

describe("monotonic_reads", () => {
  const writes = [...W1, ...W2];
  it("finds a process that reads an older value after a newer one", () => {
    const verdict = monotonicReads(
      history(...writes, "1 invoke read", "1 ok read 2", "1 invoke read", "1 ok read 1"),
      {},
    );
    expect(verdict).toMatchObject({
      valid: false,
      count: 1,
      anomalies: [{ process: 1, read: { value: 1 }, earlier_read: { value: 2 } }],
    });
  });

  it("accepts reads moving forward, and either order of concurrent writes", () => {
    expect(
      monotonicReads(history(...writes, "1 invoke read", "1 ok read 1", "1 invoke read", "1 ok read 2"), {}),
    ).toMatchObject({ valid: true, checked: 2 });
    const concurrent = ["0 invoke write 1", "1 invoke write 2", "0 ok write 1", "1 ok write 2"];
    expect(
      monotonicReads(
        history(...concurrent, "2 invoke read", "2 ok read 2", "2 invoke read", "2 ok read 1"),
        {},
      ),
    ).toMatchObject({ valid: true });
    // Different processes may disagree.
    expect(
      monotonicReads(history(...writes, "1 invoke read", "1 ok read 2", "2 invoke read", "2 ok read 1"), {}),
    ).toMatchObject({ valid: true });
  });
});

describe("checks that identify writes by value", () => {
  it("are unknown when a key's written values repeat", () => {
    const repeated = history(...W1, ...W1);
    for (const check of [lostWrites, staleReads, readYourWrites, monotonicReads]) {
      expect(check(repeated, {})).toEqual({
        valid: "unknown",
        reason:
          "key null: value 1 is written at index 0 and at index 2, so a read of it names no single write",
      });
    }
  });

  it("all pass on a generated history of a correct store", () => {
    const text = historyFromPlan(
      randomPlan({ operations: 3000, keys: 20, processes: 10, infoRate: 0.05, seed: 3 }),
    );
    const verdict = runCheckers(registerChecks, parseHistoryJsonl(text, "generated"));
    expect(verdict.valid).toBe(true);
    expect(Object.keys(verdict.checks)).toEqual([
      "linearizable",
      "lost_writes",
      "stale_reads",
      "read_your_writes",
      "monotonic_reads",
    ]);
  });
});

describe("verdicts", () => {
  it("combine with false beating unknown beating true", () => {
    expect(mergeValidity([])).toBe(true);
    expect(mergeValidity([true, "unknown", true])).toBe("unknown");
    expect(mergeValidity(["unknown", false, true])).toBe(false);
    const verdicts = { a: { valid: true as const }, b: { valid: "unknown" as const } };
    expect(combineVerdicts(verdicts)).toEqual({ valid: "unknown", checks: verdicts });
  });

  it("of a checker that throws are unknown with the error, never a crash", () => {
    const throws: Checker = () => {
      throw new Error("boom");
    };
    const throwsText: Checker = () => {
      throw "just text";
    };
    const h = history(...W1);
    expect(runChecker(throws, h)).toEqual({ valid: "unknown", error: "boom" });
    expect(runChecker(throwsText, h)).toEqual({ valid: "unknown", error: "just text" });
    const combined = runCheckers({ ok: () => ({ valid: true }), throws }, h);
    expect(combined).toEqual({
      valid: "unknown",
      checks: { ok: { valid: true }, throws: { valid: "unknown", error: "boom" } },
    });
    expect(runCheckers({ throws, no: () => ({ valid: false }) }, h).valid).toBe(false);
  });
});
