// Builds the database's hosts inside a simulation. Today: one node holding one table.

import type { HostId } from "../sim/host.js";
import type { Simulation } from "../sim/simulation.js";
import { DatabaseNode, type NodeConfig } from "./node.js";
import { Table } from "./table.js";

export interface SingleNodeConfig {
  node: NodeConfig;
  fsync_us: number;
  btree_fanout: number;
  field_count: number;
  /** Keys loaded before the run (YCSB's load phase), with their initial value. */
  load: { count: number; key(n: number): string; value: number };
}

export interface SingleNodeCluster {
  readonly node: HostId;
  readonly table: Table;
}

/** Adds node "shard0/n0" with its table already loaded (the load phase takes no virtual time). */
export function addSingleNode(sim: Simulation, config: SingleNodeConfig): SingleNodeCluster {
  const table = new Table({
    fieldCount: config.field_count,
    fanout: config.btree_fanout,
    initialRows: config.load.count,
  });
  for (let n = 0; n < config.load.count; n++) {
    if (table.insert(config.load.key(n), config.load.value) < 0) {
      throw new Error(`load phase: duplicate key ${config.load.key(n)} (record ${n})`);
    }
  }
  const node = sim.addHost("shard0/n0", () => new DatabaseNode(config.node), { fsync_us: config.fsync_us });
  sim.disk(node).data = table;
  return { node, table };
}
