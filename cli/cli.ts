// dbsim's command line: the composition root. Every error is one line and a documented exit code;
// stack traces only with --debug.

import yargs from "yargs";
import { calibrateCommand } from "./commands/calibrate.js";
import { checkCommand } from "./commands/check.js";
import { compareCommand } from "./commands/compare.js";
import { compareBaselineCommand } from "./commands/compare-baseline.js";
import { DEFAULT_DASHBOARDS_DIR, dashboardsCommand } from "./commands/dashboards.js";
import { explainCommand } from "./commands/explain.js";
import { exportTsdbCommand } from "./commands/export-tsdb.js";
import { kneeCommand } from "./commands/knee.js";
import { matrixCommand } from "./commands/matrix.js";
import { mergeCommand } from "./commands/merge.js";
import { realCommand } from "./commands/real.js";
import { replayCommand } from "./commands/replay.js";
import { runCommand } from "./commands/run.js";
import { shrinkCommand } from "./commands/shrink.js";
import { sweepCommand } from "./commands/sweep.js";
import { workerCommand } from "./commands/worker.js";
import { CliError, describeError } from "./errors.js";
import { EXIT_BAD_INPUT, EXIT_OK } from "./exit-codes.js";
import { DBSIM } from "./invocation.js";
import { dbsimVersion } from "./version.js";

// Options several commands share.
const SET_OPTION = {
  type: "string" as const,
  array: true as const,
  requiresArg: true,
  default: [] as string[],
  describe: "Override a scenario field: --set path=value (value in YAML; repeatable)",
};
const PROGRESS_OPTION = { type: "boolean" as const, default: true, describe: "Progress bar on a terminal" };
const WORKERS_OPTION = {
  type: "number" as const,
  requiresArg: true,
  describe: "Worker threads [default: cores]",
};
// Metrics: the virtual-time timeline (metrics.om) of every run, and the live endpoint.
const METRICS_OPTION = {
  type: "boolean" as const,
  default: true,
  describe: "Record metrics.om, the run's Prometheus metrics over virtual time (--no-metrics: skip it)",
};
const METRICS_INTERVAL_OPTION = {
  type: "string" as const,
  requiresArg: true,
  describe: "Virtual time between two samples of metrics.om [default: 1s]",
};
const METRICS_PORT_OPTION = {
  type: "number" as const,
  requiresArg: true,
  describe: "Serve live Prometheus metrics on this port while running (0: any free port)",
};
const METRICS_HOST_OPTION = {
  type: "string" as const,
  requiresArg: true,
  describe: "Address the live metrics listen on [default: 127.0.0.1]",
};
// The memory a scenario's run may be estimated to keep (workloads/scenario/memory.ts).
const MAX_MEMORY_OPTION = {
  type: "string" as const,
  requiresArg: true,
  describe: "Refuse a scenario whose estimated memory is over this size, e.g. 8GiB [default: 4GiB]",
};
/** The real database of `dbsim real` and `dbsim calibrate`. */
const TARGET_OPTION = {
  type: "string" as const,
  default: "pglite",
  requiresArg: true,
  describe:
    "pglite (in this process), postgres://[user[:password]@]host[:port]/database or redis://host[:port][/db]",
};
const METRICS_HOLD_OPTION = {
  type: "number" as const,
  requiresArg: true,
  describe: "Keep serving the live metrics this many seconds after the end",
};

/** Where a command writes; the real process streams, or buffers in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const debug = argv.includes("--debug");
  let exitCode = EXIT_OK;
  const parser = yargs(argv)
    .scriptName("dbsim")
    .usage("$0 <command> [options]")
    .version(dbsimVersion())
    .option("debug", { type: "boolean", default: false, describe: "Print stack traces of errors" })
    .command(
      "run <scenario>",
      "Run a scenario at one seed and write its report",
      (y) =>
        y
          .positional("scenario", {
            type: "string",
            demandOption: true,
            describe: "Scenario file (YAML or JSON)",
          })
          .option("seed", {
            type: "string",
            default: "1",
            requiresArg: true,
            describe: "Seed of the run (non-negative integer)",
          })
          .option("out", {
            type: "string",
            requiresArg: true,
            describe:
              "Run directory: new, empty, or a run dbsim wrote [default: runs/<scenario>/seed-<seed>, " +
              "with --set runs/<scenario>/<overrides>/seed-<seed>]",
          })
          .option("set", SET_OPTION)
          .option("json", {
            type: "boolean",
            default: false,
            describe: "Print report.json instead of the table",
          })
          .option("progress", PROGRESS_OPTION)
          .option("check-determinism", {
            type: "boolean",
            default: false,
            describe:
              "Run the scenario twice more and compare their trace checkpoints (exit 4 if they differ)",
          })
          .option("metrics", METRICS_OPTION)
          .option("metrics-interval", METRICS_INTERVAL_OPTION)
          .option("run-label", {
            type: "string",
            requiresArg: true,
            describe: "The run label of the run's metrics [default: <scenario>/seed-<seed>]",
          })
          .option("metrics-port", METRICS_PORT_OPTION)
          .option("metrics-host", METRICS_HOST_OPTION)
          .option("metrics-hold", METRICS_HOLD_OPTION)
          .option("max-memory", MAX_MEMORY_OPTION),
      async (args) => {
        exitCode = await runCommand(
          {
            scenario: args.scenario,
            seed: args.seed,
            out: args.out,
            set: args.set,
            json: args.json,
            progress: args.progress,
            checkDeterminism: args.checkDeterminism,
            metrics: args.metrics,
            metricsInterval: args.metricsInterval,
            runLabel: args.runLabel,
            metricsPort: args.metricsPort,
            metricsHost: args.metricsHost,
            metricsHold: args.metricsHold,
            maxMemory: args.maxMemory,
          },
          io,
        );
      },
    )
    .command(
      "replay <target>",
      "Re-run a failure.json or a run directory at its seed and verify its trace hash",
      (y) =>
        y
          .positional("target", {
            type: "string",
            demandOption: true,
            describe: "failure.json, report.json or run directory",
          })
          .option("trace", {
            type: "string",
            requiresArg: true,
            describe: "Write the history events within 1s of the first violation to FILE (JSONL; a new file)",
          })
          .option("max-memory", MAX_MEMORY_OPTION),
      async (args) => {
        exitCode = await replayCommand(
          { target: args.target, trace: args.trace, maxMemory: args.maxMemory },
          io,
        );
      },
    )
    .command(
      "shrink <failure>",
      "Reduce a failing run (failure.json) to a minimal scenario that still fails at its seed",
      (y) =>
        y
          .positional("failure", {
            type: "string",
            demandOption: true,
            describe: "failure.json written by dbsim run",
          })
          .option("out", {
            type: "string",
            requiresArg: true,
            describe:
              "Where to write the minimal scenario: a new file or one shrink wrote " +
              "(default: minimal.yaml next to failure.json)",
          })
          .option("max-runs", { type: "number", default: 200, describe: "Bound on the re-runs" })
          .option("max-memory", MAX_MEMORY_OPTION),
      async (args) => {
        exitCode = await shrinkCommand(
          { failure: args.failure, out: args.out, maxRuns: args.maxRuns, maxMemory: args.maxMemory },
          io,
        );
      },
    )
    .command(
      "compare <runs..>",
      "Compare runs figure by figure (run directories or report.json files), or a candidate with a baseline (--baseline)",
      (y) =>
        y
          .positional("runs", {
            type: "string",
            array: true,
            demandOption: true,
            describe: "Runs to compare; with --baseline, the candidate's runs, seed-N directories or sweeps",
          })
          .option("baseline", {
            type: "string",
            requiresArg: true,
            describe:
              "Exit 5 if a figure of the runs regressed from BASE (a run, a directory of seed-N runs, or a sweep) beyond its spread across seeds",
          })
          .option("tolerance", {
            type: "string",
            requiresArg: true,
            describe:
              "With --baseline: how much worse than the baseline's worst seed is a regression (default 5%)",
          })
          .option("html", {
            type: "string",
            requiresArg: true,
            describe: "Also write an HTML comparison to FILE (a new file or a page dbsim wrote)",
          })
          .option("json", { type: "boolean", default: false, describe: "Print the comparison as JSON" }),
      async (args) => {
        if (args.baseline === undefined && args.tolerance !== undefined) {
          throw new CliError("--tolerance: only with --baseline");
        }
        exitCode =
          args.baseline === undefined
            ? await compareCommand({ runs: args.runs, html: args.html, json: args.json }, io)
            : await compareBaselineCommand(
                {
                  baseline: args.baseline,
                  candidates: args.runs,
                  tolerance: args.tolerance,
                  html: args.html,
                  json: args.json,
                },
                io,
              );
      },
    )
    .command(
      "explain <scenario>",
      "Print each query template's plan (EXPLAIN) and index advice for a domain workload, without running",
      (y) =>
        y
          .positional("scenario", {
            type: "string",
            demandOption: true,
            describe: "Scenario file (YAML or JSON) of a domain workload (ecommerce, social, timeseries)",
          })
          .option("set", SET_OPTION)
          .option("seed", {
            type: "string",
            default: "1",
            requiresArg: true,
            describe: "Seed whose initial data the plans are made on (non-negative integer)",
          })
          .option("json", { type: "boolean", default: false, describe: "Print the plans as JSON" })
          .option("against", {
            type: "string",
            requiresArg: true,
            describe:
              "Also run each template's query under PostgreSQL's EXPLAIN ANALYZE on this target (pglite or " +
              "postgres://...) and say whether the plans agree",
          }),
      async (args) => {
        exitCode = await explainCommand(
          {
            scenario: args.scenario,
            set: args.set,
            seed: args.seed,
            json: args.json,
            ...(args.against === undefined ? {} : { against: args.against }),
          },
          io,
        );
      },
    )
    .command(
      "real <scenario>",
      "Run a scenario's workload on a real database (PGlite, PostgreSQL, Redis) and write its report",
      (y) =>
        y
          .positional("scenario", {
            type: "string",
            demandOption: true,
            describe: "Scenario file (YAML or JSON)",
          })
          .option("target", TARGET_OPTION)
          .option("seed", {
            type: "string",
            default: "1",
            requiresArg: true,
            describe: "Seed of the operations and arrivals (those of a simulated run at this seed)",
          })
          .option("out", {
            type: "string",
            requiresArg: true,
            describe:
              "Run directory: new, empty, or a run dbsim wrote [default: runs/<scenario>/real-<target>/seed-<seed>, " +
              "with --set runs/<scenario>/real-<target>/<overrides>/seed-<seed>]",
          })
          .option("set", SET_OPTION)
          .option("json", {
            type: "boolean",
            default: false,
            describe: "Print report.json instead of the table",
          })
          .option("compare", {
            type: "boolean",
            default: false,
            describe:
              "Also simulate the scenario at the seed and print the simulated and real runs side by side",
          })
          .option("max-memory", MAX_MEMORY_OPTION)
          .option("progress", PROGRESS_OPTION),
      async (args) => {
        exitCode = await realCommand(
          {
            scenario: args.scenario,
            target: args.target,
            seed: args.seed,
            out: args.out,
            set: args.set,
            json: args.json,
            progress: args.progress,
            compare: args.compare,
            maxMemory: args.maxMemory,
          },
          io,
        );
      },
    )
    .command(
      "calibrate <scenarios..>",
      "Fit the cost model (service, page, row, fsync times; the network) to a real database's measurements",
      (y) =>
        y
          .positional("scenarios", {
            type: "string",
            array: true,
            demandOption: true,
            describe: "Scenario files (YAML or JSON), fitted together",
          })
          .option("target", TARGET_OPTION)
          .option("seed", {
            type: "string",
            default: "1",
            requiresArg: true,
            describe: "Seed of the operations and arrivals, real and simulated",
          })
          .option("set", SET_OPTION)
          .option("out", {
            type: "string",
            requiresArg: true,
            describe:
              "The overlay to write: a new file or one calibrate wrote [default: runs/calibrate/<target>.yaml]",
          })
          .option("json", { type: "boolean", default: false, describe: "Print the calibration as JSON" })
          .option("max-memory", MAX_MEMORY_OPTION),
      async (args) => {
        exitCode = await calibrateCommand(
          {
            scenarios: args.scenarios,
            target: args.target,
            seed: args.seed,
            set: args.set,
            out: args.out,
            json: args.json,
            maxMemory: args.maxMemory,
          },
          io,
        );
      },
    )
    .command(
      "check <histories..>",
      "Check histories (JSONL): linearizability of registers, a bank's invariants, or transactions' isolation",
      (y) =>
        y
          .positional("histories", {
            type: "string",
            array: true,
            demandOption: true,
            describe: "History files (JSONL, one operation event per line)",
          })
          .option("model", {
            type: "string",
            default: "register",
            requiresArg: true,
            describe:
              "Model of the data: register (read, write, cas per key; linearizability), bank " +
              "(transfers and reads of every balance; total conserved, no negative balance), or " +
              "list-append / rw-register (transactions; isolation anomalies, as Elle finds them)",
          })
          .option("consistency", {
            type: "string",
            requiresArg: true,
            describe:
              "With --model list-append or rw-register: the consistency model the history must hold, " +
              "e.g. serializable [default: strict-serializable]",
          })
          .option("total", {
            type: "number",
            requiresArg: true,
            describe: "With --model bank: the money in the bank (default: the first read's sum)",
          })
          .option("timeout", {
            type: "string",
            default: "10s",
            requiresArg: true,
            describe: "Time limit per history; past it the verdict is unknown",
          })
          .option("json", { type: "boolean", default: false, describe: "Print the verdicts as JSON" })
          .option("max-size", {
            type: "string",
            requiresArg: true,
            describe: "Refuse a history file larger than this, e.g. 8GiB [default: 2GiB]",
          }),
      async (args) => {
        exitCode = await checkCommand(
          {
            histories: args.histories,
            model: args.model,
            timeout: args.timeout,
            json: args.json,
            maxSize: args.maxSize,
            ...(args.total === undefined ? {} : { total: args.total }),
            ...(args.consistency === undefined ? {} : { consistency: args.consistency }),
          },
          io,
        );
      },
    )
    .command(
      "sweep [scenario]",
      "Run a scenario at every seed of a range on worker threads; report the failing seeds (--resume DIR: finish an interrupted sweep)",
      (y) =>
        y
          .positional("scenario", {
            type: "string",
            describe: "Scenario file (YAML or JSON); not with --resume",
          })
          .option("seeds", {
            type: "string",
            requiresArg: true,
            describe: "Seeds: a..b or one seed [default: 1..100]",
          })
          .option("resume", {
            type: "string",
            requiresArg: true,
            describe:
              "Run the seeds the sweep in this directory lacks, as it was started (its journal says how)",
          })
          .option("workers", WORKERS_OPTION)
          .option("out", {
            type: "string",
            requiresArg: true,
            describe: "Directory: new, empty, or a sweep dbsim wrote [default: runs/<scenario>/sweep]",
          })
          .option("set", SET_OPTION)
          .option("stop-after-failures", {
            type: "number",
            requiresArg: true,
            describe: "Stop after K failing seeds",
          })
          .option("json", { type: "boolean", default: false, describe: "Print sweep.json to stdout" })
          .option("progress", PROGRESS_OPTION)
          .option("metrics", METRICS_OPTION)
          .option("metrics-interval", METRICS_INTERVAL_OPTION)
          .option("metrics-port", METRICS_PORT_OPTION)
          .option("metrics-host", METRICS_HOST_OPTION)
          .option("metrics-hold", METRICS_HOLD_OPTION)
          .option("max-memory", MAX_MEMORY_OPTION)
          .option("queue", {
            type: "string",
            requiresArg: true,
            describe:
              "Run the seeds on dbsim workers through this Redis: redis://[[user]:password@]host[:port][/db], rediss:// (TLS), or env:NAME (the URL in that variable)",
          })
          .option("batch", {
            type: "number",
            requiresArg: true,
            describe: "With --queue: seeds per job [default: seeds / 64, in 1..8]",
          }),
      async (args) => {
        exitCode = await sweepCommand(
          {
            scenario: args.scenario,
            seeds: args.seeds,
            workers: args.workers,
            out: args.out,
            set: args.set,
            json: args.json,
            progress: args.progress,
            stopAfterFailures: args.stopAfterFailures,
            metrics: args.metrics,
            metricsInterval: args.metricsInterval,
            metricsPort: args.metricsPort,
            metricsHost: args.metricsHost,
            metricsHold: args.metricsHold,
            maxMemory: args.maxMemory,
            resume: args.resume,
            queue: args.queue,
            batch: args.batch,
          },
          io,
        );
      },
    )
    .command(
      "worker <url>",
      "Run the seeds of sweeps started with --queue on worker threads, until SIGINT or SIGTERM",
      (y) =>
        y
          .positional("url", {
            type: "string",
            demandOption: true,
            describe:
              "The sweeps' Redis: redis://[[user]:password@]host[:port][/db], rediss:// (TLS), or env:NAME (the URL in that variable)",
          })
          .option("workers", WORKERS_OPTION)
          .option("max-memory", MAX_MEMORY_OPTION),
      async (args) => {
        exitCode = await workerCommand(
          { url: args.url, workers: args.workers, maxMemory: args.maxMemory },
          io,
        );
      },
    )
    .command(
      "merge <sweeps..>",
      "Merge sweeps of disjoint seed ranges of one scenario into the sweep.json one sweep would write",
      (y) =>
        y
          .positional("sweeps", {
            type: "string",
            array: true,
            demandOption: true,
            describe: "Sweep directories (each with its journal.jsonl)",
          })
          .option("out", {
            type: "string",
            demandOption: true,
            requiresArg: true,
            describe: "Directory: new, empty, or a sweep dbsim wrote",
          })
          .option("json", { type: "boolean", default: false, describe: "Print sweep.json to stdout" }),
      async (args) => {
        exitCode = await mergeCommand({ sweeps: args.sweeps, out: args.out, json: args.json }, io);
      },
    )
    .command(
      "matrix <scenario>",
      "Run the cartesian product of --vary values at each seed and compare the variants",
      (y) =>
        y
          .positional("scenario", {
            type: "string",
            demandOption: true,
            describe: "Scenario file (YAML or JSON)",
          })
          .option("vary", {
            type: "string",
            array: true,
            requiresArg: true,
            default: [] as string[],
            describe: "A field and its values: --vary path=v1,v2 (values in YAML)",
          })
          .option("seeds", {
            type: "string",
            default: "1..3",
            requiresArg: true,
            describe: "Seeds: a..b or one seed",
          })
          .option("workers", WORKERS_OPTION)
          .option("out", {
            type: "string",
            requiresArg: true,
            describe: "Directory: new, empty, or a matrix dbsim wrote [default: runs/<scenario>/matrix]",
          })
          .option("set", SET_OPTION)
          .option("json", { type: "boolean", default: false, describe: "Print the comparison as JSON" })
          .option("progress", PROGRESS_OPTION)
          .option("metrics", METRICS_OPTION)
          .option("metrics-interval", METRICS_INTERVAL_OPTION)
          .option("max-memory", MAX_MEMORY_OPTION),
      async (args) => {
        exitCode = await matrixCommand(
          {
            scenario: args.scenario,
            vary: args.vary,
            seeds: args.seeds,
            workers: args.workers,
            out: args.out,
            set: args.set,
            json: args.json,
            progress: args.progress,
            metrics: args.metrics,
            metricsInterval: args.metricsInterval,
            maxMemory: args.maxMemory,
          },
          io,
        );
      },
    )
    .command(
      "knee <scenario>",
      "Find the highest offered rate whose runs meet the SLO (per --vary variant), and plot latency against load",
      (y) =>
        y
          .positional("scenario", {
            type: "string",
            demandOption: true,
            describe: "Scenario file (YAML or JSON)",
          })
          .option("slo", {
            type: "string",
            array: true,
            requiresArg: true,
            default: [] as string[],
            describe: "A figure, a comparator and a bound, e.g. 'all.p99 < 10ms' (repeatable: all must hold)",
          })
          .option("seeds", {
            type: "string",
            default: "1..3",
            requiresArg: true,
            describe: "Seeds: a..b or one seed; a rate meets the SLO when every seed's run does",
          })
          .option("vary", {
            type: "string",
            array: true,
            requiresArg: true,
            default: [] as string[],
            describe: "A field and its values: --vary path=v1,v2 (one knee per variant)",
          })
          .option("from", {
            type: "string",
            requiresArg: true,
            describe: "Lowest rate probed, and the first [default: the scenario's rate; 100/s closed loop]",
          })
          .option("to", {
            type: "string",
            requiresArg: true,
            describe: "Highest rate probed [default: 1000k/s]",
          })
          .option("precision", {
            type: "string",
            default: "5%",
            requiresArg: true,
            describe: "Stop when the rate that breached is within this of the knee",
          })
          .option("workers", WORKERS_OPTION)
          .option("out", {
            type: "string",
            requiresArg: true,
            describe: "Directory: new, empty, or a knee search dbsim wrote [default: runs/<scenario>/knee]",
          })
          .option("set", SET_OPTION)
          .option("json", { type: "boolean", default: false, describe: "Print knee.json" })
          .option("progress", PROGRESS_OPTION)
          .option("max-memory", MAX_MEMORY_OPTION)
          .option("resume", {
            type: "boolean",
            default: false,
            describe:
              "Go on with the interrupted search in --out: the command that started it, with --resume",
          }),
      async (args) => {
        exitCode = await kneeCommand(
          {
            scenario: args.scenario,
            slo: args.slo,
            seeds: args.seeds,
            vary: args.vary,
            from: args.from,
            to: args.to,
            precision: args.precision,
            workers: args.workers,
            out: args.out,
            set: args.set,
            json: args.json,
            progress: args.progress,
            maxMemory: args.maxMemory,
            resume: args.resume,
          },
          io,
        );
      },
    )
    .command(
      "export-tsdb <runs..>",
      "Backfill the runs' metrics.om into Prometheus TSDB blocks (with promtool)",
      (y) =>
        y
          .positional("runs", {
            type: "string",
            array: true,
            demandOption: true,
            describe: "Run directories (each with its metrics.om)",
          })
          .option("to", {
            type: "string",
            demandOption: true,
            requiresArg: true,
            describe:
              "Directory for the TSDB blocks (Prometheus's --storage.tsdb.path): new, empty, or one dbsim wrote",
          }),
      async (args) => {
        exitCode = await exportTsdbCommand({ runs: args.runs, to: args.to }, io);
      },
    )
    .command(
      "dashboards",
      "Write the Grafana dashboards (JSON), their provisioning and a docker-compose.yml",
      (y) =>
        y.option("out", {
          type: "string",
          default: DEFAULT_DASHBOARDS_DIR,
          requiresArg: true,
          describe: "Directory to write: new, empty, or dashboards dbsim wrote",
        }),
      async (args) => {
        exitCode = await dashboardsCommand({ out: args.out }, io);
      },
    )
    .demandCommand(1, `name a command, e.g. ${DBSIM} run scenarios/ycsb-a.yaml`)
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      // yargs reports usage problems as a message (or a YError); anything else came from a command.
      if (error === undefined || error === null || error.name === "YError") {
        throw new CliError(`${message ?? error?.message} (see dbsim --help)`, EXIT_BAD_INPUT);
      }
      throw error;
    })
    .help();
  try {
    const output = await new Promise<string>((resolve, reject) => {
      parser
        .parseAsync(argv, {}, (error, _argv, text) => (error ? reject(error) : resolve(text)))
        .catch(reject);
    });
    if (output) io.stdout.write(`${output}\n`);
  } catch (error) {
    const { exitCode: code, message } = describeError(error);
    io.stderr.write(`dbsim: ${message}\n`);
    if (debug && error instanceof Error) io.stderr.write(`${error.stack}\n`);
    return code;
  }
  return exitCode;
}
