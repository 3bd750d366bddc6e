// The domain workloads (ecommerce, social, timeseries) as a workload plugin: no YCSB records; every
// replica builds the query database (tables, the scenario's indexes) and loads the initial data
// from the stream `workload -> data`, so the copies are identical; queries draw from
// `workload -> query`. Its history is of registers (no check applies to it).

import { Database } from "../../../engine/query/database.js";
import { Rng } from "../../../sim/rng.js";
import type { ResolvedScenario } from "../../scenario/resolve.js";
import { registerHistory, touchedKeyReads, type WorkloadPlugin } from "../plugin.js";
import type { DomainWorkload, InitialRow } from "./domain.js";
import { DomainClientWorkload } from "./domain-client.js";
import { createDomainWorkload } from "./registry.js";

export const domainPlugin: WorkloadPlugin = {
  history: registerHistory,
  setup(scenario, rng) {
    const workload = domainWorkloadOf(scenario);
    // Generated once, loaded into every replica: the same rows as each drawing its own copy.
    let rows: InitialRow[] | null = null;
    const database = (): Database => {
      rows ??= [...workload.initialData(rng.split("data"))];
      return loadedDatabase(scenario, workload, rows);
    };
    return {
      load: { count: 0, key: () => "", value: 0, field_count: 1, field_bytes: 0, database },
      clients: new DomainClientWorkload(workload, rng),
      checks: {
        checkers: {},
        options: {},
        lost_writes: true,
        finalReads: touchedKeyReads,
        finalState: (cluster, touchedKeys) => cluster.leaderValues(touchedKeys),
      },
      domain: workload,
    };
  },
};

function domainWorkloadOf(scenario: ResolvedScenario): DomainWorkload {
  const domain = scenario.workload.domain;
  if (domain === null) throw new Error(`not a domain workload: workload.type ${scenario.workload.type}`);
  return createDomainWorkload(domain.type, domain.knobs);
}

/** A replica's query database: the workload's tables, the scenario's indexes, the initial rows. */
function loadedDatabase(
  scenario: ResolvedScenario,
  workload: DomainWorkload,
  rows: Iterable<InitialRow>,
): Database {
  const { node, indexes } = scenario.cluster;
  const db = new Database({
    tables: workload.tables,
    indexes,
    cost: {
      service_time_us: node.service_time_us,
      page_time_us: node.page_time_us,
      row_time_us: node.row_time_us,
    },
  });
  for (const { table, row } of rows) {
    if (!db.load(table, row)) throw new Error(`initial data: duplicate key inserting into ${table}`);
  }
  return db;
}

/**
 * What a run of a domain workload at `seed` starts with, without running it (`dbsim explain`): the
 * query database every replica loads, a fresh copy of the workload, and the stream its queries
 * draw from.
 */
export function initialQueryDatabase(
  scenario: ResolvedScenario,
  seed: number,
): { db: Database; workload: DomainWorkload; queries: Rng } {
  const rng = Rng.fromSeed(seed).split("workload"); // as the run's: sim.rng.split("workload")
  const workload = domainWorkloadOf(scenario);
  const rows = workload.initialData(rng.split("data"));
  return { db: loadedDatabase(scenario, workload, rows), workload, queries: rng.split("query") };
}
