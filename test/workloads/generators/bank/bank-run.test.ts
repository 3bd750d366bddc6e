// The bank workload through whole runs: transactions keep every replica's money constant through a
// leader crash, and the checker catches read-then-write transfers and multi-leader replication.

import { describe, expect, it } from "vitest";
import { bankChecker } from "../../../../workloads/checkers/bank.js";
import { HistoryRecorder } from "../../../../workloads/client/history-recorder.js";
import { ScenarioRun } from "../../../../workloads/runner.js";
import { loadScenario } from "../../../../workloads/scenario/load.js";

const BANK = (extra: string) => `name: bank
duration: 6s
cluster:
  replicas: 3
  replication: { mode: async, read_from: follower, failover: { enabled: true, detect_after: 500ms } }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload:
  type: bank
  bank: { accounts: 5, initial_balance: 50, max_transfer: 10 }
  rate: 800/s
  clients: 8
  timeout: 300ms
faults:
  schedule:
    - { at: 2s, kind: partition, one_way: { from: leader, to: followers }, for: 2s }
    - { at: 2100ms, kind: crash, target: leader, restart_after: 1s }
checks: [bank]
${extra}`;

function run(text: string, seed: number) {
  const scenario = loadScenario(text).resolved;
  let history: HistoryRecorder | null = null;
  let truncated = 0;
  const sim = new ScenarioRun(scenario, {
    seed,
    observer: {
      onOperation: (op) => history?.onOperation(op),
      onEngineEvent: (event) => {
        if (event.type === "truncate") truncated += event.entries;
      },
    },
  });
  history = new HistoryRecorder((node) => `n${node}`, sim.plugin.history);
  sim.runToEnd();
  return { run: sim, history, truncated };
}

const ACCOUNTS = ["acct0", "acct1", "acct2", "acct3", "acct4"];

/** The money a replica holds: its accounts' balances (transactional keys). */
function totalOn(run: ScenarioRun, node: number): number {
  let total = 0;
  for (const value of run.cluster.txnValuesOn(node, ACCOUNTS).values()) total += value as number;
  return total;
}

describe("bank runs", () => {
  it.each([1, 2, 3])("transactions conserve money on every replica through a failover (seed %i)", (seed) => {
    const { run: r, history, truncated } = run(BANK(""), seed);
    // The old leader's unreplicated transfers were undone when it rejoined: lost, but lost whole.
    expect(truncated).toBeGreaterThan(0);
    for (const node of r.hosts.nodes) expect(totalOn(r, node)).toBe(250);
    const final = r.cluster.leaderTxnValues(ACCOUNTS);
    expect(final).not.toBeNull();
    const verdict = bankChecker(history.toHistory("h"), {
      bank: { total: 250 },
      final_state: final as Map<string, number>,
    });
    expect(verdict).toMatchObject({ valid: true, count: 0 });
    expect(verdict.reads).toBeGreaterThan(1000);
  });

  it("read-then-write transfers break the total", () => {
    const { history } = run(
      BANK("").replace("max_transfer: 10", "max_transfer: 10, transfer: read_then_write"),
      1,
    );
    const verdict = bankChecker(history.toHistory("h"), { bank: { total: 250 } });
    expect(verdict.valid).toBe(false);
    expect(verdict.by_type).toHaveProperty("wrong-total");
  });

  it("multi-leader last-writer-wins keeps half of concurrent transfers", () => {
    const text = BANK("").replace("mode: async, read_from: follower,", "mode: multi-leader,");
    const { history } = run(text, 1);
    expect(bankChecker(history.toHistory("h"), { bank: { total: 250 } }).valid).toBe(false);
  });

  it.each([
    ["snapshot", true],
    ["serializable", true],
    ["read-committed", false],
  ])("transfers as transactions under %s: the total holds (%s)", (isolation, holds) => {
    const text = BANK("").replace(
      "  replicas: 3\n",
      `  replicas: 3\n  transactions: { isolation: ${isolation} }\n`,
    );
    const { history } = run(text, 1);
    // Read committed lets two transfers read one balance and both write it: a lost update.
    expect(bankChecker(history.toHistory("h"), { bank: { total: 250 } }).valid).toBe(holds);
  });

  it("transfers among 4 accounts, under raft through a leader crash, keep the total", () => {
    const text = BANK("")
      .replace("max_transfer: 10 }", "max_transfer: 10, accounts_per_transfer: 4 }")
      .replace("mode: async, read_from: follower,", "mode: raft,");
    const { run: r, history } = run(text, 2);
    const verdict = bankChecker(history.toHistory("h"), { bank: { total: 250 } });
    expect(verdict).toMatchObject({ valid: true, count: 0 });
    expect(verdict.reads).toBeGreaterThan(1000);
    for (const node of r.hosts.nodes) expect(totalOn(r, node)).toBe(250);
  });

  it("records transfers and reads in the documented history format", () => {
    const { history } = run(BANK(""), 1);
    const events = [...history.jsonlChunks()]
      .join("")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    const transfer = events.find((e) => e.f === "transfer" && e.type === "ok");
    expect(Object.keys(transfer.value).sort()).toEqual(["amount", "from", "to"]);
    expect(transfer).not.toHaveProperty("key");
    const read = events.find((e) => e.f === "read" && e.type === "ok");
    expect(Object.keys(read.value)).toEqual(["acct0", "acct1", "acct2", "acct3", "acct4"]);
    const invoke = events.find((e) => e.f === "read" && e.type === "invoke");
    expect(invoke.value).toBeNull();
  });

  it("refuses checks that do not fit the workload, naming the field", () => {
    expect(() => loadScenario(BANK("").replace("checks: [bank]", "checks: [bank, linearizable]"))).toThrow(
      /checks\.1: linearizable checks a history of registers; workload.type bank .* use bank/,
    );
    expect(() => loadScenario("name: y\nchecks: [bank]\n")).toThrow(
      /checks\.0: bank checks a bank history; with workload.type ycsb use linearizable/,
    );
  });
});
