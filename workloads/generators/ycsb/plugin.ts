// YCSB as a workload plugin: records loaded as YCSB's load phase names them, clients running
// CoreWorkload's operations, a register history (a read-modify-write is a read, then a write if
// its update was sent), judged by the register checks.

import type { Rng } from "../../../sim/rng.js";
import { registerChecks } from "../../checkers/checks.js";
import { livenessChecks } from "../../checkers/liveness.js";
import { expectedArrivals } from "../../client/arrivals.js";
import type { ResolvedScenario } from "../../scenario/resolve.js";
import {
  buildWorkload,
  type HistoryRecording,
  registerHistory,
  touchedKeyReads,
  type WorkloadPlugin,
} from "../plugin.js";
import { type YcsbConfig, YcsbWorkload } from "./core-workload.js";
import { type RmwRead, YcsbClientWorkload } from "./ycsb-client.js";

function ycsbConfig(scenario: ResolvedScenario): YcsbConfig {
  const w = scenario.workload;
  return {
    records: w.records,
    mix: w.mix,
    distribution: w.distribution,
    fieldCount: w.field_count,
    fieldLength: w.field_length,
    scanLengthMin: w.scan_length.min,
    scanLengthMax: w.scan_length.max,
    scanLengthDistribution: w.scan_length_distribution,
    insertOrder: w.insert_order,
    zeroPadding: w.zero_padding,
    hotspotDataFraction: w.hotspot.data_fraction,
    hotspotOpsFraction: w.hotspot.ops_fraction,
    zipfianConstant: w.zipfian_constant,
    exponentialPercentile: w.exponential.percentile,
    exponentialFrac: w.exponential.frac,
    // YCSB sizes the zipfian key space for the inserts its operation count implies; the open-loop
    // schedule implies the rate's integral over the run (a closed loop keeps YCSB's default, the
    // record count).
    ...(w.rate === null
      ? {}
      : {
          operationCount: Math.ceil(expectedArrivals(w.rate, 0, scenario.warmup_us + scenario.duration_us)),
        }),
  };
}

/** The scenario's YCSB generator (a run's, and `dbsim real`'s); knobs it cannot serve are a scenario error. */
export function ycsbWorkload(scenario: ResolvedScenario, rng: Rng): YcsbWorkload {
  return buildWorkload(() => new YcsbWorkload(ycsbConfig(scenario), rng));
}

/** A read-modify-write is two operations of its process, as Jepsen records a read then a write without a transaction. */
const ycsbHistory: HistoryRecording = (op, history) => {
  const read = op.detail as RmwRead | undefined; // the detail YcsbClientWorkload gave it
  if (read === undefined) {
    registerHistory(op, history);
    return;
  }
  history.register(
    { ...op, result: read.result, completed_us: read.completed_us, node: read.node },
    "read",
    op.key,
    read.value,
  );
  if (read.result === "ok")
    history.register({ ...op, sent_us: read.completed_us }, "write", op.key, op.value);
};

export const ycsbPlugin: WorkloadPlugin = {
  history: ycsbHistory,
  setup(scenario, rng) {
    const ycsb = ycsbWorkload(scenario, rng);
    return {
      load: {
        count: scenario.workload.records,
        key: (n) => ycsb.loadKey(n),
        value: 0,
        field_count: scenario.workload.field_count,
        field_bytes: scenario.workload.field_length,
      },
      clients: new YcsbClientWorkload(ycsb),
      checks: {
        checkers: { ...registerChecks, ...livenessChecks },
        options: {},
        lost_writes: true,
        finalReads: touchedKeyReads,
        finalState: (cluster, touchedKeys) => cluster.leaderValues(touchedKeys),
      },
      domain: null,
    };
  },
};
