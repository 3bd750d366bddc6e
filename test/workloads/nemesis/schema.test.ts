import { describe, expect, it } from "vitest";
import { faultsSchema } from "../../../workloads/nemesis/schema.js";

/** Each issue of parsing `input` as "path: message (code)". */
function issues(input: unknown): string[] {
  const result = faultsSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message} (${issue.code})`);
}

const EXAMPLE = {
  schedule: [
    { at: "20s", kind: "partition", isolate: "leader", for: "10s" },
    { at: "20s", kind: "partition", halves: true, for: "10s" },
    { at: "20s", kind: "partition", minority: "leader", for: "10s" },
    { at: "20s", kind: "partition", bridge: true, for: "10s" },
    { at: "20s", kind: "partition", one_way: { from: "leader", to: "followers" }, for: "5s" },
    { at: "40s", kind: "crash", target: "leader", restart_after: "5s" },
    { at: "45s", kind: "restart", target: "shard0/n0" },
    { at: "50s", kind: "pause", target: "follower", for: "2s" },
    { at: "10s", kind: "clock_skew", target: "shard0/n1", offset: "500ms", drift_ppm: 0, for: "30s" },
    {
      at: "5s",
      kind: "link",
      from: "client",
      to: "leader",
      loss: 0.1,
      duplicate: 0,
      extra_latency: "5ms",
      jitter: "1ms",
      for: "10s",
    },
    { at: "30s", kind: "heal" },
  ],
  random: {
    every: "15s",
    kinds: ["partition", "crash", "pause", "clock_skew"],
    for: { min: "1s", max: "10s" },
    targets: { leader: 0.6, follower: 0.3, any: 0.1 },
  },
};

describe("the faults: section", () => {
  it("accepts every kind of fault and a random nemesis", () => {
    expect(issues(EXAMPLE)).toEqual([]);
  });

  it("defaults to no faults", () => {
    expect(faultsSchema.parse({})).toEqual({ schedule: [], random: null });
  });

  it("fills in defaults, and the filled-in section is valid and unchanged by another parse", () => {
    const filled = faultsSchema.parse({
      schedule: [
        { at: "1s", kind: "link", from: "client", to: "leader" },
        { at: "1s", kind: "crash", target: "any" },
        { at: "1s", kind: "partition", halves: true },
        { at: "1s", kind: "clock_skew", target: "any", offset: "-2ms" },
      ],
      random: {},
    });
    expect(filled).toEqual({
      schedule: [
        {
          at: "1s",
          kind: "link",
          from: "client",
          to: "leader",
          loss: 0,
          duplicate: 0,
          extra_latency: "0s",
          jitter: "0s",
          for: null,
        },
        { at: "1s", kind: "crash", target: "any", restart_after: null },
        { at: "1s", kind: "partition", halves: true, nodes_only: false, for: null },
        { at: "1s", kind: "clock_skew", target: "any", offset: "-2ms", drift_ppm: 0, for: null },
      ],
      random: {
        every: "15s",
        kinds: ["partition", "crash", "pause", "clock_skew"],
        for: { min: "1s", max: "10s" },
        targets: null,
      },
    });
    expect(faultsSchema.parse(filled)).toEqual(filled);
  });

  it.each([
    [
      { schedule: [{ at: "1s", kind: "partition", isolate: "leader", halves: true }] },
      "schedule.0: a partition needs exactly one of isolate, halves, minority, bridge, one_way (got isolate, halves) (custom)",
    ],
    [
      { schedule: [{ at: "1s", kind: "partition", for: "1s" }] },
      "schedule.0: a partition needs exactly one of isolate, halves, minority, bridge, one_way (got none) (custom)",
    ],
    [
      { schedule: [{ at: "1s", kind: "link", from: "client", to: "leader", loss: 1.5 }] },
      "schedule.0.loss: Too big: expected number to be <=1 (too_big)",
    ],
    [
      { schedule: [{ at: "1s", kind: "link", from: "client", to: "leader", duplicate: -0.1 }] },
      "schedule.0.duplicate: Too small: expected number to be >=0 (too_small)",
    ],
    [
      { schedule: [{ at: "1s", kind: "pause", target: "any" }] },
      "schedule.0.for: expected a duration such as 500us, 2ms or 10s (invalid_union)",
    ],
    [
      { schedule: [{ at: "1s", kind: "pause", target: "any", for: "0s" }] },
      'schedule.0.for: must be more than 0 (got "0s") (custom)',
    ],
    [
      { schedule: [{ at: "ten", kind: "heal" }] },
      'schedule.0.at: "ten" is not a duration: use a number and a unit (us, ms, s, m, h), e.g. 500us, 2ms, 10s (custom)',
    ],
    [
      { schedule: [{ at: "1s", kind: "clock_skew", target: "any", offset: "-5x" }] },
      'schedule.0.offset: after the minus sign, "5x" is not a duration: use a number and a unit (us, ms, s, m, h), e.g. 500us, 2ms, 10s (custom)',
    ],
    [
      { schedule: [{ at: "1s", kind: "clock_skew", target: "any", offset: "1s", drift_ppm: 200000 }] },
      "schedule.0.drift_ppm: Too big: expected number to be <=100000 (too_big)",
    ],
    [
      { schedule: [{ at: "1s", kind: "crash", target: "" }] },
      "schedule.0.target: Too small: expected string to have >=1 characters (too_small)",
    ],
    [
      { schedule: [{ at: "1s", kind: "heal", for: "1s" }] },
      'schedule.0: Unrecognized key: "for" (unrecognized_keys)',
    ],
    [
      {
        schedule: [
          { at: "1s", kind: "partition", one_way: { from: "leader", to: "client" }, nodes_only: true },
        ],
      },
      "schedule.0.nodes_only: cuts links between database nodes: not with one_way (which names its hosts) or isolate: client (custom)",
    ],
    [
      { schedule: [{ at: "1s", kind: "partition", isolate: "client", nodes_only: true }] },
      "schedule.0.nodes_only: cuts links between database nodes: not with one_way (which names its hosts) or isolate: client (custom)",
    ],
    [{ random: { every: "0s" } }, 'random.every: must be more than 0 (got "0s") (custom)'],
    [{ random: { every: 0 } }, "random.every: must be more than 0 (got 0) (custom)"],
    [
      { random: { for: { min: "5s", max: "1s" } } },
      'random.for.max: must be at least min (5s) (got "1s") (custom)',
    ],
    [{ random: { kinds: ["crash", "crash"] } }, "random.kinds: lists crash twice (custom)"],
    [{ random: { kinds: [] } }, "random.kinds: Too small: expected array to have >=1 items (too_small)"],
    [
      { random: { targets: { leader: 0, any: 0 } } },
      "random.targets: at least one of leader, follower, any must be more than 0 (custom)",
    ],
    [
      { random: { targets: { leader: -0.5, any: 1 } } },
      "random.targets.leader: Too small: expected number to be >=0 (too_small)",
    ],
    [
      { random: { targets: { leader: 2 } } },
      "random.targets.leader: Too big: expected number to be <=1 (too_big)",
    ],
    [
      { random: { targets: { client: 1 } } },
      'random.targets: Unrecognized key: "client" (unrecognized_keys)',
    ],
  ])("rejects %j", (input, expected) => {
    expect(issues(input)).toEqual([expected]);
  });

  it("names the allowed kinds for an unknown kind", () => {
    const result = faultsSchema.safeParse({ schedule: [{ at: "1s", kind: "reshard" }] });
    const issue = result.error?.issues[0];
    expect(issue?.code).toBe("invalid_union");
    expect(issue?.path).toEqual(["schedule", 0, "kind"]);
    expect(issue !== undefined && "options" in issue && issue.options).toEqual([
      "partition",
      "crash",
      "restart",
      "pause",
      "clock_skew",
      "link",
      "heal",
      "zone_outage",
      "region_outage",
      "region_partition",
      "disk_corruption",
      "torn_write",
      "lost_fsync",
      "slow_disk",
    ]);
  });

  it("limits the schedule to 1000 faults", () => {
    const schedule = Array.from({ length: 1001 }, () => ({ at: "1s", kind: "heal" }));
    expect(issues({ schedule })).toEqual([
      "schedule: Too big: expected array to have <=1000 items (too_big)",
    ]);
  });
});
