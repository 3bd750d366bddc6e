import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CliIo, runCli } from "../../cli/cli.js";
import { describeError } from "../../cli/errors.js";

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line in this process, capturing its output. */
export async function cli(...argv: string[]): Promise<CliOutcome> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

/**
 * Runs one command function with captured output; an error becomes its one-line message and exit
 * code, as at the top level of the command line.
 */
export async function captured(command: (io: CliIo) => Promise<number>): Promise<CliOutcome> {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  let code: number;
  try {
    code = await command(io);
  } catch (error) {
    const described = describeError(error);
    stderr += `dbsim: ${described.message}\n`;
    code = described.exitCode;
  }
  return { code, stdout, stderr };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "dbsim-test-"));
}

/** Writes a scenario file in a fresh temporary directory; returns its path. */
export function scenarioFile(text: string, name = "s.yaml"): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

/** A small, fast scenario. */
/**
 * Replicas of `mode` through a one-way partition of the leader and its crash: under async, seed 3
 * acknowledges writes the new leader never had (lost_writes fails); under sync none are lost.
 */
export function failoverScenario(mode: "async" | "sync"): string {
  return `name: failover
duration: 12s
cluster: { replicas: 3, replication: { mode: ${mode} } }
network: { latency: { dist: lognormal, median: 500us, p99: 5ms } }
workload: { preset: a, records: 200, rate: 1000/s, clients: 16, timeout: 500ms }
faults:
  schedule:
    - { at: 5s, kind: partition, one_way: { from: leader, to: followers }, for: 5s }
    - { at: 6s, kind: crash, target: leader, restart_after: 3s }
checks: [lost_writes, stale_reads]
`;
}

export const TINY = `name: tiny
duration: 2s
warmup: 500ms
network: { latency: { dist: constant, value: 100us } }
workload: { preset: a, records: 500, rate: 500/s, clients: 4 }
`;
