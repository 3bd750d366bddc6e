import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import { deterministicPart } from "../../reports/report.js";
import { contentText, type FileContent } from "../../reports/run-dir.js";
import { loadScenario } from "../../workloads/scenario/load.js";

function ycsbA(overrides: string[] = []) {
  return loadScenario(readFileSync("scenarios/ycsb-a.yaml", "utf8"), {
    overrides: ["duration=10s", "warmup=1s", ...overrides],
  });
}

describe("a run's report", () => {
  it("is identical outside `host` for the same scenario and seed, files included", async () => {
    const first = await executeRun(ycsbA(), 42);
    const second = await executeRun(ycsbA(), 42);
    expect(deterministicPart(second.report)).toEqual(deterministicPart(first.report));
    // metrics.om is stamped in wall-clock time (when the run finished): its values are the same.
    const unstamped = (text: string) => text.replace(/ [0-9]+\.[0-9]{3}$/gm, "");
    const text = (content: FileContent | undefined) => (content === undefined ? "" : contentText(content));
    for (const [name, content] of first.files) {
      const again = text(second.files.get(name));
      if (name === "metrics.om") expect(unstamped(again), name).toBe(unstamped(text(content)));
      else if (name !== "report.json") expect(again, name).toBe(text(content));
    }
  });

  it("changes with the seed", async () => {
    const a = await executeRun(ycsbA(), 1);
    const b = await executeRun(ycsbA(), 2);
    expect(a.report.trace_hash).not.toBe(b.report.trace_hash);
  });

  it("keeps its golden trace hash for a fixed seed (update deliberately when the simulation changes)", async () => {
    const { report } = await executeRun(ycsbA(), 42);
    expect({
      trace_hash: report.trace_hash,
      events: report.sim.events,
      ops: report.ops.all?.count,
    }).toMatchInlineSnapshot(`
      {
        "events": 95574,
        "ops": 19738,
        "trace_hash": "b53f131dc27878cc",
      }
    `);
  });

  it("does not let the workload depend on the strategy under test: same seed, same operations", async () => {
    // Changing the node's fsync policy changes timing, not the operations drawn for the seed.
    const always = await executeRun(ycsbA(), 5);
    const never = await executeRun(ycsbA(["cluster.node.fsync_policy=never"]), 5);
    expect(never.report.trace_hash).not.toBe(always.report.trace_hash);
    expect(never.report.ops.read?.count).toBe(always.report.ops.read?.count);
    expect(never.report.ops.update?.count).toBe(always.report.ops.update?.count);
  });
});
