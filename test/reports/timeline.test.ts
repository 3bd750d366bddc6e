import { describe, expect, it } from "vitest";
import { TimelineRecorder } from "../../reports/timeline.js";
import type { CompletedOperation } from "../../workloads/observer.js";
import { completedOperation } from "./completed-operation.js";

function op(completed_us: number, latency_us = 100): CompletedOperation {
  const intended_us = completed_us - latency_us;
  return completedOperation({ intended_us, sent_us: intended_us, completed_us, latency_us });
}

/** A steady 1000 ok operations per virtual second from 0 to end_us, one in the middle of each ms. */
function steady(end_us: number): TimelineRecorder {
  const recorder = new TimelineRecorder();
  for (let t = 500; t < end_us; t += 1000) recorder.onOperation(op(t));
  return recorder;
}

describe("timeline", () => {
  it("scales a partial last interval to its length: a steady rate does not drop at the end", () => {
    const timeline = steady(3_600_000).finish(3_600_000);
    expect(timeline.t_s).toEqual([0, 1, 2, 3]);
    // 600 operations in the last 0.6 s: 1000/s, not 600/s.
    expect(timeline.ops_per_s).toEqual([1000, 1000, 1000, 1000]);
  });

  it("merges a last interval shorter than half an interval into the one before", () => {
    // The run ends 3 ms into the fourth second, with 3 operations there.
    const timeline = steady(3_003_000).finish(3_003_000);
    expect(timeline.t_s).toEqual([0, 1, 2]);
    expect(timeline.ops_per_s[2]).toBeCloseTo(1000, 6);
    // Operations completing exactly at the run's end, on a boundary, are not a spike either.
    const recorder = steady(3_000_000);
    recorder.onOperation(op(3_000_000));
    const onBoundary = recorder.finish(3_000_000);
    expect(onBoundary.t_s).toEqual([0, 1, 2]);
    expect(onBoundary.ops_per_s).toEqual([1000, 1000, 1001]);
  });

  it("counts an open loop's offered load by intended start, whatever the outcome and however late", () => {
    const recorder = new TimelineRecorder({ openLoop: true });
    // In completion order. Intended in the first second: one ok, one rejected, and one completing
    // two seconds later; in the second: one; in the third: none (the drain).
    recorder.onOperation(op(200_000, 100_000));
    recorder.onOperation({ ...op(700_000, 100_000), result: "fail", error: "backlog_full" });
    recorder.onOperation(op(1_600_000, 100_000));
    recorder.onOperation(op(2_500_000, 2_000_000));
    const timeline = recorder.finish(3_000_000);
    expect(timeline.offered_ops_per_s).toEqual([3, 1, 0]);
    expect(timeline.ops_per_s).toEqual([1, 1, 1]);
  });

  it("scales the offered load of a partial or merged last interval as it does the throughput", () => {
    const partial = new TimelineRecorder({ openLoop: true });
    for (let t = 500; t < 2_600_000; t += 1000) partial.onOperation(op(t));
    expect(partial.finish(2_600_000).offered_ops_per_s).toEqual([1000, 1000, 1000]);
    const merged = new TimelineRecorder({ openLoop: true });
    for (let t = 500; t < 2_200_000; t += 1000) merged.onOperation(op(t));
    const timeline = merged.finish(2_200_000);
    expect(timeline.t_s).toEqual([0, 1]);
    expect(timeline.offered_ops_per_s?.[1]).toBeCloseTo(1000, 6);
  });

  it("has no offered load for a closed loop", () => {
    expect(steady(2_000_000).finish(2_000_000).offered_ops_per_s).toBeUndefined();
  });

  it("never puts an interval's p50 or p99 above its largest latency", () => {
    const recorder = new TimelineRecorder();
    recorder.onOperation(op(10_000, 79_500));
    recorder.onOperation(op(20_000, 1000));
    recorder.onOperation(op(1_500_000, 2000));
    const timeline = recorder.finish(2_000_000);
    expect(timeline.p99_us).toEqual([79_500, 2000]);
  });
});
