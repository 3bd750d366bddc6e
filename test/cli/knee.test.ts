import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { kneeTestHooks } from "../../cli/commands/knee.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import { estimateMemory } from "../../workloads/scenario/memory.js";
import { cli, scenarioFile, TINY, tempDir } from "./helpers.js";

/** TINY shortened: each run simulates 0.7 s. */
const SHORT = ["--set", "duration=500ms", "--set", "warmup=200ms"];
/** A coarse, quick search: few rates. */
const QUICK = ["--precision", "25%", "--seeds", "1..2", ...SHORT];
const SIMULATION_TIMEOUT_MS = 240_000;

interface KneeFile {
  scenario: string;
  slo: string[];
  seeds: number[];
  knee_ops_per_s: number | null;
  breach_ops_per_s: number | null;
  note?: string;
  points: {
    offered_ops_per_s: number;
    probe: number;
    ok: boolean;
    runs: {
      seed: number;
      ok: boolean;
      slo: { figure: string; value: number | null; ok: boolean }[];
      achieved_ops_per_s: number;
      reproduce: string;
    }[];
  }[];
}

describe("dbsim knee", () => {
  it(
    "finds the highest rate whose every seed meets the SLO, prints knee.json and writes it with its page",
    async () => {
      const out = join(tempDir(), "knee");
      const scenario = scenarioFile(TINY);
      const { code, stdout, stderr } = await cli(
        "knee",
        scenario,
        "--slo",
        "all.p99 < 5ms",
        ...QUICK,
        "--out",
        out,
        "--json",
      );
      expect(code, stderr).toBe(0);
      expect(stderr).toMatch(
        new RegExp(`^dbsim: wrote ${out}/ \\(knee\\.json, knee\\.html; \\d+ rates probed\\)\\n$`),
      );
      const knee = JSON.parse(stdout) as KneeFile;
      expect(readFileSync(join(out, "knee.json"), "utf8")).toBe(stdout);
      expect(knee).toMatchObject({ scenario: "tiny", slo: ["all.p99 < 5ms"], seeds: [1, 2] });
      const { knee_ops_per_s: found, breach_ops_per_s: breach, points } = knee;
      expect(found).not.toBeNull();
      expect(breach).not.toBeNull();
      // The knee is the largest probed rate that met the SLO; the rate above it breached, within 25%.
      const met = points.filter((p) => p.ok).map((p) => p.offered_ops_per_s);
      expect(found).toBe(Math.max(...met));
      expect(points.find((p) => p.offered_ops_per_s === breach)?.ok).toBe(false);
      expect((breach as number) - (found as number)).toBeLessThanOrEqual(0.25 * (found as number));
      // Points by rate, each with every seed's run: its SLO value, achieved ops/s and the command to see it.
      expect(points.map((p) => p.offered_ops_per_s)).toEqual(
        [...points.map((p) => p.offered_ops_per_s)].sort((a, b) => a - b),
      );
      expect(new Set(points.map((p) => p.probe)).size).toBe(points.length);
      for (const point of points) {
        expect(point.runs.map((r) => r.seed)).toEqual([1, 2]);
        expect(point.ok).toBe(point.runs.every((r) => r.ok));
        for (const run of point.runs) {
          expect(run.slo[0]?.figure).toBe("all.p99");
          expect(run.ok).toBe((run.slo[0]?.value as number) < 5000);
          expect(run.achieved_ops_per_s).toBeGreaterThan(0);
          expect(run.reproduce).toBe(
            `npx dbsim run ${scenario} --seed ${run.seed} --set duration=500ms --set warmup=200ms ` +
              `--set workload.rate=${point.offered_ops_per_s}/s`,
          );
        }
      }
      const page = readFileSync(join(out, "knee.html"), "utf8");
      expect(page).toContain("all.p99 against offered load");
      expect(page).toContain(`knee ${found}/s`);
      // No probe wrote a run directory: the search's directory holds its files and its journal.
      expect(readFileSync(join(out, ".dbsim"), "utf8")).toContain(
        '"files":["knee.json","knee.html","journal.jsonl"]',
      );
    },
    SIMULATION_TIMEOUT_MS,
  );

  it(
    "prints the points as a table, and a table of each variant with --vary",
    async () => {
      const out = join(tempDir(), "knee");
      const { code, stdout, stderr } = await cli(
        "knee",
        scenarioFile(TINY),
        "--slo",
        "all.p99 < 5ms",
        "--vary",
        "cluster.node.service_time=100us,1ms",
        ...QUICK,
        "--out",
        out,
      );
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/^dbsim knee: tiny, SLO all\.p99 < 5ms, seeds 1\.\.2, precision 25%\n/);
      expect(stdout).toMatch(
        /\nservice_time=100us: knee \d+ ops\/s \(\d+\/s breached\)\n {2}offered\/s {2}met/,
      );
      expect(stdout).toMatch(/\nservice_time=1ms: knee \d+ ops\/s/);
      expect(stdout).toContain(" <- knee\n");
      expect(stdout).toContain("--set cluster.node.service_time=1ms --set workload.rate=");
      expect(stdout).toMatch(
        new RegExp(`wrote ${out}/ \\(knee\\.json, knee\\.html; \\d+ rates probed\\)\\n$`),
      );
      const knee = JSON.parse(readFileSync(join(out, "knee.json"), "utf8"));
      const [fast, slow] = knee.variants;
      expect(fast).toMatchObject({
        label: "service_time=100us",
        overrides: ["cluster.node.service_time=100us"],
      });
      // Ten times the service time saturates the node sooner.
      expect(slow.knee_ops_per_s).toBeLessThan(fast.knee_ops_per_s);
      expect(knee.knee_ops_per_s).toBeUndefined();
    },
    SIMULATION_TIMEOUT_MS,
  );

  it(
    "writes the same knee.json bytes with 1 worker as with 2",
    async () => {
      const scenario = scenarioFile(TINY);
      const bytes = async (workers: string) => {
        const out = join(tempDir(), "knee");
        const args = ["--slo", "all.p99 < 5ms", "--vary", "workload.clients=2,8", ...QUICK];
        const { code, stderr } = await cli("knee", scenario, ...args, "--workers", workers, "--out", out);
        expect(code, stderr).toBe(0);
        return readFileSync(join(out, "knee.json"), "utf8");
      };
      expect(await bytes("1")).toBe(await bytes("2"));
    },
    SIMULATION_TIMEOUT_MS,
  );

  it(
    "exits 5 with a null knee when even the lowest rate breaches, and says why",
    async () => {
      const { code, stdout, stderr } = await cli(
        "knee",
        scenarioFile(TINY),
        "--slo",
        "all.p99 < 10us",
        "--from",
        "200/s",
        ...QUICK,
        "--out",
        join(tempDir(), "knee"),
        "--json",
      );
      expect(code, stderr).toBe(5);
      const knee = JSON.parse(stdout) as KneeFile;
      expect(knee.knee_ops_per_s).toBeNull();
      expect(knee.note).toBe("even 200/s, the lowest rate the search may probe, breaches the SLO");
      expect(knee.points.map((p) => p.offered_ops_per_s)).toEqual([200]);
    },
    SIMULATION_TIMEOUT_MS,
  );

  it(
    "stops at --to when the SLO holds there: the knee is a lower bound, and says so",
    async () => {
      const out = join(tempDir(), "knee");
      const scenario = scenarioFile(TINY);
      const knee = async () =>
        cli("knee", scenario, "--slo", "all.p99 < 1s", "--to", "800/s", ...QUICK, "--out", out, "--json");
      const { code, stdout, stderr } = await knee();
      expect(code, stderr).toBe(0);
      const found = JSON.parse(stdout) as KneeFile;
      expect(found).toMatchObject({ knee_ops_per_s: 800, breach_ops_per_s: null });
      expect(found.note).toBe(
        "the SLO holds at 800/s, the highest rate the search may probe (--to): the knee is at least that",
      );
      expect(found.points.map((p) => p.offered_ops_per_s)).toEqual([500, 800]);
      // Again into the same --out: the earlier search dbsim wrote is replaced, and that is said.
      const again = await knee();
      expect(again.code).toBe(0);
      expect(again.stderr).toContain(`dbsim: replacing the earlier knee search in ${out}\n`);
      expect(again.stdout).toBe(stdout);
    },
    SIMULATION_TIMEOUT_MS,
  );

  it(
    "probes no rate whose runs would be estimated over --max-memory",
    async () => {
      const set = ["duration=500ms", "warmup=200ms"];
      const { code, stdout, stderr } = await cli(
        "knee",
        scenarioFile(TINY),
        "--slo",
        "all.p99 < 1h",
        "--seeds",
        "1",
        "--workers",
        "1",
        "--max-memory",
        "170MiB",
        ...set.flatMap((s) => ["--set", s]),
        "--out",
        join(tempDir(), "knee"),
        "--json",
      );
      expect(code, stderr).toBe(0);
      const knee = JSON.parse(stdout) as KneeFile & { search: { cap_ops_per_s: number } };
      const cap = knee.search.cap_ops_per_s;
      const estimate_MiB = (rate: number) =>
        estimateMemory(loadScenario(TINY, { overrides: [...set, `workload.rate=${rate}/s`] }).resolved)
          .total_bytes /
        2 ** 20;
      expect(estimate_MiB(cap)).toBeLessThanOrEqual(170);
      expect(estimate_MiB(cap + 1)).toBeGreaterThan(170);
      expect(knee).toMatchObject({ knee_ops_per_s: cap, breach_ops_per_s: null });
      expect(knee.note).toBe(
        `the SLO holds at ${cap}/s, the highest rate the search may probe ` +
          "(more would be estimated over --max-memory): the knee is at least that",
      );
    },
    SIMULATION_TIMEOUT_MS,
  );

  it("refuses an --out it did not write, before running anything", async () => {
    const out = join(tempDir(), "mine");
    mkdirSync(out);
    writeFileSync(join(out, "notes.txt"), "keep me");
    const { code, stderr } = await cli("knee", scenarioFile(TINY), "--slo", "all.p99 < 5ms", "--out", out);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `dbsim: --out ${out} is a non-empty directory dbsim did not write (no .dbsim in it); ` +
        "dbsim writes only to a new path, an empty directory or a directory it wrote\n",
    );
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("keep me");
  });

  const bad: [string, string, string[], RegExp][] = [
    ["no --slo", TINY, [], /^dbsim: knee needs an --slo, e\.g\. --slo 'all\.p99 < 10ms'\n$/],
    [
      "an --slo on no figure",
      TINY,
      ["--slo", "all.p98 < 10ms"],
      /^dbsim: --slo all\.p98 < 10ms: "all\.p98" is not a threshold figure: /,
    ],
    [
      "an --slo whose bound is not its figure's unit",
      TINY,
      ["--slo", "all.p99 < 10"],
      /^dbsim: --slo all\.p99 < 10: all\.p99 is a latency: write a duration such as 10ms/,
    ],
    [
      "a bad --precision",
      TINY,
      ["--slo", "all.p99 < 5ms", "--precision", "90%"],
      /--precision 90%: expected a percentage from 0\.1% to 50%/,
    ],
    [
      "a rate that is not whole",
      TINY,
      ["--slo", "all.p99 < 5ms", "--from", "2.5/s"],
      /--from 2\.5\/s: expected a whole rate from 1\/s to 1000k\/s/,
    ],
    [
      "--from above --to",
      TINY,
      ["--slo", "all.p99 < 5ms", "--from", "2k/s", "--to", "1k/s"],
      /--from 2k\/s is above --to 1k\/s/,
    ],
    [
      "--vary workload.rate",
      TINY,
      ["--slo", "all.p99 < 5ms", "--vary", "workload.rate=1/s,2/s"],
      /--vary workload\.rate: the knee varies the rate itself; use --from and --to/,
    ],
    [
      "a --vary value the schema refuses",
      TINY,
      ["--slo", "all.p99 < 5ms", "--vary", "cluster.node.fsync_policy=always,sometimes"],
      /^dbsim: --vary cluster\.node\.fsync_policy=sometimes: /,
    ],
    [
      "a scenario whose rate is stages",
      TINY,
      ["--slo", "all.p99 < 5ms", "--set", "workload.rate=[{for: 1s, to: 500/s}]"],
      /: workload\.rate is stages; the knee varies one constant rate/,
    ],
  ];
  for (const [what, scenario, args, message] of bad) {
    it(`exits 2 for ${what}, writing nothing`, async () => {
      const out = join(tempDir(), "k");
      const { code, stdout, stderr } = await cli("knee", scenarioFile(scenario), ...args, "--out", out);
      expect(stderr).toMatch(message);
      expect(stderr.split("\n")).toHaveLength(2);
      expect(stdout).toBe("");
      expect(code).toBe(2);
      expect(() => readFileSync(join(out, "knee.json"))).toThrow();
    });
  }
});

describe("an interrupted knee search", () => {
  afterEach(() => {
    delete kneeTestHooks.runTask;
  });

  const scenario = scenarioFile(TINY);
  /** One worker: the runs finish in order, so a signal after N of them cuts the search at a known probe. */
  const ARGS = [scenario, "--slo", "all.p99 < 5ms", ...QUICK, "--workers", "1"];
  const resumeOf = (out: string) =>
    `npx dbsim knee ${scenario} --slo 'all.p99 < 5ms' --seeds 1..2 --set duration=500ms --set warmup=200ms ` +
    `--precision 25% --workers 1 --out ${out} --resume`;

  /** The search run whole, once for the tests below: its exit code, knee.json and rates probed. */
  let whole: Promise<{ code: number; json: string; rates: number }> | undefined;
  const uninterrupted = () => {
    whole ??= (async () => {
      const out = join(tempDir(), "knee");
      const { code, stderr } = await cli("knee", ...ARGS, "--out", out);
      expect(code, stderr).toBe(0);
      const json = readFileSync(join(out, "knee.json"), "utf8");
      return { code, json, rates: (JSON.parse(json) as KneeFile).points.length };
    })();
    return whole;
  };

  /** Sends `signal` to this process once `runs` runs have finished (the handler sees it as from outside). */
  function signalAfter(runs: number, signal: "SIGINT" | "SIGTERM"): void {
    let finished = 0;
    kneeTestHooks.runTask = async (task, run) => {
      const result = await run(task);
      if (++finished === runs) setImmediate(() => process.emit(signal)); // once its probe is journaled
      return result;
    };
  }

  /** Counts the runs the search makes from now on. */
  function countRuns(): { runs: number } {
    const count = { runs: 0 };
    kneeTestHooks.runTask = (task, run) => {
      count.runs++;
      return run(task);
    };
    return count;
  }

  it(
    "SIGINT writes knee.json with the probes done and how to go on, exits 130; --resume runs only the rest and writes the same bytes as one search",
    async () => {
      const { json: wholeJson, rates } = await uninterrupted();
      expect(rates).toBeGreaterThan(3);
      const out = join(tempDir(), "knee");
      signalAfter(4, "SIGINT"); // two rates of two seeds each
      const cut = await cli("knee", ...ARGS, "--out", out);
      expect(cut.code, cut.stderr).toBe(130);
      const knee = JSON.parse(readFileSync(join(out, "knee.json"), "utf8"));
      expect(knee).toMatchObject({
        knee_ops_per_s: null,
        breach_ops_per_s: null,
        interrupted: true,
        resume: resumeOf(out),
      });
      expect(knee.points.map((p: { offered_ops_per_s: number }) => p.offered_ops_per_s)).toEqual([500, 1000]);
      expect(knee.points.every((p: { ok: boolean }) => p.ok)).toBe(true);
      expect(knee.bracket).toEqual({ met_ops_per_s: 1000, breached_ops_per_s: null });
      expect(knee.note).toBe("the search was interrupted; so far the knee is at least 1000/s");
      expect(cut.stdout).toContain(
        "no knee yet: the search was interrupted; so far the knee is at least 1000/s\n",
      );
      expect(cut.stdout).toContain(`wrote ${out}/ (knee.json, knee.html; 2 rates probed)\n`);
      expect(cut.stderr).toBe(`dbsim: interrupted by SIGINT; go on with: ${resumeOf(out)}\n`);
      expect(readFileSync(join(out, "knee.html"), "utf8")).toContain("a search had not ended; go on with");
      // The journal: its header, then one line per finished probe.
      const journal = readFileSync(join(out, "journal.jsonl"), "utf8").trim().split("\n");
      expect(journal).toHaveLength(3);
      expect(JSON.parse(journal[1] as string)).toMatchObject({ variant: "baseline", offered_ops_per_s: 500 });

      // The same search started again into it is refused: it would lose the probes done.
      const again = await cli("knee", ...ARGS, "--out", out);
      expect(again.code).toBe(2);
      expect(again.stderr).toBe(
        `dbsim: --out ${out} holds an unfinished knee search (2 rates probed): go on with ${resumeOf(out).replace(" --workers 1", "")}, or choose another --out\n`,
      );

      delete kneeTestHooks.runTask;
      const counted = countRuns();
      const resumed = await cli("knee", ...ARGS, "--out", out, "--resume");
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toBe(`dbsim: resuming the knee search in ${out}: 2 rates probed\n`);
      expect(counted.runs).toBe((rates - 2) * 2);
      expect(readFileSync(join(out, "knee.json"), "utf8")).toBe(wholeJson);
    },
    SIMULATION_TIMEOUT_MS,
  );

  it(
    "SIGTERM exits 143; a probe's line a kill cut short is run again",
    async () => {
      const { json: wholeJson } = await uninterrupted();
      const out = join(tempDir(), "knee");
      signalAfter(6, "SIGTERM");
      const cut = await cli("knee", ...ARGS, "--out", out);
      expect(cut.code, cut.stderr).toBe(143);
      expect(cut.stderr).toContain("dbsim: interrupted by SIGTERM; go on with: ");
      // A kill in the middle of writing the third probe's line: the journal ends with half a line.
      const path = join(out, "journal.jsonl");
      const lines = readFileSync(path, "utf8").trim().split("\n");
      expect(lines).toHaveLength(4);
      writeFileSync(path, `${lines.slice(0, 3).join("\n")}\n${(lines[3] as string).slice(0, 40)}`);
      delete kneeTestHooks.runTask;
      const counted = countRuns();
      const resumed = await cli("knee", ...ARGS, "--out", out, "--resume");
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toBe(`dbsim: resuming the knee search in ${out}: 2 rates probed\n`);
      expect(readFileSync(join(out, "knee.json"), "utf8")).toBe(wholeJson);
      expect(counted.runs).toBeGreaterThan(0);
    },
    SIMULATION_TIMEOUT_MS,
  );

  it(
    "loses no finished probe to SIGKILL: --resume goes on from the journal",
    async () => {
      const { json: wholeJson, rates } = await uninterrupted();
      const out = join(tempDir(), "knee");
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "cli/main.ts", "knee", ...ARGS, "--out", out],
        {
          stdio: "ignore",
        },
      );
      const journal = join(out, "journal.jsonl");
      const probes = () => (existsSync(journal) ? readFileSync(journal, "utf8").split("\n").length - 2 : 0);
      while (probes() < 2 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const done = probes();
      expect(done).toBeGreaterThanOrEqual(2);
      expect(done).toBeLessThan(rates);
      expect(existsSync(join(out, "knee.json"))).toBe(false);
      const counted = countRuns();
      const resumed = await cli("knee", ...ARGS, "--out", out, "--resume");
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(counted.runs).toBe((rates - done) * 2);
      expect(readFileSync(join(out, "knee.json"), "utf8")).toBe(wholeJson);
    },
    SIMULATION_TIMEOUT_MS,
  );

  it(
    "refuses to resume under another command, naming what differs, and where there is no search",
    async () => {
      const out = join(tempDir(), "knee");
      signalAfter(2, "SIGINT");
      expect((await cli("knee", ...ARGS, "--out", out)).code).toBe(130);
      delete kneeTestHooks.runTask;
      const refused = async (...args: string[]) => {
        const { code, stdout, stderr } = await cli("knee", ...args, "--resume");
        expect(code).toBe(2);
        expect(stdout).toBe("");
        expect(stderr.split("\n")).toHaveLength(2);
        return stderr;
      };
      const slo = ARGS.map((arg) => (arg === "all.p99 < 5ms" ? "all.p99 < 9ms" : arg));
      expect(await refused(...slo, "--out", out)).toBe(
        `dbsim: --resume: the knee search in ${out} was started with --slo 'all.p99 < 5ms', not ` +
          "--slo 'all.p99 < 9ms'; give the command that started it, or choose another --out\n",
      );
      expect(await refused(...ARGS, "--vary", "workload.clients=2,8", "--out", out)).toContain(
        "was started with no --vary, not --vary workload.clients=2,8;",
      );
      expect(await refused(...ARGS, "--to", "5k/s", "--out", out)).toContain(
        "was started with no --to, not --to 5000/s;",
      );
      const empty = join(tempDir(), "none");
      expect(await refused(...ARGS, "--out", empty)).toBe(
        `dbsim: --resume: ${empty} holds no knee search to go on with (start one without --resume)\n`,
      );
      // Nothing was run or changed: the interrupted search is still there to go on with.
      expect(JSON.parse(readFileSync(join(out, "knee.json"), "utf8")).interrupted).toBe(true);
    },
    SIMULATION_TIMEOUT_MS,
  );
});
