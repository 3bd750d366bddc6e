// Failover time after a leader crash: a 3-replica shard (detect_after 1s) whose leader crashes at
// 10 s, over many seeds. Measured in virtual time: from the crash to the new leader's election, and
// the clients' write outage (last write acknowledged before, first after).

import { executeRun } from "../cli/execute.js";
import { loadScenario } from "../workloads/scenario/load.js";

const SCENARIO = `name: failover
duration: 20s
cluster: { replicas: 3, replication: { mode: semi-sync, failover: { enabled: true, detect_after: 1s } } }
workload: { preset: a, records: 1000, rate: 1000/s, clients: 16, timeout: 500ms }
faults: { schedule: [ { at: 10s, kind: crash, target: leader } ] }
`;
const CRASH_S = 10;

export interface FailoverResult {
  seeds: number;
  election_s: { p50: number; p90: number; max: number; min: number };
  write_outage_s: { p50: number; p90: number; max: number; min: number };
  samples_election_s: number[];
}

function spread(values: number[]): { p50: number; p90: number; max: number; min: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { p50: at(0.5), p90: at(0.9), max: sorted.at(-1) as number, min: sorted[0] as number };
}

export async function failover(seeds: number): Promise<FailoverResult> {
  const election: number[] = [];
  const outage: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const { report } = await executeRun(loadScenario(SCENARIO), seed);
    const first = report.replication.failovers[0];
    if (first === undefined) throw new Error(`seed ${seed}: no failover`);
    election.push(Number((first.at_s - CRASH_S).toFixed(3)));
    if (first.write_outage_s !== null) outage.push(first.write_outage_s);
  }
  return {
    seeds,
    election_s: spread(election),
    write_outage_s: spread(outage),
    samples_election_s: election,
  };
}
