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

/** Jepsen's final reads by process 9 of the single register: one per replica, in order. */
function finalReads(values: Record<string, unknown>): string[] {
  return Object.entries(values).flatMap(([node, value]) => [
    JSON.stringify({ process: 9, type: "invoke", f: "read", value: null }),
    value === undefined
      ? JSON.stringify({ process: 9, type: "fail", f: "read", value: null, node })
      : JSON.stringify({ process: 9, type: "ok", f: "read", value, node }),
  ]);
}

/** A history of compact events (helpers' `line`) followed by final reads. */
function withFinalReads(events: string[], values: Record<string, unknown>) {
  return parseHistoryJsonl([...events.map(line), ...finalReads(values)].join("\n"), "final.jsonl");
}

const FINAL = { final_reads: { process: 9 } };
const W1_SUMMARY = { process: 0, f: "write", key: null, type: "ok", value: 1, index: 0, complete_index: 1 };
const W2_SUMMARY = { process: 0, f: "write", key: null, type: "ok", value: 2, index: 2, complete_index: 3 };

describe("lost_writes", () => {
  const converged = (value: unknown) => ({ "shard0/n0": value, "shard0/n1": value, "shard0/n2": value });

  it("judges every acknowledged write on the final reads: lost when its key ends with an older value", () => {
    expect(lostWrites(withFinalReads([...W1, ...W2], converged(2)), FINAL)).toMatchObject({
      valid: true,
      checked: 2,
      count: 0,
      lost: 0,
    });
    const verdict = lostWrites(withFinalReads([...W1, ...W2], converged(1)), FINAL);
    expect(verdict).toMatchObject({ valid: false, checked: 2, count: 1, lost: 1, divergent: 0 });
    expect(verdict.anomalies).toEqual([
      { kind: "lost", key: null, write: W2_SUMMARY, final_value: 1, final_written_by: W1_SUMMARY },
    ]);
    expect(verdict.reason).toBe(
      "of 2 acknowledged writes: 1 lost (their key's final value was written before them)",
    );
    expect(lostWrites(withFinalReads([...W1, ...W2], converged(null)), FINAL)).toMatchObject({
      valid: false,
      lost: 2,
    });
  });

  it("tells on_lost_write of each write it finds lost, and of no other", () => {
    const told: unknown[] = [];
    const on_lost_write = (write: { value: unknown }) => told.push(write.value);
    lostWrites(withFinalReads([...W1, ...W2], converged(2)), { ...FINAL, on_lost_write });
    expect(told).toEqual([]);
    lostWrites(withFinalReads([...W1, ...W2], converged(null)), { ...FINAL, on_lost_write });
    expect(told).toEqual([1, 2]);
  });

  it("judges on the final state alone: an older read after the write is stale_reads' business", () => {
    const events = [...W1, ...W2, "1 invoke read", "1 ok read 1"];
    expect(lostWrites(withFinalReads(events, converged(2)), FINAL)).toMatchObject({ valid: true });
  });

  it("lets a concurrent write or an info write end the key", () => {
    const concurrent = ["0 invoke write 1", "1 invoke write 2", "0 ok write 1", "1 ok write 2"];
    expect(lostWrites(withFinalReads(concurrent, converged(1)), FINAL)).toMatchObject({ valid: true });
    const info = [...W1, "1 invoke write 2", "1 info write"];
    expect(lostWrites(withFinalReads(info, converged(2)), FINAL)).toMatchObject({ valid: true, checked: 1 });
  });

  it("names the acknowledged writes only some replicas hold when the replicas diverge at rest", () => {
    const values = { "shard0/n0": 1, "shard0/n1": 2, "shard0/n2": 2 };
    const verdict = lostWrites(withFinalReads([...W1, ...W2], values), FINAL);
    expect(verdict).toMatchObject({ valid: false, count: 2, lost: 0, divergent: 2, diverged_keys: 1 });
    expect(verdict.anomalies).toEqual([
      { kind: "divergent", key: null, write: W1_SUMMARY, held_by: ["shard0/n0"], replicas: values },
      {
        kind: "divergent",
        key: null,
        write: W2_SUMMARY,
        held_by: ["shard0/n1", "shard0/n2"],
        replicas: values,
      },
    ]);
  });

  it("is unknown without a majority of the replicas, without a final state, and with nothing to check", () => {
    const unanswered = { "shard0/n0": 2, "shard0/n1": undefined, "shard0/n2": undefined };
    expect(lostWrites(withFinalReads([...W1, ...W2], unanswered), FINAL)).toMatchObject({
      valid: "unknown",
      unjudged: 2,
      reason: "of 2 acknowledged writes: 2 not judged (no majority of the replicas agrees on their key)",
    });
    expect(lostWrites(history(...W1, ...W2), {})).toMatchObject({
      valid: "unknown",
      reason:
        "no final state to judge the acknowledged writes against (no final reads, no final leader's values)",
    });
    expect(
      lostWrites(withFinalReads(["0 invoke write 1", "0 fail write 1"], converged(null)), FINAL),
    ).toMatchObject({
      valid: "unknown",
      reason: "nothing to check (0 acknowledged writes)",
    });
  });

  it("takes the final leader's values as the final state without final reads", () => {
    const lost = (value: unknown) =>
      lostWrites(history(...W1, ...W2), { final_state: new Map([[null, value]]) });
    expect(lost(2)).toMatchObject({ valid: true });
    expect(lost(1)).toMatchObject({ valid: false, lost: 1 });
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
        read_from: W1_SUMMARY,
        newer_write: W2_SUMMARY,
        known_from: W2_SUMMARY,
      },
    ]);
    expect(staleReads(history(...W1, "1 invoke read", "1 ok read null"), {})).toMatchObject({ valid: false });
  });

  it("finds a read older than a value another read returned before it began (a write of unknown outcome)", () => {
    // The cut-off leader served its unreplicated write 2 (which then timed out); later reads went back to 1.
    const events = [
      ...W1,
      "1 invoke write 2",
      "2 invoke read",
      "2 ok read 2",
      "3 invoke read",
      "3 ok read 1",
    ];
    const verdict = staleReads(history(...events, "1 info write"), {});
    expect(verdict).toMatchObject({
      valid: false,
      count: 1,
      anomalies: [
        {
          read: { process: 3, value: 1 },
          newer_write: { process: 1, value: 2, type: "info" },
          known_from: { process: 2, f: "read", value: 2 },
        },
      ],
    });
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

  it("say there was nothing to check in an empty history: unknown, never ok", () => {
    const empty = history();
    for (const [name, check] of Object.entries(registerChecks)) {
      const verdict = check(empty, FINAL);
      expect(verdict.valid, name).toBe("unknown");
      expect(verdict.reason, name).toMatch(/^nothing to check \(0 /);
    }
  });

  it("all pass on a generated history of a correct store, ended by final reads", () => {
    const text = historyFromPlan(
      randomPlan({ operations: 3000, keys: 20, processes: 10, infoRate: 0.05, seed: 3 }),
      { process: 1000, replicas: ["n0", "n1", "n2"] },
    );
    const verdict = runCheckers(registerChecks, parseHistoryJsonl(text, "generated"), {
      final_reads: { process: 1000 },
    });
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
