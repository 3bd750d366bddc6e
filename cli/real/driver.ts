// The real driver: a scenario's operations against a real database in wall-clock time, with the
// simulated driver's semantics (workloads/client/driver.ts), so the same recorders measure both.
//
// Open loop (a rate): arrivals on the schedule the simulated run draws for the seed (the same
// ArrivalSchedule on the stream `arrivals`: a rate or stages, Poisson or constant gaps), each with
// its intended start fixed; an arrival takes a free client (one session of the target each) or
// waits in a bounded backlog (`max_backlog`, past it `fail` backlog_full); latency counts from the
// intended start, so waiting for a client is part of it (no coordinated omission). Closed loop (no rate): each client sends its next operation when
// the previous one ends (1 ms after a failure). An operation unanswered after `timeout` is recorded
// `info` (timeout) and its client continues as a new process once its session is free again: the
// statement still runs there (a server cancels it: statement_timeout). Operations intended in
// [warmup, end) are measured. An operation's service time is the database's work on it (the time
// from sending to the answer, unless the target accounts its work: PGlite) and its queue time the
// rest of its latency (waiting for a client, or behind other clients' statements). stop() (Ctrl-C) sends nothing more, drops the backlog and ends once
// every operation sent has completed or timed out.

import type { Rng } from "../../sim/rng.js";
import { ArrivalSchedule, type RateShape } from "../../workloads/client/arrivals.js";
import type { CompletedOperation, Observer, OpName, OpResult, QueryData } from "../../workloads/observer.js";
import type { Clock } from "./clock.js";

/**
 * How an operation ended: ok, or why not (`fail`: definitely not applied; `info`: unknown).
 * `service_us`: the time the database worked on it, when the target knows (PGlite); else the time
 * from sending to the answer counts.
 */
export type Outcome = (
  | { readonly result: "ok" }
  | { readonly result: "fail" | "info"; readonly error: string; readonly detail?: string }
) & { readonly service_us?: number };

export const OK: Outcome = { result: "ok" };

export interface RealOperation {
  /** The report's operation name. */
  readonly op: OpName;
  readonly key: string;
  /** A domain workload's query (its outcome stays null: the real database's plan is not known per operation). */
  readonly query?: QueryData;
}

export interface RealWorkload<Op extends RealOperation> {
  /** The next operation, intended at `intended_us` (µs since the run's start). */
  next(intended_us: number): Op;
  /** Runs it on the session of `client`. Rejects only for what no Outcome names (a lost connection). */
  run(op: Op, client: number): Promise<Outcome>;
  /** Called once as it ends, whatever its outcome (YCSB acknowledges inserts). */
  finished(op: Op): void;
}

export interface RealDriverConfig {
  /** The open-loop schedule's target rate over the run's time; null for a closed loop. */
  readonly rate: RateShape | null;
  readonly arrival: "poisson" | "constant";
  readonly clients: number;
  readonly timeout_us: number;
  readonly max_backlog: number;
  /** The measured phase is [warmup_us, end_us) by intended start. */
  readonly warmup_us: number;
  readonly end_us: number;
}

export interface DriverEnd {
  /** µs from the start to the last completion. */
  readonly elapsed_us: number;
  /** The end of the measured window that ran: end_us, or earlier when stopped. */
  readonly measured_end_us: number;
  readonly completed: number;
  readonly stopped: boolean;
  /** The first error no outcome named (say, a lost connection), and how many operations had one. */
  readonly unexpected: { readonly first: string; readonly count: number } | null;
}

/** A closed-loop client's pause after a failed operation (as the simulated driver's). */
const CLOSED_LOOP_RETRY_US = 1000;

interface Running<Op> {
  readonly spec: Op;
  readonly intended_us: number;
  sent_us: number;
  /** Recorded: completed, timed out, or rejected. */
  done: boolean;
}

export class RealDriver<Op extends RealOperation> {
  private readonly config: RealDriverConfig;
  private readonly workload: RealWorkload<Op>;
  /** The open loop's intended starts (null for a closed loop). */
  private readonly arrivals: ArrivalSchedule | null;
  private readonly clock: Clock;
  private readonly observer: Observer;
  private readonly describeError: (error: unknown) => string;
  private readonly freeClients: number[] = [];
  private readonly process: number[] = [];
  private backlog: Running<Op>[] = [];
  private backlogHead = 0;
  /** The clock's reading when run() began (null before). */
  private start_us: number | null = null;
  private arrivalsOver = false;
  private stopped = false;
  private stopped_us: number | null = null;
  /** Operations sent and not yet recorded (one timed out is recorded while its session is still busy). */
  private unrecorded = 0;
  private cancelArrival: (() => void) | null = null;
  private drained: (() => void) | null = null;
  private unexpected: { first: string; count: number } | null = null;
  /** Operations recorded so far (for progress). */
  completed = 0;

  constructor(options: {
    config: RealDriverConfig;
    workload: RealWorkload<Op>;
    /** The arrival schedule's stream (the simulated run's `arrivals`). */
    arrivals: Rng;
    clock: Clock;
    observer: Observer;
    /** A rejected run() as one line without credentials. */
    describeError: (error: unknown) => string;
  }) {
    const { config } = options;
    if (!(Number.isInteger(config.clients) && config.clients >= 1)) {
      throw new RangeError(`clients must be a positive integer, got ${config.clients}`);
    }
    this.config = config;
    this.workload = options.workload;
    this.arrivals =
      config.rate === null ? null : new ArrivalSchedule(config.rate, config.arrival, options.arrivals);
    this.clock = options.clock;
    this.observer = options.observer;
    this.describeError = options.describeError;
    for (let i = config.clients - 1; i >= 0; i--) this.freeClients.push(i);
    for (let i = 0; i < config.clients; i++) this.process.push(i);
  }

  /** µs since the run's start (0 before it starts). */
  elapsed_us(): number {
    return this.start_us === null ? 0 : this.clock.now_us() - this.start_us;
  }

  /** Runs the schedule to its end (or stop()) and until every operation sent has been recorded. */
  run(): Promise<DriverEnd> {
    this.start_us = this.clock.now_us();
    const done = new Promise<void>((resolve) => {
      this.drained = resolve;
    });
    if (this.arrivals === null) {
      this.arrivalsOver = true; // no schedule: each client loops until the end
      for (const client of this.freeClients.splice(0).reverse()) this.closedLoop(client);
    } else this.scheduleArrival(this.arrivals);
    this.checkDrained();
    return done.then(() => ({
      elapsed_us: this.elapsed_us(),
      measured_end_us: Math.min(this.config.end_us, this.stopped_us ?? this.config.end_us),
      completed: this.completed,
      stopped: this.stopped,
      unexpected: this.unexpected,
    }));
  }

  /** Ctrl-C: nothing more is sent; the backlog is dropped; operations in flight complete or time out. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopped_us = Math.round(this.elapsed_us());
    this.cancelArrival?.();
    this.arrivalsOver = true;
    this.backlog = [];
    this.backlogHead = 0;
    this.checkDrained();
  }

  private now(): number {
    return Math.round(this.elapsed_us());
  }

  /** The clock's reading `at_us` after the start. */
  private clockAt(at_us: number): number {
    return (this.start_us ?? 0) + at_us;
  }

  private scheduleArrival(arrivals: ArrivalSchedule): void {
    const at_us = arrivals.next_us();
    if (at_us >= this.config.end_us || this.stopped) {
      this.arrivalsOver = true;
      this.checkDrained();
      return;
    }
    this.cancelArrival = this.clock.at(
      this.clockAt(at_us),
      () => {
        this.arrive(at_us);
        this.scheduleArrival(arrivals);
      },
      true,
    );
  }

  private arrive(intended_us: number): void {
    const running: Running<Op> = {
      spec: this.workload.next(intended_us),
      intended_us,
      sent_us: 0,
      done: false,
    };
    const client = this.freeClients.pop();
    if (client !== undefined) this.send(running, client);
    else if (this.backlog.length - this.backlogHead < this.config.max_backlog) this.backlog.push(running);
    else this.reject(running, "backlog_full");
  }

  private closedLoop(client: number): void {
    const now = this.now();
    if (this.stopped || now >= this.config.end_us) {
      this.checkDrained();
      return;
    }
    this.send({ spec: this.workload.next(now), intended_us: now, sent_us: 0, done: false }, client);
  }

  private send(running: Running<Op>, client: number): void {
    running.sent_us = this.now();
    this.unrecorded++;
    const cancelTimeout = this.clock.at(this.clockAt(running.sent_us + this.config.timeout_us), () => {
      if (running.done) return;
      this.record(running, client, { result: "info", error: "timeout" });
      this.process[client] = (this.process[client] as number) + this.config.clients;
    });
    let outcome: Promise<Outcome>;
    try {
      outcome = this.workload.run(running.spec, client);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome
      .catch((error: unknown): Outcome => {
        const detail = this.describeError(error);
        return { result: "info", error: "error", detail };
      })
      .then((ended) => {
        cancelTimeout();
        if (!running.done) this.record(running, client, ended);
        this.clientFree(client, ended.result === "ok");
      });
  }

  private clientFree(client: number, ok: boolean): void {
    if (this.arrivals === null) {
      if (ok) this.closedLoop(client);
      else this.clock.at(this.clock.now_us() + CLOSED_LOOP_RETRY_US, () => this.closedLoop(client));
      return;
    }
    // Backlogged operations intended long ago never reach the database once the run is over.
    const cutoff_us = this.config.end_us + this.config.timeout_us;
    while (this.backlogHead < this.backlog.length) {
      const next = this.backlog[this.backlogHead++] as Running<Op>;
      if (this.now() > cutoff_us) {
        this.reject(next, "not_sent");
        continue;
      }
      this.compactBacklog();
      this.send(next, client);
      return;
    }
    this.compactBacklog();
    this.freeClients.push(client);
    this.checkDrained();
  }

  /** Drops the backlog's taken head once it is most of the array (amortised O(1) per operation). */
  private compactBacklog(): void {
    if (this.backlogHead > 1024 && this.backlogHead * 2 > this.backlog.length) {
      this.backlog = this.backlog.slice(this.backlogHead);
      this.backlogHead = 0;
    }
  }

  private reject(running: Running<Op>, error: string): void {
    running.sent_us = this.now();
    this.record(running, -1, { result: "fail", error });
  }

  private record(running: Running<Op>, client: number, outcome: Outcome): void {
    running.done = true;
    if (client >= 0) this.unrecorded--;
    this.workload.finished(running.spec);
    this.completed++;
    if (outcome.result !== "ok" && outcome.detail !== undefined) {
      if (this.unexpected === null) this.unexpected = { first: outcome.detail, count: 0 };
      this.unexpected.count++;
    }
    const completed_us = this.now();
    const result: OpResult = outcome.result;
    const latency_us = completed_us - running.intended_us;
    // Service: the database's work (or sending to answer); the rest of the latency is waiting.
    const service_us = Math.min(latency_us, Math.round(outcome.service_us ?? completed_us - running.sent_us));
    const op: CompletedOperation = {
      op: running.spec.op,
      result,
      process: client < 0 ? -1 : (this.process[client] as number),
      key: running.spec.key,
      intended_us: running.intended_us,
      sent_us: running.sent_us,
      completed_us,
      latency_us,
      queue_us: latency_us - service_us,
      service_us,
      sync_us: 0,
      disk_us: 0,
      pages_hit: 0,
      pages_missed: 0,
      pool_wait_us: 0,
      value: null,
      node: 0,
      term: 0,
      shard: -1,
      measured: running.intended_us >= this.config.warmup_us && running.intended_us < this.config.end_us,
      error: outcome.result === "ok" ? null : outcome.error,
      query: running.spec.query,
    };
    this.observer.onOperation(op);
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.drained === null || !this.arrivalsOver || this.unrecorded > 0) return;
    if (this.backlog.length > this.backlogHead) return;
    // A closed loop's clients send until the end.
    if (this.arrivals === null && !this.stopped && this.now() < this.config.end_us) return;
    const resolve = this.drained;
    this.drained = null;
    resolve();
  }
}
