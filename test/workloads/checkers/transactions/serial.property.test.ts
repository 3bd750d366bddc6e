// No false alarm: histories of a strict serializable store (each transaction takes effect, whole,
// at its completion; some fail and never do, some end info and did) are valid under every model,
// whatever the interleaving (fixed seed).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkTransactions } from "../../../../workloads/checkers/transactions/check.js";
import { CONSISTENCY_MODELS } from "../../../../workloads/checkers/transactions/consistency.js";
import type { TransactionModel } from "../../../../workloads/checkers/transactions/history.js";
import { events, parseTransactions } from "./helpers.js";

type Mop = [string, string, unknown];
type Step = { process: number; mops: { read: boolean; key: number }[]; outcome: number };

/** Runs the steps against a store applying each transaction atomically at its completion. */
function serialHistory(model: TransactionModel, steps: readonly Step[]): string {
  const store = new Map<string, unknown>();
  const pending = new Map<number, Mop[]>();
  const list: [number, "invoke" | "ok" | "fail" | "info", Mop[]][] = [];
  let unique = 0;
  for (const step of steps) {
    const invoked = pending.get(step.process);
    if (invoked === undefined) {
      const mops = step.mops.map(
        ({ read, key }): Mop => [
          read ? "r" : model === "list-append" ? "append" : "w",
          `k${key}`,
          read ? null : ++unique,
        ],
      );
      pending.set(step.process, mops);
      list.push([step.process, "invoke", mops]);
      continue;
    }
    pending.delete(step.process);
    if (step.outcome === 0) {
      list.push([step.process, "fail", invoked]);
      continue;
    }
    const done = invoked.map(([f, key, value]): Mop => {
      const current = store.get(key) ?? null;
      if (f === "r") return [f, key, Array.isArray(current) ? [...current] : current];
      store.set(key, model === "list-append" ? [...((current as unknown[] | null) ?? []), value] : value);
      return [f, key, value];
    });
    // An info transaction took effect here too; its client never learned so.
    list.push([step.process, step.outcome === 1 ? "info" : "ok", done]);
  }
  return events(...list);
}

const steps = fc.array(
  fc.record({
    process: fc.integer({ min: 0, max: 4 }),
    mops: fc.array(fc.record({ read: fc.boolean(), key: fc.integer({ min: 0, max: 3 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
    outcome: fc.integer({ min: 0, max: 9 }),
  }),
  { maxLength: 60 },
);

describe("a strict serializable store's histories", () => {
  for (const model of ["list-append", "rw-register"] as const) {
    it(`are valid under every model (${model})`, () => {
      fc.assert(
        fc.property(steps, (list) => {
          const txns = parseTransactions(serialHistory(model, list), model);
          for (const consistency of CONSISTENCY_MODELS) {
            const verdict = checkTransactions(txns, { model, consistency });
            expect(verdict.valid, `${consistency}: ${verdict.reason}`).not.toBe(false);
          }
        }),
        { seed: 19, numRuns: 300 },
      );
    });
  }
});
