// dbsim's command line: the composition root. Every error is one line and a documented exit code;
// stack traces only with --debug.

import yargs from "yargs";
import { runCommand } from "./commands/run.js";
import { CliError, describeError } from "./errors.js";
import { EXIT_BAD_INPUT } from "./exit-codes.js";
import { dbsimVersion } from "./version.js";

/** Where a command writes; the real process streams, or buffers in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const debug = argv.includes("--debug");
  let exitCode = 0;
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
            describe: "Run directory [default: runs/<scenario>/seed-<seed>]",
          })
          .option("set", {
            type: "string",
            array: true,
            requiresArg: true,
            default: [] as string[],
            describe: "Override a scenario field: --set path=value (value in YAML)",
          })
          .option("json", {
            type: "boolean",
            default: false,
            describe: "Print report.json instead of the table",
          })
          .option("progress", { type: "boolean", default: true, describe: "Progress bar on a terminal" }),
      async (args) => {
        exitCode = await runCommand(
          {
            scenario: args.scenario,
            seed: args.seed,
            out: args.out,
            set: args.set,
            json: args.json,
            progress: args.progress,
          },
          io,
        );
      },
    )
    .demandCommand(1, "name a command, e.g. dbsim run scenarios/ycsb-a.yaml")
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
