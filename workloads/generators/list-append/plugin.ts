// Elle's list-append and rw-register as workload plugins: nothing loaded (every key starts empty),
// clients running transactions, a history of `txn` operations in Jepsen's shape, judged by the elle
// check under the workload's data model.

import { elleChecks } from "../../checkers/elle.js";
import { buildWorkload, type HistoryRecording, type WorkloadPlugin } from "../plugin.js";
import { ElleWorkload, type TxnData } from "./list-append-workload.js";
import type { ElleWorkloadType } from "./settings.js";

/** Each transaction as one history operation: invoked with its reads empty, completed with what they read. */
const transactionHistory: HistoryRecording = (op, history) => {
  const data = op.detail as TxnData; // the detail ElleWorkload gave it
  history.txn(op, data.invoked, data.completed);
};

function elleWorkloadPlugin(type: ElleWorkloadType): WorkloadPlugin {
  return {
    history: transactionHistory,
    setup(scenario, rng) {
      const { workload } = scenario;
      const config = type === "list-append" ? workload.list_append : workload.rw_register;
      return {
        load: { count: 0, key: () => "", value: 0, field_count: 1, field_bytes: 8 },
        clients: buildWorkload(() => new ElleWorkload(type, config, rng)),
        checks: {
          checkers: elleChecks,
          options: { elle: { model: type, consistency: scenario.elle.consistency } },
          lost_writes: false,
          finalReads: () => [],
          finalState: () => null,
        },
        domain: null,
      };
    },
  };
}

export const listAppendPlugin = elleWorkloadPlugin("list-append");
export const rwRegisterPlugin = elleWorkloadPlugin("rw-register");
