// dbsim export-tsdb <run-dir>... --to DIR
//
// Backfills each run's metrics.om (its Prometheus metrics over virtual time, stamped so that the
// run ends when it finished in wall-clock time) into TSDB blocks with Prometheus's promtool
// (`promtool tsdb create-blocks-from openmetrics`), then says how to serve DIR with Prometheus.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { RUN_LABEL } from "../../reports/metrics/catalogue.js";
import { recoverLeftovers } from "../../reports/run-dir.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_OK } from "../exit-codes.js";
import { DBSIM } from "../invocation.js";
import { makeOutputDirectoryOrFail, preflightOutputDirectory, sayNotes } from "../output.js";

export interface ExportTsdbArgs {
  runs: string[];
  to: string;
}

/** What export-tsdb learns of a metrics.om: its run label and the time span of its samples. */
export interface TimelineSpan {
  run: string;
  first_ms: number;
  last_ms: number;
}

const DAY_MS = 86_400_000;
/** Retention suggested beyond the age of the oldest exported sample. */
const RETENTION_MARGIN_DAYS = 30;

/** The run label and first/last sample times of a metrics.om text. */
export function timelineSpan(text: string, source: string): TimelineSpan {
  let run: string | null = null;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    if (run === null) {
      const match = new RegExp(`[{,]${RUN_LABEL}="((?:[^"\\\\]|\\\\.)*)"`).exec(line);
      if (match) run = JSON.parse(`"${match[1]}"`) as string;
    }
    const stamp = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(stamp)) {
      first = Math.min(first, stamp * 1000);
      last = Math.max(last, stamp * 1000);
    }
  }
  if (run === null || !Number.isFinite(first)) throw new CliError(`${source}: no dbsim samples in it`);
  return { run, first_ms: Math.round(first), last_ms: Math.round(last) };
}

/** Fails with one line (exit 2) unless promtool runs. */
function requirePromtool(): void {
  const probe = spawnSync("promtool", ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined) {
    const code = (probe.error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === "ENOENT"
        ? "promtool not found on PATH: install Prometheus's tools (Debian/Ubuntu: apt-get install prometheus)"
        : `cannot run promtool: ${probe.error.message}`,
    );
  }
}

export async function exportTsdbCommand(args: ExportTsdbArgs, io: CliIo): Promise<number> {
  preflightOutputDirectory("--to", args.to, "tsdb", io);
  const inputs: { dir: string; file: string; span: TimelineSpan }[] = [];
  for (const dir of args.runs) {
    sayNotes(io, recoverLeftovers(dir)); // a run a killed dbsim had finished is rolled into place
    const file = join(dir, "metrics.om");
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${dir}: not a run directory`);
    if (!existsSync(file)) {
      throw new CliError(
        `${dir}: no metrics.om (the run was made with --no-metrics, or by a dbsim without metrics)`,
      );
    }
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
    }
    inputs.push({ dir, file, span: timelineSpan(text, file) });
  }
  const byRun = new Map<string, string>();
  for (const { dir, span } of inputs) {
    const other = byRun.get(span.run);
    if (other !== undefined) {
      throw new CliError(
        `${other} and ${dir} are both run "${span.run}": one TSDB would mix their samples; ` +
          `export them to separate directories, or re-run one with ${DBSIM} run --run-label NAME`,
      );
    }
    byRun.set(span.run, dir);
  }
  requirePromtool();
  makeOutputDirectoryOrFail(args.to, "tsdb");
  for (const { file } of inputs) {
    const result = spawnSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", file, args.to], {
      encoding: "utf8",
    });
    if (result.status !== 0) {
      const said = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim().split("\n").filter(Boolean);
      throw new CliError(
        `promtool could not backfill ${file}: ${said[said.length - 1] ?? `exit ${result.status}`}`,
      );
    }
  }
  const oldest = Math.min(...inputs.map((input) => input.span.first_ms));
  const days = Math.ceil((Date.now() - oldest) / DAY_MS) + RETENTION_MARGIN_DAYS;
  const lines = inputs.map(
    ({ span }) =>
      `  ${span.run}: ${new Date(span.first_ms).toISOString()} to ${new Date(span.last_ms).toISOString()}`,
  );
  io.stdout.write(
    `wrote TSDB blocks of ${inputs.length} run${inputs.length === 1 ? "" : "s"} to ${args.to}/\n${lines.join("\n")}\n` +
      "serve them with Prometheus (retention counts back from the newest block; keep it longer than the runs are old):\n" +
      `  prometheus --storage.tsdb.path=${args.to} --storage.tsdb.retention.time=${days}d --config.file=/dev/null\n` +
      "or with Grafana too (`dbsim dashboards` writes dashboards/generated/ if it is not there):\n" +
      `  DBSIM_TSDB="$(realpath ${args.to})" docker compose -f dashboards/generated/docker-compose.yml up\n`,
  );
  return EXIT_OK;
}
