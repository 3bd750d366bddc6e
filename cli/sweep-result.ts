// What a sweep's seeds add up to: each finished seed as sweep.json lists it, and sweep.json itself
// assembled from the journal's entries (the seeds' results and latency histograms) in any order.
// `dbsim sweep` (its seeds run locally or on a queue's workers) and `dbsim merge` build sweep.json
// through this one tally, so the same seeds give the same bytes however they were run.

import { decodeFromCompressedBase64 } from "hdr-histogram-js";
import { type SeedFigures, seedFigures } from "../reports/baseline.js";
import { type LatencySummary, newHistogram, summarize } from "../reports/latency.js";
import type { Report } from "../reports/report-schema.js";
import { runOutcome } from "./run-outcome.js";
import type { JournalEntry } from "./sweep-journal.js";

export interface FinishedSeed {
  seed: number;
  trace_hash: string;
  valid: boolean | "unknown";
  /** What `dbsim run` of the seed exits with: 1 a check failed, 5 a threshold breached, 3 undecided, 0. */
  exit: number;
  violations: string[];
  /** The thresholds it breached ("update.p99 < 10ms"); only when the scenario has thresholds. */
  breached?: string[];
  /** What `dbsim compare --baseline` compares: throughput, and each operation's latency and error rate. */
  figures: SeedFigures;
}

export type SeedResult = FinishedSeed | { seed: number; crashed: string };

export interface SweepJson {
  scenario: string;
  seeds: SeedResult[];
  failing_seeds: number[];
  crashed_seeds: number[];
  merged: { latency_us: LatencySummary; count: number };
  /** Only in a sweep stopped by SIGINT or SIGTERM: the seeds asked for, those not run, how to go on. */
  interrupted?: true;
  planned_seeds?: string;
  missing_seeds?: string[];
  resume?: string;
}

/** The seeds recorded so far; the merged latency is the sum of their histograms (order-free). */
export class SweepTally {
  readonly results = new Map<number, SeedResult>();
  private readonly merged = newHistogram();
  private mergedMax_us = 0;
  private failingCount = 0;

  get failing(): number {
    return this.failingCount;
  }

  record(entry: JournalEntry<SeedResult>): void {
    this.results.set(entry.seed, entry.result);
    if (entry.latency_all_base64 !== undefined)
      this.merged.add(decodeFromCompressedBase64(entry.latency_all_base64));
    this.mergedMax_us = Math.max(this.mergedMax_us, entry.latency_max_us);
    if ("valid" in entry.result && entry.result.valid === false) this.failingCount++;
  }

  /** sweep.json of the seeds recorded, in ascending order. */
  sweepJson(scenario: string): SweepJson {
    const ordered = [...this.results.values()].sort((a, b) => a.seed - b.seed);
    const merged = this.merged;
    return {
      scenario,
      seeds: ordered,
      failing_seeds: ordered.filter((r) => "valid" in r && r.valid === false).map((r) => r.seed),
      crashed_seeds: ordered.filter((r) => "crashed" in r).map((r) => r.seed),
      merged: {
        latency_us: summarize(merged, merged.mean * merged.totalCount, this.mergedMax_us),
        count: merged.totalCount,
      },
    };
  }
}

/** A finished run's entry: its combined check verdict (false > unknown > true), `dbsim run`'s exit, its figures. */
export function seedResult(report: Report): FinishedSeed {
  const outcome = runOutcome(report);
  const valid = outcome.violations.length > 0 ? false : outcome.undecided.length > 0 ? "unknown" : true;
  return {
    seed: report.seed,
    trace_hash: report.trace_hash,
    valid,
    exit: outcome.exit,
    violations: outcome.violations,
    ...(report.thresholds === undefined
      ? {}
      : { breached: outcome.breached.map((result) => `${result.figure} ${result.condition}`) }),
    figures: seedFigures(report),
  };
}

/** Ascending seeds as ranges: [1, 2, 3, 7] -> ["1..3", "7"]. */
export function seedRanges(seeds: readonly number[]): string[] {
  const ranges: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && (seeds[j + 1] as number) === (seeds[j] as number) + 1) j++;
    ranges.push(i === j ? `${seeds[i]}` : `${seeds[i]}..${seeds[j]}`);
    i = j + 1;
  }
  return ranges;
}

/** A journal line of a seed: refused whole if it is not what this dbsim wrote. */
export function isJournalEntry(entry: JournalEntry<SeedResult>): boolean {
  return (
    entry !== null &&
    typeof entry === "object" &&
    Number.isSafeInteger(entry.seed) &&
    typeof entry.result === "object" &&
    entry.result !== null &&
    entry.result.seed === entry.seed &&
    typeof entry.latency_max_us === "number" &&
    (entry.latency_all_base64 === undefined || typeof entry.latency_all_base64 === "string")
  );
}
