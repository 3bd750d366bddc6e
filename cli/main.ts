#!/usr/bin/env node
// dbsim's command line: the composition root. Every error is one line and a documented exit code;
// stack traces only with --debug.

import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { runCommand } from "./commands/run.js";
import { CliError, describeError } from "./errors.js";
import { EXIT_BAD_INPUT } from "./exit-codes.js";
import { dbsimVersion } from "./version.js";

async function main(argv: string[]): Promise<number> {
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
          .positional("scenario", { type: "string", demandOption: true, describe: "Scenario file (YAML or JSON)" })
          .option("seed", { type: "string", default: "1", describe: "Seed of the run (non-negative integer)" })
          .option("out", { type: "string", describe: "Run directory [default: runs/<scenario>/seed-<seed>]" })
          .option("set", {
            type: "string",
            array: true,
            default: [] as string[],
            describe: "Override a scenario field: --set path=value (value in YAML)",
          })
          .option("json", { type: "boolean", default: false, describe: "Print report.json instead of the table" })
          .option("progress", { type: "boolean", default: true, describe: "Progress bar on a terminal" }),
      async (args) => {
        exitCode = await runCommand({
          scenario: args.scenario,
          seed: args.seed,
          out: args.out,
          set: args.set,
          json: args.json,
          progress: args.progress,
        });
      },
    )
    .demandCommand(1, "name a command, e.g. dbsim run scenarios/ycsb-a.yaml")
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new CliError(`${message} (see dbsim --help)`, EXIT_BAD_INPUT);
    })
    .help();
  try {
    await parser.parseAsync();
  } catch (error) {
    const { exitCode: code, message } = describeError(error);
    process.stderr.write(`dbsim: ${message}\n`);
    if (debug && error instanceof Error && !(error instanceof CliError)) process.stderr.write(`${error.stack}\n`);
    return code;
  }
  return exitCode;
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dbsim: internal error: ${String(error)}\n`);
    process.exitCode = 70;
  },
);
