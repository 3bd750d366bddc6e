// Prometheus metrics from the command line: metrics.om in the run directory (virtual-time samples
// anchored at the run's wall-clock end), metrics that never perturb the run, the live endpoint of
// `dbsim run` and `dbsim sweep`, and the bad input of the metrics options, export-tsdb and
// dashboards. (A real Prometheus reads them in test/e2e/prometheus.e2e.test.ts.)

import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliIo, runCli } from "../../cli/cli.js";
import { executeRun } from "../../cli/execute.js";
import { listenErrorMessage } from "../../cli/live-metrics.js";
import { generatedFiles } from "../../dashboards/index.js";
import { deterministicPart } from "../../reports/report.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import { cli, scenarioFile, TINY, tempDir } from "./helpers.js";

/** Replicated, with a crash and a partition: every kind of metric has something to say. */
const FAULTY = `name: faulty
duration: 6s
warmup: 500ms
cluster: { replicas: 3, replication: { mode: async } }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: a, records: 500, rate: 500/s, clients: 8, timeout: 1s }
faults:
  schedule:
    - { at: 1s, kind: crash, target: leader, restart_after: 1s }
    - { at: 3500ms, kind: partition, isolate: leader, for: 1s }
checks: [lost_writes]
`;

interface Sample {
  series: string;
  value: number;
  ms: number;
}

function samples(om: string): Sample[] {
  return om
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [series, value, stamp] = line.split(" ") as [string, string, string];
      return { series, value: Number(value), ms: Math.round(Number(stamp) * 1000) };
    });
}

/** Runs the command line in process, calling `onStderr` with everything written to stderr so far. */
async function cliWatching(onStderr: (all: string) => void, ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: {
      write: (text: string) => {
        stderr += text;
        onStderr(stderr);
      },
    },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A promise of the first live URL printed, and of a scrape of it once the final metrics are held. */
function scrapeWhenHeld(accept?: string) {
  let resolve: (text: Promise<{ type: string | null; body: string }>) => void = () => {};
  const scraped = new Promise<{ type: string | null; body: string }>((r) => {
    resolve = (p) => void p.then(r);
  });
  let done = false;
  const onStderr = (all: string) => {
    const match = /serving the final metrics for \S+ on (\S+)/.exec(all);
    if (match === null || done) return;
    done = true;
    resolve(
      fetch(match[1] as string, accept === undefined ? {} : { headers: { accept } }).then(
        async (response) => ({
          type: response.headers.get("content-type"),
          body: await response.text(),
        }),
      ),
    );
  };
  return { scraped, onStderr };
}

async function busyPort(): Promise<{ port: number; close: () => void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}

describe("metrics never perturb a run", () => {
  it("gives the same trace hash and report with and without metrics, at any sample interval, live or not", async () => {
    const scenario = () => loadScenario(FAULTY);
    const without = await executeRun(scenario(), 3, { metrics: false });
    const withMetrics = await executeRun(scenario(), 3);
    const everyQuarter = await executeRun(scenario(), 3, {
      metrics: { interval_us: 250_000, live: { attach: () => {}, tick: () => {} } },
    });
    for (const run of [withMetrics, everyQuarter]) {
      expect(run.report.trace_hash).toBe(without.report.trace_hash);
      expect(run.checkpoints).toEqual(without.checkpoints);
      expect(deterministicPart(run.report)).toEqual(deterministicPart(without.report));
    }
    expect(without.files.has("metrics.om")).toBe(false);
    expect(withMetrics.files.has("metrics.om")).toBe(true);
  });
});

describe("metrics.om", () => {
  it("samples every virtual second, anchored so that the run ends when it finished, run label on every series", async () => {
    const out = join(tempDir(), "run");
    const before = Date.now();
    const { code, stderr } = await cli("run", scenarioFile(FAULTY), "--out", out, "--seed", "3");
    const after = Date.now();
    expect([0, 1], stderr).toContain(code);
    const om = readFileSync(join(out, "metrics.om"), "utf8");
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(om.endsWith("\n# EOF\n")).toBe(true);
    expect(om.match(/^# EOF$/gm)).toHaveLength(1);
    const all = samples(om);
    for (const s of all) expect(s.series).toContain('run="faulty/seed-3"');
    // Per series: strictly increasing timestamps.
    const last = new Map<string, number>();
    for (const s of all) {
      expect(s.ms, s.series).toBeGreaterThan(last.get(s.series) ?? Number.NEGATIVE_INFINITY);
      last.set(s.series, s.ms);
    }
    const end = Math.max(...all.map((s) => s.ms));
    const start = Math.min(...all.map((s) => s.ms));
    expect(end).toBeGreaterThanOrEqual(before);
    expect(end).toBeLessThanOrEqual(after);
    expect((end - start) / 1000).toBeCloseTo(report.sim.virtual_duration_s, 2);
    // One sample per virtual second (plus the end) of the virtual time.
    const virtual = all.filter((s) => s.series.startsWith("dbsim_sim_virtual_seconds"));
    expect(virtual.map((s) => s.value).slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(virtual[virtual.length - 1]?.value).toBe(report.sim.virtual_duration_s);
    // The run's totals are those of the report.
    const final = (prefix: string) => all.filter((s) => s.series.startsWith(prefix) && s.ms === end);
    expect(final("dbsim_sim_events_total")[0]?.value).toBe(report.sim.events);
    expect(final("dbsim_messages_total").reduce((sum, s) => sum + s.value, 0)).toBe(report.sim.messages);
    expect(final("dbsim_network_bytes_total").reduce((sum, s) => sum + s.value, 0)).toBe(
      report.network?.bytes,
    );
    expect(final('dbsim_faults_total{kind="crash"')[0]?.value).toBe(1);
    expect(final('dbsim_failovers_total{shard="shard0"')[0]?.value).toBe(report.replication.failovers.length);
    const violations = final('dbsim_check_violations_total{check="lost_writes"')[0]?.value;
    expect(violations).toBe(report.checks.lost_writes.valid === false ? 1 : 0);
    // The partition is in force for one virtual second.
    const partition = all.filter((s) => s.series.startsWith("dbsim_partition_active"));
    expect(partition.filter((s) => s.value === 1).length).toBe(1);
  });

  it("is skipped with --no-metrics, denser with --metrics-interval, and a bad interval is one line, exit 2", async () => {
    const scenario = scenarioFile(TINY);
    const none = join(tempDir(), "none");
    expect((await cli("run", scenario, "--out", none, "--no-metrics")).code).toBe(0);
    expect(existsSync(join(none, "metrics.om"))).toBe(false);
    const dense = join(tempDir(), "dense");
    expect((await cli("run", scenario, "--out", dense, "--metrics-interval", "250ms")).code).toBe(0);
    const virtual = samples(readFileSync(join(dense, "metrics.om"), "utf8")).filter((s) =>
      s.series.startsWith("dbsim_sim_virtual_seconds"),
    );
    expect(virtual.map((s) => s.value).slice(0, 3)).toEqual([0, 0.25, 0.5]);
    for (const bad of ["0", "10us", "1500us", "2h", "soon"]) {
      const { code, stderr } = await cli("run", scenario, "--out", dense, "--metrics-interval", bad);
      expect(code, bad).toBe(2);
      expect(stderr, bad).toMatch(
        /^dbsim: --metrics-interval: expected a duration of whole milliseconds.*\n$/,
      );
    }
  });

  it("labels a run with --run-label", async () => {
    const out = join(tempDir(), "label");
    expect((await cli("run", scenarioFile(TINY), "--out", out, "--run-label", "tiny/always")).code).toBe(0);
    expect(readFileSync(join(out, "metrics.om"), "utf8")).toContain('run="tiny/always"');
  });
});

describe("the live endpoint", () => {
  it("serves a run's metrics and progress, in OpenMetrics when asked, and holds them after the end", async () => {
    const { scraped, onStderr } = scrapeWhenHeld("application/openmetrics-text;version=1.0.0");
    const out = join(tempDir(), "live");
    const run = await cliWatching(
      onStderr,
      "run",
      scenarioFile(TINY),
      "--out",
      out,
      "--metrics-port",
      "0",
      "--metrics-hold",
      "1",
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^dbsim: live metrics on http:\/\/127\.0\.0\.1:\d+\/metrics\n/);
    const { type, body } = await scraped;
    expect(type).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
    expect(body).toContain('dbsim_run_progress_ratio{run="tiny/seed-1"} 1\n');
    expect(body).toMatch(/dbsim_ops_total\{op="read",result="ok",run="tiny\/seed-1"\} \d+/);
    expect(body).toContain("# TYPE dbsim_ops counter\n");
    expect(body.endsWith("# EOF\n")).toBe(true);
  });

  it("serves a sweep's aggregate under <scenario>/sweep", async () => {
    const { scraped, onStderr } = scrapeWhenHeld();
    const out = join(tempDir(), "sweep");
    const sweep = await cliWatching(
      onStderr,
      "sweep",
      scenarioFile(TINY),
      "--seeds",
      "1..3",
      "--workers",
      "2",
      "--out",
      out,
      "--no-progress",
      "--metrics-port",
      "0",
      "--metrics-hold",
      "1",
    );
    expect(sweep.code, sweep.stderr).toBe(0);
    const { type, body } = await scraped;
    expect(type).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(body).toContain('dbsim_sweep_seeds{run="tiny/sweep"} 3\n');
    expect(body).toContain('dbsim_sweep_seeds_done_total{result="pass",run="tiny/sweep"} 3\n');
    const json = JSON.parse(readFileSync(join(out, "sweep.json"), "utf8"));
    const ops = /dbsim_ops_total\{op="read",result="ok",run="tiny\/sweep"\} (\d+)/.exec(body);
    expect(Number(ops?.[1])).toBeGreaterThan(0);
    expect(json.seeds).toHaveLength(3);
    expect(body).not.toContain("seed-");
  });

  it("refuses a port in use, and inconsistent options, with one line and exit 2", async () => {
    const busy = await busyPort();
    try {
      const scenario = scenarioFile(TINY);
      const inUse = await cli("run", scenario, "--out", tempDir(), "--metrics-port", String(busy.port));
      expect(inUse.code).toBe(2);
      expect(inUse.stderr).toBe(
        `dbsim: --metrics-port ${busy.port}: 127.0.0.1:${busy.port} is already in use (choose another port, or 0 for any free one)\n`,
      );
      const sweep = await cli("sweep", scenario, "--seeds", "1..2", "--metrics-port", String(busy.port));
      expect(sweep.code).toBe(2);
      expect(sweep.stderr).toContain("is already in use");
      for (const [argv, message] of [
        [["--metrics-host", "0.0.0.0"], "--metrics-host needs --metrics-port"],
        [["--metrics-hold", "3"], "--metrics-hold needs --metrics-port"],
        [["--metrics-port", "70000"], "--metrics-port: expected a port number from 0 to 65535 (got 70000)"],
        [["--metrics-port", "0", "--no-metrics"], "--metrics-port serves the run's metrics"],
        [["--metrics-port", "0", "--metrics-hold", "-1"], "--metrics-hold: expected seconds"],
        [
          ["--metrics-port", "0", "--metrics-host", "192.0.2.1"],
          "--metrics-host 192.0.2.1: not an address of this machine",
        ],
      ] as const) {
        const outcome = await cli("run", scenario, "--out", tempDir(), ...argv);
        expect(outcome.code, argv.join(" ")).toBe(2);
        expect(outcome.stderr, argv.join(" ")).toContain(message);
        expect(outcome.stderr.split("\n")).toHaveLength(2);
      }
    } finally {
      busy.close();
    }
  });
});

describe("listen errors", () => {
  it("say what is wrong in one line", () => {
    const error = (code: string) => Object.assign(new Error(`listen ${code}`), { code });
    expect(listenErrorMessage(error("EACCES"), "127.0.0.1", 80)).toBe(
      "--metrics-port 80: no permission to listen on 127.0.0.1:80 (ports below 1024 need privileges)",
    );
    expect(listenErrorMessage(error("ENOTFOUND"), "nohost.invalid", 9464)).toBe(
      "--metrics-host nohost.invalid: cannot resolve this host name",
    );
    expect(listenErrorMessage(error("EADDRINUSE"), "::1", 9464)).toBe(
      "--metrics-port 9464: [::1]:9464 is already in use (choose another port, or 0 for any free one)",
    );
    expect(listenErrorMessage(error("EMFILE"), "127.0.0.1", 9464)).toBe(
      "cannot serve metrics on 127.0.0.1:9464: listen EMFILE",
    );
  });
});

describe("dbsim export-tsdb", () => {
  it("refuses a run directory without metrics.om, and a missing one, with one line, exit 2", async () => {
    const out = join(tempDir(), "plain");
    expect((await cli("run", scenarioFile(TINY), "--out", out, "--no-metrics")).code).toBe(0);
    const none = await cli("export-tsdb", out, "--to", join(tempDir(), "tsdb"));
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `dbsim: ${out}: no metrics.om (the run was made with --no-metrics, or by a dbsim without metrics)\n`,
    );
    const missing = await cli("export-tsdb", join(tempDir(), "nope"), "--to", join(tempDir(), "tsdb"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/not a run directory\n$/);
  });

  it("names the Debian package when promtool is missing (exit 2), and refuses two runs with one label", async () => {
    const a = join(tempDir(), "a");
    const b = join(tempDir(), "b");
    const scenario = scenarioFile(TINY);
    expect((await cli("run", scenario, "--out", a)).code).toBe(0);
    expect((await cli("run", scenario, "--out", b)).code).toBe(0);
    const same = await cli("export-tsdb", a, b, "--to", join(tempDir(), "tsdb"));
    expect(same.code).toBe(2);
    expect(same.stderr).toContain(`${a} and ${b} are both run "tiny/seed-1"`);
    const path = process.env.PATH;
    const empty = tempDir();
    process.env.PATH = empty;
    try {
      const absent = await cli("export-tsdb", a, "--to", join(tempDir(), "tsdb"));
      expect(absent.code).toBe(2);
      expect(absent.stderr).toBe(
        "dbsim: promtool not found on PATH: install Prometheus's tools (Debian/Ubuntu: apt-get install prometheus)\n",
      );
    } finally {
      process.env.PATH = path;
    }
  });
});

describe("dbsim dashboards", () => {
  it("writes the dashboards, provisioning, prometheus.yml and docker-compose.yml", async () => {
    const out = join(tempDir(), "dash");
    mkdirSync(out);
    const { code, stdout } = await cli("dashboards", "--out", out);
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote ${generatedFiles().size} files to ${out}/`);
    for (const [path, content] of generatedFiles())
      expect(readFileSync(join(out, path), "utf8")).toBe(content);
    expect(readdirSync(out).filter((f) => f.endsWith(".json"))).toHaveLength(7);
  });
});
