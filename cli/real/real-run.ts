// One scenario at one seed on a real database: the target prepared (tables or keys made and loaded
// with the data a simulated run at the seed starts with), the scenario's operations driven in wall
// time (driver.ts), recorded by the simulated run's recorders, and turned into the same report and
// run directory (report.json with "source": "real" and the target without credentials).

import { renderReportHtml } from "../../reports/html.js";
import { hgrm, LatencyRecorder } from "../../reports/latency.js";
import { QueriesRecorder } from "../../reports/queries.js";
import { buildReport } from "../../reports/report.js";
import { type QueriesReport, type Report, validateReport } from "../../reports/report-schema.js";
import type { FileContent } from "../../reports/run-dir.js";
import { markdownSummary } from "../../reports/summary.js";
import { TimelineRecorder } from "../../reports/timeline.js";
import { Rng } from "../../sim/rng.js";
import { BankWorkload } from "../../workloads/generators/bank/bank-workload.js";
import { sampleQueries } from "../../workloads/generators/domain/domain.js";
import { initialQueryDatabase } from "../../workloads/generators/domain/plugin.js";
import { ycsbWorkload } from "../../workloads/generators/ycsb/plugin.js";
import type { Observer } from "../../workloads/observer.js";
import type { LoadedScenario } from "../../workloads/scenario/load.js";
import type { ResolvedScenario } from "../../workloads/scenario/resolve.js";
import { CliError } from "../errors.js";
import { dbsimVersion } from "../version.js";
import { BankReal, redisBankStore, sqlBankStore } from "./bank-real.js";
import { type Clock, wallClock } from "./clock.js";
import { DomainReal, loadDomainTables } from "./domain-real.js";
import { type DriverEnd, RealDriver, type RealOperation, type RealWorkload } from "./driver.js";
import { explainOnPostgres, type PgPlan } from "./plans.js";
import { openRedisPool, type RedisPool } from "./redis-pool.js";
import { openSqlPool, type SqlPool } from "./sql-pool.js";
import { errorText, type Target } from "./target.js";
import { redisYcsbStore, sqlYcsbStore, YcsbReal } from "./ycsb-real.js";

/** A target, opened: its sessions and what it says it is. */
export type OpenTarget =
  | { readonly kind: "sql"; readonly pool: SqlPool; readonly version: string }
  | { readonly kind: "redis"; readonly pool: RedisPool; readonly version: string };

/** The scenario's workload on the target, its data loaded; notes say what differs from the scenario. */
interface Prepared {
  readonly workload: RealWorkload<RealOperation>;
  readonly notes: string[];
  /** A domain workload's templates, in its order, each with PostgreSQL's plan of one of its queries on the loaded data. */
  readonly plans: ReadonlyMap<string, PgPlan> | null;
}

/** Refuses a workload the target cannot run (a domain workload on Redis), before connecting. */
export function checkTargetFits(scenario: ResolvedScenario, target: Target, source: string): void {
  if (target.kind === "redis" && scenario.workload.domain !== null) {
    throw new CliError(
      `${source}: workload.type ${scenario.workload.type} runs SQL queries; ${target.name} is Redis, which runs ` +
        "the key-value workloads (ycsb, bank): use --target pglite or a postgres:// URL",
    );
  }
  const perTransfer = scenario.workload.bank.accounts_per_transfer;
  if (scenario.workload.type === "bank" && perTransfer !== undefined && perTransfer > 2) {
    throw new CliError(
      `${source}: workload.bank.accounts_per_transfer ${perTransfer}: a real target's transfer moves money between two accounts (use 2)`,
    );
  }
}

/** Opens `sessions` sessions on the target (one line and exit 2 when it cannot be reached). */
export async function openTarget(target: Target, sessions: number, timeout_us: number): Promise<OpenTarget> {
  if (target.kind === "redis") {
    const pool = await openRedisPool(target, sessions);
    return { kind: "redis", pool, version: pool.version };
  }
  const pool = await openSqlPool(target, sessions, timeout_us / 1000);
  return { kind: "sql", pool, version: pool.version };
}

async function prepare(scenario: ResolvedScenario, seed: number, open: OpenTarget): Promise<Prepared> {
  // The simulated run's streams: its workload draws from `workload`, its arrivals from `arrivals`.
  const rng = Rng.fromSeed(seed).split("workload");
  const w = scenario.workload;
  if (w.domain !== null) {
    if (open.kind !== "sql") throw new Error("a domain workload needs a SQL target");
    const { db, workload, queries } = initialQueryDatabase(scenario, seed);
    const admin = open.pool.session(0);
    const notes = await loadDomainTables(admin, db, scenario.cluster.indexes);
    const tables = new Map(workload.tables.map((t) => [t.name, t]));
    // One query of each template, drawn from a copy of the workload (the run's keeps its counters).
    const sampling = initialQueryDatabase(scenario, seed);
    const samples = new Map(
      sampleQueries(sampling.workload, sampling.queries).map((s) => [s.template, s.query]),
    );
    const plans = new Map<string, PgPlan>();
    for (const { name } of workload.templates) {
      const query = samples.get(name);
      if (query !== undefined) plans.set(name, await explainOnPostgres(admin, query, tables));
    }
    return { workload: new DomainReal(workload, queries, open.pool), notes, plans };
  }
  if (w.type === "bank") {
    const bank = new BankWorkload(w.bank, rng);
    const store = open.kind === "sql" ? sqlBankStore(open.pool) : redisBankStore(open.pool, bank.keys);
    const real = new BankReal(bank, store);
    await real.load();
    return { workload: real, notes: [], plans: null };
  }
  const ycsb = ycsbWorkload(scenario, rng);
  const store =
    open.kind === "sql" ? sqlYcsbStore(open.pool, w.field_count) : redisYcsbStore(open.pool, w.field_count);
  const real = new YcsbReal(ycsb, store);
  await real.load();
  return { workload: real, notes: [], plans: null };
}

/**
 * The workload with each operation's service time taken from the database's own account of its
 * work (PGlite), so the time its statements waited behind other clients' counts as waiting.
 */
function withEngineTime<Op extends RealOperation>(
  workload: RealWorkload<Op>,
  pool: SqlPool,
): RealWorkload<Op> {
  return {
    next: (intended_us) => workload.next(intended_us),
    finished: (op) => workload.finished(op),
    run: async (op, client) => {
      const before = pool.busy_us(client);
      const outcome = await workload.run(op, client);
      const after = pool.busy_us(client);
      return before === null || after === null ? outcome : { ...outcome, service_us: after - before };
    },
  };
}

/** What a real run does not take from the scenario, said once on stderr. */
function unappliedSettings(scenario: ResolvedScenario): string[] {
  const parts: string[] = [];
  if (scenario.cluster.replicas > 1) parts.push(`${scenario.cluster.replicas} replicas`);
  if (scenario.cluster.shards > 1) parts.push(`${scenario.cluster.shards} shards`);
  if (scenario.faults.schedule.length > 0 || scenario.faults.random !== null) parts.push("faults");
  if (scenario.checks.length > 0) parts.push(`checks (${scenario.checks.join(", ")})`);
  return parts.length === 0
    ? []
    : [`the real database is one server: the scenario's ${parts.join(", ")} are simulated only, not applied`];
}

export interface RealRunOptions {
  readonly target: Target;
  readonly seed: number;
  /** The command that runs it again (summary.md, report.html). */
  readonly reproduce: string;
  readonly clock?: Clock;
  /** Aborted (Ctrl-C): before the run, nothing runs; during it, the driver stops and what is done is reported. */
  readonly signal?: AbortSignal;
  /** Every 250 ms while the operations run. */
  readonly onProgress?: (progress: { elapsed_us: number; end_us: number; completed: number }) => void;
  /** Says a note (stderr). */
  readonly note?: (line: string) => void;
  /** Another observer of every operation (calibration's). */
  readonly observer?: Observer;
}

export interface ExecutedReal {
  readonly report: Report;
  readonly files: Map<string, FileContent>;
  readonly end: DriverEnd;
}

const PROGRESS_MS = 250;

/**
 * Runs the scenario on the target. null when stopped before the measured phase began (nothing to
 * report); the target's tables or keys are removed either way.
 */
export async function executeReal(
  loaded: LoadedScenario,
  options: RealRunOptions,
): Promise<ExecutedReal | null> {
  const scenario = loaded.resolved;
  const { target, seed } = options;
  const w = scenario.workload;
  for (const line of unappliedSettings(scenario)) options.note?.(line);
  const open = await openTarget(target, w.clients, w.timeout_us);
  const started = process.hrtime.bigint();
  const latency = new LatencyRecorder();
  const timeline = new TimelineRecorder({ openLoop: w.rate !== null });
  let queries: QueriesRecorder | null = null;
  let prepared: Prepared;
  let end: DriverEnd;
  try {
    try {
      prepared = await prepare(scenario, seed, open);
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`cannot prepare ${target.name}: ${errorText(error, target)}`);
    }
    for (const line of prepared.notes) options.note?.(line);
    if (options.signal?.aborted) return null;
    if (prepared.plans !== null) queries = new QueriesRecorder([...prepared.plans.keys()]);
    const recorders = queries;
    const driver = new RealDriver({
      config: {
        rate: w.rate,
        arrival: w.arrival,
        clients: w.clients,
        timeout_us: w.timeout_us,
        max_backlog: w.max_backlog,
        warmup_us: scenario.warmup_us,
        end_us: scenario.warmup_us + scenario.duration_us,
      },
      workload: open.kind === "sql" ? withEngineTime(prepared.workload, open.pool) : prepared.workload,
      arrivals: Rng.fromSeed(seed).split("arrivals"),
      clock: options.clock ?? wallClock,
      observer: {
        onOperation(op) {
          latency.onOperation(op);
          timeline.onOperation(op);
          recorders?.onOperation(op);
          options.observer?.onOperation(op);
        },
      },
      describeError: (error) => errorText(error, target),
    });
    const stop = (): void => driver.stop();
    options.signal?.addEventListener("abort", stop);
    const end_us = scenario.warmup_us + scenario.duration_us;
    const ticker = setInterval(
      () => options.onProgress?.({ elapsed_us: driver.elapsed_us(), end_us, completed: driver.completed }),
      PROGRESS_MS,
    );
    try {
      end = await driver.run();
    } finally {
      clearInterval(ticker);
      options.signal?.removeEventListener("abort", stop);
    }
  } finally {
    await open.pool.close();
  }
  if (end.unexpected !== null) {
    options.note?.(
      `${end.unexpected.count} operations met an error (recorded info): ${end.unexpected.first}`,
    );
  }
  const measured_us = end.measured_end_us - scenario.warmup_us;
  if (measured_us <= 0) return null;
  const wall_s = Number(process.hrtime.bigint() - started) / 1e9;
  const report = buildReport({
    doc: loaded.doc,
    // A run stopped early measured less than the scenario's duration: throughput is per second it measured.
    scenario: { ...scenario, duration_us: measured_us },
    result: {
      seed,
      trace_hash: "0".repeat(16),
      checkpoints: [],
      events: 0,
      virtual_us: Math.round(end.elapsed_us),
      operations: end.completed,
      messages: 0,
      messages_by_kind: new Map(),
      bytes_by_kind: new Map(),
    },
    latency,
    timeline: timeline.finish(Math.max(1, Math.round(end.elapsed_us))),
    replication: {
      mode: scenario.cluster.replication.mode,
      replicas: 1,
      lag_us: {},
      failovers: [],
      lost_writes: null,
      conflicts: 0,
      leaders_at_end: [],
      truncated_entries: 0,
    },
    shards: null,
    sharding: null,
    queries: queries === null ? null : withPostgresPlans(queries.finish(null), prepared.plans),
    storage: null,
    faults: [],
    checks: {},
    final_reads: null,
    host: {
      wall_s: Math.round(wall_s * 1000) / 1000,
      events_per_wall_s: 0,
      ops_per_wall_s: Math.round(end.completed / wall_s),
      node: process.version,
      dbsim_version: dbsimVersion(),
    },
    real: { kind: target.kind, name: target.name, version: open.version },
  });
  validateReport(report, "report.json");
  const files = new Map<string, FileContent>();
  files.set("report.json", `${JSON.stringify(report, null, 2)}\n`);
  files.set("summary.md", markdownSummary(report, options.reproduce));
  files.set("report.html", renderReportHtml(report, { reproduce: options.reproduce }));
  for (const [name, stats] of latency.ops()) files.set(`latency/${name}.hgrm`, hgrm(stats.latency));
  files.set("latency/all.hgrm", hgrm(latency.all.latency));
  return { report, files, end };
}

/**
 * A real run's `queries`: each template's counts and latency as measured, and its plan, rows and
 * pages (shared buffers) from PostgreSQL's EXPLAIN ANALYZE of one of its queries before the run
 * (no plan is known per operation).
 */
function withPostgresPlans(
  queries: NonNullable<QueriesReport>,
  plans: ReadonlyMap<string, PgPlan> | null,
): NonNullable<QueriesReport> {
  const templates: NonNullable<QueriesReport>["templates"] = {};
  for (const [name, t] of Object.entries(queries.templates)) {
    const pg = plans?.get(name);
    templates[name] =
      pg === undefined
        ? t
        : {
            ...t,
            plan: pg.shape,
            plans: t.ok > 0 ? { [pg.shape]: t.ok } : {},
            access: pg.access,
            index: pg.index,
            covering: pg.access === "Index Only Scan",
            table_lookup: pg.access === "Index Scan" || pg.access === "Bitmap Heap Scan",
            rows_returned_mean: pg.rows_returned,
            rows_examined_mean: pg.rows_examined,
            pages_read_mean: pg.buffers_hit + pg.buffers_read,
            pages_written_mean: pg.buffers_dirtied,
          };
  }
  return { templates, index_advice: [] };
}
