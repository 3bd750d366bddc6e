// What a domain workload is (ecommerce, social, timeseries): tables, named query templates with
// weights, documented knobs with defaults, a deterministic initial data set and a deterministic
// stream of queries. Pure: every random choice comes from the Rng passed in (sim/rng.ts), and the
// only state is counters (next ids, the workload's clock) that depend on the calls made, never on
// wall time.
//
// API:
//   DOMAIN_TYPES = ["ecommerce", "social", "timeseries"]; type DomainType
//   interface DomainWorkload {
//     type; tables: TableSchema[]; templates: TemplateInfo[] (name, weight (normalized), description);
//     suggested_indexes: IndexDefinition[]   the indexes that serve the read templates;
//     knobs: the resolved numeric knobs (defaults filled in); mix: template weights (sum 1);
//     epoch_us: virtual time 0 of the run as a timestamp (initial data lies before it);
//     initialData(rng): IterableIterator<{ table, row }>   same rng -> same rows; call it once per
//                      replica with equal streams (e.g. rng.split("data")) to load identical copies;
//     next(rng, now_us?): { template, query }   now_us: the run's virtual time, which timestamps of
//                      new rows follow (epoch_us + now_us); without it the workload's own clock
//                      advances by 1 ms per call.
//   }
//   interface KnobSpec { default, min, max, integer, description }
//   resolveKnobs(specs, given, templates): knobs + mix, throwing SchemaError with the knob's path
//     (["records"] / ["mix", "new_order"]): the scenario loader prefixes ["workload"].
//   pickWeighted(rng, weights): index; loadInitialData(db, workload, rng): rows loaded
//   sampleQueries(workload, rng): one { template, query } per template (for EXPLAIN without a run)
//   DAY_US, HOUR_US, MINUTE_US, SECOND_US

import type { Database } from "../../../engine/query/database.js";
import { SchemaError } from "../../../engine/query/errors.js";
import type { IndexDefinition } from "../../../engine/query/indexes.js";
import type { Query } from "../../../engine/query/query.js";
import type { Row, TableSchema } from "../../../engine/query/schema.js";
import type { Rng } from "../../../sim/rng.js";

export const DOMAIN_TYPES = ["ecommerce", "social", "timeseries"] as const;
export type DomainType = (typeof DOMAIN_TYPES)[number];

export const SECOND_US = 1_000_000;
export const MINUTE_US = 60 * SECOND_US;
export const HOUR_US = 60 * MINUTE_US;
export const DAY_US = 24 * HOUR_US;
/** 2024-01-01T00:00:00Z in µs: the default timestamp of the run's virtual time 0. */
export const DEFAULT_EPOCH_US = 1_704_067_200 * SECOND_US;
/** The workload's own clock step per query when next() is not given the virtual time. */
export const CLOCK_STEP_US = 1000;

export interface TemplateInfo {
  readonly name: string;
  /** Share of the mix, normalized (the weights sum to 1). */
  readonly weight: number;
  readonly description: string;
}

export interface GeneratedQuery {
  readonly template: string;
  readonly query: Query;
}

export interface InitialRow {
  readonly table: string;
  readonly row: Row;
}

export interface DomainWorkload {
  readonly type: DomainType;
  readonly tables: readonly TableSchema[];
  readonly templates: readonly TemplateInfo[];
  readonly suggested_indexes: readonly IndexDefinition[];
  /** The numeric knobs, defaults filled in. */
  readonly knobs: Readonly<Record<string, number>>;
  /** Template weights, normalized (sum 1). */
  readonly mix: Readonly<Record<string, number>>;
  readonly epoch_us: number;
  initialData(rng: Rng): IterableIterator<InitialRow>;
  next(rng: Rng, now_us?: number): GeneratedQuery;
}

export interface KnobSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly description: string;
}

export interface TemplateSpec {
  readonly name: string;
  /** Default weight in the mix. */
  readonly weight: number;
  readonly description: string;
}

export interface ResolvedKnobs<K extends string> {
  readonly knobs: { readonly [k in K]: number };
  /** Template weights, normalized to sum 1. */
  readonly mix: Readonly<Record<string, number>>;
}

/**
 * Knob values from defaults and overrides. `mix` holds template weights, normalized to sum 1; a
 * given mix replaces the default one (templates it leaves out weigh 0).
 */
export function resolveKnobs<K extends string>(
  specs: Readonly<Record<K, KnobSpec>>,
  templates: readonly TemplateSpec[],
  given: Readonly<Record<string, unknown>> = {},
): ResolvedKnobs<K> {
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new SchemaError([], "expected knobs as an object {name: value}");
  }
  const names = Object.keys(specs) as K[];
  const out: Record<string, number> = {};
  for (const key of Object.keys(given)) {
    if (key !== "mix" && !names.includes(key as K)) {
      throw new SchemaError([key], `unknown knob (knobs: ${[...names, "mix"].join(", ")})`);
    }
  }
  for (const name of names) {
    const spec = specs[name];
    const value = given[name] ?? spec.default;
    if (typeof value !== "number" || !Number.isFinite(value) || value < spec.min || value > spec.max) {
      throw new SchemaError(
        [name],
        `expected a number in ${spec.min}..${spec.max}, got ${JSON.stringify(value)}`,
      );
    }
    if (spec.integer && !Number.isInteger(value))
      throw new SchemaError([name], `expected an integer, got ${value}`);
    out[name] = value;
  }
  const mixGiven = given.mix ?? {};
  if (typeof mixGiven !== "object" || mixGiven === null || Array.isArray(mixGiven)) {
    throw new SchemaError(["mix"], "expected template weights {template: weight}");
  }
  const templateNames = templates.map((t) => t.name);
  for (const key of Object.keys(mixGiven)) {
    if (!templateNames.includes(key)) {
      throw new SchemaError(["mix", key], `unknown template (templates: ${templateNames.join(", ")})`);
    }
  }
  const weights = templates.map((t) => {
    // A given mix replaces the default one: templates it leaves out weigh 0.
    const w = given.mix === undefined ? t.weight : ((mixGiven as Record<string, unknown>)[t.name] ?? 0);
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
      throw new SchemaError(["mix", t.name], `expected a non-negative weight, got ${JSON.stringify(w)}`);
    }
    return w;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new SchemaError(["mix"], "at least one template needs a positive weight");
  const mix: Record<string, number> = {};
  templates.forEach((t, i) => {
    mix[t.name] = (weights[i] as number) / total;
  });
  return { knobs: out as { readonly [k in K]: number }, mix };
}

export function templateInfos(
  templates: readonly TemplateSpec[],
  mix: Readonly<Record<string, number>>,
): TemplateInfo[] {
  return templates.map((t) => ({ name: t.name, weight: mix[t.name] as number, description: t.description }));
}

/** An index drawn with probability proportional to its weight (weights sum to > 0). */
export function pickWeighted(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let x = rng.float() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] as number;
    if (x < 0 && (weights[i] as number) > 0) return i;
  }
  for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] as number) > 0) return i;
  throw new RangeError("pickWeighted: no positive weight");
}

/** Per template name, its chooser index: draws a template by the mix. */
export class TemplateMix {
  private readonly names: string[];
  private readonly weights: number[];

  constructor(mix: Readonly<Record<string, number>>, order: readonly TemplateSpec[]) {
    this.names = order.map((t) => t.name);
    this.weights = order.map((t) => mix[t.name] ?? 0);
  }

  pick(rng: Rng): string {
    return this.names[pickWeighted(rng, this.weights)] as string;
  }
}

/**
 * A skew toward the most recent of `count` items (ids 0..count-1): id = count - 1 - floor(count x
 * u^3) for u uniform, so the newest tenth of the items draws about 46% of the choices.
 */
export function recentId(rng: Rng, count: number): number {
  const u = rng.float();
  return Math.max(0, count - 1 - Math.floor(count * u * u * u));
}

/**
 * One query of each template (in template order), drawn from `workload.next` (at most `maxDraws`
 * draws; templates of weight 0 are skipped), e.g. to EXPLAIN each template without running.
 * Drawing advances the workload's counters: use a workload instance of its own.
 */
export function sampleQueries(workload: DomainWorkload, rng: Rng, maxDraws = 100_000): GeneratedQuery[] {
  const wanted = workload.templates.filter((t) => t.weight > 0).map((t) => t.name);
  const found = new Map<string, GeneratedQuery>();
  for (let i = 0; i < maxDraws && found.size < wanted.length; i++) {
    const q = workload.next(rng);
    if (!found.has(q.template)) found.set(q.template, q);
  }
  return wanted.flatMap((name) => {
    const q = found.get(name);
    return q === undefined ? [] : [q];
  });
}

/** Inserts the workload's initial rows into `db` (costs ignored); returns how many. */
export function loadInitialData(db: Database, workload: DomainWorkload, rng: Rng): number {
  let rows = 0;
  for (const { table, row } of workload.initialData(rng)) {
    if (!db.load(table, row)) throw new Error(`initial data: duplicate key inserting into ${table}`);
    rows++;
  }
  return rows;
}

/** The workload's clock: the run's virtual time when given, else its own steps. */
export class WorkloadClock {
  private now: number;
  readonly epoch_us: number;

  constructor(epoch_us: number) {
    this.epoch_us = epoch_us;
    this.now = epoch_us;
  }

  /** The timestamp of the next query: epoch + now_us, never earlier than the previous one. */
  tick(now_us?: number): number {
    this.now = now_us === undefined ? this.now + CLOCK_STEP_US : Math.max(this.now, this.epoch_us + now_us);
    return this.now;
  }

  get current(): number {
    return this.now;
  }
}
