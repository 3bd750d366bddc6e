// Each isolation level against Elle's checker, on interactive list-append transactions interleaved
// statement by statement at fixed seeds: what each level allows is found, what it forbids never is.

import { describe, expect, it } from "vitest";
import type { IsolationLevel } from "../../../engine/txn/transactions.js";
import { checkTransactions } from "../../../workloads/checkers/transactions/check.js";
import type { ConsistencyModel } from "../../../workloads/checkers/transactions/consistency.js";
import { parseTransactions } from "../../workloads/checkers/transactions/helpers.js";
import { type InterleavingOptions, interleavedHistory } from "./interleaved.js";

const OPTIONS: InterleavingOptions = {
  clients: 6,
  transactions: 400,
  keys: 4,
  statements_max: 4,
  read_fraction: 0.5,
};
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

function check(isolation: IsolationLevel, seed: number, consistency: ConsistencyModel) {
  const run = interleavedHistory(isolation, seed, OPTIONS);
  return checkTransactions(parseTransactions(run.jsonl, "list-append"), {
    model: "list-append",
    consistency,
  });
}

describe("isolation levels under Elle's checker (seeds 1..10)", () => {
  it("serializable: every history is strict serializable", () => {
    for (const seed of SEEDS) {
      const verdict = check("serializable", seed, "strict-serializable");
      expect({ seed, types: verdict.anomaly_types }).toEqual({ seed, types: [] });
      expect(verdict.valid).toBe(true);
    }
  });

  it("snapshot: snapshot isolation always, and write skew (G2-item) that serializable never shows", () => {
    const g2 = SEEDS.filter((seed) => {
      expect(check("snapshot", seed, "snapshot-isolation").valid).toBe(true);
      return check("snapshot", seed, "serializable").anomaly_types.includes("G2-item");
    });
    expect(g2.length).toBeGreaterThan(0);
    expect(g2).toContain(1);
  });

  it("read-committed: read committed always, and lost updates and read skew that snapshot never shows", () => {
    const found = new Set<string>();
    for (const seed of SEEDS) {
      expect(check("read-committed", seed, "read-committed").valid).toBe(true);
      for (const type of check("read-committed", seed, "snapshot-isolation").anomaly_types) found.add(type);
    }
    expect(found).toContain("lost-update");
    expect(found).toContain("G-single-item");
  });

  it("aborts: snapshot by conflict, serializable by conflict and validation, read-committed by conflict", () => {
    expect(Object.keys(interleavedHistory("snapshot", 1, OPTIONS).aborted)).toEqual(["conflict"]);
    expect(Object.keys(interleavedHistory("serializable", 1, OPTIONS).aborted).sort()).toEqual([
      "conflict",
      "validation",
    ]);
    const rc = interleavedHistory("read-committed", 1, OPTIONS);
    expect(Object.keys(rc.aborted)).toEqual(["conflict"]);
    expect(rc.committed).toBeGreaterThan(interleavedHistory("serializable", 1, OPTIONS).committed);
  });

  it("keeps only the versions open snapshots need", () => {
    // 6 clients: a key's chain holds at most one version per commit since the oldest open snapshot.
    expect(interleavedHistory("snapshot", 1, { ...OPTIONS, transactions: 5000 }).versions_max).toBeLessThan(
      30,
    );
  });
});
