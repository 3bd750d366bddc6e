// The workload plugins, by the scenario's workload.type: adding a workload is its folder and a line here.

import type { WorkloadType } from "../scenario/schema.js";
import { bankPlugin } from "./bank/plugin.js";
import { domainPlugin } from "./domain/plugin.js";
import { listAppendPlugin, rwRegisterPlugin } from "./list-append/plugin.js";
import type { WorkloadPlugin } from "./plugin.js";
import { smallbankPlugin } from "./smallbank/plugin.js";
import { ycsbPlugin } from "./ycsb/plugin.js";

/** The workloads whose clients run transactions (cluster.transactions applies). */
export const TXN_WORKLOAD_TYPES: readonly WorkloadType[] = ["list-append", "rw-register", "smallbank"];

export const WORKLOAD_PLUGINS: Readonly<Record<WorkloadType, WorkloadPlugin>> = {
  ycsb: ycsbPlugin,
  bank: bankPlugin,
  ecommerce: domainPlugin,
  social: domainPlugin,
  timeseries: domainPlugin,
  "list-append": listAppendPlugin,
  "rw-register": rwRegisterPlugin,
  smallbank: smallbankPlugin,
};
