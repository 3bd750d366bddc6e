// The engine's defaults are the scenario schema's: a shard built with nothing but its load runs
// as a scenario that says nothing would.

import { describe, expect, it } from "vitest";
import { addShard } from "../../../engine/cluster.js";
import { NODE_DEFAULTS } from "../../../engine/node/settings.js";
import { storageOf } from "../../../engine/node/storage.js";
import { REPLICATION_DEFAULTS } from "../../../engine/replication/settings.js";
import { Simulation } from "../../../sim/simulation.js";
import { loadScenario } from "../../../workloads/scenario/load.js";

describe("engine defaults", () => {
  it("are what a scenario that says nothing resolves to", () => {
    const { cluster } = loadScenario("name: x\n").resolved;
    expect(NODE_DEFAULTS).toStrictEqual(cluster.node);
    expect(REPLICATION_DEFAULTS).toStrictEqual(cluster.replication);
  });

  it("fill what addShard is not told: one replica, the default node", () => {
    const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 0 } });
    const shard = addShard(sim, { load: { count: 3, key: (n) => `k${n}`, value: 0 } });
    expect(shard.names).toStrictEqual(["shard0/n0"]);
    const table = storageOf(sim.disk(shard.initialLeader)).table;
    expect([table.rowCount, table.fieldCount]).toStrictEqual([3, 10]);
  });
});
