// Reads a scenario file for a command (a regular file under SCENARIO_FILE's limit) and refuses a
// scenario whose estimated memory is over the limit (--max-memory); every failure is one line with
// exit code 2.

import { basename, extname } from "node:path";
import { formatBytes, parseByteSize, UnitError } from "../engine/settings/units.js";
import { type LoadedScenario, loadScenario } from "../workloads/scenario/load.js";
import {
  DEFAULT_MAX_MEMORY_BYTES,
  describeEstimate,
  estimateMemory,
  type MemoryEstimate,
} from "../workloads/scenario/memory.js";
import { CliError } from "./errors.js";
import { readInputText, SCENARIO_FILE } from "./input-file.js";
import { checkProtocolFile } from "./protocol-module.js";

export interface ScenarioFile extends LoadedScenario {
  /** The file's text as read (what workers load again). */
  readonly text: string;
}

/** The memory a command may plan for: --max-memory, and the runs it keeps at once (workers). */
export interface MemoryBudget {
  /** --max-memory as given (default DEFAULT_MAX_MEMORY_BYTES). */
  readonly maxMemory?: string | undefined;
  /** Runs at once (a sweep's or matrix's workers); default 1. */
  readonly runs?: number;
}

/** The scenario at `path` with `overrides`; with a budget, refused when its run would not fit in it. */
export function readScenarioFile(
  path: string,
  overrides: readonly string[] = [],
  budget?: MemoryBudget,
): ScenarioFile {
  const text = readInputText(path, SCENARIO_FILE);
  const loaded = loadScenario(text, {
    sourceName: path,
    fallbackName: basename(path, extname(path)),
    overrides,
  });
  checkProtocolFile(loaded.resolved.cluster.replication.protocol);
  if (budget !== undefined) refuseOverMemory(loaded, budget, path);
  return { ...loaded, text };
}

/** The --max-memory limit in bytes (the default when not given). */
export function parseMaxMemory(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_MEMORY_BYTES;
  try {
    return parseByteSize(text);
  } catch (error) {
    if (error instanceof UnitError) throw new CliError(`--max-memory: ${error.message}`);
    throw error;
  }
}

/**
 * Refuses a scenario whose estimated memory, times the runs kept at once, is more than the limit,
 * before anything runs. `source` names the scenario in the message.
 */
export function refuseOverMemory(scenario: LoadedScenario, budget: MemoryBudget, source: string): void {
  const limit = parseMaxMemory(budget.maxMemory);
  const runs = budget.runs ?? 1;
  const estimate: MemoryEstimate = estimateMemory(scenario.resolved);
  const total = estimate.total_bytes * runs;
  if (total <= limit) return;
  const perRun = runs === 1 ? "" : ` per run x ${runs} runs at once = ${formatBytes(total)}`;
  throw new CliError(
    `${source}: estimated memory ${formatBytes(estimate.total_bytes)}${perRun} (${describeEstimate(estimate)}) ` +
      `is more than the limit of ${formatBytes(limit)}; make the scenario smaller, or raise the limit with --max-memory`,
  );
}
