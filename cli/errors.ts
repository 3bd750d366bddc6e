// Errors the CLI reports as one line and a documented exit code (stack traces only with --debug).

import { ScenarioError } from "../workloads/scenario/errors.js";
import { EXIT_BAD_INPUT, EXIT_INTERNAL } from "./exit-codes.js";

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_BAD_INPUT) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** The exit code and one-line message for any error reaching the top level. */
export function describeError(error: unknown): { exitCode: number; message: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message };
  if (error instanceof ScenarioError) return { exitCode: EXIT_BAD_INPUT, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  // Anything else is a bug in dbsim, not bad input: say so, so it gets reported with its seed.
  return {
    exitCode: EXIT_INTERNAL,
    message: `internal error: ${message} (rerun with --debug for the stack trace)`,
  };
}
