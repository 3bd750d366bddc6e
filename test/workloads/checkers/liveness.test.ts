import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CheckOptions } from "../../../workloads/checkers/checker.js";
import { type History, parseHistoryJsonl } from "../../../workloads/checkers/history.js";
import {
  type FaultSpan,
  type LivenessAnomaly,
  liveness,
  quietPeriods,
} from "../../../workloads/checkers/liveness.js";

const S = 1_000_000;

/** [process, f, type, invoked at s, completed at s] */
type Op = readonly [number, string, "ok" | "fail" | "info", number, number];

/** A history of operations, each an invoke and its completion, events in time order. */
function timed(...ops: Op[]): History {
  const events = ops.flatMap(([process, f, type, invoke_s, complete_s], i) => [
    { process, type: "invoke", f, value: i, time: invoke_s * S },
    { process, type, f, value: i, time: complete_s * S },
  ]);
  events.sort((a, b) => a.time - b.time);
  return parseHistoryJsonl(events.map((event) => JSON.stringify(event)).join("\n"), "test.jsonl");
}

function options(faults: FaultSpan[], clients_end_s: number, within_s = 10): CheckOptions {
  return { liveness: { within_us: within_s * S, faults, clients_end_us: clients_end_s * S } };
}

const span = (start_s: number, end_s: number | null): FaultSpan => ({
  start_us: start_s * S,
  end_us: end_s === null ? null : end_s * S,
});

describe("liveness", () => {
  it("is valid when a write invoked after the heal succeeds within the bound", () => {
    const history = timed(
      [0, "write", "ok", 1, 1.1],
      [1, "write", "info", 20, 22],
      [0, "write", "ok", 42, 43.5],
    );
    const verdict = liveness(history, options([span(10, 40)], 60));
    expect(verdict).toMatchObject({ valid: true, checked: 1, count: 0, recovery_s_max: 3.5, within_s: 10 });
    expect(verdict.reason).toBe(
      "writes succeeded within 3.5 s of every heal (1 quiet period of at least 10.0 s judged)",
    );
  });

  it("fails when no write succeeds within the bound of the heal, naming the first that did", () => {
    // A write invoked before the heal that completes after it does not count.
    const history = timed(
      [0, "write", "ok", 39, 41],
      [1, "write", "fail", 41, 42],
      [0, "write", "ok", 50, 52.3],
    );
    const verdict = liveness(history, options([span(10, 40)], 65));
    expect(verdict.valid).toBe(false);
    expect(verdict.reason).toBe(
      "no write succeeded in the 10.0 s after the faults healed at 40.0 s; the first ok write came at 52.3 s",
    );
    const [anomaly] = verdict.anomalies as LivenessAnomaly[];
    expect(anomaly).toMatchObject({
      after: "heal",
      quiet_from_s: 40,
      quiet_until_s: 65,
      first_ok_at_s: 52.3,
    });
    expect(anomaly?.first_ok).toMatchObject({ process: 0, f: "write", type: "ok" });
  });

  it("fails when no write succeeds at all after a lasting fault (a crash never restarted)", () => {
    const history = timed(
      [0, "write", "ok", 1, 2],
      [0, "write", "info", 21, 23],
      [1, "read", "ok", 25, 25.1],
    );
    const verdict = liveness(history, options([span(20, null)], 40));
    expect(verdict.valid).toBe(false);
    expect(verdict.reason).toBe(
      "no write succeeded in the 10.0 s after the lasting fault at 20.0 s (never healed: the rest of the cluster " +
        "must serve); none before the clients stopped at 40.0 s",
    );
  });

  it("judges every quiet period that lasts the bound, and only those", () => {
    // Quiet from 10 to 30 (judged, recovers), from 32 to 35 (too short), from 40 on (judged, does not).
    const faults = [span(5, 10), span(30, 32), span(35, 40)];
    const history = timed(
      [0, "write", "ok", 11, 11.2],
      [0, "write", "ok", 33, 33.1],
      [0, "write", "ok", 58, 58.1],
    );
    const verdict = liveness(history, options(faults, 70));
    expect(verdict).toMatchObject({ valid: false, checked: 2, count: 1 });
    expect(verdict.reason).toContain("after the faults healed at 40.0 s; the first ok write came at 58.1 s");
  });

  it("counts any operation of a history without writes (a read-only workload), final reads aside", () => {
    const reads = timed([0, "read", "ok", 45, 45.01]);
    expect(liveness(reads, options([span(10, 40)], 60))).toMatchObject({ valid: true });
    expect(liveness(reads, { ...options([span(10, 40)], 60), final_reads: { process: 0 } })).toMatchObject({
      valid: "unknown",
      reason: "nothing to check (0 operations)",
    });
    const verdict = liveness(timed([0, "read", "ok", 60, 60.1]), options([span(10, 40)], 70));
    expect(verdict.reason).toContain("no operation succeeded");
  });

  it("is unknown without faults, without a quiet period of the bound, or outside a run", () => {
    const history = timed([0, "write", "ok", 1, 2]);
    expect(liveness(history, options([], 60))).toMatchObject({
      valid: "unknown",
      reason: "no fault was injected, so no heal to recover from",
    });
    expect(liveness(history, options([span(10, 55)], 60))).toMatchObject({
      valid: "unknown",
      reason:
        "no quiet period lasted the bound of 10.0 s (the longest: 5.0 s; the last began at 55.0 s and the clients stopped at 60.0 s)",
    });
    expect(liveness(history, options([span(10, 55), span(30, 70)], 60)).reason).toBe(
      "faults were in force until the clients stopped at 60.0 s: no heal to recover from",
    );
    expect(liveness(history, {}).reason).toContain("it runs in scenarios, not on a history file");
  });
});

describe("quietPeriods", () => {
  it("begin when the last passing fault in force ends or a lasting one begins, and end at the next fault", () => {
    const faults = [span(5, 10), span(8, 12), span(20, null), span(25, 25), span(30, 31)];
    expect(quietPeriods(faults, 40 * S)).toStrictEqual([
      { start_us: 12 * S, end_us: 20 * S, after: "heal", until: "next fault" },
      { start_us: 20 * S, end_us: 25 * S, after: "lasting fault", until: "next fault" },
      { start_us: 25 * S, end_us: 30 * S, after: "heal", until: "next fault" },
      { start_us: 31 * S, end_us: 40 * S, after: "heal", until: "clients stopped" },
    ]);
  });

  // An oracle by definition: at each change of the faults, is no passing fault in force; if so the
  // period lasts until the next fault begins. Then the verdict: valid when every period of at least
  // the bound has a write invoked in it that completed ok within the bound.
  it("agree with a brute-force reading of the definition, and so does the verdict (property)", () => {
    const time = fc.integer({ min: 0, max: 60 });
    const fault = fc.record({ start: time, length: fc.option(fc.integer({ min: 0, max: 20 })) });
    const op = fc.record({ invoke: time, took: fc.integer({ min: 0, max: 15 }), ok: fc.boolean() });
    fc.assert(
      fc.property(fc.array(fault, { maxLength: 6 }), fc.array(op, { maxLength: 12 }), (planned, ops) => {
        const faults = planned.map(({ start, length }) =>
          span(start, length === null ? null : start + length),
        );
        const end_s = 50;
        const within_s = 5;
        const changes = [
          ...new Set(faults.flatMap((f) => [f.start_us, ...(f.end_us === null ? [] : [f.end_us])])),
        ];
        const expected = changes
          .sort((a, b) => a - b)
          .filter((at) => at < end_s * S)
          .filter((at) => !faults.some((f) => f.end_us !== null && f.start_us <= at && at < f.end_us))
          .map((at) => {
            const next = Math.min(end_s * S, ...faults.map((f) => f.start_us).filter((start) => start > at));
            return { start_us: at, end_us: next };
          });
        const periods = quietPeriods(faults, end_s * S);
        expect(periods.map(({ start_us, end_us }) => ({ start_us, end_us }))).toStrictEqual(expected);

        const sorted = [...ops].sort((a, b) => a.invoke - b.invoke);
        const history = timed(
          ...sorted.map((o, i): Op => [i, "write", o.ok ? "ok" : "info", o.invoke, o.invoke + o.took]),
        );
        const judged = expected.filter((p) => p.end_us - p.start_us >= within_s * S);
        const verdict = liveness(history, options(faults, end_s, within_s));
        if (faults.length === 0 || ops.length === 0 || judged.length === 0) {
          expect(verdict.valid).toBe("unknown");
          return;
        }
        const recovered = (p: { start_us: number }) =>
          sorted.some(
            (o) => o.ok && o.invoke * S >= p.start_us && (o.invoke + o.took) * S <= p.start_us + within_s * S,
          );
        expect(verdict.valid).toBe(judged.every(recovered));
        expect(verdict.count).toBe(judged.filter((p) => !recovered(p)).length);
      }),
      { numRuns: 500 },
    );
  });
});
