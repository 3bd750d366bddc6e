// Loads the replication protocol a scenario names (`cluster.replication.protocol`): a JavaScript
// module, its path relative to the directory dbsim runs in (a scenario's text travels without its
// file: to sweep and matrix workers, in report.json and failure.json), that exports `createProtocol`
// (engine/replication/protocol.ts). The file is checked as every input is before Node imports it;
// a module that does not load or builds no protocol is refused in one line (exit 2).

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { CreateProtocol } from "../engine/replication/protocol.js";
import { CliError } from "./errors.js";
import { checkInputFile, type InputKind } from "./input-file.js";

/** A protocol module is source code: a few KiB (the chain-replication example's largest file: 16 KiB). */
export const PROTOCOL_MODULE: InputKind = { noun: "protocol module", limit_bytes: 4 * 2 ** 20 };

/** What every replica's protocol has (ReplicationProtocol's methods). */
const METHODS = ["start", "onMessage", "onTimer", "refusal", "onWrite", "onRead", "onDurable"] as const;

const FIELD = "cluster.replication.protocol";

/** Refuses the scenario's protocol module unless it is a regular file under the limit (no import). */
export function checkProtocolFile(path: string | null): void {
  if (path !== null) checkInputFile(path, PROTOCOL_MODULE);
}

/**
 * Refuses the scenario's protocol module (if any) unless it loads and builds a protocol: what a sweep
 * or matrix checks before its workers import it (a module that fails there would be a crashed run).
 */
export async function refuseBadProtocol(path: string | null): Promise<void> {
  if (path !== null) await loadProtocol(path);
}

/** The protocol module at `path`, imported and tried once: it must build a protocol. */
export async function loadProtocol(path: string): Promise<CreateProtocol> {
  checkProtocolFile(path);
  let module: { createProtocol?: unknown };
  try {
    module = await import(pathToFileURL(resolve(path)).href);
  } catch (error) {
    throw refused(path, `does not load: ${firstLine(error)}`);
  }
  const create = module.createProtocol;
  if (typeof create !== "function") {
    throw refused(path, 'does not export createProtocol (see docs/replication.md, "Your own protocol")');
  }
  let protocol: unknown;
  try {
    // A throwaway shard of three: createProtocol is called again, afresh, for each run.
    const factory = (create as CreateProtocol)({ detect_after_us: 1_000_000 });
    if (typeof factory !== "function") throw new Error("createProtocol returned no function");
    protocol = factory({ peers: [0, 1, 2], initial_leader: 0 });
  } catch (error) {
    throw refused(path, `does not build a protocol: ${firstLine(error)}`);
  }
  const fields = (typeof protocol === "object" && protocol !== null ? protocol : {}) as Record<
    string,
    unknown
  >;
  const missing: string[] = METHODS.filter((name) => typeof fields[name] !== "function");
  if (typeof fields.applies_on_append !== "boolean") missing.unshift("applies_on_append");
  if (missing.length > 0) {
    throw refused(path, `builds no ReplicationProtocol: it lacks ${missing.join(", ")}`);
  }
  return create as CreateProtocol;
}

function refused(path: string, why: string): CliError {
  return new CliError(`${FIELD}: ${path} ${why}`);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n", 1)[0] as string;
}
