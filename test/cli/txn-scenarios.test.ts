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

// Raft applies a commit only once a majority holds it: the leader validates against the commits it
// logged, applied or not, so serializable stays strict serializable across a leader crash.
const RAFT_CRASH = `
name: txn-raft-crash
duration: 20s
cluster:
  replicas: 3
  replication: { mode: raft, failover: { detect_after: 1s } }
  transactions: { isolation: serializable }
network:
  latency: { dist: lognormal, median: 500us, p99: 5ms }
workload:
  type: list-append
  list_append: { key_count: 8, min_txn_length: 1, max_txn_length: 4, read_fraction: 0.5, interactive: true }
  rate: 300/s
  clients: 16
  timeout: 1s
faults:
  schedule:
    - { at: 8s, kind: crash, target: leader, restart_after: 5s }
checks: [elle]
`;

describe("transactions under raft", () => {
  it(
    "serializable, 3 replicas, a leader crash: strict serializable at seeds 1..5",
    async () => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const scenario = loadScenario(RAFT_CRASH);
        const { report } = await executeRun(scenario, seed, { metrics: false, files: "failed" });
        expect({ seed, elle: elleOf(report) }).toMatchObject({ seed, elle: { valid: true } });
        expect(report.replication?.failovers.length).toBeGreaterThan(0);
        expect(report.ops.txn?.ok).toBeGreaterThan(3000);
      }
    },
    SLOW,
  );
});

// Elle's rw-register workload: registers written with values unique per key.
const RW_REGISTER = `
name: rw-register
duration: 10s
network:
  latency: { dist: lognormal, median: 500us, p99: 5ms }
workload:
  type: rw-register
  rw_register: { key_count: 8, min_txn_length: 1, max_txn_length: 4, read_fraction: 0.5, interactive: true }
  rate: 500/s
  clients: 16
checks: [elle]
`;

describe("rw-register", () => {
  it(
    "read-committed: lost updates and G-single-item (seeds 1..3); serializable: strict serializable",
    async () => {
      for (const seed of [1, 2, 3]) {
        const rc = loadScenario(RW_REGISTER, {
          overrides: ["cluster.transactions.isolation=read-committed", "elle.consistency=snapshot-isolation"],
        });
        const rcElle = elleOf((await executeRun(rc, seed, { metrics: false, files: "failed" })).report);
        expect({ seed, types: rcElle.anomaly_types }).toEqual({
          seed,
          types: expect.arrayContaining(["G-single-item", "lost-update"]),
        });
        const serializable = loadScenario(RW_REGISTER);
        const report = (await executeRun(serializable, seed, { metrics: false, files: "failed" })).report;
        expect({ seed, valid: elleOf(report).valid }).toEqual({ seed, valid: true });
        expect(report.ops.txn?.ok).toBeGreaterThan(3000);
      }
    },
    SLOW,
  );
});
