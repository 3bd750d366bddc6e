// Jepsen's bank as a workload plugin: accounts loaded with their balance, clients transferring and
// reading every balance, a history of transfers and reads (no key), judged by the bank checker on
// every read and on the balances the replicas end with.

import type { Shard } from "../../../engine/cluster.js";
import { bankChecks } from "../../checkers/bank.js";
import { livenessChecks } from "../../checkers/liveness.js";
import { buildWorkload, type HistoryRecording, type WorkloadPlugin } from "../plugin.js";
import { accountKeys, type BankData, BankWorkload } from "./bank-workload.js";

/** Each operation as one history operation: a transfer {from, to, amount}, a read {account: balance}. */
const bankHistory: HistoryRecording = (op, history) => {
  const data = op.detail as BankData; // the detail BankWorkload gave it
  history.whole(op, data.f, bankValue(data));
};

function bankValue(data: BankData): unknown {
  if (data.f === "transfer") return { from: data.from, to: data.to, amount: data.amount };
  if (data.balances === null) return null;
  const balances: Record<string, number> = {};
  for (const { key, value } of data.balances) balances[key] = value;
  return balances;
}

export const bankPlugin: WorkloadPlugin = {
  history: bankHistory,
  setup(scenario, rng) {
    const config = scenario.workload.bank;
    const bank = buildWorkload(() => new BankWorkload(config, rng));
    return {
      load: {
        count: config.accounts,
        key: (n) => bank.keys[n] as string,
        value: config.initial_balance,
        field_count: 1,
        field_bytes: 8,
      },
      clients: bank,
      checks: {
        checkers: { ...bankChecks, ...livenessChecks },
        options: {
          bank: { total: config.accounts * config.initial_balance, accounts: accountKeys(config.accounts) },
        },
        lost_writes: false,
        // Every balance at once, from each replica of the first shard.
        finalReads: (cluster) => [
          {
            op: "read_all",
            key: bank.keys[0] as string,
            limit: config.accounts,
            nodes: (cluster.hosts.shards[0] as Shard).nodes,
          },
        ],
        finalState: (cluster) => cluster.leaderRecords(),
      },
      domain: null,
    };
  },
};
