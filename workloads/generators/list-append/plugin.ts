// Elle's list-append as a workload plugin: nothing loaded (every list starts empty), clients running
// transactions, a history of `txn` operations in Jepsen's shape, judged by the elle check.

import { elleChecks } from "../../checkers/elle.js";
import { buildWorkload, type HistoryRecording, type WorkloadPlugin } from "../plugin.js";
import { ListAppendWorkload, type TxnData } from "./list-append-workload.js";

/** Each transaction as one history operation: invoked with its reads empty, completed with what they read. */
const listAppendHistory: HistoryRecording = (op, history) => {
  const data = op.detail as TxnData; // the detail ListAppendWorkload gave it
  history.txn(op, data.invoked, data.completed);
};

export const listAppendPlugin: WorkloadPlugin = {
  history: listAppendHistory,
  setup(scenario, rng) {
    const workload = buildWorkload(() => new ListAppendWorkload(scenario.workload.list_append, rng));
    return {
      load: { count: 0, key: () => "", value: 0, field_count: 1, field_bytes: 8 },
      clients: workload,
      checks: {
        checkers: elleChecks,
        options: { elle: { model: "list-append", consistency: scenario.elle.consistency } },
        lost_writes: false,
        finalReads: () => [],
        finalState: () => null,
      },
      domain: null,
    };
  },
};
