import { describe, expect, it } from "vitest";
import { resolveFaults } from "../../../workloads/nemesis/injector.js";
import { type FaultsInput, faultsSchema } from "../../../workloads/nemesis/schema.js";
import { ScenarioError } from "../../../workloads/scenario/errors.js";
import { nodeNames } from "./helpers.js";

const RUN = { warmup_us: 5_000_000, duration_us: 60_000_000, nodeNames: nodeNames(3) };
const NODES = "shard0/n0, shard0/n1, shard0/n2";
const NODE_ROLES = "leader, follower, followers, any";
const HOST_ROLES = "leader, follower, followers, any, client";

const resolve = (input: FaultsInput, context = RUN) => resolveFaults(faultsSchema.parse(input), context);

/** The ScenarioError resolving `input` throws, as "path | message". */
function resolveError(input: FaultsInput, context = RUN): string {
  try {
    resolve(input, context);
  } catch (error) {
    if (error instanceof ScenarioError) return `${error.path} | ${error.message}`;
    throw error;
  }
  throw new Error("expected a ScenarioError");
}

const heal = { at: "1s", kind: "heal" } as const;

describe("resolveFaults", () => {
  it("turns units into µs and targets into nodes or roles", () => {
    const resolved = resolve({
      schedule: [
        { at: "20s", kind: "partition", one_way: { from: "client", to: "shard0/n1" }, for: "10s" },
        { at: "40s", kind: "crash", target: "leader", restart_after: "5s" },
        { at: "10s", kind: "clock_skew", target: "shard0/n1", offset: "-500ms", drift_ppm: 20 },
        {
          at: "5s",
          kind: "link",
          from: "client",
          to: "followers",
          loss: 0.1,
          extra_latency: "5ms",
          jitter: "1ms",
        },
        { at: "50s", kind: "pause", target: "follower", for: "2s" },
        { at: "65s", kind: "heal" },
      ],
      random: { every: "15s", kinds: ["crash"], for: { min: "1s", max: "2s" } },
    });
    expect(resolved).toEqual({
      schedule: [
        {
          kind: "partition",
          at_us: 20_000_000,
          partition: {
            shape: "one_way",
            from: { kind: "role", role: "client" },
            to: { kind: "node", name: "shard0/n1" },
          },
          for_us: 10_000_000,
        },
        {
          kind: "crash",
          at_us: 40_000_000,
          target: { kind: "role", role: "leader" },
          restart_after_us: 5_000_000,
        },
        {
          kind: "clock_skew",
          at_us: 10_000_000,
          target: { kind: "node", name: "shard0/n1" },
          offset_us: -500_000,
          drift_ppm: 20,
          for_us: null,
        },
        {
          kind: "link",
          at_us: 5_000_000,
          from: { kind: "role", role: "client" },
          to: { kind: "role", role: "followers" },
          link: { loss: 0.1, duplicate: 0, extra_latency_us: 5000, jitter_us: 1000 },
          for_us: null,
        },
        { kind: "pause", at_us: 50_000_000, target: { kind: "role", role: "follower" }, for_us: 2_000_000 },
        { kind: "heal", at_us: 65_000_000 },
      ],
      random: {
        every_us: 15_000_000,
        kinds: ["crash"],
        for_min_us: 1_000_000,
        for_max_us: 2_000_000,
        targets: null,
        region_faults: null,
        skew_max_us: 8_192_000,
        from_us: 5_000_000,
        until_us: 65_000_000,
      },
    });
  });

  it.each<[string, FaultsInput, string]>([
    [
      "a node that does not exist",
      { schedule: [heal, heal, { at: "40s", kind: "crash", target: "shard0/n7" }] },
      `faults.schedule.2.target | faults.schedule.2.target: expected a node (${NODES}) or a role (${NODE_ROLES}) (got "shard0/n7")`,
    ],
    [
      "the client where a node is needed",
      { schedule: [{ at: "40s", kind: "pause", target: "client", for: "1s" }] },
      `faults.schedule.0.target | faults.schedule.0.target: expected a node (${NODES}) or a role (${NODE_ROLES}) (got "client")`,
    ],
    [
      "an unknown host at a link's end",
      { schedule: [{ at: "1s", kind: "link", from: "client", to: "n1" }] },
      `faults.schedule.0.to | faults.schedule.0.to: expected a node (${NODES}) or a role (${HOST_ROLES}) (got "n1")`,
    ],
    [
      "an unknown host in a one-way partition",
      { schedule: [{ at: "1s", kind: "partition", one_way: { from: "leader", to: "Leader" } }] },
      `faults.schedule.0.one_way.to | faults.schedule.0.one_way.to: expected a node (${NODES}) or a role (${HOST_ROLES}) (got "Leader")`,
    ],
    [
      "an unknown node in a minority",
      { schedule: [{ at: "1s", kind: "partition", minority: "client" }] },
      `faults.schedule.0.minority | faults.schedule.0.minority: expected a node (${NODES}) or a role (${NODE_ROLES}) (got "client")`,
    ],
    [
      "an at past the end of the run",
      { schedule: [{ at: "70s", kind: "heal" }] },
      'faults.schedule.0.at | faults.schedule.0.at: must be at most the end of the run, warmup + duration = 65s (got "70s")',
    ],
    [
      "an at + for past the end of the run",
      { schedule: [{ at: "60s", kind: "partition", halves: true, for: "5001ms" }] },
      "faults.schedule.0.for | faults.schedule.0.for: at + for must be at most the end of the run, warmup + duration = 65s (got 60s + 5001ms = 65001ms)",
    ],
    [
      "a restart after the end of the run",
      { schedule: [{ at: "60s", kind: "crash", target: "any", restart_after: "6s" }] },
      "faults.schedule.0.restart_after | faults.schedule.0.restart_after: at + restart_after must be at most the end of the run, warmup + duration = 65s (got 60s + 6s = 66s)",
    ],
    [
      "a random nemesis too frequent to bound",
      { random: { every: "5ms" } },
      'faults.random.every | faults.random.every: must be at least 6ms for this run, at most 10000 random faults on average (got "5ms")',
    ],
  ])("rejects %s", (_what, input, expected) => {
    expect(resolveError(input)).toBe(expected);
  });

  it("accepts faults that end exactly at the end of the run", () => {
    expect(() =>
      resolve({
        schedule: [
          { at: "60s", kind: "pause", target: "any", for: "5s" },
          { at: "65s", kind: "heal" },
        ],
      }),
    ).not.toThrow();
  });

  it("lists at most 10 node names", () => {
    const context = { ...RUN, nodeNames: nodeNames(12) };
    const names = nodeNames(10).join(", ");
    expect(resolveError({ schedule: [{ at: "1s", kind: "restart", target: "n1" }] }, context)).toBe(
      `faults.schedule.0.target | faults.schedule.0.target: expected a node (${names}, ... (12 in all)) or a role (${NODE_ROLES}) (got "n1")`,
    );
  });
});
