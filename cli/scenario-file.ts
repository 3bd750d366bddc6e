// Reads a scenario file for a command; every failure is one line with exit code 2.

import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { type LoadedScenario, loadScenario } from "../workloads/scenario/load.js";
import { CliError } from "./errors.js";

export function readScenarioFile(path: string, overrides: readonly string[] = []): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    throw new CliError(`cannot read scenario ${path}: ${reason}`);
  }
  return loadScenario(text, {
    sourceName: path,
    fallbackName: basename(path, extname(path)),
    overrides,
  });
}
