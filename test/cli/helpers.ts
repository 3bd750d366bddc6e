import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/cli.js";

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
