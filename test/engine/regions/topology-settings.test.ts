// The `topology` section: placement policies, the latency between places, and the one-line errors
// of a topology that does not hold together (through the scenario loader).

import { describe, expect, it } from "vitest";
import { placeLatency } from "../../../engine/regions/links.js";
import { placeReplicas } from "../../../engine/regions/placement.js";
import { loadScenario } from "../../../workloads/scenario/load.js";
import { loadErrorMessage } from "../../workloads/scenario/helpers.js";

const THREE = `
  regions:
    - { name: us-west, zones: [a, b, c] }
    - { name: us-east, zones: [a, b] }
    - { name: eu-west, zones: [a] }`;

const scenario = (topology: string, more = "") =>
  `name: x\ncluster: { replicas: 5 }\ntopology:${topology}\n${more}`;

const places = (list: readonly { region: string; zone: string }[]) =>
  list.map((p) => `${p.region}/${p.zone}`);

describe("placement", () => {
  const regions = [
    { name: "us-west", zones: ["a", "b", "c"] },
    { name: "us-east", zones: ["a", "b"] },
    { name: "eu-west", zones: ["a"] },
  ];

  it("spread: region after region, then the next zone of each", () => {
    expect(places(placeReplicas(regions, "spread", 5))).toEqual([
      "us-west/a",
      "us-east/a",
      "eu-west/a",
      "us-west/b",
      "us-east/b",
    ]);
  });

  it("zones: every replica in the home region, zone after zone", () => {
    expect(places(placeReplicas(regions, "zones", 5))).toEqual([
      "us-west/a",
      "us-west/b",
      "us-west/c",
      "us-west/a",
      "us-west/b",
    ]);
  });
});

describe("the topology as resolved", () => {
  it("places the replicas and the clients, and takes `between` over the matrix", () => {
    const resolved = loadScenario(
      scenario(
        `${THREE}
  clients: us-east
  latency:
    between: [{ regions: [eu-west, us-west], latency: { dist: constant, value: 40ms } }]`,
      ),
    ).resolved.topology;
    expect(resolved?.clients).toEqual({ region: "us-east", zone: "a" });
    expect(places([...(resolved?.replicas ?? [])])).toEqual([
      "us-west/a",
      "us-east/a",
      "eu-west/a",
      "us-west/b",
      "us-east/b",
    ]);
    const latencyOf = placeLatency(resolved as NonNullable<typeof resolved>, {
      dist: "constant",
      value_us: 7,
    });
    const at = (region: string, zone: string) => ({ region, zone });
    expect(latencyOf(at("us-west", "a"), at("eu-west", "a"))).toEqual({ dist: "constant", value_us: 40_000 });
    expect(latencyOf(at("us-east", "a"), at("us-west", "c"))).toEqual({
      dist: "lognormal",
      median_us: 31_000,
      p99_us: 38_750,
    });
    expect(latencyOf(at("us-west", "a"), at("us-west", "b"))).toEqual({
      dist: "lognormal",
      median_us: 1000,
      p99_us: 5000,
    });
    expect(latencyOf(at("us-west", "a"), at("us-west", "a"))).toEqual({ dist: "constant", value_us: 7 });
  });

  it("places a client host in the first zone of each client region, in order", () => {
    const resolved = loadScenario(scenario(`${THREE}\n  clients: [us-east, eu-west, us-west]`)).resolved
      .topology;
    expect(places(resolved?.client_hosts ?? [])).toEqual(["us-east/a", "eu-west/a", "us-west/a"]);
    expect(resolved?.clients).toEqual({ region: "us-east", zone: "a" });
    const one = loadScenario(scenario(THREE)).resolved.topology;
    expect(places(one?.client_hosts ?? [])).toEqual(["us-west/a"]);
  });

  it("is null without a topology section (one flat network)", () => {
    expect(loadScenario("name: x\n").resolved.topology).toBeNull();
  });
});

describe("a topology that does not hold together is one line naming the field", () => {
  it.each([
    [
      `${THREE}\n  clients: ap-south`,
      'topology.clients: expected a region (us-west, us-east, eu-west) (got "ap-south")',
    ],
    [
      `${THREE}\n  clients: [us-west, ap-south]`,
      'topology.clients.1: expected a region (us-west, us-east, eu-west) (got "ap-south")',
    ],
    [`${THREE}\n  clients: [us-west, us-west]`, "topology.clients.1: names region us-west twice"],
    [
      `${THREE}\n  clients: [us-west, us-east, eu-west]`,
      "topology.clients: lists 3 regions for workload.clients 2: at least one client per region",
      "workload: { clients: 2 }",
    ],
    [
      `${THREE}\n  placement: [us-west/a, us-east/z, eu-west/a, us-west/b, us-east/b]`,
      'topology.placement.1: expected region/zone of a listed region and zone (got "us-east/z")',
    ],
    [
      `${THREE}\n  placement: [us-west/a, us-east/a]`,
      "topology.placement: lists 2 places for cluster.replicas 5: one per replica",
    ],
    [
      "\n  regions: [{ name: us-west }, { name: ap-south }]",
      "topology.latency: no delay between us-west and ap-south: add it to latency.between (matrix three-regions has none)",
    ],
    [
      "\n  regions: [{ name: us-west }, { name: us-west }]",
      "topology.regions.1.name: names region us-west twice",
    ],
    [
      "\n  regions: [{ name: US }]",
      "topology.regions.0.name: must be 1 to 32 lowercase letters, digits or '-', starting with a letter or digit",
    ],
    [
      `${THREE}\n  latency: { zone: { dist: lognormal, median: 5ms, p99: 1ms } }`,
      'topology.latency.zone.p99: must be at least median (5ms) (got "1ms")',
    ],
  ])("%s", (topology, message, more = "") => {
    expect(loadErrorMessage(scenario(topology, more))).toContain(message);
  });

  it("names the region or zone a fault names that has no node", () => {
    const fault = (line: string) => scenario(THREE, `faults: { schedule: [${line}] }`);
    expect(loadErrorMessage(fault("{ at: 1s, kind: region_outage, region: ap-south }"))).toContain(
      'faults.schedule.0.region: expected a region where nodes sit (us-west, us-east, eu-west) (got "ap-south")',
    );
    expect(loadErrorMessage(fault("{ at: 1s, kind: zone_outage, region: us-west, zone: c }"))).toContain(
      'faults.schedule.0.zone: expected a zone of us-west where nodes sit (a, b) (got "c")',
    );
  });

  it("needs a topology for a region fault", () => {
    expect(
      loadErrorMessage(
        "name: x\nfaults: { schedule: [{ at: 1s, kind: region_partition, region: us-east }] }",
      ),
    ).toContain("faults.schedule.0.kind: needs a topology (topology.regions) to name a region");
  });
});
