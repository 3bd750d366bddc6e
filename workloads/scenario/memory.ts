// The memory a run of a scenario will keep, estimated before it runs from what grows with the
// scenario's size: the records (or a domain workload's rows) on every replica, the replicas' logs,
// the history when checks are on, the open-loop backlog at its bound, the metrics timeline. The
// command line refuses a scenario whose estimate is over the limit (--max-memory) before running it.
//
// The constants are bytes measured on this code (heap, external and array buffers after a full GC,
// the difference between two sizes of one scenario divided by what grew): `node --expose-gc
// --import tsx bench/memory-constants.ts` prints them; the history's checking cost is the max RSS of
// `dbsim run` with and without checks at two run lengths (docs/files.md, "Memory a run keeps"). Field
// contents cost nothing: the engine keeps the stamp of the write that made them, not their bytes,
// so `field_length` does not count.

import { LOG_WINDOW } from "../../engine/node/log.js";
import { formatBytes } from "../../engine/settings/units.js";
import { medianDelayUs } from "../../sim/latency.js";
import { expectedArrivals } from "../client/arrivals.js";
import type { DomainType } from "../generators/domain/domain.js";
import type { ResolvedScenario } from "./resolve.js";

/** The default limit: Node's default heap limit here is about 4 GiB, and this machine has 24 GiB. */
export const DEFAULT_MAX_MEMORY_BYTES = 4 * 2 ** 30;

/** Node, the code, the HDR histograms and a small cluster: the max RSS of a short run. */
const BASE_BYTES = 160 * 2 ** 20;
/** A YCSB (or bank) record on one replica: its key in the B+tree and its row, besides its fields. */
const RECORD_BYTES = 93;
/** A field of a record on one replica: the stamp of its last write (8 bytes, and room to grow). */
const FIELD_BYTES = 16;
/** A domain workload's row on one replica (ecommerce 344, social 381, timeseries 325 bytes). */
const DOMAIN_ROW_BYTES = 400;
/** A write in a replica's log (the log entry, its disk record, its undo information): 172. */
const LOG_ENTRY_BYTES = 175;
/**
 * A history operation with checks on: the recorder's columns (46 bytes, up to half again while they
 * grow), the checkers' History (172) and what the checkers build while they run (ycsb-a at 5000/s
 * with linearizable and lost_writes: 431 bytes at 0.5M operations, 417 at 1.5M).
 */
const HISTORY_BYTES_PER_OPERATION = 430;
/** A bank read's value in the history keeps every balance: per account. */
const BANK_BALANCE_BYTES = 50;
/** An open-loop operation waiting for a free client. */
const BACKLOG_ENTRY_BYTES = 260;
/** A value of the metrics timeline (metrics.om): one series at one sample, with room to grow. */
const METRICS_VALUE_BYTES = 12;
/**
 * Series of the run's metrics: about this many, plus METRICS_SERIES_PER_NODE per database node
 * (counted in metrics.om: 78 series with 1 node, 97 with 3, 180 with 15).
 */
const METRICS_SERIES = 80;
const METRICS_SERIES_PER_NODE = 8;
/** metrics.om keeps at most this many samples (MAX_METRICS_SAMPLES in cli/run-metrics.ts). */
const METRICS_SAMPLES_MAX = 10_000;
/** Most closed-loop operations per second per client: one per µs, the clock's resolution. */
const MAX_OPS_PER_S = 1_000_000;

export interface MemoryPart {
  readonly name: string;
  readonly bytes: number;
  /** What it counts, for messages: "5000000 records x 100 fields x 3 replicas". */
  readonly detail: string;
}

export interface MemoryEstimate {
  readonly total_bytes: number;
  /** The operations the estimate expects (open loop: the rate's integral over the run). */
  readonly operations: number;
  /** The parts, largest first. */
  readonly parts: readonly MemoryPart[];
}

export function estimateMemory(scenario: ResolvedScenario): MemoryEstimate {
  const w = scenario.workload;
  const replicas = scenario.cluster.replicas;
  const nodes = scenario.cluster.provisioned * replicas;
  const end_us = scenario.warmup_us + scenario.duration_us;
  const seconds = end_us / 1e6;
  const operations = Math.ceil(
    w.rate === null ? closedLoopOperationsPerS(scenario) * seconds : expectedArrivals(w.rate, 0, end_us),
  );
  const parts: MemoryPart[] = [{ name: "base", bytes: BASE_BYTES, detail: "Node and dbsim" }];

  let writes: number;
  if (w.domain !== null) {
    // Every operation counted as a write of one row: an upper bound (the write templates add 1 to 3.5).
    const rows = domainRows(w.domain.type, w.domain.knobs) + operations;
    parts.push({
      name: "rows",
      bytes: rows * replicas * DOMAIN_ROW_BYTES,
      detail: `${count(rows)} ${w.domain.type} rows x ${plural(replicas, "replica")}`,
    });
    writes = operations;
  } else {
    const bank = w.type === "bank";
    const records = (bank ? w.bank.accounts : w.records) + (bank ? 0 : Math.ceil(operations * w.mix.insert));
    const fields = bank ? 1 : w.field_count;
    parts.push({
      name: "records",
      bytes: records * replicas * (RECORD_BYTES + fields * FIELD_BYTES),
      detail: `${count(records)} records x ${plural(fields, "field")} x ${plural(replicas, "replica")}`,
    });
    writes = operations * (bank ? 1 - w.bank.read_fraction : w.mix.update + w.mix.insert + w.mix.rmw);
    if (scenario.checks.length > 0 || scenario.final_reads.enabled) {
      // The final reads: every key from every replica (a bank: every balance from each replica).
      const finalReads = scenario.final_reads.enabled ? (bank ? 1 : records) * replicas : 0;
      const bankReads = bank
        ? (operations * w.bank.read_fraction + finalReads) * w.bank.accounts * BANK_BALANCE_BYTES
        : 0;
      // A read-modify-write is two history operations: its read and its write.
      const historyOperations = operations * (1 + (bank ? 0 : w.mix.rmw)) + finalReads;
      parts.push({
        name: "history",
        bytes: historyOperations * HISTORY_BYTES_PER_OPERATION + bankReads,
        detail: `${count(operations)} operations with checks${bank ? `, reads of ${w.bank.accounts} balances` : ""}`,
      });
    }
  }
  // Each shard's replicas log its writes, keeping about the last LOG_WINDOW each.
  const shards = scenario.cluster.shards;
  const logged = Math.min(Math.ceil(writes / shards), LOG_WINDOW);
  parts.push({
    name: "logs",
    bytes: logged * shards * replicas * LOG_ENTRY_BYTES,
    detail: `${count(logged)} entries x ${plural(shards * replicas, "replica")}`,
  });
  if (w.rate !== null) {
    const waiting = Math.min(w.max_backlog, operations);
    parts.push({
      name: "backlog",
      bytes: waiting * BACKLOG_ENTRY_BYTES,
      detail: `${count(waiting)} operations waiting (max_backlog)`,
    });
  }
  const samples = Math.min(METRICS_SAMPLES_MAX, Math.ceil(seconds));
  const series = METRICS_SERIES + METRICS_SERIES_PER_NODE * nodes;
  parts.push({
    name: "metrics",
    bytes: samples * series * METRICS_VALUE_BYTES,
    detail: `${count(samples)} samples x ${count(series)} series`,
  });
  parts.sort((a, b) => b.bytes - a.bytes);
  return { total_bytes: parts.reduce((sum, part) => sum + part.bytes, 0), operations, parts };
}

/** The largest parts, for a one-line message: "records 11.2 GiB (5000000 records x ...), ...". */
export function describeEstimate(estimate: MemoryEstimate, parts = 3): string {
  return estimate.parts
    .slice(0, parts)
    .map((part) => `${part.name} ${formatBytes(part.bytes)}: ${part.detail}`)
    .join("; ");
}

/**
 * Closed loop: each client's next operation follows its last one's round trip (twice the network's
 * median delay, plus the service time), at most one per µs.
 */
function closedLoopOperationsPerS(scenario: ResolvedScenario): number {
  const w = scenario.workload;
  const roundTrip_us = 2 * medianDelayUs(scenario.network.latency) + scenario.cluster.node.service_time_us;
  return w.clients * Math.min(MAX_OPS_PER_S, 1e6 / Math.max(1, roundTrip_us));
}

/** A domain workload's initial rows, from its knobs (as its initialData generates them). */
function domainRows(type: DomainType, knobs: Readonly<Record<string, unknown>>): number {
  const knob = (name: string) => Number(knobs[name] ?? 0);
  switch (type) {
    case "ecommerce": {
      const orders = knob("customers") * knob("orders_per_customer");
      return knob("customers") + knob("products") + orders * (1 + (knob("items_per_order") + 1) / 2);
    }
    case "social": {
      const posts = knob("users") * knob("posts_per_user");
      return knob("users") + posts + posts * knob("comments_per_post");
    }
    case "timeseries":
      return knob("devices") * knob("points_per_device");
  }
}

function count(n: number): string {
  return Math.round(n).toString();
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
