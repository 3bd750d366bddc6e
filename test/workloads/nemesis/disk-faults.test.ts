// The disk faults (disk_corruption, torn_write, lost_fsync, slow_disk): resolved, injected on the
// target's disk, drawn by the random nemesis only when `disk` is listed, refused without Raft.

import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/rng.js";
import { FaultInjector, hasDiskFaults } from "../../../workloads/nemesis/injector.js";
import { drawNemesisSchedule } from "../../../workloads/nemesis/nemesis.js";
import { ScenarioError } from "../../../workloads/scenario/errors.js";
import { loadScenario } from "../../../workloads/scenario/load.js";
import { FakeView, pingCluster, resolved } from "./helpers.js";

const S = 1_000_000;

describe("disk faults", () => {
  it("resolve with their defaults; a run has disk faults only when it schedules or draws them", () => {
    const faults = resolved(
      {
        schedule: [
          { at: "1s", kind: "disk_corruption", target: "leader" },
          { at: "2s", kind: "torn_write", target: "shard0/n1" },
          { at: "3s", kind: "lost_fsync", target: "any", for: "2s" },
          { at: "4s", kind: "slow_disk", target: "followers", for: "1s" },
        ],
      },
      3,
      10 * S,
    );
    expect(faults.schedule).toEqual([
      { kind: "disk_corruption", at_us: S, target: { kind: "role", role: "leader" }, entries: 1 },
      { kind: "torn_write", at_us: 2 * S, target: { kind: "node", name: "shard0/n1" }, restart_after_us: S },
      {
        kind: "lost_fsync",
        at_us: 3 * S,
        target: { kind: "role", role: "any" },
        for_us: 2 * S,
        restart_after_us: S,
      },
      { kind: "slow_disk", at_us: 4 * S, target: { kind: "role", role: "followers" }, factor: 10, for_us: S },
    ]);
    expect(hasDiskFaults(faults)).toBe(true);
    expect(hasDiskFaults(resolved({ random: {} }, 3, 10 * S))).toBe(false);
    expect(hasDiskFaults(resolved({ random: { kinds: ["crash", "disk"] } }, 3, 10 * S))).toBe(true);
  });

  it("are drawn by the random nemesis only when `disk` is listed, each kind in turn", () => {
    const spec = (kinds: ("crash" | "disk")[]) => ({
      every_us: S,
      kinds,
      for_min_us: S,
      for_max_us: 2 * S,
      targets: null,
      region_faults: null,
      skew_max_us: 1000,
      from_us: 0,
      until_us: 200 * S,
    });
    const kinds = drawNemesisSchedule(spec(["disk"]), Rng.fromSeed(1)).map((f) => f.kind);
    expect(new Set(kinds)).toEqual(new Set(["disk_corruption", "torn_write", "lost_fsync", "slow_disk"]));
    const crashes = drawNemesisSchedule(spec(["crash"]), Rng.fromSeed(1)).map((f) => f.kind);
    expect(new Set(crashes)).toEqual(new Set(["crash"]));
  });

  it("act on the target's disk: slowed then restored, fsyncs lying then a power loss, torn, corrupt", () => {
    const end_us = 10 * S;
    const cluster = pingCluster(3, end_us);
    const { sim } = cluster;
    const faults = resolved(
      {
        schedule: [
          { at: "1s", kind: "slow_disk", target: "shard0/n0", factor: 5, for: "1s" },
          { at: "3s", kind: "lost_fsync", target: "shard0/n1", for: "1s", restart_after: "1s" },
          { at: "6s", kind: "torn_write", target: "shard0/n2", restart_after: "1s" },
          { at: "8s", kind: "disk_corruption", target: "shard0/n0", entries: 3 },
        ],
      },
      3,
      end_us,
    );
    for (let i = 0; i < 10; i++) sim.disk(0).append(i);
    sim.disk(0).syncTo(10);
    const injector = new FaultInjector(
      sim,
      faults,
      new FakeView(["leader", "follower", "follower"]),
      Rng.fromSeed(1).split("faults"),
    );
    injector.install();
    const seen: unknown[] = [];
    const look = (at_us: number, what: () => unknown) => sim.at(at_us, () => seen.push(what()));
    look(1.5 * S, () => sim.disk(0).latency_factor);
    look(2.5 * S, () => sim.disk(0).latency_factor);
    look(3.5 * S, () => sim.disk(1).fsyncsLie);
    look(4.5 * S, () => [sim.disk(1).fsyncsLie, cluster.starts[1]?.length]);
    look(5.5 * S, () => cluster.starts[1]?.length);
    look(8.5 * S, () => sim.disk(0).corruptCount);
    sim.run();
    expect(seen).toEqual([5, 1, true, [false, 1], 2, 3]);
    expect(cluster.starts[2]).toEqual([0, 7 * S]);
    expect(injector.log.map((f) => [f.kind, f.at_s, f.end_s])).toEqual([
      ["slow_disk", 1, 2],
      ["lost_fsync", 3, 5],
      ["torn_write", 6, 7],
      ["disk_corruption", 8, 8],
    ]);
    expect(injector.log[2]?.detail).toEqual({ torn_lsn: [null] }); // nothing was being written
    expect(injector.log[3]?.detail).toEqual({ entries: [3] });
  });

  it("that lose or corrupt entries need raft (a slow disk does not)", () => {
    const scenario = (mode: string, kind: string) => `name: t
duration: 10s
cluster: { replicas: 3, replication: { mode: ${mode} } }
workload: { preset: a }
faults:
  schedule: [{ at: 1s, kind: ${kind}, target: leader, for: 1s }]
  random: { kinds: [crash, disk] }`;
    const error = (text: string) => {
      try {
        loadScenario(text);
      } catch (e) {
        if (e instanceof ScenarioError) return e.message;
        throw e;
      }
      return null;
    };
    expect(error(scenario("async", "lost_fsync"))).toMatch(
      /^faults\.schedule\.0\.kind: lost_fsync needs cluster\.replication\.mode raft \(got async\)/,
    );
    expect(error(scenario("async", "slow_disk"))).toMatch(/^faults\.random\.kinds\.1: disk needs/);
    expect(error(scenario("raft", "lost_fsync"))).toBeNull();
  });
});
