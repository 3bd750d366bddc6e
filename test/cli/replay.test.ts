// dbsim replay, through replayCommand with the top level's error handling (helpers.captured), as cli.ts
// runs it; and checkDeterminism.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type ReplayArgs, replayCommand } from "../../cli/commands/replay.js";
import { checkDeterminism, divergenceLine, findDivergence } from "../../cli/determinism.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import { captured, cli, scenarioFile, TINY, tempDir } from "./helpers.js";

function replay(target: string, options: Partial<ReplayArgs> = {}) {
  return captured((io) => replayCommand({ target, ...options }, io));
}

/** Async replication through a one-way partition and a crash of the leader: stale reads. */
const FAILOVER = `name: failover
duration: 8s
cluster: { replicas: 3, replication: { mode: async } }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: a, records: 100, rate: 5000/s, clients: 32, timeout: 500ms }
faults:
  schedule:
    - { at: 2s, kind: partition, one_way: { from: leader, to: followers }, for: 3s }
    - { at: 3s, kind: crash, target: leader, restart_after: 2s }
checks: [lost_writes, stale_reads]
`;

interface Failure {
  trace_hash: string;
  dbsim_version: string;
  checkpoints: { events: number; time_us: number; hash: string }[];
  violations: Record<string, unknown>;
}

/** A copy of the failure.json, changed by `edit`, in a fresh directory; returns its path. */
function tampered(failureFile: string, edit: (failure: Failure) => void): string {
  const failure = JSON.parse(readFileSync(failureFile, "utf8")) as Failure;
  edit(failure);
  const path = join(tempDir(), "failure.json");
  writeFileSync(path, JSON.stringify(failure));
  return path;
}

describe("dbsim replay", () => {
  let failed: string;
  let clean: string;
  beforeAll(async () => {
    failed = join(tempDir(), "failed");
    expect((await cli("run", scenarioFile(FAILOVER), "--seed", "2", "--out", failed)).code).toBe(1);
    clean = join(tempDir(), "clean");
    expect((await cli("run", scenarioFile(`${TINY}checks: [stale_reads]\n`), "--out", clean)).code).toBe(0);
  });

  it("re-runs a recorded failure: same trace hash, the violation, exit 1", async () => {
    const file = join(failed, "failure.json");
    const failure = JSON.parse(readFileSync(file, "utf8")) as Failure;
    expect(failure.checkpoints.length).toBeGreaterThan(0);
    const { code, stdout, stderr } = await replay(file);
    expect(stderr).toBe("");
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(
      `trace hash ${failure.trace_hash} matches ${file} (${failure.checkpoints.length} checkpoint${failure.checkpoints.length === 1 ? "" : "s"} and the final hash)`,
    );
    expect(lines.slice(1)).toEqual(
      Object.keys(failure.violations).map((name) =>
        expect.stringMatching(`^check ${name}: VIOLATED: \\d+ anomalies in \\d+ checked; first: \\{`),
      ),
    );
    expect(code).toBe(1);
  });

  it("replays a run directory's failure.json", async () => {
    const { code, stdout } = await replay(failed);
    expect(stdout).toContain(`matches ${join(failed, "failure.json")}`);
    expect(code).toBe(1);
  });

  it("exits 4 naming the first diverging checkpoint of a tampered failure.json", async () => {
    const file = tampered(join(failed, "failure.json"), (failure) => {
      (failure.checkpoints[0] as { hash: string }).hash = "0123456789abcdef";
    });
    const { code, stdout, stderr } = await replay(file);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      new RegExp(
        `^dbsim: replay of ${file} diverged: first diverging checkpoint 1 \\(event 100000, virtual time \\d+\\.\\d{6}s\\): ` +
          "expected hash 0123456789abcdef, got [0-9a-f]{16}\n$",
      ),
    );
    expect(code).toBe(4);
  });

  it("exits 4 on a tampered trace hash when every checkpoint agrees", async () => {
    const file = tampered(join(failed, "failure.json"), (failure) => {
      failure.trace_hash = "0123456789abcdef";
    });
    const { code, stderr } = await replay(file);
    expect(stderr).toMatch(
      /diverged: trace hash differs: expected 0123456789abcdef, got [0-9a-f]{16} \(the runs agree up to event \d+, virtual time /,
    );
    expect(code).toBe(4);
  });

  it("warns on another dbsim version and still replays", async () => {
    const file = tampered(join(failed, "failure.json"), (failure) => {
      failure.dbsim_version = "0.0.1";
    });
    const { code, stderr } = await replay(file);
    expect(stderr).toMatch(
      /^dbsim: warning: .* was recorded by dbsim 0\.0\.1, this is dbsim \S+; the trace may differ\n$/,
    );
    expect(code).toBe(1);
  });

  it("replays a clean run directory by its report.json: final hash only, exit 0", async () => {
    const report = JSON.parse(readFileSync(join(clean, "report.json"), "utf8"));
    const { code, stdout, stderr } = await replay(clean);
    expect(stderr).toBe("");
    expect(stdout).toBe(
      `trace hash ${report.trace_hash} matches ${join(clean, "report.json")} (final hash only)\n`,
    );
    expect(code).toBe(0);
  });

  it("--trace writes the history events within 1s of the first violation", async () => {
    const trace = join(tempDir(), "trace.jsonl");
    const { code, stdout } = await replay(join(failed, "failure.json"), { trace });
    expect(code).toBe(1);
    const match = stdout.match(
      /wrote .*: (\d+) history events within 1s of virtual time (\d+\.\d+)s \(history event (\d+),/,
    );
    expect(match).not.toBeNull();
    const [, count, seconds, index] = match as RegExpMatchArray;
    const events = readFileSync(trace, "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events).toHaveLength(Number(count));
    const anchor = events.find((event) => event.index === Number(index));
    expect(anchor.time).toBe(Math.round(Number(seconds) * 1e6));
    for (const event of events) expect(Math.abs(event.time - anchor.time)).toBeLessThanOrEqual(1e6);
    const history = readFileSync(join(failed, "history.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(history.filter((event) => Math.abs(event.time - anchor.time) <= 1e6)).toEqual(events);
  });

  it("--trace is refused for a run with no violation", async () => {
    const { code, stdout, stderr } = await replay(clean, { trace: join(tempDir(), "t.jsonl") });
    expect(stderr).toBe("dbsim: --trace: not supported for this failure: the run found no violation\n");
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });

  const bad: [string, () => string, RegExp][] = [
    [
      "a missing file",
      () => "/nonexistent/failure.json",
      /^dbsim: cannot read \/nonexistent\/failure\.json: no such file or directory$/,
    ],
    ["a directory with no run", () => tempDir(), /^dbsim: cannot read .*\/report\.json: no such file$/],
    [
      "a file that is not JSON",
      () => {
        const path = join(tempDir(), "failure.json");
        writeFileSync(path, "{ not json");
        return path;
      },
      /^dbsim: .*failure\.json: not JSON \(/,
    ],
    [
      "an unknown schema",
      () => {
        const path = join(tempDir(), "failure.json");
        writeFileSync(path, JSON.stringify({ schema: "dbsim.failure/v9" }));
        return path;
      },
      /^dbsim: .*failure\.json: unknown schema \(got "dbsim\.failure\/v9"\); replay reads dbsim\.failure\/v1 and dbsim\.report\/v1$/,
    ],
    [
      "a failure.json missing a field",
      () =>
        tampered(join(failed, "failure.json"), (failure) => {
          delete (failure as Partial<Failure>).checkpoints;
        }),
      /^dbsim: .*failure\.json: invalid failure: checkpoints: /,
    ],
    [
      "a run directory whose report.json is not a report",
      () => {
        const dir = join(tempDir(), "run");
        mkdirSync(dir);
        writeFileSync(join(dir, "report.json"), "[]");
        return dir;
      },
      /^dbsim: .*report\.json: unknown schema \(got no schema field\)/,
    ],
  ];
  for (const [what, target, message] of bad) {
    it(`exits 2 with one line for ${what}`, async () => {
      const { code, stdout, stderr } = await replay(target());
      expect(stderr.trimEnd()).toMatch(message);
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(stdout).toBe("");
      expect(code).toBe(2);
    });
  }
});

describe("checkDeterminism", () => {
  it("runs twice and finds the same trace", async () => {
    const scenario = loadScenario(FAILOVER);
    const check = await checkDeterminism(scenario, 2);
    expect(check).toEqual({ same: true, trace_hash: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });
});

describe("findDivergence", () => {
  const a = { events: 100_000, time_us: 1_500_000, hash: "aaaaaaaaaaaaaaaa" };
  const b = { events: 200_000, time_us: 3_000_000, hash: "bbbbbbbbbbbbbbbb" };

  it("is undefined for the same trace", () => {
    const trace = { trace_hash: "cccccccccccccccc", checkpoints: [a, b] };
    expect(findDivergence(trace, { ...trace })).toBeUndefined();
  });

  it("names a checkpoint the other run never reached", () => {
    const divergence = findDivergence(
      { trace_hash: "cccccccccccccccc", checkpoints: [a, b] },
      { trace_hash: "dddddddddddddddd", checkpoints: [a] },
    );
    expect(divergence && divergenceLine(divergence)).toBe(
      "first diverging checkpoint 2 (event 200000, virtual time 3.000000s): expected hash bbbbbbbbbbbbbbbb, " +
        "got none (the run ended before it)",
    );
  });

  it("compares the final hashes only when checkpoints are not recorded", () => {
    const divergence = findDivergence(
      { trace_hash: "cccccccccccccccc", checkpoints: null },
      { trace_hash: "dddddddddddddddd", checkpoints: [a] },
    );
    expect(divergence && divergenceLine(divergence)).toBe(
      "trace hash differs: expected cccccccccccccccc, got dddddddddddddddd (no checkpoint locates the divergence)",
    );
  });
});
