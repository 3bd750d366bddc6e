// SmallBank as a workload plugin: nothing loaded (a balance never written reads as its initial one),
// clients running its transactions, a history of `txn` operations in Jepsen's shape. No check fits
// it (its writes are not unique): its figures are the report's `transactions`.

import { listAppendPlugin } from "../list-append/plugin.js";
import { buildWorkload, type WorkloadPlugin } from "../plugin.js";
import { SmallbankWorkload } from "./smallbank-workload.js";

export const smallbankPlugin: WorkloadPlugin = {
  history: listAppendPlugin.history, // the same detail: each transaction as one `txn` operation
  setup(scenario, rng) {
    return {
      load: { count: 0, key: () => "", value: 0, field_count: 1, field_bytes: 8 },
      clients: buildWorkload(() => new SmallbankWorkload(scenario.workload.smallbank, rng)),
      checks: {
        checkers: {},
        options: {},
        lost_writes: false,
        finalReads: () => [],
        finalState: () => null,
      },
      domain: null,
    };
  },
};
