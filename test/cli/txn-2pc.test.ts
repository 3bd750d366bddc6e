// Two-phase commit across shards, through the scenario: the coordinator's crash keeps its
// participants' keys held about as long as it is down, and the history stays strict serializable
// at seeds 1..5, one-shot and interactive, with and without the crash.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import type { Report } from "../../reports/report-schema.js";
import { loadScenario } from "../../workloads/scenario/load.js";

const SLOW = 600_000;
const SEEDS = [1, 2, 3, 4, 5];
const NO_CRASH = "faults.schedule=[]";
const INTERACTIVE = "workload.list_append.interactive=true";

async function run(seed: number, overrides: string[] = []): Promise<Report> {
  const text = readFileSync("scenarios/txn-2pc-coordinator-crash.yaml", "utf8");
  const scenario = loadScenario(text, { overrides });
  return (await executeRun(scenario, seed, { metrics: false, files: "failed" })).report;
}

const twoPhaseOf = (report: Report) => report.sharding?.two_phase;
const elleOf = (report: Report) => report.checks.elle as { valid: unknown; anomaly_types: string[] };

describe("txn-2pc-coordinator-crash", () => {
  it(
    "seed 1: the router's 3 s crash keeps prepared keys held ~3 s; without it, milliseconds",
    async () => {
      const crashed = await run(1);
      const blocked_us = twoPhaseOf(crashed)?.prepared_blocked_us_max ?? 0;
      expect(blocked_us).toBeGreaterThan(2_900_000);
      expect(blocked_us).toBeLessThan(3_200_000);
      expect(elleOf(crashed).valid).toBe(true);
      expect(crashed.ops.txn?.errors).toHaveProperty("prepared");
      const calm = twoPhaseOf(await run(1, [NO_CRASH]));
      expect(calm?.commits).toBeGreaterThan(1000);
      expect(calm?.prepared_blocked_us_max ?? Number.POSITIVE_INFINITY).toBeLessThan(200_000);
    },
    SLOW,
  );

  it(
    "is strict serializable at seeds 1..5, one-shot and interactive, with and without the crash",
    async () => {
      for (const seed of SEEDS) {
        for (const overrides of [[], [NO_CRASH], [INTERACTIVE], [INTERACTIVE, NO_CRASH]]) {
          const report = await run(seed, overrides);
          expect({
            seed,
            overrides,
            types: elleOf(report).anomaly_types,
            valid: elleOf(report).valid,
          }).toEqual({
            seed,
            overrides,
            types: [],
            valid: true,
          });
          expect(report.sharding?.cross_shard_ops).toBeGreaterThan(0);
        }
      }
    },
    SLOW,
  );

  it(
    "participants' leaders crash: their successors hold what was prepared (replicated); strict serializable at seeds 1..3",
    async () => {
      const leadersCrash =
        "faults.schedule=[{at: 3s, kind: crash, target: shard0/n0, restart_after: 3s}, " +
        "{at: 4s, kind: crash, target: shard1/n0, restart_after: 2s}]";
      for (const seed of [1, 2, 3]) {
        for (const overrides of [[leadersCrash], [leadersCrash, INTERACTIVE]]) {
          const report = await run(seed, overrides);
          expect({ seed, overrides, valid: elleOf(report).valid }).toEqual({ seed, overrides, valid: true });
          expect(report.replication.failovers.length).toBeGreaterThan(0);
        }
      }
    },
    SLOW,
  );
});

describe("SmallBank across shards", () => {
  it(
    "runs its transactions on every shard through two-phase commit (seed 1)",
    async () => {
      const text = readFileSync("scenarios/txn-isolation-contention.yaml", "utf8");
      const overrides = ["cluster.shards=2", "cluster.sharding.routing=proxy", "duration=3s"];
      const scenario = loadScenario(text, { overrides });
      const { report } = await executeRun(scenario, 1, { metrics: false, files: "failed" });
      expect(report.shards?.every((shard) => shard.ops > 0)).toBe(true);
      expect(report.sharding?.cross_shard_ops).toBeGreaterThan(0);
      expect(report.sharding?.two_phase?.commits).toBeGreaterThan(0);
    },
    SLOW,
  );
});
