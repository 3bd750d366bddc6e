import { describe, expect, it } from "vitest";
import { LATENCY_DISTS, latencySampler } from "../../../sim/latency.js";
import { constantRate } from "../../../workloads/client/arrivals.js";
import { loadScenario } from "../../../workloads/scenario/load.js";
import { SCENARIO_PRESETS } from "../../../workloads/scenario/presets.js";

const workloadOf = (yaml: string) => loadScenario(`name: x\nworkload: ${yaml}\n`).resolved.workload;

describe("resolveScenario", () => {
  it.each([
    ["a", { read: 0.5, update: 0.5, insert: 0, scan: 0, rmw: 0 }, "zipfian"],
    ["b", { read: 0.95, update: 0.05, insert: 0, scan: 0, rmw: 0 }, "zipfian"],
    ["c", { read: 1, update: 0, insert: 0, scan: 0, rmw: 0 }, "zipfian"],
    ["d", { read: 0.95, update: 0, insert: 0.05, scan: 0, rmw: 0 }, "latest"],
    ["e", { read: 0, update: 0, insert: 0.05, scan: 0.95, rmw: 0 }, "zipfian"],
    ["f", { read: 0.5, update: 0, insert: 0, scan: 0, rmw: 0.5 }, "zipfian"],
  ])("preset %s has YCSB's mix and distribution", (preset, mix, distribution) => {
    const workload = workloadOf(`{ preset: ${preset} }`);
    expect(workload.mix).toEqual(mix);
    expect(workload.distribution).toBe(distribution);
  });

  it("keeps every preset mix summing to 1", () => {
    for (const preset of Object.values(SCENARIO_PRESETS)) {
      expect(Object.values(preset.mix).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  it("lets an explicit mix replace the preset's and normalizes it", () => {
    const mix = workloadOf("{ preset: d, mix: { update: 0.3, rmw: 0.1 } }").mix;
    expect(mix).toEqual({
      read: 0,
      update: expect.closeTo(0.75, 12),
      insert: 0,
      scan: 0,
      rmw: expect.closeTo(0.25, 12),
    });
  });

  it("lets an explicit distribution replace the preset's", () => {
    expect(workloadOf("{ preset: d, distribution: uniform }").distribution).toBe("uniform");
  });

  it.each([
    ["1Gbit/s", 125e6],
    ["125MB/s", 125e6],
    ["null", null],
  ])("resolves the bandwidth %s to %s bytes per second", (bandwidth, bytesPerS) => {
    const scenario = loadScenario(`name: x\nnetwork: { bandwidth: ${bandwidth} }\n`).resolved;
    expect(scenario.network.bandwidth_bytes_per_s).toBe(bytesPerS);
  });

  it("resolves rates, closed loop and durations", () => {
    expect(workloadOf("{ rate: 2.5k/s, timeout: 1.5s }")).toMatchObject({
      rate: constantRate(2500),
      timeout_us: 1_500_000,
    });
    expect(workloadOf("{}").rate).toBeNull();
  });

  it.each([
    ["always", { kind: "always" }],
    ["never", { kind: "never" }],
    ["'interval:250ms'", { kind: "interval", interval_us: 250_000 }],
  ])("resolves the fsync policy %s", (policy, resolved) => {
    const scenario = loadScenario(`name: x\ncluster: { node: { fsync_policy: ${policy} } }\n`).resolved;
    expect(scenario.cluster.node.fsync_policy).toEqual(resolved);
  });

  it.each([
    ["{ dist: constant, value: 1ms }", { dist: "constant", value_us: 1_000 }],
    ["{ dist: uniform, min: 0, max: 2ms }", { dist: "uniform", min_us: 0, max_us: 2_000 }],
    ["{ dist: exponential, mean: 300us }", { dist: "exponential", mean_us: 300 }],
    ["{ dist: normal, mean: 1ms, stddev: 200us }", { dist: "normal", mean_us: 1_000, stddev_us: 200 }],
    ["{ dist: lognormal, median: 1ms, p99: 1ms }", { dist: "lognormal", median_us: 1_000, p99_us: 1_000 }],
    ["{ dist: pareto, scale: 100us, shape: 2.5 }", { dist: "pareto", scale_us: 100, shape: 2.5 }],
  ])("resolves the latency %s to a spec the simulator accepts", (latency, spec) => {
    const resolved = loadScenario(`name: x\nnetwork: { latency: ${latency} }\n`).resolved.network.latency;
    expect(resolved).toEqual(spec);
    expect(() => latencySampler(resolved)).not.toThrow();
  });

  it("covers every latency model of the simulator", () => {
    const forms = {
      constant: "value: 1ms",
      uniform: "min: 1ms, max: 2ms",
      exponential: "mean: 1ms",
      normal: "mean: 1ms, stddev: 1ms",
      lognormal: "median: 1ms, p99: 2ms",
      pareto: "scale: 1ms, shape: 1",
    };
    for (const dist of LATENCY_DISTS) {
      const text = `name: x\nnetwork: { latency: { dist: ${dist}, ${forms[dist]} } }\n`;
      expect(loadScenario(text).resolved.network.latency.dist).toBe(dist);
    }
  });
});
