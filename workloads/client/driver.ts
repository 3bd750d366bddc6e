// The client driver: `clients` logical clients on one client host, sending a workload's operations
// (client-workload.ts) to the database nodes. With clients in several regions each region's client
// host has a driver of its own, its share of the clients and of the rate; they share the workload.
//
// Open loop (a rate is given): operations arrive on a schedule drawn from the seed (arrivals.ts: a
// constant rate or stages), each with its intended start time fixed by the schedule. An arrival
// takes a free client at once or waits in a bounded backlog; its latency counts from the intended
// start, so time spent waiting for a client is part of the latency (no coordinated omission).
// Closed loop (no rate): each client sends its next operation as soon as the previous one completes.
//
// A request unanswered after `timeout_us` is recorded as `info` (it may yet take effect) and its
// client continues as a new process, as in Jepsen. A workload may retry an operation that definitely
// failed (`ClientWorkload.retry`): the client waits the backoff, then runs it as a new operation.
// Each client has at most one timeout timer armed: it fires at the deadline of the request in flight
// then, and is re-armed for a later one.

import { isWrite } from "../../engine/operations.js";
import { type RequestSpec, type Response, requestValue, routed, valueRead } from "../../engine/protocol.js";
import { DISPATCH_MAX_TAGS, type Dispatched, type Dispatcher } from "../../engine/sharding/dispatcher.js";
import type { ShardMapNotice } from "../../engine/sharding/shard-map.js";
import type { HostBehaviour, HostContext, HostId, Message, TimerTag } from "../../sim/host.js";
import { RingQueue } from "../../sim/ring-queue.js";
import type { Rng } from "../../sim/rng.js";
import type { CompletedOperation, Observer, OpResult } from "../observer.js";
import { ArrivalSchedule, type RateShape } from "./arrivals.js";
import type { ClientOperation, ClientWorkload, RequestPlan } from "./client-workload.js";

export interface DriverConfig {
  /** The open-loop schedule's target rate over the run's time; null for a closed loop. */
  rate: RateShape | null;
  arrival: "poisson" | "constant";
  clients: number;
  timeout_us: number;
  max_backlog: number;
  /** The measured phase is [warmup_us, end_us); no operation is intended at or after end_us. */
  warmup_us: number;
  end_us: number;
  /** The dispatcher routes to shards itself (false: to a router host, which picks the shard). */
  shards_known: boolean;
  /** The region the client host sits in (null without a topology), on each operation it completes. */
  region: string | null;
  /**
   * Client i is process `first_process + i`, and takes `+ processes` after an `info` outcome:
   * `processes` is every client host's clients, so the drivers' process numbers never meet.
   */
  first_process: number;
  processes: number;
}

/** Client indices are packed into request ids; this bounds `clients`. */
export const DRIVER_MAX_CLIENTS = DISPATCH_MAX_TAGS;

/** The process of operations rejected before any client took them. */
const NO_PROCESS = -1;
const TIMER_ARRIVAL = 0;
const TIMER_TIMEOUT_BASE = 1;
const TIMER_RETRY_BASE = TIMER_TIMEOUT_BASE + DRIVER_MAX_CLIENTS;
/** The tag of the connection pools' timer (engine/sharding/connection-pool.ts), when there is a pool. */
export const DRIVER_POOL_TIMER = TIMER_RETRY_BASE + DRIVER_MAX_CLIENTS;
/** A client's backoff before retrying an operation ended. */
const TIMER_BACKOFF_BASE = DRIVER_POOL_TIMER + 1;
/** The id of a request sent without waiting for its answer: never a dispatcher's (>= 0) or a final read's. */
const UNANSWERED_ID = -(2 ** 31);
/** A closed-loop client's pause after a failed operation. */
const CLOSED_LOOP_RETRY_US = 1000;

interface Operation<Op extends ClientOperation> {
  readonly spec: Op;
  readonly intended_us: number;
  /** 0: the first attempt; n: the operation's n-th retry. */
  readonly attempt: number;
  sent_us: number;
  /** The request in flight (whether it writes), and its number within the operation (rmw: a read, then an update). */
  writes: boolean;
  step: number;
  /** A write of this operation was acknowledged: if a later request fails, it is half done (info). */
  wrote: boolean;
  queue_us: number;
  service_us: number;
  sync_us: number;
  disk_us: number;
  pages_hit: number;
  pages_missed: number;
  pool_wait_us: number;
  /** The node answering the request in flight (or that answered last), its shard, and its term. */
  node: HostId;
  shard: number;
  term: number;
  /** What a write wrote (unique per write), or what a read returned. */
  value: number | null;
}

interface Client<Op extends ClientOperation> {
  readonly index: number;
  process: number;
  op: Operation<Op> | null;
  /** The retry it sends once its backoff ends. */
  retry: Operation<Op> | null;
  deadline_us: number;
  timerArmed: boolean;
}

export class ClientDriver<Op extends ClientOperation> implements HostBehaviour {
  private readonly config: DriverConfig;
  private readonly workload: ClientWorkload<Op>;
  /** The open loop's intended starts (null for a closed loop). */
  private readonly arrivals: ArrivalSchedule | null;
  private readonly dispatcher: Dispatcher;
  private readonly observer: Observer;
  private readonly onDrained: () => void;
  private readonly clients: Client<Op>[] = [];
  private readonly freeClients: number[] = [];
  private readonly backlog: RingQueue<Operation<Op>>;
  private readonly nextValue: () => number;
  private arrivalsOver = false;
  private drained = false;
  /** Operations completed so far, measured or not (for progress). */
  completed = 0;

  constructor(options: {
    config: DriverConfig;
    workload: ClientWorkload<Op>;
    /** The arrival schedule's own stream, so the schedule does not depend on the operation mix. */
    arrivals: Rng;
    /** Where requests go: the database nodes (client-side routing) or a router host. */
    dispatcher: Dispatcher;
    observer: Observer;
    onDrained: () => void;
    /** The value a stamped write writes, unique to it (shared by every client host's driver). */
    nextValue: () => number;
  }) {
    const { config } = options;
    if (!(Number.isInteger(config.clients) && config.clients >= 1 && config.clients <= DRIVER_MAX_CLIENTS)) {
      throw new RangeError(`clients must be an integer in [1, ${DRIVER_MAX_CLIENTS}], got ${config.clients}`);
    }
    this.config = config;
    this.workload = options.workload;
    this.arrivals =
      config.rate === null ? null : new ArrivalSchedule(config.rate, config.arrival, options.arrivals);
    this.dispatcher = options.dispatcher;
    this.observer = options.observer;
    this.onDrained = options.onDrained;
    this.nextValue = options.nextValue;
    this.backlog = new RingQueue<Operation<Op>>(config.max_backlog);
    for (let i = 0; i < config.clients; i++) {
      this.clients.push({
        index: i,
        process: config.first_process + i,
        op: null,
        retry: null,
        deadline_us: 0,
        timerArmed: false,
      });
    }
    for (let i = config.clients - 1; i >= 0; i--) this.freeClients.push(i);
  }

  get backlogSize(): number {
    return this.backlog.size;
  }

  onStart(ctx: HostContext): void {
    if (this.arrivals === null) {
      // Closed loop: every client starts at once.
      while (this.freeClients.length > 0 && ctx.now_us() < this.config.end_us) {
        this.dispatch(ctx, this.newOperation(ctx.now_us()));
      }
      this.arrivalsOver = true;
      this.checkDrained();
    } else {
      this.scheduleArrival(ctx, this.arrivals);
    }
  }

  onMessage(ctx: HostContext, from: HostId, msg: Message): void {
    if (msg.kind === "shard_map") {
      this.dispatcher.adopt((msg as ShardMapNotice).map);
      return;
    }
    if (msg.kind !== "resp") return;
    const done = this.dispatcher.onResponse(ctx, from, msg as Response);
    if (done === null) return; // more parts to come, redirected, or late (already timed out)
    this.answered(ctx, done);
  }

  /** The dispatcher's answer to a client's request (or its failure to get a pooled connection). */
  private answered(ctx: HostContext, done: Dispatched): void {
    const client = this.clients[done.tag] as Client<Op>;
    const op = client.op as Operation<Op>;
    const response = done.response;
    op.queue_us += response.queue_us;
    op.service_us += response.service_us;
    op.sync_us += response.sync_us;
    op.disk_us += response.disk_us;
    op.pages_hit += response.pages_hit;
    op.pages_missed += response.pages_missed;
    op.pool_wait_us += done.pool_wait_us;
    op.term = response.term;
    op.node = done.node;
    if (this.config.shards_known) op.shard = done.shard;
    const writes = op.writes;
    if (!writes) op.value = valueRead(response);
    if (response.status !== "ok") {
      this.complete(ctx, client, op.wrote ? "info" : "fail", response.status);
      return;
    }
    if (writes) op.wrote = true;
    const next = this.workload.after(op.spec, op.step, response, {
      result: "ok",
      completed_us: ctx.now_us(),
      node: done.node,
    });
    if (next === null) this.complete(ctx, client, "ok", null);
    else if ("fail" in next) this.complete(ctx, client, op.wrote ? "info" : "fail", next.fail);
    else {
      op.step++;
      this.send(ctx, client, next);
    }
  }

  onTimer(ctx: HostContext, tag: TimerTag): void {
    if (tag === TIMER_ARRIVAL) {
      this.arrive(ctx);
      return;
    }
    if (tag === DRIVER_POOL_TIMER) {
      for (const done of this.dispatcher.poolTimeouts(ctx)) this.answered(ctx, done);
      return;
    }
    if (tag >= TIMER_BACKOFF_BASE) {
      const client = this.clients[tag - TIMER_BACKOFF_BASE] as Client<Op>;
      const retry = client.retry as Operation<Op>;
      client.retry = null;
      this.start(ctx, client, retry);
      return;
    }
    if (tag >= TIMER_RETRY_BASE) {
      this.freeClients.push(tag - TIMER_RETRY_BASE);
      this.next(ctx);
      return;
    }
    const client = this.clients[tag - TIMER_TIMEOUT_BASE];
    if (client === undefined) throw new Error(`client driver: unknown timer tag ${tag}`);
    client.timerArmed = false;
    if (client.op === null) return;
    const now = ctx.now_us();
    if (now >= client.deadline_us) {
      // A request still waiting for a pooled connection was never sent: a definite failure.
      const sent = this.dispatcher.abandon(client.index, ctx);
      const op = client.op;
      this.sendAbandoned(ctx, op);
      const mayTakeEffect = op.wrote || (sent && (op.writes || this.workload.readTimeoutsFail !== true));
      this.complete(ctx, client, mayTakeEffect ? "info" : "fail", sent ? "timeout" : "pool_timeout");
    } else this.armTimeout(ctx, client);
  }

  /** Sends what ends the given-up operation's open state on its node (its answer is ignored), if any. */
  private sendAbandoned(ctx: HostContext, op: Operation<Op>): void {
    const plan = this.workload.abandoned?.(op.spec) ?? null;
    if (plan === null || op.node < 0) return;
    ctx.send(op.node, routed(plan as RequestSpec, 0, UNANSWERED_ID, 0, false));
  }

  private scheduleArrival(ctx: HostContext, arrivals: ArrivalSchedule): void {
    const at_us = arrivals.next_us();
    if (at_us >= this.config.end_us) {
      this.arrivalsOver = true;
      this.checkDrained();
      return;
    }
    ctx.setTimer(at_us - ctx.now_us(), TIMER_ARRIVAL);
  }

  private arrive(ctx: HostContext): void {
    const op = this.newOperation(ctx.now_us());
    if (this.freeClients.length > 0) this.dispatch(ctx, op);
    else if (!this.backlog.push(op)) this.reject(op, "backlog_full", ctx.now_us());
    this.scheduleArrival(ctx, this.arrivals as ArrivalSchedule);
  }

  private newOperation(intended_us: number, retried?: { spec: Op; attempt: number }): Operation<Op> {
    return {
      spec: retried?.spec ?? this.workload.next(intended_us),
      intended_us,
      attempt: retried?.attempt ?? 0,
      sent_us: 0,
      writes: false,
      step: 0,
      wrote: false,
      queue_us: 0,
      service_us: 0,
      sync_us: 0,
      disk_us: 0,
      pages_hit: 0,
      pages_missed: 0,
      pool_wait_us: 0,
      node: -1,
      shard: -1,
      term: 0,
      value: null,
    };
  }

  private dispatch(ctx: HostContext, op: Operation<Op>): void {
    this.start(ctx, this.clients[this.freeClients.pop() as number] as Client<Op>, op);
  }

  private start(ctx: HostContext, client: Client<Op>, op: Operation<Op>): void {
    client.op = op;
    op.sent_us = ctx.now_us();
    this.send(ctx, client, this.workload.first(op.spec));
  }

  /** Sends a request of the client's operation. */
  private send(ctx: HostContext, client: Client<Op>, plan: RequestPlan): void {
    const op = client.op as Operation<Op>;
    // A write whose value is left to the driver writes the next of its numbers: unique to it.
    const spec = "value" in plan && plan.value === null ? this.stamped(plan) : (plan as RequestSpec);
    op.writes = isWrite(spec);
    op.value = this.workload.uniqueWrites && op.writes ? requestValue(spec) : null;
    client.deadline_us = ctx.now_us() + this.config.timeout_us;
    if (!client.timerArmed) this.armTimeout(ctx, client);
    this.dispatcher.send(ctx, client.index, spec);
    op.node = this.dispatcher.nodeOf(client.index);
    op.shard = this.config.shards_known ? this.dispatcher.shardOf(client.index) : -1;
  }

  /** An update or insert that writes the driver's next value. */
  private stamped(plan: RequestPlan & { readonly op: "update" | "insert" }): RequestSpec {
    const value = this.nextValue();
    return plan.op === "update"
      ? { op: "update", key: plan.key, field: plan.field, value }
      : { op: "insert", key: plan.key, value };
  }

  private armTimeout(ctx: HostContext, client: Client<Op>): void {
    client.timerArmed = true;
    ctx.setTimer(client.deadline_us - ctx.now_us(), TIMER_TIMEOUT_BASE + client.index);
  }

  private complete(ctx: HostContext, client: Client<Op>, result: OpResult, error: string | null): void {
    const op = client.op as Operation<Op>;
    const now = ctx.now_us();
    this.record(op, client.process, result, error, now);
    if (result === "info") client.process += this.config.processes;
    client.op = null;
    if (result === "fail" && error !== null && this.retryLater(ctx, client, op, error)) return;
    if (this.arrivals === null && result !== "ok" && now < this.config.end_us) {
      // Closed loop: pause after a failure, or a node that rejects at once would spin the clients
      // forever at one virtual instant.
      ctx.setTimer(CLOSED_LOOP_RETRY_US, TIMER_RETRY_BASE + client.index);
      return;
    }
    this.freeClients.push(client.index);
    this.next(ctx);
  }

  /**
   * Whether the workload retries `op`, which definitely failed: the client then keeps it, and sends
   * it as a new operation after the backoff (no operation starts at or after the run's end).
   */
  private retryLater(ctx: HostContext, client: Client<Op>, op: Operation<Op>, error: string): boolean {
    const retry = this.workload.retry?.(op.spec, error, op.attempt) ?? null;
    if (retry === null) return false;
    const at_us = ctx.now_us() + retry.after_us;
    if (at_us >= this.config.end_us) return false;
    client.retry = this.newOperation(at_us, { spec: retry.op, attempt: op.attempt + 1 });
    ctx.setTimer(retry.after_us, TIMER_BACKOFF_BASE + client.index);
    return true;
  }

  /** Gives the client that just became free its next operation, if any. */
  private next(ctx: HostContext): void {
    const now = ctx.now_us();
    if (this.arrivals === null) {
      if (now < this.config.end_us) this.dispatch(ctx, this.newOperation(now));
    } else {
      // Backlogged operations intended long ago never reach the database once the run is over.
      const cutoff_us = this.config.end_us + this.config.timeout_us;
      let op = this.backlog.shift();
      while (op !== undefined && now > cutoff_us) {
        this.reject(op, "not_sent", now);
        op = this.backlog.shift();
      }
      if (op !== undefined) this.dispatch(ctx, op);
    }
    this.checkDrained();
  }

  private record(
    op: Operation<Op>,
    process: number,
    result: OpResult,
    error: string | null,
    now: number,
  ): void {
    this.workload.finished(op.spec);
    this.completed++;
    const query = this.workload.queryData?.(op.spec);
    const detail = this.workload.detail?.(op.spec, { result, completed_us: now, node: op.node });
    const completed: CompletedOperation = {
      op: op.spec.kind,
      result,
      process,
      key: op.spec.key,
      intended_us: op.intended_us,
      sent_us: op.sent_us,
      completed_us: now,
      latency_us: now - op.intended_us,
      queue_us: op.queue_us,
      service_us: op.service_us,
      sync_us: op.sync_us,
      disk_us: op.disk_us,
      pages_hit: op.pages_hit,
      pages_missed: op.pages_missed,
      pool_wait_us: op.pool_wait_us,
      client_region: this.config.region,
      node: op.node,
      term: op.term,
      shard: op.shard,
      value: op.value,
      measured: op.intended_us >= this.config.warmup_us && op.intended_us < this.config.end_us,
      attempt: op.attempt,
      error,
      query,
      detail,
    };
    this.observer.onOperation(completed);
  }

  /** An operation no client ever sent: it definitely did not take effect. */
  private reject(op: Operation<Op>, error: string, now: number): void {
    op.sent_us = now;
    this.record(op, NO_PROCESS, "fail", error, now);
  }

  private checkDrained(): void {
    if (this.drained || !this.arrivalsOver) return;
    if (this.freeClients.length === this.config.clients && this.backlog.size === 0) {
      this.drained = true;
      this.onDrained();
    }
  }
}
