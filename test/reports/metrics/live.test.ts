import { describe, expect, it } from "vitest";
import type { MetricsSnapshot } from "../../../reports/metrics/exposition.js";
import { LiveProgress, SweepMetrics } from "../../../reports/metrics/live.js";

function run(seed: number, ops: number, virtual: number, events = 10 * seed): MetricsSnapshot {
  return [
    {
      name: "dbsim_ops_total",
      help: "ops",
      type: "counter",
      aggregator: "sum",
      values: [{ value: ops, labels: { op: "read", result: "ok", run: `s/seed-${seed}` } }],
    },
    {
      name: "dbsim_sim_virtual_seconds",
      help: "virtual",
      type: "gauge",
      aggregator: "omit",
      values: [{ value: virtual, labels: { run: `s/seed-${seed}` } }],
    },
    {
      name: "dbsim_sim_events_total",
      help: "events",
      type: "counter",
      aggregator: "sum",
      values: [{ value: events, labels: { run: `s/seed-${seed}` } }],
    },
    {
      name: "dbsim_sim_events_per_wall_second",
      help: "rate",
      type: "gauge",
      aggregator: "sum",
      values: [{ value: 1000 * seed, labels: { run: `s/seed-${seed}` } }],
    },
  ];
}

function value(
  snapshot: MetricsSnapshot,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = snapshot.find((f) => f.name === name);
  return family?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

describe("SweepMetrics", () => {
  it("sums the runs in progress and the finished ones under the sweep's run label", async () => {
    const sweep = new SweepMetrics("s/sweep", 10);
    sweep.progress(1, run(1, 5, 1));
    sweep.progress(2, run(2, 7, 2));
    let snapshot = await sweep.snapshot(1000);
    expect(value(snapshot, "dbsim_ops_total", { run: "s/sweep" })).toBe(12);
    expect(value(snapshot, "dbsim_sim_events_total")).toBe(30);
    expect(value(snapshot, "dbsim_sim_events_per_wall_second")).toBe(0); // measured from the next snapshot on
    expect(value(snapshot, "dbsim_sim_virtual_seconds")).toBeUndefined(); // one run's state: omitted
    expect(value(snapshot, "dbsim_sweep_seeds")).toBe(10);
    for (const family of snapshot) for (const v of family.values) expect(v.labels.run).toBe("s/sweep");

    await sweep.finished(1, "pass", run(1, 6, 3, 40));
    sweep.progress(1, run(1, 100, 1)); // late: dropped
    await sweep.finished(3, "crashed", null);
    snapshot = await sweep.snapshot(3000);
    expect(value(snapshot, "dbsim_ops_total")).toBe(13);
    expect(value(snapshot, "dbsim_sim_events_total")).toBe(60); // seed 1 finished at 40, seed 2 at 20
    expect(value(snapshot, "dbsim_sim_events_per_wall_second")).toBe(15); // 30 more events in 2 s
    expect(value(snapshot, "dbsim_sweep_seeds_done_total", { result: "pass" })).toBe(1);
    expect(value(snapshot, "dbsim_sweep_seeds_done_total", { result: "crashed" })).toBe(1);
    expect(value(snapshot, "dbsim_sweep_seeds_done_total", { result: "fail" })).toBe(0);
  });
});

describe("LiveProgress", () => {
  it("measures events per wall second over half-second windows, and the share of virtual time done", async () => {
    const live = new LiveProgress("s/seed-1");
    live.update({ now_us: 0, end_us: 10_000_000, events: 0 }, 1000);
    live.update({ now_us: 1_000_000, end_us: 10_000_000, events: 400 }, 1200); // window too short
    let snapshot = await live.snapshot();
    expect(value(snapshot, "dbsim_sim_events_per_wall_second")).toBe(0);
    expect(value(snapshot, "dbsim_run_progress_ratio")).toBe(0.1);
    live.update({ now_us: 5_000_000, end_us: 10_000_000, events: 1000 }, 2000);
    snapshot = await live.snapshot();
    expect(value(snapshot, "dbsim_sim_events_per_wall_second")).toBe(1000);
    live.update({ now_us: 12_000_000, end_us: 10_000_000, events: 1000 }, 2000);
    expect(value(await live.snapshot(), "dbsim_run_progress_ratio")).toBe(1); // the drain
    live.finish();
    expect(value(await live.snapshot(), "dbsim_sim_events_per_wall_second")).toBe(0);
  });
});
