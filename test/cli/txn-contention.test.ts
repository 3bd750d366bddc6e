// The contention scenario's lesson at seed 1: spread over every account, each isolation level
// commits nearly all; on the hot accounts, snapshot aborts write-write conflicts, serializable those
// and stale reads too, read committed none (it loses updates instead).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import type { Report } from "../../reports/report-schema.js";
import { loadScenario } from "../../workloads/scenario/load.js";

const SLOW = 300_000;
const LEVELS = ["read-committed", "snapshot", "serializable"] as const;

async function transactions(isolation: string, hot_fraction: number) {
  const overrides = [
    `cluster.transactions.isolation=${isolation}`,
    `workload.smallbank.hot_fraction=${hot_fraction}`,
  ];
  const text = readFileSync("scenarios/txn-isolation-contention.yaml", "utf8");
  const report: Report = (
    await executeRun(loadScenario(text, { overrides }), 1, { metrics: false, files: "failed" })
  ).report;
  return report.transactions as NonNullable<Report["transactions"]>;
}

describe("txn-isolation-contention", () => {
  it(
    "low contention: every level commits nearly all (abort rate under 1%)",
    async () => {
      for (const level of LEVELS)
        expect({ level, low: ((await transactions(level, 0)).abort_rate ?? 1) < 0.01 }).toEqual({
          level,
          low: true,
        });
    },
    SLOW,
  );

  it(
    "high contention: the stronger the level, the more aborts and the fewer commits; the hot accounts abort",
    async () => {
      const [rc, si, ser] = await Promise.all(LEVELS.map((level) => transactions(level, 0.9)));
      if (rc === undefined || si === undefined || ser === undefined) throw new Error("unreachable");
      expect(rc.aborted).toBe(0);
      expect(si.abort_rate).toBeGreaterThan(0.1);
      expect(ser.aborted).toBeGreaterThan(si.aborted);
      expect(rc.committed_per_s).toBeGreaterThan(si.committed_per_s);
      expect(si.committed_per_s).toBeGreaterThan(ser.committed_per_s);
      expect(Object.keys(si.aborts)).toEqual(["conflict"]);
      expect(Object.keys(ser.aborts)).toEqual(["conflict", "validation"]);
      // Every key aborts touched most is a hot account's balance (accounts 0..9).
      expect(ser.conflict_keys.every(({ key }) => /^[cs]\d$/.test(key))).toBe(true);
    },
    SLOW,
  );
});
