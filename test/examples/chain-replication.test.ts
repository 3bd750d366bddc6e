// The chain-replication example (examples/chain-replication/): a protocol written outside engine/,
// selected by the scenario's `cluster.replication.protocol`, run under dbsim's faults and judged by
// its checkers.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import { readScenarioFile } from "../../cli/scenario-file.js";

const SCENARIO = "examples/chain-replication/chain.yaml";
const NO_FAULTS = "faults.schedule=[]";

async function run(overrides: string[] = [], seed = 1) {
  const { report } = await executeRun(readScenarioFile(SCENARIO, overrides), seed, { metrics: false });
  return report;
}

function verdicts(report: Awaited<ReturnType<typeof run>>) {
  return Object.fromEntries(Object.entries(report.checks).map(([name, result]) => [name, result.valid]));
}

describe("chain replication, a protocol module", () => {
  it("keeps a chain of 3 linearizable and loses no acknowledged write without faults", async () => {
    const report = await run([NO_FAULTS]);
    expect(verdicts(report)).toEqual({ linearizable: true, lost_writes: true });
    // The report names what replicated the run, not the built-in mode it did not use.
    expect(report.replication?.mode).toBe("protocol ./examples/chain-replication/index.js");
    expect(report.ops.all?.info).toBe(0);
    expect(report.ops.all?.fail).toBe(0);
  });

  it("stays so through a crash of its middle node, then of its tail: removed, repaired, rejoined", async () => {
    const report = await run();
    expect(report.faults.map((fault) => `${fault.kind} ${fault.targets.join()}`)).toEqual([
      "crash shard0/n1",
      "crash shard0/n2",
    ]);
    expect(verdicts(report)).toEqual({ linearizable: true, lost_writes: true });
    // Both restarted nodes rejoined at the tail from a snapshot, and every replica was read at rest.
    expect(report.replication?.snapshots_installed).toBe(2);
    expect(report.final_reads?.unanswered).toBe(0);
    expect(report.ops.all?.fail).toBe(0);
  });

  it("stays so under a random nemesis of crashes, pauses and clock skew", async () => {
    const report = await run(["faults={random: {every: 3s, kinds: [crash, pause, clock_skew]}}"]);
    expect(report.faults.length).toBeGreaterThan(5);
    expect(verdicts(report)).toEqual({ linearizable: true, lost_writes: true });
  });

  it("is deterministic: the same seed gives the same trace hash, another seed another", async () => {
    const [first, again, other] = [await run([], 3), await run([], 3), await run([], 4)];
    expect(again.trace_hash).toBe(first.trace_hash);
    expect(other.trace_hash).not.toBe(first.trace_hash);
  });

  it("lets the checkers catch a user's bug: a head that acknowledges writes is not linearizable", async () => {
    const report = await run([
      NO_FAULTS,
      "cluster.replication.protocol=./test/examples/head-acknowledges.js",
    ]);
    expect(verdicts(report).linearizable).toBe(false);
  });
});

describe("the example's sources", () => {
  const folder = "examples/chain-replication";
  const sources = readdirSync(folder).filter((name) => name.endsWith(".js"));

  it("import nothing of dbsim but the protocol interface's types", () => {
    for (const name of sources) {
      const text = readFileSync(join(folder, name), "utf8");
      const runtime = [...text.matchAll(/^import [^;]*? from "([^"]+)";$/gm)].map((m) => m[1]);
      expect(
        runtime.every((spec) => spec?.startsWith("./")),
        name,
      ).toBe(true);
      const types = [...text.matchAll(/@import \{[^}]*\} from "([^"]+)"/g)].map((m) => m[1]);
      expect(
        types.every((spec) => spec === "../../engine/replication/protocol.js" || spec?.startsWith("./")),
        name,
      ).toBe(true);
    }
    expect(sources).toContain("index.js");
  });
});
