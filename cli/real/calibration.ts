// Calibration of the cost model against a real database (`dbsim calibrate`).
//
// Per scenario: a real run measures each template's latency percentiles; its p50 at a low rate is
// the operation's own time (the round trip and the database's work, hardly any waiting) and is what
// the fit explains. Three simulated runs with unit costs count what dbsim's model charges each
// template per operation (service_time 1us alone: requests; page_time 1us
// alone: pages read and written; row_time 1us alone: rows examined and sorted), and whether it
// writes (one synced write: fsync). Least squares over every template of every scenario (fit.ts)
// gives service_time, page_time, row_time and fsync; the network's latency is a constant: half
// the median round trip of an empty request on a server (SELECT 1, PING), 0 for PGlite, which runs
// in this process. Simulated runs before and after the overlay compare each template's p50 and
// p99 with the real ones: absolute percentage errors, and their median over the templates.

import { basename, extname } from "node:path";
import { type Histogram, newHistogram, percentile } from "../../reports/latency.js";
import type { CompletedOperation, Observer } from "../../workloads/observer.js";
import { ScenarioRun } from "../../workloads/runner.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import { fitNonNegative, type Observation } from "./fit.js";
import type { OpenTarget } from "./real-run.js";

/** What a run measured of one template's ok operations in the measured phase. */
export class TemplateStats {
  ok = 0;
  writes = false;
  readonly latency: Histogram = newHistogram();
  latencyMax_us = 0;
  serviceSum_us = 0;

  p50_us(): number {
    return percentile(this.latency, 50, this.latencyMax_us);
  }
  p99_us(): number {
    return percentile(this.latency, 99, this.latencyMax_us);
  }
  /** In a unit-cost simulated run: the count of what the model charges per operation. */
  serviceMean_us(): number {
    return this.ok === 0 ? 0 : this.serviceSum_us / this.ok;
  }
}

const WRITE_OPS = new Set(["update", "insert", "rmw", "transfer"]);

/** A template's name: a domain workload's query template, else the operation (read, update, ...). */
export function templateOf(op: CompletedOperation): string {
  return op.query?.template ?? op.op;
}

/** The Observer that keeps TemplateStats per template, in first-seen order. */
export class TemplateRecorder implements Observer {
  readonly templates = new Map<string, TemplateStats>();

  onOperation(op: CompletedOperation): void {
    if (!op.measured || op.result !== "ok") return;
    const name = templateOf(op);
    let stats = this.templates.get(name);
    if (stats === undefined) {
      stats = new TemplateStats();
      stats.writes = WRITE_OPS.has(op.op);
      this.templates.set(name, stats);
    }
    stats.ok++;
    stats.latency.recordValue(op.latency_us);
    if (op.latency_us > stats.latencyMax_us) stats.latencyMax_us = op.latency_us;
    stats.serviceSum_us += op.service_us;
  }
}

/** A scenario as calibrate reads it: its file's text and the --set overrides given. */
export interface CalibrationScenario {
  readonly path: string;
  readonly text: string;
  readonly overrides: readonly string[];
}

/** Simulates the scenario with more overrides at `seed`; what each template's operations measured. */
export function simulateTemplates(
  scenario: CalibrationScenario,
  more: readonly string[],
  seed: number,
): Map<string, TemplateStats> {
  const loaded = loadScenario(scenario.text, {
    sourceName: scenario.path,
    fallbackName: basename(scenario.path, extname(scenario.path)),
    overrides: [...scenario.overrides, ...more],
  });
  const recorder = new TemplateRecorder();
  new ScenarioRun(loaded.resolved, { seed, observer: recorder }).runToEnd();
  return recorder.templates;
}

/** The model's parameters, in the fit's column order. */
export const PARAMETERS = ["service_time", "page_time", "row_time", "fsync"] as const;
type Parameter = (typeof PARAMETERS)[number];

/** Unit-cost overrides: the service time each run measures is the count of one thing. */
const UNIT_RUNS: readonly {
  readonly counts: "requests" | "pages" | "rows";
  readonly set: readonly string[];
}[] = [
  {
    counts: "requests",
    set: ["cluster.node.service_time=1us", "cluster.node.page_time=0us", "cluster.node.row_time=0us"],
  },
  {
    counts: "pages",
    set: ["cluster.node.service_time=0us", "cluster.node.page_time=1us", "cluster.node.row_time=0us"],
  },
  {
    counts: "rows",
    set: ["cluster.node.service_time=0us", "cluster.node.page_time=0us", "cluster.node.row_time=1us"],
  },
];

/** What dbsim's model charges each template per operation (means over its ok operations). */
export interface Charged {
  readonly requests: number;
  readonly pages: number;
  readonly rows: number;
  /** 1 when the template writes (waits for one fsync), else 0. */
  readonly writes: number;
}

export function chargedPerTemplate(scenario: CalibrationScenario, seed: number): Map<string, Charged> {
  const [requests, pages, rows] = UNIT_RUNS.map((run) => simulateTemplates(scenario, run.set, seed));
  const charged = new Map<string, Charged>();
  for (const [name, stats] of requests ?? new Map<string, TemplateStats>()) {
    charged.set(name, {
      requests: stats.serviceMean_us(),
      pages: pages?.get(name)?.serviceMean_us() ?? 0,
      rows: rows?.get(name)?.serviceMean_us() ?? 0,
      writes: stats.writes ? 1 : 0,
    });
  }
  return charged;
}

/** A template must have this many ok operations in the real run to enter the fit. */
export const MIN_OPERATIONS = 20;

export interface FittedTemplate {
  readonly scenario: string;
  readonly template: string;
  readonly charged: Charged;
  /** The real run's ok operations, and their p50 (what the fit explains) and p99 latency. */
  readonly real: {
    readonly operations: number;
    readonly p50_us: number;
    readonly p99_us: number;
  };
}

/** The fitted parameters in whole µs (the clock's resolution); null: not identifiable from these templates. */
export type FittedParameters = Record<Parameter, number | null> & { readonly network_one_way_us: number };

/**
 * Fits the model to the templates: page_time and row_time by least squares with the others, then
 * rounded to whole µs and held while service_time and fsync are fitted again (they absorb the
 * rounding). service_time is what a request costs beyond the network's round trip.
 */
export function fitParameters(templates: readonly FittedTemplate[], roundTrip_us: number): FittedParameters {
  const observations: Observation[] = templates
    .filter((t) => t.real.operations >= MIN_OPERATIONS)
    .map((t) => ({
      x: [t.charged.requests, t.charged.pages, t.charged.rows, t.charged.writes],
      y: t.real.p50_us,
    }));
  const first = fitNonNegative(observations);
  const fixed = new Map<number, number>();
  for (const j of [1, 2]) {
    const value = first[j];
    if (value !== null && value !== undefined) fixed.set(j, Math.round(value));
  }
  const second = fitNonNegative(observations, fixed);
  const whole = (value: number | null | undefined): number | null =>
    value === null || value === undefined ? null : Math.max(0, Math.round(value));
  const perRequest = second[0];
  const one_way = Math.round(roundTrip_us / 2);
  return {
    service_time:
      perRequest === null || perRequest === undefined
        ? null
        : Math.max(0, Math.round(perRequest - 2 * one_way)),
    page_time: whole(second[1]),
    row_time: whole(second[2]),
    fsync: whole(second[3]),
    network_one_way_us: one_way,
  };
}

/** The overlay as --set overrides (a parameter not fitted keeps the scenario's value). */
export function overlayOverrides(parameters: FittedParameters): string[] {
  const sets: string[] = [];
  for (const name of PARAMETERS) {
    const value = parameters[name];
    if (value !== null) sets.push(`cluster.node.${name}=${value}us`);
  }
  sets.push(`network.latency={dist: constant, value: ${parameters.network_one_way_us}us}`);
  return sets;
}

/** Absolute percentage error of `simulated` against `real`, in percent. */
export function ape(simulated: number, real: number): number {
  return real === 0 ? (simulated === 0 ? 0 : 100) : (Math.abs(simulated - real) / real) * 100;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Rounds of an empty request (SELECT 1, PING) timed to measure the network's round trip. */
const PINGS = 500;

/** The median round trip of an empty request on a server's session. */
export async function roundTrip_us(open: OpenTarget): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < PINGS; i++) {
    const start = performance.now();
    if (open.kind === "sql") await open.pool.session(0).query("SELECT 1");
    else await open.pool.session(0).ping();
    times.push((performance.now() - start) * 1000);
  }
  return Math.round(median(times));
}
