// A database node's server: one CPU serving requests in order from a bounded queue (so load shows
// up as queueing), the service-time model, and fsync of the write-ahead log with group commit. It
// hands each request to its node (which executes it on the state machines, unless the request is
// refused or diverted first), holds the CPU for the request's cost, and then hands the request to
// the replication protocol: a write to acknowledge once durable and replicated enough, a read to
// answer.
//
// Service time = service_time + page_time x (B+tree pages read and written) + row_time x rows
// examined (for operations charged per row: operations.ts). fsync_policy: `always` makes a log entry
// durable by an fsync; fsyncs run one at a time beside the CPU and entries logged while one is in
// flight share the next (group commit); `interval` fsyncs periodically; `never` makes nothing
// durable (the operating system is modelled as writing pages back eventually: node/log.ts).

import type { HostContext, HostId, TimerTag } from "../../sim/host.js";
import { RingQueue } from "../../sim/ring-queue.js";
import type { Request } from "../protocol.js";
import type { InService, ReplicationProtocol } from "../replication/protocol.js";

export type FsyncPolicy = { kind: "always" } | { kind: "never" } | { kind: "interval"; interval_us: number };

export interface ServerConfig {
  /** CPU cost of any request. */
  service_time_us: number;
  /** CPU cost per B+tree page read or written. */
  page_time_us: number;
  /** CPU cost per row examined (operations charged per row). */
  row_time_us: number;
  fsync_policy: FsyncPolicy;
  /** Requests waiting for the CPU; past it a request is answered `overloaded` at once. */
  queue_limit: number;
}

/** The node a server serves requests for. */
export interface RequestHandler {
  /** Serves the request now (the CPU is free); null when it was answered or parked without the CPU. */
  execute(from: HostId, req: Request, arrived_us: number): InService | null;
  /** The queue is full: answer the request `overloaded`. */
  overloaded(from: HostId, req: Request): void;
}

interface Queued {
  readonly from: HostId;
  readonly req: Request;
  readonly arrived_us: number;
}

/** The server's own timer tags. */
const TIMER_CPU_DONE = 0;
const TIMER_FSYNC_DONE = 1;
const TIMER_SYNC_INTERVAL = 2;

export class Server {
  private readonly config: ServerConfig;
  private readonly queue: RingQueue<Queued>;
  private readonly handler: RequestHandler;
  private readonly protocol: Pick<ReplicationProtocol, "onWrite" | "onRead" | "onDurable">;
  private readonly ctx: HostContext;
  /** The node's tag of the server's timer 0 (the node tells its parts' timers apart by their tags). */
  private readonly timerBase: TimerTag;
  private current: InService | null = null;
  private fsyncInFlight = false;
  private fsyncTarget = 0;
  private fsyncWanted = false;
  /** Requests served (their CPU work done) since the node started. */
  served = 0;

  constructor(options: {
    config: ServerConfig;
    ctx: HostContext;
    /** The node's timer tag for the server's tag 0. */
    timer_base: TimerTag;
    handler: RequestHandler;
    protocol: Pick<ReplicationProtocol, "onWrite" | "onRead" | "onDurable">;
  }) {
    this.config = options.config;
    this.ctx = options.ctx;
    this.timerBase = options.timer_base;
    this.handler = options.handler;
    this.protocol = options.protocol;
    this.queue = new RingQueue(options.config.queue_limit);
  }

  /** Starts the periodic fsync of `interval`. */
  start(): void {
    const policy = this.config.fsync_policy;
    if (policy.kind === "interval") this.setTimer(policy.interval_us, TIMER_SYNC_INTERVAL);
  }

  /** A request arrived (or was waiting elsewhere since `arrived_us`): serve it, queue it, or reject it. */
  submit(from: HostId, req: Request, arrived_us: number): void {
    if (this.current === null) this.serve(from, req, arrived_us);
    else if (!this.queue.push({ from, req, arrived_us })) this.handler.overloaded(from, req);
  }

  onTimer(tag: TimerTag): void {
    switch (tag) {
      case TIMER_CPU_DONE:
        this.finishCpu();
        return;
      case TIMER_FSYNC_DONE:
        this.finishFsync();
        return;
      case TIMER_SYNC_INTERVAL: {
        const disk = this.ctx.disk;
        if (disk.length > disk.durableLength) this.requestFsync();
        this.setTimer((this.config.fsync_policy as { interval_us: number }).interval_us, TIMER_SYNC_INTERVAL);
        return;
      }
      default:
        throw new Error(`server: unknown timer tag ${tag}`);
    }
  }

  /** CPU time of a request that touched `pages` pages and is charged for `rows` rows. */
  service_us(pages: number, rows: number): number {
    const { config } = this;
    return config.service_time_us + config.page_time_us * pages + config.row_time_us * rows;
  }

  /** Whether a log entry is durable only once an fsync covers it (policy `always`). */
  get fsyncEachWrite(): boolean {
    return this.config.fsync_policy.kind === "always";
  }

  /** Log position a write is durable at: after an fsync under `always`, at once otherwise. */
  durableLsn(): number {
    const disk = this.ctx.disk;
    return this.fsyncEachWrite ? disk.durableLength : disk.length;
  }

  /** Asks for an fsync covering everything logged so far (group commit). */
  requestFsync(): void {
    if (this.fsyncInFlight) {
      this.fsyncWanted = true;
      return;
    }
    this.fsyncInFlight = true;
    this.fsyncWanted = false;
    this.fsyncTarget = this.ctx.disk.length;
    this.setTimer(this.ctx.disk.fsync_us, TIMER_FSYNC_DONE);
  }

  private setTimer(delay_us: number, tag: TimerTag): void {
    this.ctx.setTimer(delay_us, this.timerBase + tag);
  }

  /** Executes the request now and holds the CPU for its cost. */
  private serve(from: HostId, req: Request, arrived_us: number): void {
    const done = this.handler.execute(from, req, arrived_us);
    if (done === null) return;
    this.current = done;
    this.setTimer(done.response.service_us, TIMER_CPU_DONE);
  }

  private finishCpu(): void {
    const done = this.current;
    if (done === null) throw new Error("server: CPU timer with no request in service");
    this.current = null;
    this.served++;
    if (done.lsn > 0) {
      this.protocol.onWrite(done);
      if (this.fsyncEachWrite) this.requestFsync();
      else this.protocol.onDurable(this.ctx.disk.length);
    } else {
      this.protocol.onRead(done);
    }
    // A loop, not recursion: refused requests (e.g. not_leader) leave the CPU free for the next one.
    while (this.current === null) {
      const next = this.queue.shift();
      if (next === undefined) return;
      this.serve(next.from, next.req, next.arrived_us);
    }
  }

  private finishFsync(): void {
    const disk = this.ctx.disk;
    this.fsyncInFlight = false;
    disk.syncTo(Math.min(this.fsyncTarget, disk.length));
    this.protocol.onDurable(disk.durableLength);
    if ((this.fsyncWanted || disk.length > disk.durableLength) && this.fsyncEachWrite) this.requestFsync();
  }
}
