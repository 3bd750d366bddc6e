import { describe, expect, it } from "vitest";
import type { Request, Response } from "../../engine/protocol.js";
import { HashPartitioner } from "../../engine/sharding/partitioners.js";
import { ConfigStore, ShardMap } from "../../engine/sharding/shard-map.js";
import { buildTopology, type TopologySpec } from "../../engine/topology.js";
import type { HostBehaviour, HostContext } from "../../sim/host.js";
import { Simulation } from "../../sim/simulation.js";

const keyOf = (n: number) => `k${String(n).padStart(3, "0")}`;

function spec(overrides: Partial<TopologySpec> = {}): TopologySpec {
  return {
    shards: 1,
    shard: {
      replicas: 3,
      field_count: 1,
      load: { count: 100, key: keyOf, value: 7 },
    },
    every_node_leads: false,
    sharding: null,
    ...overrides,
  };
}

const idle: HostBehaviour = { onStart() {}, onMessage() {}, onTimer() {} };

describe("buildTopology", () => {
  it("names every host through the simulator, in order: nodes, client, coordinator, router", () => {
    const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 100 } });
    const store = new ConfigStore(new ShardMap(1, new HashPartitioner(2)));
    const { hosts } = buildTopology(sim, spec({ shards: 3, sharding: { store, router: true } }));
    expect(hosts.nodes.map((id) => sim.nameOf(id))).toEqual([
      "shard0/n0",
      "shard0/n1",
      "shard0/n2",
      "shard1/n0",
      "shard1/n1",
      "shard1/n2",
      "shard2/n0",
      "shard2/n1",
      "shard2/n2",
    ]);
    expect([hosts.client, hosts.coordinator, hosts.router]).toEqual(
      ["client", "coordinator", "router"].map((name) => sim.host(name)),
    );
    expect(hosts.shards[1]?.nodes).toEqual([3, 4, 5].map((n) => hosts.nodes[n]));
  });

  it("has no coordinator nor router unsharded, and refuses to start with a host never bound", () => {
    const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 100 } });
    const { hosts } = buildTopology(sim, spec());
    expect([hosts.coordinator, hosts.router]).toEqual([null, null]);
    sim.start();
    expect(() => sim.run({ until_us: 1 })).toThrow(/host client was never bound/);
  });

  it("inspects the truth on each replica: roles, leaders, values, records by owner, log writes", () => {
    const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 100 } });
    const store = new ConfigStore(new ShardMap(1, new HashPartitioner(2)));
    const topology = buildTopology(sim, spec({ shards: 2, sharding: { store, router: false } }));
    const { hosts, inspector } = topology;
    const key = keyOf(5);
    const owner = inspector.ownerOf(key);
    const leader = hosts.shards[owner]?.nodes[0] as number;
    // The client writes one key on its owner's leader, once the nodes have started.
    topology.bind(hosts.client, {
      onStart(ctx: HostContext) {
        ctx.setTimer(1000, 0);
      },
      onTimer(ctx: HostContext) {
        const req = {
          kind: "req",
          id: 1,
          op: "update",
          key,
          field: 0,
          value: 42,
          min_lsn: 0,
          require_leader: true,
        };
        ctx.send(leader, req as unknown as Request);
      },
      onMessage(_ctx: HostContext, _from: number, msg) {
        expect((msg as Response).status).toBe("ok");
      },
    });
    topology.bind(hosts.coordinator as number, idle);
    sim.start();
    sim.run({ until_us: 2_000_000 });
    expect(inspector.leaders()).toEqual(hosts.shards.map((group) => group.nodes[0]));
    expect(inspector.roleOf(hosts.nodes[1] as number)).toBe("follower");
    expect(inspector.shardLeaders()).toEqual(
      new Map(hosts.shards.map((group, shard) => [shard, group.nodes[0]])),
    );
    expect(inspector.replicasOf(key)).toEqual(hosts.shards[owner]?.nodes);
    for (const node of inspector.replicasOf(key)) expect(inspector.valueOn(node, key)).toBe(42);
    expect(inspector.leaderValues([key, keyOf(6), "absent"])?.get(key)).toBe(42);
    expect(inspector.leaderValues(["absent"])?.get("absent")).toBeNull();
    expect(inspector.leaderLogWrites()?.has(42)).toBe(true);
    // Each leader holds only the records its shard owns; together they hold every record once.
    const records = inspector.leaderRecords() as Map<string, number>;
    expect(records.size).toBe(100);
    expect([0, 1].map((shard) => inspector.ownedKeys(shard) as number).reduce((a, b) => a + b)).toBe(100);
    sim.crash(hosts.nodes[0] as number);
    expect(inspector.roleOf(hosts.nodes[0] as number)).toBe("down");
    expect(inspector.shardLeaders()).toBeNull();
    expect(inspector.nodeStates()[0]).toMatchObject({
      name: "shard0/n0",
      shard: 0,
      role: "down",
      in_service: true,
    });
  });
});
