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
export const TINY = `name: tiny
duration: 2s
warmup: 500ms
network: { latency: { dist: constant, value: 100us } }
workload: { preset: a, records: 500, rate: 500/s, clients: 4 }
`;
