import { describe, expect, it } from "vitest";
import { faultSpans } from "../../../workloads/nemesis/fault-spans.js";
import type { FaultRecord } from "../../../workloads/nemesis/injector.js";

describe("faultSpans", () => {
  it("gives each fault that acted its time in force, in µs; heals, restarts and no-ops are none", () => {
    const log: FaultRecord[] = [
      { at_s: 1, kind: "partition", targets: ["shard0/n0"], for_s: 2, end_s: 2.5 }, // ended early by the heal
      { at_s: 2.5, kind: "heal", targets: [], detail: { partitions_ended: 1 } },
      { at_s: 3, kind: "pause", targets: ["shard0/n1"], for_s: 1, end_s: 4 },
      { at_s: 5, kind: "crash", targets: [], detail: { note: "no node is up" } },
      { at_s: 6, kind: "clock_skew", targets: ["shard0/n2"], detail: { offset_us: 5000 } }, // for good
    ];
    expect(faultSpans(log)).toStrictEqual([
      { start_us: 1_000_000, end_us: 2_500_000 },
      { start_us: 3_000_000, end_us: 4_000_000 },
      { start_us: 6_000_000, end_us: null },
    ]);
  });
});
