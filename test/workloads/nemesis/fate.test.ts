// Fate groups (multi-raft's physical nodes): a target widens to whole groups, a group's name targets
// it, and partitions split groups, never a group's hosts; the fault stream's draws are unchanged.

import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/rng.js";
import { planCut } from "../../../workloads/nemesis/cuts.js";
import { type FateGroups, resolveTarget } from "../../../workloads/nemesis/targets.js";
import { FakeView } from "./helpers.js";

/** 3 nodes x 3 ranges: host h is range floor(h / 3)'s replica on node h mod 3; the client is host 9. */
function fatedView(roles: ConstructorParameters<typeof FakeView>[0]) {
  const fate: FateGroups = {
    names: ["node0", "node1", "node2"],
    hosts: [
      [0, 3, 6],
      [1, 4, 7],
      [2, 5, 8],
    ],
    of: (host) => (host < 9 ? host % 3 : -1),
  };
  const view = new FakeView(roles);
  return Object.assign(view, { fate });
}

const ROLES = [
  "leader",
  "follower",
  "follower",
  "follower",
  "leader",
  "follower",
  "follower",
  "follower",
  "leader",
] as const;

describe("fate groups", () => {
  it("widen a role's pick to its node, and a node's name to its hosts", () => {
    const view = fatedView([...ROLES]);
    const leader = resolveTarget({ kind: "role", role: "leader" }, view, Rng.fromSeed(1), "up");
    expect([
      [0, 3, 6],
      [1, 4, 7],
      [2, 5, 8],
    ]).toContainEqual(leader);
    expect(resolveTarget({ kind: "node", name: "node1" }, view, Rng.fromSeed(1), "up")).toEqual([1, 4, 7]);
    expect(resolveTarget({ kind: "node", name: "shard0/n5" }, view, Rng.fromSeed(1), "up")).toEqual([
      2, 5, 8,
    ]);
  });

  it("keep each node's hosts on one side of halves, minority and bridge, with the draws of a plain view", () => {
    for (const partition of [
      { shape: "halves", nodes_only: false },
      { shape: "minority", target: { kind: "role", role: "leader" }, nodes_only: false },
      { shape: "bridge", nodes_only: true },
    ] as const) {
      for (let seed = 1; seed <= 20; seed++) {
        const rng = Rng.fromSeed(seed);
        const planned = planCut(partition, fatedView([...ROLES]), rng);
        const plain = Rng.fromSeed(seed);
        planCut(partition, new FakeView([...ROLES]), plain);
        expect(rng.float()).toBe(plain.float()); // as many draws as without fate groups
        const cut = planned.cut;
        if (cut?.kind !== "groups") throw new Error(`expected groups, got ${cut?.kind}`);
        for (const node of [0, 1, 2]) {
          const sides = cut.groups.filter((group) => group.some((host) => host < 9 && host % 3 === node));
          expect(sides.length, `${partition.shape} seed ${seed} node${node}`).toBeLessThanOrEqual(1);
          if (sides.length === 1)
            expect(sides[0]?.filter((host) => host < 9 && host % 3 === node)).toHaveLength(3);
        }
      }
    }
  });

  it("isolate a node from the other nodes and the client, keeping its own links", () => {
    const planned = planCut(
      { shape: "isolate", target: { kind: "node", name: "node2" }, nodes_only: false },
      fatedView([...ROLES]),
      Rng.fromSeed(1),
    );
    expect(planned.cut).toEqual({
      kind: "groups",
      groups: [
        [2, 5, 8],
        [0, 1, 3, 4, 6, 7, 9],
      ],
    });
  });
});
