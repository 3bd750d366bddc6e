// RpoRtoRecorder: the write outage around a region fault and the writes it failed; RPO from the final reads.

import { describe, expect, it } from "vitest";
import type { FinalReadsReport, ReplicationReport } from "../../reports/report-schema.js";
import { firstRegionFault, RpoRtoRecorder } from "../../reports/rpo-rto.js";
import type { Operation } from "../../workloads/checkers/history.js";
import type { ResolvedFault } from "../../workloads/nemesis/resolve.js";
import { completedOperation } from "./completed-operation.js";

const target = { kind: "place" as const, place: "us-west", names: ["shard0/n0"] };
const outage: ResolvedFault = { kind: "region_outage", at_us: 10_000_000, target, for_us: 5_000_000 };
const replication = { lost_writes: 4 } as ReplicationReport;

function recorder(fault: ResolvedFault = outage): RpoRtoRecorder {
  const found = firstRegionFault([{ kind: "heal", at_us: 0 }, fault]);
  if (found === null) throw new Error("no region fault");
  return new RpoRtoRecorder(found);
}

const write = (completed_us: number, result: "ok" | "info" | "fail" = "ok", error: string | null = null) =>
  completedOperation({ op: "update", result, error, intended_us: completed_us - 100, completed_us });

describe("RpoRtoRecorder", () => {
  it("takes the schedule's first region outage or partition, not a zone outage", () => {
    expect(firstRegionFault([{ kind: "zone_outage", at_us: 0, target, for_us: null }])).toBeNull();
    expect(firstRegionFault([outage])?.kind).toBe("region_outage");
  });

  it("RTO is the longest gap between ok writes that reaches past the fault's start and begins before its end", () => {
    const r = recorder();
    for (const t_us of [1_000_000, 9_000_000, 11_500_000, 12_000_000, 15_500_000, 30_000_000])
      r.onOperation(write(t_us));
    // 9.0 -> 11.5 s (2.5 s) crosses the start; 15.5 -> 30 s begins after the end: not counted.
    // 12.0 -> 15.5 s (3.5 s) begins during the fault: the longest.
    expect(r.finish(null, replication).write_outage_s).toBe(3.5);
  });

  it("ignores reads, and gaps that end before the fault", () => {
    const r = recorder();
    r.onOperation(write(1_000_000));
    r.onOperation(write(9_900_000)); // an 8.9 s gap, all before the fault
    r.onOperation(completedOperation({ op: "read", completed_us: 10_050_000 }));
    r.onOperation(write(10_100_000));
    expect(r.finish(null, replication).write_outage_s).toBeCloseTo(0.2, 9);
  });

  it("no ok write after the start: null; a lasting fault keeps counting", () => {
    const r = recorder({
      kind: "region_partition",
      at_us: 10_000_000,
      target,
      for_us: null,
    });
    r.onOperation(write(9_000_000));
    expect(r.finish(null, replication).write_outage_s).toBeNull();
    r.onOperation(write(40_000_000));
    const report = r.finish(null, replication);
    expect(report.write_outage_s).toBe(31);
    expect(report.fault).toEqual({ kind: "region_partition", region: "us-west", at_s: 10, for_s: null });
  });

  it("counts failed and timed-out writes intended while the fault lasted, not those never sent", () => {
    const r = recorder();
    r.onOperation(write(9_000_000, "info", "timeout")); // before
    r.onOperation(write(11_000_000, "info", "timeout"));
    r.onOperation(write(12_000_000, "fail", "not_leader"));
    r.onOperation(write(13_000_000, "fail", "backlog_full"));
    r.onOperation(write(14_000_000, "info", "not_sent"));
    r.onOperation(write(16_000_000, "info", "timeout")); // after
    expect(r.finish(null, replication).writes_failed_or_timed_out).toBe(2);
  });

  it("RPO: the final reads' lost writes when judged, else the final leaders' log count", () => {
    const finalReads = {
      lost_writes: { acknowledged: 100, lost: 2, divergent: 7, unjudged: 0 },
    } as FinalReadsReport;
    expect(recorder().finish(finalReads, replication)).toMatchObject({ lost_writes: 2, divergent_writes: 7 });
    expect(recorder().finish(null, replication)).toMatchObject({ lost_writes: 4, divergent_writes: null });
  });

  it("RPO as a time: the lost writes' acknowledgements, and the data lost from the first one sent to the fault", () => {
    const finalReads = {
      lost_writes: { acknowledged: 100, lost: 3, divergent: 0, unjudged: 0 },
    } as FinalReadsReport;
    const r = recorder(); // the fault at 10 s
    r.onLostWrite(lostWrite(9_960_000, 10_020_000));
    r.onLostWrite(lostWrite(9_940_000, 10_030_000)); // sent first, acknowledged later
    r.onLostWrite(lostWrite(10_500_000, 10_600_000)); // sent after the fault began
    expect(r.finish(finalReads, replication)).toMatchObject({
      lost_writes: 3,
      lost_acked_first_s: 10.02,
      lost_acked_last_s: 10.6,
      lost_before_fault_s: 0.06,
    });
    // Only writes sent after the start: no time lost before it.
    const late = recorder();
    late.onLostWrite(lostWrite(10_500_000, 10_600_000));
    expect(late.finish(finalReads, replication).lost_before_fault_s).toBe(0);
  });

  it("RPO as a time: 0 when none lost, null when the final reads did not judge", () => {
    const none = {
      lost_writes: { acknowledged: 100, lost: 0, divergent: 0, unjudged: 0 },
    } as FinalReadsReport;
    expect(recorder().finish(none, replication)).toMatchObject({
      lost_acked_first_s: null,
      lost_acked_last_s: null,
      lost_before_fault_s: 0,
    });
    const r = recorder();
    r.onLostWrite(lostWrite(9_960_000, 10_020_000)); // judged on the final leaders' values: not timed
    expect(r.finish(null, replication)).toMatchObject({
      lost_acked_first_s: null,
      lost_acked_last_s: null,
      lost_before_fault_s: null,
    });
  });
});

/** An acknowledged write as the history holds it, sent and acknowledged at these times. */
function lostWrite(sent_us: number, acked_us: number): Operation {
  return {
    process: 0,
    f: "write",
    key: "k",
    type: "ok",
    value: 1,
    invokeIndex: 0,
    completeIndex: 1,
    invokeTime: sent_us,
    completeTime: acked_us,
    node: null,
  };
}
