// A workload as the runner composes it, as Jepsen's test map does: what the cluster loads and what
// its clients do (`setup`), how its operations enter the history (`history`), and how its history
// and the cluster's end state are judged (`checks`). Each workload (YCSB, the bank, the domain
// workloads) is one plugin in its folder, registered in plugins.ts; the runner, the client driver
// and the history recorder know none of them.

import type { Database } from "../../engine/query/database.js";
import type { ClusterInspector } from "../../engine/topology.js";
import type { Rng } from "../../sim/rng.js";
import type { Checker, CheckOptions } from "../checkers/checker.js";
import type { ClientOperation, ClientWorkload } from "../client/client-workload.js";
import type { FinalReadTarget } from "../client/final-reads.js";
import type { CompletedOperation } from "../observer.js";
import { ScenarioError } from "../scenario/errors.js";
import type { ResolvedScenario } from "../scenario/resolve.js";
import type { DomainWorkload } from "./domain/domain.js";

export interface WorkloadPlugin {
  /** Builds the run's workload from the scenario and the stream `workload`. */
  setup(scenario: ResolvedScenario, rng: Rng): WorkloadSetup;
  /** How each completed operation enters the history the checkers judge. */
  readonly history: HistoryRecording;
}

/** What the cluster loads before the run (YCSB's load phase; untimed), into every replica. */
export interface LoadSpec {
  readonly count: number;
  key(n: number): string;
  /** Every field of every loaded record holds it (YCSB: 0, no write's value; bank: the balance). */
  readonly value: number;
  readonly field_count: number;
  /** Bytes of one field's value on the wire (YCSB's field_length; a balance: 8): engine/wire-size.ts. */
  readonly field_bytes: number;
  /** A domain workload's query database, built and loaded once per replica (identical copies). */
  readonly database?: () => Database;
  /** Where the keys go: the table (default), or the transactions' keys (the bank's accounts, as transactions). */
  readonly into?: "table" | "transactions";
}

export interface WorkloadSetup {
  readonly load: LoadSpec;
  readonly clients: ClientWorkload<ClientOperation>;
  readonly checks: WorkloadChecks;
  /** A domain workload's generator (its templates name the report's queries); null for others. */
  readonly domain: DomainWorkload | null;
}

/** How a workload's history and the cluster's end state are judged. */
export interface WorkloadChecks {
  /** The checkers a scenario of this workload may name in `checks`. */
  readonly checkers: Readonly<Record<string, Checker>>;
  /** What its checkers need to know of the workload (a bank's money and accounts). */
  readonly options: Pick<CheckOptions, "bank" | "elle">;
  /** Whether lost_writes is judged (report.json's final reads headline; its check). */
  readonly lost_writes: boolean;
  /** Jepsen's final phase: what to read from which replicas, given the keys the history touched. */
  finalReads(cluster: ClusterInspector, touchedKeys: readonly string[]): FinalReadTarget[];
  /** The end state without final reads, from the shards' leaders (null without a single leader each). */
  finalState(cluster: ClusterInspector, touchedKeys: readonly string[]): ReadonlyMap<string, unknown> | null;
}

/** An operation's part in the history: who invoked it, when, its outcome and the node that answered. */
export type HistoryPart = Pick<
  CompletedOperation,
  "process" | "result" | "sent_us" | "completed_us" | "node"
>;

/** Where a workload records its operations (the history recorder). */
export interface HistorySink {
  /** A read or a write of one key's register (value null: empty; a read of the loaded 0 is empty too). */
  register(op: HistoryPart, f: "read" | "write", key: string, value: number | null): void;
  /** An operation on no single key (a bank's transfer, a read of every balance), its value as it is. */
  whole(op: HistoryPart, f: "read" | "transfer", value: unknown): void;
  /**
   * A transaction: its micro-operations as invoked (reads with value null), and as completed (its
   * reads with what they read; null unless it committed: the completion repeats the invoke's).
   */
  txn(op: HistoryPart, invoked: readonly unknown[], completed: readonly unknown[] | null): void;
}

/** How a workload records one completed operation (never called for operations no client sent). */
export type HistoryRecording = (op: CompletedOperation, history: HistorySink) => void;

/**
 * Registers' history (YCSB, the domain workloads): a read of what it returned, or a write of what
 * it wrote; a scan is not a register operation and is left out.
 */
export const registerHistory: HistoryRecording = (op, history) => {
  if (op.op === "scan") return;
  history.register(op, op.op === "read" ? "read" : "write", op.key, op.value);
};

/** Final reads of every key the history touched, each from every replica of the shard owning it. */
export function touchedKeyReads(
  cluster: ClusterInspector,
  touchedKeys: readonly string[],
): FinalReadTarget[] {
  return touchedKeys.map((key) => ({ op: "read", key, nodes: cluster.replicasOf(key) }));
}

/**
 * Builds a workload generator; a combination of settings it cannot serve (say, a hotspot of 20% of
 * one record) is bad input, reported like any other scenario error.
 */
export function buildWorkload<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof RangeError)
      throw new ScenarioError(`workload: ${error.message}`, { path: "workload" });
    throw error;
  }
}
