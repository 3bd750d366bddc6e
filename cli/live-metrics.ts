// The command-line side of the live metrics endpoint and of the metrics options that `dbsim run`,
// `sweep` and `matrix` share: validation with one-line errors, starting the endpoint (a port in use
// or without permission is bad input, exit 2), and --metrics-hold.

import { tryParseDurationUs } from "../engine/settings/units.js";
import type { MetricsSnapshot } from "../reports/metrics/exposition.js";
import { type MetricsEndpoint, serveMetrics } from "../reports/metrics/server.js";
import type { CliIo } from "./cli.js";
import { CliError } from "./errors.js";
import { DEFAULT_METRICS_INTERVAL_US } from "./run-metrics.js";

export const DEFAULT_METRICS_HOST = "127.0.0.1";
/** Longest --metrics-hold: one day. */
const MAX_HOLD_S = 86_400;

/** The metrics options as yargs parses them. */
export interface MetricsArgs {
  /** false: --no-metrics (no metrics.om); default true. */
  metrics?: boolean;
  metricsInterval?: string;
  metricsPort?: number;
  metricsHost?: string;
  metricsHold?: number;
}

export interface LiveOptions {
  host: string;
  port: number;
  hold_s: number;
}

/** The sample interval asked for (--metrics-interval), in µs. */
export function parseMetricsInterval(args: MetricsArgs): number {
  if (args.metricsInterval === undefined) return DEFAULT_METRICS_INTERVAL_US;
  const us = tryParseDurationUs(args.metricsInterval);
  if (us === null || us < 1000 || us > 3_600_000_000 || us % 1000 !== 0) {
    throw new CliError(
      `--metrics-interval: expected a duration of whole milliseconds from 1ms to 1h, e.g. 1s or 250ms (got ${args.metricsInterval})`,
    );
  }
  return us;
}

/** The live endpoint asked for (null: no --metrics-port), validated. */
export function parseLiveOptions(args: MetricsArgs): LiveOptions | null {
  const { metricsPort: port, metricsHost: host, metricsHold: hold } = args;
  if (port === undefined) {
    if (host !== undefined) throw new CliError("--metrics-host needs --metrics-port");
    if (hold !== undefined) throw new CliError("--metrics-hold needs --metrics-port");
    return null;
  }
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new CliError(`--metrics-port: expected a port number from 0 to 65535 (got ${port})`);
  }
  if (args.metrics === false) {
    throw new CliError("--metrics-port serves the run's metrics: it cannot be combined with --no-metrics");
  }
  if (hold !== undefined && !(Number.isFinite(hold) && hold >= 0 && hold <= MAX_HOLD_S)) {
    throw new CliError(`--metrics-hold: expected seconds from 0 to ${MAX_HOLD_S} (got ${hold})`);
  }
  if (host !== undefined && host.trim() === "")
    throw new CliError("--metrics-host: expected a host name or address");
  return { host: host ?? DEFAULT_METRICS_HOST, port, hold_s: hold ?? 0 };
}

/** The one-line message for a listen error. */
export function listenErrorMessage(error: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  switch (error.code) {
    case "EADDRINUSE":
      return `--metrics-port ${port}: ${where} is already in use (choose another port, or 0 for any free one)`;
    case "EACCES":
    case "EPERM":
      return `--metrics-port ${port}: no permission to listen on ${where} (ports below 1024 need privileges)`;
    case "EADDRNOTAVAIL":
      return `--metrics-host ${host}: not an address of this machine`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return `--metrics-host ${host}: cannot resolve this host name`;
    default:
      return `cannot serve metrics on ${where}: ${error.message}`;
  }
}

/** A live endpoint whose content is set once the run (or sweep) can be read. */
export class LiveEndpoint {
  private source: () => Promise<MetricsSnapshot> = async () => [];
  private readonly endpoint: MetricsEndpoint;
  private readonly options: LiveOptions;

  private constructor(endpoint: MetricsEndpoint, options: LiveOptions) {
    this.endpoint = endpoint;
    this.options = options;
  }

  /** Starts listening (before the run, so a bad port is reported before any work); says where on stderr. */
  static async start(options: LiveOptions, io: CliIo): Promise<LiveEndpoint> {
    let live: LiveEndpoint | null = null;
    try {
      const endpoint = await serveMetrics({
        host: options.host,
        port: options.port,
        snapshot: () => (live as LiveEndpoint).source(),
      });
      live = new LiveEndpoint(endpoint, options);
    } catch (error) {
      throw new CliError(listenErrorMessage(error as NodeJS.ErrnoException, options.host, options.port));
    }
    io.stderr.write(`dbsim: live metrics on ${live.endpoint.url}\n`);
    return live;
  }

  get url(): string {
    return this.endpoint.url;
  }

  /** What /metrics serves from now on. */
  serve(source: () => Promise<MetricsSnapshot>): void {
    this.source = source;
  }

  /** Keeps serving for --metrics-hold seconds (Ctrl-C ends the wait). */
  async hold(io: CliIo): Promise<void> {
    const hold_ms = this.options.hold_s * 1000;
    if (hold_ms > 0) {
      io.stderr.write(
        `dbsim: serving the final metrics for ${this.options.hold_s}s on ${this.endpoint.url}\n`,
      );
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          process.removeListener("SIGINT", done);
          resolve();
        };
        const timer = setTimeout(done, hold_ms);
        process.on("SIGINT", done);
      });
    }
  }

  /** Stops listening (again: no effect). */
  close(): Promise<void> {
    return this.endpoint.close();
  }
}
