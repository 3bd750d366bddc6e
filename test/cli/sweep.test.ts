// dbsim sweep, through sweepCommand with the top level's error handling (helpers.captured), as cli.ts
// runs it: determinism across worker counts, failing seeds and their run directories, a crash.

import { spawn } from "node:child_process";
import { existsSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type SweepArgs, sweepCommand, sweepTestHooks } from "../../cli/commands/sweep.js";
import { captured, scenarioFile, TINY, tempDir } from "./helpers.js";

async function sweep(scenario: string, options: Partial<SweepArgs> = {}) {
  const out = options.out ?? join(tempDir(), "sweep");
  const outcome = await captured((io) =>
    sweepCommand({ scenario, seeds: "1..6", set: [], json: false, progress: false, out, ...options }, io),
  );
  const path = join(out, "sweep.json");
  const json = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : null;
  return { ...outcome, out, json };
}

const FAILING = `name: async-failover-short
duration: 6s
warmup: 500ms
cluster:
  replicas: 3
  replication:
    mode: async
    failover: { enabled: true, detect_after: 1s, fencing: true }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: a, records: 1000, rate: 2000/s, clients: 16, timeout: 1s }
faults:
  schedule:
    - { at: 2s, kind: partition, one_way: { from: leader, to: followers }, for: 3s }
    - { at: 3s, kind: crash, target: leader, restart_after: 2s }
checks: [lost_writes, stale_reads]
`;

afterEach(() => {
  delete sweepTestHooks.runTask;
});

describe("dbsim sweep", () => {
  it("gives the same sweep.json at 1 and 2 workers, seeds in ascending order", async () => {
    const scenario = scenarioFile(TINY);
    const one = await sweep(scenario, { workers: 1 });
    const two = await sweep(scenario, { workers: 2 });
    expect(one.stderr).toBe("");
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(two.json).toEqual(one.json);
    expect(one.json.seeds.map((s: { seed: number }) => s.seed)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(one.json.seeds.map((s: { trace_hash: string }) => s.trace_hash)).size).toBe(6);
    expect(one.json.seeds[0]).toEqual({
      seed: 1,
      trace_hash: expect.stringMatching(/^[0-9a-f]{16}$/),
      valid: true,
      exit: 0,
      violations: [],
      figures: expect.objectContaining({ throughput: expect.any(Number), "all.p99": expect.any(Number) }),
    });
    expect(one.json.failing_seeds).toEqual([]);
    expect(one.json.crashed_seeds).toEqual([]);
    expect(one.json.merged.count).toBeGreaterThan(0);
    expect(one.json.merged.latency_us.p50).toBeGreaterThan(0);
    expect(one.json.merged.latency_us.max).toBeGreaterThanOrEqual(one.json.merged.latency_us.p999);
    expect(existsSync(join(one.out, "failures"))).toBe(false);
    expect(one.stdout).toContain("seeds run: 6/6");
  });

  it("replacing an earlier sweep removes only the run directories it wrote, never a user's file", async () => {
    const scenario = scenarioFile(FAILING);
    const first = await sweep(scenario, { seeds: "1..2", workers: 2 });
    const seed = first.json.failing_seeds[0] as number;
    const run = join(first.out, "failures", `seed-${seed}`);
    // A file of the user's in a failing seed's directory: the replacing sweep refuses, and keeps it.
    writeFileSync(join(run, "notes.txt"), "mine");
    const refused = await sweep(scenario, { seeds: "1..2", workers: 2, out: first.out });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("notes.txt, which dbsim did not write");
    expect(readFileSync(join(run, "notes.txt"), "utf8")).toBe("mine");
    // failures/ made a link to the user's folder (holding a copy of a run): refused, the copy kept.
    rmSync(join(run, "notes.txt"));
    const elsewhere = join(tempDir(), "mine");
    renameSync(join(first.out, "failures"), elsewhere);
    symlinkSync(elsewhere, join(first.out, "failures"));
    const linked = await sweep(scenario, { seeds: "1..2", workers: 2, out: first.out });
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain("is not a directory the sweep wrote");
    expect(existsSync(join(elsewhere, `seed-${seed}`, "failure.json"))).toBe(true);
    // Its own failures/ again: the earlier runs are removed and written anew.
    rmSync(join(first.out, "failures"));
    renameSync(elsewhere, join(first.out, "failures"));
    const again = await sweep(scenario, { seeds: "1..2", workers: 2, out: first.out });
    expect(again.code).toBe(1);
    expect(again.json.failing_seeds).toEqual(first.json.failing_seeds);
  });

  it("lists the failing seeds, writes their run directories with failure.json, exits 1", async () => {
    const { code, stdout, json, out } = await sweep(scenarioFile(FAILING), { seeds: "1..4", workers: 2 });
    expect(json.failing_seeds.length).toBeGreaterThan(0);
    expect(code).toBe(1);
    for (const seed of json.failing_seeds) {
      const entry = json.seeds.find((s: { seed: number }) => s.seed === seed);
      expect(entry.valid).toBe(false);
      expect(entry.exit).toBe(1);
      expect(entry.violations.length).toBeGreaterThan(0);
      const failure = JSON.parse(readFileSync(join(out, "failures", `seed-${seed}`, "failure.json"), "utf8"));
      expect(failure.seed).toBe(seed);
      expect(failure.trace_hash).toBe(entry.trace_hash);
      expect(Object.keys(failure.violations).sort()).toEqual([...entry.violations].sort());
    }
    const passing = json.seeds.filter((s: { valid: unknown }) => s.valid === true);
    for (const s of passing) expect(existsSync(join(out, "failures", `seed-${s.seed}`))).toBe(false);
    expect(stdout).toContain(`dbsim replay ${join(out, "failures", `seed-${json.failing_seeds[0]}`)}`);
  });

  it("stops after K failing seeds", async () => {
    const { code, json } = await sweep(scenarioFile(FAILING), {
      seeds: "1..20",
      workers: 1,
      stopAfterFailures: 1,
    });
    expect(code).toBe(1);
    expect(json.failing_seeds).toHaveLength(1);
    expect(json.seeds.length).toBeLessThan(20);
  });

  it("records a seed whose task throws as crashed and goes on; exit 70", async () => {
    // The hook stands for a worker that throws: seed 3's task is rejected, the others run.
    sweepTestHooks.runTask = (task, run) =>
      task.seed === 3 ? Promise.reject(new Error("worker blew up")) : run(task);
    const { code, json, stderr } = await sweep(scenarioFile(TINY), { workers: 2 });
    expect(code).toBe(70);
    expect(json.crashed_seeds).toEqual([3]);
    expect(json.seeds).toHaveLength(6);
    expect(json.seeds[2]).toEqual({ seed: 3, crashed: "worker blew up" });
    expect(json.seeds.filter((s: { valid?: unknown }) => s.valid === true)).toHaveLength(5);
    expect(stderr).toContain("seed 3 crashed: worker blew up");
  });

  it("refuses bad input with exit 2", async () => {
    const scenario = scenarioFile(TINY);
    expect((await sweep(scenario, { seeds: "5..1" })).code).toBe(2);
    expect((await sweep(scenario, { workers: 0 })).code).toBe(2);
    expect((await sweep(join(tempDir(), "missing.yaml"))).code).toBe(2);
    expect((await sweep(scenarioFile("name: x\nduration: banana\n"))).code).toBe(2);
  });
});

describe("an interrupted sweep", () => {
  /** Sends `signal` to this process once `after` seeds have finished (the handler sees it as from outside). */
  function signalAfter(after: number, signal: "SIGINT" | "SIGTERM"): void {
    let finished = 0;
    sweepTestHooks.runTask = async (task, run) => {
      const result = await run(task);
      if (++finished === after) setImmediate(() => process.emit(signal)); // once its result is in
      return result;
    };
  }

  it("keeps every finished seed: SIGTERM writes sweep.json saying what is missing, --resume finishes it byte for byte", async () => {
    const scenario = scenarioFile(FAILING);
    const whole = await sweep(scenario, { seeds: "1..6", workers: 1 });
    signalAfter(2, "SIGTERM");
    const cut = await sweep(scenario, { seeds: "1..6", workers: 1 });
    delete sweepTestHooks.runTask;
    expect(cut.code).toBe(143);
    expect(cut.json.interrupted).toBe(true);
    expect(cut.json.planned_seeds).toBe("1..6");
    expect(cut.json.seeds.map((s: { seed: number }) => s.seed)).toEqual([1, 2]);
    expect(cut.json.missing_seeds).toEqual(["3..6"]);
    expect(cut.stdout).toContain(`dbsim sweep --resume ${cut.out}`);
    const journal = readFileSync(join(cut.out, "journal.jsonl"), "utf8").trim().split("\n");
    expect(journal).toHaveLength(3); // the header and the two finished seeds
    const resumed = await captured((io) =>
      sweepCommand({ resume: cut.out, set: [], json: false, progress: false, workers: 2 }, io),
    );
    expect(resumed.stderr).toContain("resuming the sweep");
    expect(resumed.code).toBe(whole.code);
    expect(readFileSync(join(cut.out, "sweep.json"), "utf8")).toBe(
      readFileSync(join(whole.out, "sweep.json"), "utf8"),
    );
    for (const seed of whole.json.failing_seeds)
      expect(existsSync(join(cut.out, "failures", `seed-${seed}`, "failure.json"))).toBe(true);
  });

  it("exits 130 on SIGINT, and a line a kill cut short is run again", async () => {
    const scenario = scenarioFile(TINY);
    const whole = await sweep(scenario, { seeds: "1..4", workers: 1 });
    signalAfter(3, "SIGINT");
    const cut = await sweep(scenario, { seeds: "1..4", workers: 1 });
    delete sweepTestHooks.runTask;
    expect(cut.code).toBe(130);
    // A kill in the middle of writing seed 3's line: the journal ends with half a line.
    const path = join(cut.out, "journal.jsonl");
    const lines = readFileSync(path, "utf8").trim().split("\n");
    writeFileSync(path, `${lines.slice(0, 3).join("\n")}\n${(lines[3] as string).slice(0, 40)}`);
    const resumed = await captured((io) =>
      sweepCommand({ resume: cut.out, set: [], json: false, progress: false, workers: 1 }, io),
    );
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("seeds run: 4/4");
    expect(readFileSync(join(cut.out, "sweep.json"), "utf8")).toBe(
      readFileSync(join(whole.out, "sweep.json"), "utf8"),
    );
  });

  it("loses nothing finished to SIGKILL: the journal has every seed done", async () => {
    const out = join(tempDir(), "sweep");
    const scenario = scenarioFile(TINY.replace("duration: 2s", "duration: 20s"));
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "cli/main.ts",
        "sweep",
        scenario,
        "--seeds",
        "1..40",
        "--workers",
        "1",
        "--out",
        out,
      ],
      { stdio: "ignore" },
    );
    const journal = join(out, "journal.jsonl");
    const lines = () => (existsSync(journal) ? readFileSync(journal, "utf8").split("\n").length - 1 : 0);
    while (lines() < 3 && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const done = lines() - 1;
    expect(done).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(out, "sweep.json"))).toBe(false);
    const again = await sweep(scenario, { out, seeds: "1..40" });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`finish it with npx dbsim sweep --resume ${out}`);
    const withSeeds = await captured((io) =>
      sweepCommand({ resume: out, seeds: "1..3", set: [], json: false, progress: false }, io),
    );
    expect(withSeeds.code).toBe(2);
    expect(withSeeds.stderr).toContain("drop --seeds");
  }, 120_000);
});
