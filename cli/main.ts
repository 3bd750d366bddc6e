#!/usr/bin/env node
// The dbsim executable: runs the command line on the process's arguments and streams.

import { hideBin } from "yargs/helpers";
import { runCli } from "./cli.js";
import { EXIT_INTERNAL } from "./exit-codes.js";

runCli(hideBin(process.argv), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dbsim: internal error: ${String(error)}\n`);
    process.exitCode = EXIT_INTERNAL;
  },
);
