// The transaction scenario at fixed seeds: snapshot isolation lets write skew (G2-item) through,
// serializable never does; read committed shows lost updates and read skew that snapshot never does.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import type { Report } from "../../reports/report-schema.js";
import { loadScenario } from "../../workloads/scenario/load.js";

const SLOW = 300_000;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

async function run(seed: number, overrides: string[] = []): Promise<Report> {
  const scenario = loadScenario(readFileSync("scenarios/txn-write-skew.yaml", "utf8"), { overrides });
  return (await executeRun(scenario, seed, { metrics: false, files: "failed" })).report;
}

const elleOf = (report: Report) => report.checks.elle as { valid: unknown; anomaly_types: string[] };

describe("txn-write-skew", () => {
  it(
    "snapshot: a G2-item at every seed 1..10; serializable: valid at every one",
    async () => {
      for (const seed of SEEDS) {
        expect({ seed, types: elleOf(await run(seed)).anomaly_types }).toEqual({ seed, types: ["G2-item"] });
        const serializable = await run(seed, ["cluster.transactions.isolation=serializable"]);
        expect({ seed, valid: elleOf(serializable).valid }).toEqual({ seed, valid: true });
      }
    },
    SLOW,
  );

  it(
    "read-committed: lost updates and G-single-item, which snapshot isolation forbids and snapshot never shows",
    async () => {
      const underSi = ["elle.consistency=snapshot-isolation"];
      const rc = elleOf(await run(1, ["cluster.transactions.isolation=read-committed", ...underSi]));
      expect(rc.valid).toBe(false);
      expect(rc.anomaly_types).toEqual(expect.arrayContaining(["G-single-item", "lost-update"]));
      expect(elleOf(await run(1, underSi)).valid).toBe(true);
    },
    SLOW,
  );

  it(
    "reports aborts by reason: conflict under snapshot, and validation too under serializable",
    async () => {
      expect(Object.keys((await run(1)).ops.txn?.errors ?? {})).toEqual(["conflict"]);
      const serializable = await run(1, ["cluster.transactions.isolation=serializable"]);
      expect(Object.keys(serializable.ops.txn?.errors ?? {}).sort()).toEqual(["conflict", "validation"]);
    },
    SLOW,
  );
});
