import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/rng.js";
import { FaultInjector, type NodeRoleState } from "../../../workloads/nemesis/injector.js";
import type { FaultsInput } from "../../../workloads/nemesis/schema.js";
import { FakeView, inject, LATENCY_US, nodeNames, pingCluster, resolved } from "./helpers.js";

const ms = (n: number) => n * 1000;
const END_US = ms(60);
const LFF: NodeRoleState[] = ["leader", "follower", "follower"];

type Cluster = ReturnType<typeof inject>;

/** Pings from -> to sent in [from_ms, to_ms) that arrived, 1 per ms when the link works. */
const sent = (c: Pick<Cluster, "delivered">, from: number, to: number, from_ms: number, to_ms: number) =>
  c.delivered(from, to, ms(from_ms), ms(to_ms));

/** Checks that during [from_ms, to_ms) hosts in different groups got nothing from each other, and hosts in one group everything. */
function expectGroups(c: Cluster, groups: string[][], from_ms: number, to_ms: number): void {
  const ids = [...nodeNames(c.client), "client"];
  const idOf = (name: string) => ids.indexOf(name);
  const full = to_ms - from_ms;
  for (const [i, a] of groups.entries()) {
    for (const [j, b] of groups.entries()) {
      for (const x of a) {
        for (const y of b) {
          if (x === y) continue;
          expect(sent(c, idOf(x), idOf(y), from_ms, to_ms), `${x} -> ${y}`).toBe(i === j ? full : 0);
        }
      }
    }
  }
}

describe("scheduled partitions", () => {
  it("isolate: cut the target off both ways for `for`, then heal", () => {
    const c = inject(
      { schedule: [{ at: "20ms", kind: "partition", isolate: "leader", for: "10ms" }] },
      LFF,
      END_US,
    );
    for (const other of [1, 2, 3]) {
      expect([sent(c, 0, other, 20, 30), sent(c, other, 0, 20, 30)]).toEqual([0, 0]);
      expect([sent(c, 0, other, 10, 20), sent(c, 0, other, 30, 40), sent(c, other, 0, 30, 40)]).toEqual([
        10, 10, 10,
      ]);
    }
    expect(sent(c, 1, 2, 20, 30)).toBe(10);
    expect(c.injector.log).toEqual([
      {
        at_s: 0.02,
        kind: "partition",
        targets: ["shard0/n0"],
        for_s: 0.01,
        detail: { shape: "isolate" },
        end_s: 0.03,
      },
    ]);
  });

  it("halves: the larger half keeps the client", () => {
    const c = inject(
      { schedule: [{ at: "20ms", kind: "partition", halves: true, for: "10ms" }] },
      LFF,
      END_US,
    );
    const groups = c.injector.log[0]?.detail?.groups as string[][];
    expect(groups.map((group) => group.length)).toEqual([3, 1]);
    expect(groups[0]).toContain("client");
    expect(groups.flat().sort()).toEqual([...nodeNames(3), "client"].sort());
    expectGroups(c, groups, 20, 30);
    expectGroups(c, [groups.flat()], 30, 40);
  });

  it("minority: the target and random others, (nodes - 1) / 2 in all, against the rest and the client", () => {
    const roles: NodeRoleState[] = ["follower", "follower", "leader", "follower", "follower"];
    const c = inject(
      { schedule: [{ at: "20ms", kind: "partition", minority: "leader", for: "10ms" }] },
      roles,
      END_US,
    );
    const record = c.injector.log[0];
    expect(record?.targets).toEqual(["shard0/n2"]);
    const groups = record?.detail?.groups as string[][];
    expect(groups[0]?.[0]).toBe("shard0/n2");
    expect(groups.map((group) => group.length)).toEqual([2, 4]);
    expect(groups[1]).toContain("client");
    expectGroups(c, groups, 20, 30);
  });

  it("bridge: one node sees both halves, which cannot see each other", () => {
    const roles: NodeRoleState[] = ["leader", "follower", "follower", "follower", "follower"];
    const c = inject(
      { schedule: [{ at: "20ms", kind: "partition", bridge: true, for: "10ms" }] },
      roles,
      END_US,
    );
    const record = c.injector.log[0];
    const bridge = record?.targets[0] as string;
    const groups = record?.detail?.groups as string[][];
    expect(groups.map((group) => group.length)).toEqual([3, 2]);
    expect(groups[0]).toContain("client");
    expect(groups.flat()).not.toContain(bridge);
    expectGroups(c, groups, 20, 30);
    expectGroups(c, [[bridge, ...(groups[0] as string[])]], 20, 30);
    expectGroups(c, [[bridge, ...(groups[1] as string[])]], 20, 30);
  });

  it("nodes_only: cuts the nodes from one another, the client still reaching every node", () => {
    const roles: NodeRoleState[] = ["leader", "follower", "follower", "follower", "follower"];
    const client = roles.length;
    const reachesAll = (c: Cluster) => {
      for (let node = 0; node < roles.length; node++) {
        expect([sent(c, client, node, 20, 30), sent(c, node, client, 20, 30)], `client <-> ${node}`).toEqual([
          10, 10,
        ]);
      }
    };
    const isolated = inject(
      { schedule: [{ at: "20ms", kind: "partition", isolate: "leader", nodes_only: true, for: "10ms" }] },
      roles,
      END_US,
    );
    expect(isolated.injector.log[0]?.detail).toMatchObject({ shape: "isolate", nodes_only: true });
    expectGroups(isolated, [["shard0/n0"], ["shard0/n1", "shard0/n2", "shard0/n3", "shard0/n4"]], 20, 30);
    reachesAll(isolated);
    for (const shape of [{ halves: true }, { minority: "leader" }, { bridge: true }] as const) {
      const c = inject(
        { schedule: [{ at: "20ms", kind: "partition", ...shape, nodes_only: true, for: "10ms" }] },
        roles,
        END_US,
      );
      const groups = c.injector.log[0]?.detail?.groups as string[][];
      expect(groups.flat(), JSON.stringify(shape)).not.toContain("client");
      expectGroups(c, groups, 20, 30);
      reachesAll(c);
    }
  });

  it("one_way: only from -> to is blocked", () => {
    const c = inject(
      {
        schedule: [
          { at: "20ms", kind: "partition", one_way: { from: "leader", to: "followers" }, for: "10ms" },
        ],
      },
      LFF,
      END_US,
    );
    expect([sent(c, 0, 1, 20, 30), sent(c, 0, 2, 20, 30)]).toEqual([0, 0]);
    expect([sent(c, 1, 0, 20, 30), sent(c, 2, 0, 20, 30), sent(c, 0, 3, 20, 30)]).toEqual([10, 10, 10]);
    expect(sent(c, 0, 1, 30, 40)).toBe(10);
    expect(c.injector.log[0]?.targets).toEqual(["shard0/n0", "shard0/n1", "shard0/n2"]);
  });

  it("overlapping partitions end independently", () => {
    const c = inject(
      {
        schedule: [
          { at: "10ms", kind: "partition", isolate: "shard0/n1", for: "30ms" },
          { at: "20ms", kind: "partition", one_way: { from: "shard0/n0", to: "shard0/n2" }, for: "10ms" },
        ],
      },
      LFF,
      END_US,
    );
    expect([sent(c, 0, 2, 20, 30), sent(c, 0, 2, 30, 40)]).toEqual([0, 10]);
    expect([sent(c, 1, 0, 30, 40), sent(c, 0, 1, 30, 40)]).toEqual([0, 0]); // still isolated
    expect([sent(c, 1, 0, 40, 50), sent(c, 0, 1, 40, 50)]).toEqual([10, 10]);
    expect(c.injector.log.map((record) => record.end_s)).toEqual([0.04, 0.03]);
  });

  it("overlapping partitions of the same links end at different times, each ending only its own cut", () => {
    const c = inject(
      {
        schedule: [
          { at: "10ms", kind: "partition", isolate: "shard0/n1", for: "10ms" },
          { at: "15ms", kind: "partition", one_way: { from: "shard0/n0", to: "shard0/n1" }, for: "20ms" },
          { at: "25ms", kind: "partition", isolate: "shard0/n1", for: "20ms" },
        ],
      },
      LFF,
      END_US,
    );
    // n0 -> n1: cut from 10 to 45 ms without a break; n1 -> n0 and n2 <-> n1: open from 20 to 25 ms.
    expect([10, 20, 25, 35, 45].map((at) => sent(c, 0, 1, at - 5, at + 5))).toEqual([5, 0, 0, 0, 5]);
    expect([sent(c, 1, 0, 20, 25), sent(c, 2, 1, 20, 25), sent(c, 1, 2, 20, 25)]).toEqual([5, 5, 5]);
    expect([sent(c, 1, 0, 25, 45), sent(c, 2, 1, 25, 45), sent(c, 1, 0, 45, 60)]).toEqual([0, 0, 15]);
    expect(c.injector.log.map((record) => record.end_s)).toEqual([0.02, 0.035, 0.045]);
  });

  it("leaves alone a cut it did not make when one of its partitions ends", () => {
    const c = pingCluster(3, END_US);
    const injector = new FaultInjector(
      c.sim,
      resolved(
        { schedule: [{ at: "10ms", kind: "partition", isolate: "shard0/n1", for: "10ms" }] },
        3,
        END_US,
      ),
      new FakeView(LFF),
      Rng.fromSeed(1).split("faults"),
    );
    injector.install();
    c.sim.at(ms(5), () => c.sim.partitionOneWay(["shard0/n2"], ["client"]));
    c.sim.run();
    expect([sent(c, 1, 0, 20, 30), sent(c, 2, 3, 20, 60), sent(c, 3, 2, 20, 60)]).toEqual([10, 0, 40]);
  });

  it("heal ends every partition at once; their own ends then do nothing", () => {
    const c = inject(
      {
        schedule: [
          { at: "10ms", kind: "partition", isolate: "shard0/n1" },
          { at: "20ms", kind: "partition", isolate: "shard0/n2", for: "20ms" },
          { at: "30ms", kind: "heal" },
          { at: "35ms", kind: "partition", isolate: "shard0/n0" },
        ],
      },
      LFF,
      END_US,
    );
    expect([sent(c, 1, 3, 20, 30), sent(c, 2, 3, 20, 30)]).toEqual([0, 0]);
    expect([sent(c, 1, 3, 30, 60), sent(c, 2, 3, 30, 60)]).toEqual([30, 30]); // n2's end at 40ms changed nothing
    expect(sent(c, 0, 3, 35, 60)).toBe(0);
    expect(c.injector.log.map(({ kind, end_s }) => [kind, end_s])).toEqual([
      ["partition", 0.03],
      ["partition", 0.03],
      ["heal", undefined],
      ["partition", undefined],
    ]);
    expect(c.injector.log[2]?.detail).toEqual({ partitions_ended: 2 });
  });

  it("record a target that resolves to nothing, with a note, and cut nothing", () => {
    const c = inject(
      { schedule: [{ at: "20ms", kind: "partition", isolate: "leader", for: "10ms" }] },
      ["candidate", "candidate", "down"],
      END_US,
    );
    expect(c.injector.log).toEqual([
      {
        at_s: 0.02,
        kind: "partition",
        targets: [],
        for_s: 0.01,
        detail: { shape: "isolate", note: "no leader now" },
      },
    ]);
    expect(sent(c, 0, 1, 20, 30)).toBe(10);
  });
});

describe("scheduled node faults", () => {
  it("crash, then restart after restart_after", () => {
    const c = inject(
      { schedule: [{ at: "20ms", kind: "crash", target: "leader", restart_after: "10ms" }] },
      LFF,
      END_US,
    );
    expect(c.starts[0]).toEqual([0, ms(30)]);
    expect([sent(c, 0, 1, 20, 30), sent(c, 1, 0, 20, 30)]).toEqual([0, 0]);
    expect([sent(c, 0, 1, 31, 40), sent(c, 1, 0, 31, 40)]).toEqual([9, 9]);
    expect(c.injector.log).toEqual([
      { at_s: 0.02, kind: "crash", targets: ["shard0/n0"], for_s: 0.01, end_s: 0.03 },
    ]);
  });

  it("crash for good, and restart: `any` restarts a node that is down", () => {
    const c = inject(
      {
        schedule: [
          { at: "20ms", kind: "crash", target: "shard0/n1" },
          { at: "40ms", kind: "restart", target: "any" },
        ],
      },
      ["leader", "down", "follower"],
      END_US,
    );
    expect(c.starts[1]).toEqual([0, ms(40)]);
    expect(c.starts[0]).toEqual([0]);
    expect(c.injector.log.map((record) => [record.kind, record.targets, record.end_s])).toEqual([
      ["crash", ["shard0/n1"], 0.04], // the restart ends the crash (the report's band, liveness)
      ["restart", ["shard0/n1"], undefined],
    ]);
  });

  it("a crash of two nodes ends when a restart fault has brought back the last of them", () => {
    const c = inject(
      {
        schedule: [
          { at: "20ms", kind: "crash", target: "followers" },
          { at: "30ms", kind: "restart", target: "shard0/n1" },
          { at: "35ms", kind: "crash", target: "shard0/n0" },
          { at: "40ms", kind: "restart", target: "shard0/n2" },
        ],
      },
      LFF,
      END_US,
    );
    expect(c.injector.log.map((record) => [record.kind, record.end_s])).toEqual([
      ["crash", 0.04],
      ["restart", undefined],
      ["crash", undefined], // never restarted while the run went on
      ["restart", undefined],
    ]);
  });

  it("pause: messages to the node wait until it resumes", () => {
    const c = inject(
      { schedule: [{ at: "20ms", kind: "pause", target: "follower", for: "10ms" }] },
      ["leader", "follower", "candidate"],
      END_US,
    );
    const held = c.deliveries.filter((d) => d.to === 1 && d.sent_us >= ms(20) && d.sent_us < ms(30));
    expect(held).toHaveLength(3 * 10);
    expect(held.every((d) => d.at_us === ms(30))).toBe(true);
    expect(sent(c, 1, 0, 21, 30)).toBe(0);
    expect(c.injector.log).toEqual([
      { at_s: 0.02, kind: "pause", targets: ["shard0/n1"], for_s: 0.01, end_s: 0.03 },
    ]);
  });

  it("clock_skew: offset, and drift counted from the fault's start, until `for` ends it", () => {
    const c = inject(
      {
        schedule: [
          {
            at: "20ms",
            kind: "clock_skew",
            target: "shard0/n1",
            offset: "-5ms",
            drift_ppm: 1000,
            for: "10ms",
          },
        ],
      },
      LFF,
      END_US,
    );
    const offset = (at_ms: number) => c.skews.find((s) => s.host === 1 && s.at_us === ms(at_ms))?.offset_us;
    expect([offset(19), offset(20), offset(25), offset(29), offset(30)]).toEqual([0, -5000, -4995, -4991, 0]);
    expect(c.injector.log[0]?.detail).toEqual({ offset_us: -5000, drift_ppm: 1000 });
  });

  it("overlapping clock skews on one node end independently", () => {
    const c = inject(
      {
        schedule: [
          { at: "10ms", kind: "clock_skew", target: "shard0/n1", offset: "1ms", for: "30ms" },
          { at: "20ms", kind: "clock_skew", target: "shard0/n1", offset: "2ms", for: "10ms" },
        ],
      },
      LFF,
      END_US,
    );
    const offset = (at_ms: number) => c.skews.find((s) => s.host === 1 && s.at_us === ms(at_ms))?.offset_us;
    expect([offset(15), offset(25), offset(35), offset(45)]).toEqual([1000, 2000, 1000, 0]);
  });
});

describe("scheduled link faults", () => {
  it("loss 1 between client and leader, both ways, for `for`", () => {
    const c = inject(
      { schedule: [{ at: "20ms", kind: "link", from: "client", to: "leader", loss: 1, for: "10ms" }] },
      LFF,
      END_US,
    );
    expect([sent(c, 3, 0, 20, 30), sent(c, 0, 3, 20, 30)]).toEqual([0, 0]);
    expect([sent(c, 3, 1, 20, 30), sent(c, 3, 0, 30, 40), sent(c, 0, 3, 30, 40)]).toEqual([10, 10, 10]);
    expect(c.injector.log[0]).toEqual({
      at_s: 0.02,
      kind: "link",
      targets: ["client", "shard0/n0"],
      for_s: 0.01,
      detail: {
        from: ["client"],
        to: ["shard0/n0"],
        loss: 1,
        duplicate: 0,
        extra_latency_us: 0,
        jitter_us: 0,
      },
      end_s: 0.03,
    });
  });

  it("extra latency and duplicates, and overlapping link faults end independently", () => {
    const c = inject(
      {
        schedule: [
          { at: "10ms", kind: "link", from: "client", to: "followers", extra_latency: "5ms", for: "30ms" },
          { at: "20ms", kind: "link", from: "client", to: "shard0/n1", duplicate: 1, for: "10ms" },
        ],
      },
      LFF,
      END_US,
    );
    const delays = (to: number, from_ms: number, to_ms: number) =>
      c.deliveries
        .filter((d) => d.from === 3 && d.to === to && d.sent_us >= ms(from_ms) && d.sent_us < ms(to_ms))
        .map((d) => d.at_us - d.sent_us);
    expect(new Set(delays(1, 10, 20))).toEqual(new Set([LATENCY_US + 5000]));
    expect(delays(1, 20, 30)).toHaveLength(20); // duplicated, over the configured link: no extra latency
    expect(new Set(delays(1, 20, 30))).toEqual(new Set([LATENCY_US]));
    expect(new Set(delays(1, 30, 40))).toEqual(new Set([LATENCY_US + 5000])); // the first fault again
    expect(new Set(delays(2, 20, 30))).toEqual(new Set([LATENCY_US + 5000]));
    expect(new Set(delays(1, 40, 50))).toEqual(new Set([LATENCY_US]));
  });
});

describe("the random nemesis", () => {
  const RANDOM: FaultsInput = { random: { every: "10ms", for: { min: "1ms", max: "8ms" } } };
  const timeline = (c: Cluster) => c.injector.log.map(({ at_s, kind, for_s }) => ({ at_s, kind, for_s }));

  it("gives the same timeline and run for the same seed, another for another seed", () => {
    const a = inject(RANDOM, LFF, ms(300), 1);
    const b = inject(RANDOM, LFF, ms(300), 1);
    expect(b.injector.log).toEqual(a.injector.log);
    expect(b.sim.traceHash()).toBe(a.sim.traceHash());
    expect(timeline(a).length).toBeGreaterThan(10);
    expect(new Set(timeline(a).map((fault) => fault.kind))).toEqual(
      new Set(["partition", "crash", "pause", "clock_skew"]),
    );
    expect(a.injector.log.every((record) => record.detail?.random === true)).toBe(true);
    expect(timeline(inject(RANDOM, LFF, ms(300), 2))).not.toEqual(timeline(a));
  });

  it("keeps its times, kinds and durations whatever the cluster's roles", () => {
    const a = inject(RANDOM, LFF, ms(300), 5);
    const b = inject(RANDOM, ["down", "candidate", "leader"], ms(300), 5);
    expect(timeline(b)).toEqual(timeline(a));
    expect(b.injector.log.map((record) => record.targets)).not.toEqual(
      a.injector.log.map((record) => record.targets),
    );
  });

  it("starts faults in the measured phase and ends them by the end of the run", () => {
    const c = inject(RANDOM, LFF, ms(300), 3);
    for (const record of c.injector.log) {
      expect(record.at_s).toBeGreaterThan(0);
      expect(record.at_s + (record.for_s ?? 0)).toBeLessThanOrEqual(0.3 + 1e-9);
    }
  });

  it("hits only nodes in service: a spare shard group is never a role's target, nor in a partition", () => {
    // Nodes 3..5 are a spare shard group: it elects its own leader, but serves nothing yet.
    const roles: NodeRoleState[] = ["leader", "follower", "follower", "leader", "follower", "follower"];
    const c = inject(RANDOM, roles, ms(600), 1, [3, 4, 5]);
    expect(c.injector.log.length).toBeGreaterThan(30);
    const hit = new Set(c.injector.log.flatMap((record) => record.targets));
    expect([...hit].sort()).toEqual(["shard0/n0", "shard0/n1", "shard0/n2"]);
    const shuffled = c.injector.log.filter((record) => record.detail?.shape !== "isolate");
    const grouped = shuffled.flatMap((record) => (record.detail?.groups ?? []) as string[][]);
    expect(grouped.length).toBeGreaterThan(0);
    for (const group of grouped)
      for (const host of group) expect(["shard0/n3", "shard0/n4", "shard0/n5"]).not.toContain(host);
  });

  it("partitions the nodes from one another, never the client (as Jepsen's nemesis)", () => {
    const c = inject(RANDOM, LFF, ms(300), 2);
    const partitions = c.injector.log.filter((record) => record.kind === "partition");
    expect(partitions.length).toBeGreaterThan(3);
    for (const record of partitions) {
      expect(record.detail).toMatchObject({ nodes_only: true });
      expect(((record.detail?.groups ?? []) as string[][]).flat()).not.toContain("client");
    }
  });

  it("keeps the timeline of times, kinds, durations and draws whichever nodes are in service", () => {
    const roles: NodeRoleState[] = ["leader", "follower", "follower", "leader", "follower", "follower"];
    const all = inject(RANDOM, roles, ms(300), 4);
    const some = inject(RANDOM, roles, ms(300), 4, [3, 4, 5]);
    expect(timeline(some)).toEqual(timeline(all));
  });

  it("aims crashes, pauses, skews, isolates and minorities at roles by their weights", () => {
    const weighted = (targets: NonNullable<FaultsInput["random"]>["targets"]) =>
      inject({ random: { ...RANDOM.random, targets } }, LFF, ms(300), 1);
    const single = (c: Cluster) =>
      c.injector.log.filter(
        (record) =>
          record.kind !== "partition" || ["isolate", "minority"].includes(record.detail?.shape as string),
      );
    const leader = weighted({ leader: 1 });
    expect(single(leader).length).toBeGreaterThan(10);
    for (const record of single(leader)) expect(record.targets[0]).toBe("shard0/n0");
    const follower = weighted({ follower: 1 });
    for (const record of single(follower)) expect(["shard0/n1", "shard0/n2"]).toContain(record.targets[0]);
    // The weights change whom the faults hit, never when they come, what they are or how long they last.
    expect(timeline(leader)).toEqual(timeline(inject(RANDOM, LFF, ms(300), 1)));
    // 0.6 + 0.1 x 1/3 of the faults on the leader.
    const mixed = single(
      inject(
        { random: { ...RANDOM.random, targets: { leader: 0.6, follower: 0.3, any: 0.1 } } },
        LFF,
        ms(3000),
        1,
      ),
    );
    expect(mixed.length).toBeGreaterThan(150);
    const onLeader = mixed.filter((record) => record.targets[0] === "shard0/n0").length;
    expect(onLeader / mixed.length).toBeGreaterThan(0.5);
    expect(onLeader / mixed.length).toBeLessThan(0.75);
  });

  it("draws only the kinds asked for", () => {
    const c = inject(
      { random: { every: "10ms", kinds: ["pause"], for: { min: "1ms", max: "2ms" } } },
      LFF,
      ms(200),
    );
    expect(new Set(c.injector.log.map((record) => record.kind))).toEqual(new Set(["pause"]));
  });

  it("draws clock offsets between 1ms and skew_max (default about 8s), ahead and behind", () => {
    const offsets = (skew_max?: string) =>
      inject(
        {
          random: {
            every: "2ms",
            kinds: ["clock_skew"],
            for: { min: "1ms", max: "2ms" },
            ...(skew_max === undefined ? {} : { skew_max }),
          },
        },
        LFF,
        ms(400),
      ).injector.log.map((record) => record.detail?.offset_us as number);
    const bounded = offsets("5ms");
    expect(bounded.length).toBeGreaterThan(100);
    expect(bounded.every((o) => Math.abs(o) >= 1000 && Math.abs(o) <= 5000)).toBe(true);
    expect(bounded.some((o) => o < 0) && bounded.some((o) => o > 0)).toBe(true);
    const unbounded = offsets();
    expect(Math.max(...unbounded.map(Math.abs))).toBeGreaterThan(1_000_000);
    expect(Math.max(...unbounded.map(Math.abs))).toBeLessThanOrEqual(8_192_000);
    expect(() => offsets("500us")).toThrow("faults.random.skew_max: must be at least 1ms");
  });
});
