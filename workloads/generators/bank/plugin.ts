// Jepsen's bank as a workload plugin: accounts loaded with their balance (transactional keys, or the
// table's records for read_then_write), clients transferring and reading every balance, a history of
// transfers and reads (no key), judged by the bank checker on every read and on the balances the
// replicas end with.

import type { Shard } from "../../../engine/cluster.js";
import type { TxnMicroOp } from "../../../engine/txn/transactions.js";
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
    const transactions = config.transfer === "transaction";
    return {
      load: {
        count: config.accounts,
        key: (n) => bank.keys[n] as string,
        value: config.initial_balance,
        field_count: 1,
        field_bytes: 8,
        into: transactions ? "transactions" : "table",
      },
      clients: bank,
      checks: {
        checkers: { ...bankChecks, ...livenessChecks },
        options: {
          bank: { total: config.accounts * config.initial_balance, accounts: accountKeys(config.accounts) },
        },
        lost_writes: false,
        // Every balance at once, from each replica of the first shard.
        finalReads: (cluster) => {
          const nodes = (cluster.hosts.shards[0] as Shard).nodes;
          const keys = bank.keys;
          return [
            transactions
              ? {
                  op: "txn",
                  txn: 0,
                  mops: keys.map((key): TxnMicroOp => ["r", key, null]),
                  commit: true,
                  nodes,
                }
              : { op: "read_all", key: keys[0] as string, limit: config.accounts, nodes },
          ];
        },
        finalState: (cluster) =>
          transactions ? cluster.leaderTxnValues(bank.keys) : cluster.leaderRecords(),
      },
      domain: null,
    };
  },
};
