import { describe, expect, it } from "vitest";
import type { CompletedOperation } from "../../workloads/observer.js";
import { ScenarioRun } from "../../workloads/runner.js";
import { loadScenario } from "../../workloads/scenario/load.js";

function scenario(yaml: string, overrides: string[] = []) {
  return loadScenario(`name: t\n${yaml}`, { overrides }).resolved;
}

function runWith(yaml: string, seed: number, setup?: (run: ScenarioRun) => void) {
  const ops: CompletedOperation[] = [];
  const run = new ScenarioRun(scenario(yaml), { seed, observer: { onOperation: (op) => ops.push(op) } });
  setup?.(run);
  const result = run.runToEnd();
  return { ops, result, run };
}

const SMALL = `
duration: 10s
warmup: 1s
network: { latency: { dist: constant, value: 100us } }
workload: { preset: a, records: 1000, rate: 1000/s, clients: 8 }
`;

describe("ScenarioRun", () => {
  it("is deterministic: same seed, same trace hash and the same operations", () => {
    const a = runWith(SMALL, 11);
    const b = runWith(SMALL, 11);
    expect(a.result.trace_hash).toBe(b.result.trace_hash);
    expect(a.result.events).toBe(b.result.events);
    expect(a.ops).toEqual(b.ops);
    expect(runWith(SMALL, 12).result.trace_hash).not.toBe(a.result.trace_hash);
  });

  it("runs the open-loop schedule at the target rate and drains in-flight operations", () => {
    const { ops, result } = runWith(SMALL, 1);
    const measured = ops.filter((op) => op.measured);
    // 10 s at 1000/s, Poisson: within 5 standard deviations of 10,000.
    expect(Math.abs(measured.length - 10_000)).toBeLessThan(500);
    expect(ops.every((op) => op.result === "ok")).toBe(true);
    expect(ops.every((op) => op.intended_us < 11_000_000)).toBe(true);
    // The run ends when the last operation completes.
    expect(result.virtual_us).toBe(Math.max(...ops.map((op) => op.completed_us)));
    // Measured means intended in [warmup, warmup + duration).
    expect(measured.every((op) => op.intended_us >= 1_000_000)).toBe(true);
  });

  it("counts latency from the intended start: a stalled node shows in the tail (no coordinated omission)", () => {
    const { ops } = runWith(SMALL, 3, (run) => {
      run.sim.at(5_000_000, () => run.sim.pause(run.hosts.nodes[0] as number, 1_000_000));
    });
    const measured = ops.filter((op) => op.measured && op.result === "ok");
    // Every operation intended during the 1 s stall waits for its end, and so do the backlogged ones.
    const stalled = measured.filter((op) => op.intended_us >= 5_000_000 && op.intended_us < 6_000_000);
    expect(stalled.length).toBeGreaterThan(900);
    for (const op of stalled) expect(op.completed_us).toBeGreaterThanOrEqual(6_000_000);
    const latencies = measured.map((op) => op.latency_us).sort((a, b) => a - b);
    const p99 = latencies[Math.floor(0.99 * latencies.length)] as number;
    const max = latencies.at(-1) as number;
    expect(max).toBeGreaterThanOrEqual(1_000_000);
    // ~10% of the ops are delayed by 0..1 s, so p99 sits deep in the stall (p99 > 800 ms).
    expect(p99).toBeGreaterThan(800_000);
    // With 8 clients, most stalled operations waited for a client: time the node never saw.
    const waited = stalled.filter((op) => op.sent_us - op.intended_us > 100_000);
    expect(waited.length).toBeGreaterThan(stalled.length / 2);
  });

  it("in a closed loop, each client sends its next operation when the previous completes", () => {
    const { ops } = runWith(
      `
duration: 2s
network: { latency: { dist: constant, value: 100us } }
workload: { preset: c, records: 100, clients: 4 }
`,
      1,
    );
    // read: 200 us round trip + 50 us service + pages: about 1/260us per client.
    const perClient = ops.length / 4;
    expect(perClient).toBeGreaterThan(6000);
    expect(perClient).toBeLessThan(8500);
    expect(ops.every((op) => op.latency_us === op.completed_us - op.sent_us)).toBe(true);
  });

  it("records an unanswered request as info after the timeout, and its client becomes a new process", () => {
    const { ops } = runWith(
      `
duration: 5s
network: { latency: { dist: constant, value: 100us } }
workload: { preset: c, records: 100, rate: 100/s, clients: 2, timeout: 100ms }
`,
      1,
      (run) => run.sim.at(2_000_000, () => run.sim.pause(run.hosts.nodes[0] as number, 500_000)),
    );
    const infos = ops.filter((op) => op.result === "info");
    expect(infos.length).toBeGreaterThan(0);
    expect(infos.every((op) => op.error === "timeout" && op.latency_us >= 100_000)).toBe(true);
    const processes = new Set(ops.map((op) => op.process));
    expect([...processes].some((p) => p >= 2)).toBe(true);
    expect(ops.filter((op) => op.result === "ok").length).toBeGreaterThan(400);
  });

  it("rejects past the node's queue limit and past the client backlog, as fail", () => {
    const overloaded = runWith(
      `
duration: 2s
network: { latency: { dist: constant, value: 10us } }
cluster: { node: { service_time: 1ms, queue_limit: 5 } }
workload: { preset: c, records: 100, rate: 5000/s, clients: 100 }
`,
      1,
    ).ops;
    expect(overloaded.some((op) => op.result === "fail" && op.error === "overloaded")).toBe(true);
    const backlogged = runWith(
      `
duration: 2s
network: { latency: { dist: constant, value: 10us } }
cluster: { node: { service_time: 1ms } }
workload: { preset: c, records: 100, rate: 5000/s, clients: 1, max_backlog: 10 }
`,
      1,
    ).ops;
    expect(backlogged.some((op) => op.result === "fail" && op.error === "backlog_full")).toBe(true);
  });

  it("in a closed loop, a client pauses after a failure, so instant rejections cannot stall virtual time", () => {
    const { ops, result } = runWith(
      `
duration: 1s
network: { latency: { dist: constant, value: 0 } }
cluster: { node: { queue_limit: 1 } }
workload: { preset: c, records: 100, clients: 8 }
`,
      1,
    );
    expect(ops.some((op) => op.error === "overloaded")).toBe(true);
    expect(result.virtual_us).toBeGreaterThanOrEqual(1_000_000);
  });
});
