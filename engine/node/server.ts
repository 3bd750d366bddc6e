// A database node's server: one CPU serving requests in order from a bounded queue (so load shows
// up as queueing), the service-time model, and fsync of the write-ahead log with group commit. It
// hands each request to its node (which executes it on the state machines, unless the request is
// refused or diverted first), holds the CPU for the request's cost, and then hands the request to
// the replication protocol: a write to acknowledge once durable and replicated enough, a read to
// answer.
//
// Service time = service_time + page_time x (B+tree pages read and written) + row_time x rows
// examined (for operations charged per row: operations.ts). fsync_policy: `always` makes a log entry
// durable by an fsync; fsyncs run one at a time on the node's disk (disk-device.ts, which page reads
// share) and entries logged while one is in flight share the next (group commit); `interval` fsyncs
// periodically; `never` makes nothing durable (the operating system is modelled as writing pages
// back eventually: node/log.ts).
//
// Pages not in the buffer pool: the node executes a request when the CPU takes it, and says how
// long its missing pages take to read (response.disk_us). A request with such a wait leaves the CPU
// to the next one while its pages are read, then waits for the CPU again ahead of new requests (work
// already executed finishes first) and holds it for its cost; the time it waited for the CPU after
// its reads counts in its queue_us. The node's applier (applier.ts) hands its steps to the CPU the
// same way. The server times its work by the host's monotonic clock: a clock skew moves neither its
// queue times nor its disk.
//
// The CPU is a resource the server holds while it works (cpu.ts): a host's own, or, on a physical
// node of a multi-raft cluster, one its replica hosts share; there the server gives it back after
// each piece of work and waits in line for it when another replica's server holds it.

import type { HostContext, HostId, TimerTag } from "../../sim/host.js";
import { MinHeap } from "../../sim/min-heap.js";
import { RingQueue } from "../../sim/ring-queue.js";
import type { Request, Response } from "../protocol.js";
import type { InService, ReplicationProtocol } from "../replication/protocol.js";
import { ApplyStep } from "./applier.js";
import type { Cpu, CpuUser } from "./cpu.js";
import type { DiskDevice } from "./disk-device.js";
import type { IoStats } from "./io-stats.js";

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
  /**
   * Serves the request now (the CPU is free); null when it was answered or parked without the CPU.
   * The response's disk_us says how long its pages take to read before its CPU work.
   */
  execute(from: HostId, req: Request, arrived_us: number): InService | null;
  /** The queue is full: answer the request `overloaded`. */
  overloaded(from: HostId, req: Request): void;
  /** The applier's step is done on the CPU. */
  applied(step: ApplyStep): void;
}

interface Queued {
  readonly from: HostId;
  readonly req: Request;
  readonly arrived_us: number;
}

/** What the CPU works on: a request the node executed, or a step of the applier. */
type Work = InService | ApplyStep;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Requests active at the server (queued, on the CPU or reading their pages): now, and the most at once. */
export interface RequestActivity {
  active: number;
  active_peak: number;
}

/** The server's own timer tags. */
const TIMER_CPU_DONE = 0;
const TIMER_FSYNC_DONE = 1;
const TIMER_SYNC_INTERVAL = 2;
const TIMER_PAGES_READ = 3;
/** Timer tags the server uses (the node gives its parts disjoint ranges). */
export const SERVER_TIMER_TAGS = 4;

/** Work waiting for the CPU after its disk reads is never refused (its request was admitted). */
const READY_LIMIT = 1 << 30;

export class Server implements CpuUser {
  private readonly config: ServerConfig;
  private readonly queue: RingQueue<Queued>;
  /** Work whose pages are in memory, waiting for the CPU: served before new requests; and since when. */
  private readonly ready = new RingQueue<Work>(READY_LIMIT);
  private readonly readySince = new RingQueue<number>(READY_LIMIT);
  /** Work waiting for its pages to be read, by when the last read completes. */
  private readonly reading = new MinHeap<Work>();
  private readonly handler: RequestHandler;
  private readonly protocol: Pick<ReplicationProtocol, "onWrite" | "onRead" | "onDurable">;
  private readonly ctx: HostContext;
  private readonly device: DiskDevice;
  private readonly stats: IoStats;
  private readonly activity: RequestActivity;
  /** The node's tag of the server's timer 0 (the node tells its parts' timers apart by their tags). */
  private readonly timerBase: TimerTag;
  private readonly cpu: Cpu;
  /** It holds the CPU (working on `current`, or choosing its next work). */
  private holding = false;
  /** It waits in the CPU's line. */
  private waiting = false;
  private current: Work | null = null;
  private fsyncInFlight = false;
  private fsyncTarget = 0;
  private fsyncWanted = false;
  /** Requests served (their CPU work done) since the node started. */
  served = 0;

  constructor(options: {
    config: ServerConfig;
    ctx: HostContext;
    /** The CPU it works on: the host's own, or its physical node's (shared). */
    cpu: Cpu;
    /** The node's disk: fsyncs of the log take their turn there beside page reads. */
    device: DiskDevice;
    stats: IoStats;
    /** Where the server counts its active requests (they outlive it: a restart begins with none). */
    activity: RequestActivity;
    /** The node's timer tag for the server's tag 0. */
    timer_base: TimerTag;
    handler: RequestHandler;
    protocol: Pick<ReplicationProtocol, "onWrite" | "onRead" | "onDurable">;
  }) {
    this.config = options.config;
    this.ctx = options.ctx;
    this.cpu = options.cpu;
    this.cpu.attach(this);
    this.device = options.device;
    this.stats = options.stats;
    this.activity = options.activity;
    this.activity.active = 0;
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

  /**
   * A request arrived (or was waiting elsewhere since `arrived_us`, by the monotonic clock): serve it,
   * queue it, or reject it.
   */
  submit(from: HostId, req: Request, arrived_us: number): void {
    const held = this.holding; // inside its own work loop: that loop gives the CPU back
    const now = this.current === null && this.hold();
    if (!now && !this.queue.push({ from, req, arrived_us })) {
      this.handler.overloaded(from, req);
      return;
    }
    const activity = this.activity;
    if (++activity.active > activity.active_peak) activity.active_peak = activity.active;
    if (now) {
      this.serve(from, req, arrived_us);
      if (this.current === null && !held) this.letGo();
    } else this.wantCpu();
  }

  /** Its host (the CPU tells a restarted host's server from the one a crash left). */
  get host(): HostId {
    return this.ctx.id;
  }

  /** Its turn on the shared CPU came: it runs its next work, or gives the CPU back. */
  granted(): void {
    this.waiting = false;
    this.holding = true;
    this.work();
  }

  /** Requests active at the server: queued, on the CPU or reading their pages. */
  get active(): number {
    return this.activity.active;
  }

  /**
   * Runs `work` on the CPU once its pages are in memory (at `ready_us`, monotonic): at once, or after
   * the work before it.
   */
  runWhenReady(work: Work, ready_us: number): void {
    const now = this.ctx.monotonic_us();
    if (ready_us > now) {
      this.reading.push(ready_us, work);
      this.setTimer(ready_us - now, TIMER_PAGES_READ);
    } else this.readyNow(work, now);
  }

  /** Holds the CPU: already, or by taking it now that it is free. */
  private hold(): boolean {
    if (!this.holding) this.holding = this.cpu.tryAcquire(this);
    return this.holding;
  }

  /** Gives the CPU back (the next server in line gets it). */
  private letGo(): void {
    this.holding = false;
    this.cpu.release(this);
  }

  /** It has work for the CPU: it takes the CPU if free, or waits in line (once). */
  private wantCpu(): void {
    if (this.holding || this.waiting) return;
    if (this.cpu.acquire(this)) {
      this.holding = true;
      this.work();
    } else this.waiting = true;
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
      case TIMER_PAGES_READ:
        this.pagesRead();
        return;
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
    this.stats.fsyncs++;
    const now = this.ctx.monotonic_us();
    this.setTimer(this.device.fsync(now) - now, TIMER_FSYNC_DONE);
  }

  private setTimer(delay_us: number, tag: TimerTag): void {
    this.ctx.setTimer(delay_us, this.timerBase + tag);
  }

  /** Executes the request now; it takes the CPU at once, or once its pages are read. */
  private serve(from: HostId, req: Request, arrived_us: number): void {
    const done = this.handler.execute(from, req, arrived_us);
    if (done === null) {
      this.activity.active--;
      return;
    }
    const disk_us = done.response.disk_us;
    if (disk_us > 0) this.runWhenReady(done, this.ctx.monotonic_us() + disk_us);
    else this.startCpu(done, 0);
  }

  /** `work`'s pages are in memory now: it takes a free CPU, or waits for it ahead of new requests. */
  private readyNow(work: Work, now: number): void {
    if (this.current === null && this.hold()) this.startCpu(work, 0);
    else {
      this.ready.push(work);
      this.readySince.push(now);
      this.wantCpu();
    }
  }

  /** Holds the CPU for `work`, which waited `waited_us` for it since its pages were read. */
  private startCpu(work: Work, waited_us: number): void {
    this.current = work;
    if (work instanceof ApplyStep) {
      this.setTimer(work.cpu_us, TIMER_CPU_DONE);
      return;
    }
    const response = work.response as Mutable<Response>;
    const service_us = response.service_us;
    if (response.disk_us > 0) {
      response.queue_us += waited_us;
      (work as Mutable<InService>).cpu_done_us = this.ctx.now_us() + service_us;
    }
    this.setTimer(service_us, TIMER_CPU_DONE);
  }

  private pagesRead(): void {
    const now = this.ctx.monotonic_us();
    const reading = this.reading;
    while (reading.peekKey() <= now) this.readyNow(reading.pop() as Work, now);
    this.runNext();
  }

  private finishCpu(): void {
    const done = this.current;
    if (done === null) throw new Error("server: CPU timer with no request in service");
    this.current = null;
    this.letGo();
    if (done instanceof ApplyStep) this.handler.applied(done);
    else {
      this.served++;
      this.activity.active--;
      if (done.lsn > 0) {
        this.protocol.onWrite(done);
        if (this.fsyncEachWrite) this.requestFsync();
        else this.protocol.onDurable(this.ctx.disk.length);
      } else {
        this.protocol.onRead(done);
      }
    }
    this.runNext();
  }

  /** Asks for the CPU when it has work for it and is not working. */
  private runNext(): void {
    if (this.current === null && (this.ready.size > 0 || this.queue.size > 0)) this.wantCpu();
  }

  /** Holding the CPU: gives it its next work (executed work whose pages are in memory first, then new requests), or gives it back. */
  private work(): void {
    // A loop, not recursion: refused requests (e.g. not_leader) and requests that wait for their
    // pages leave the CPU free for the next one.
    while (this.current === null) {
      const work = this.ready.shift();
      if (work !== undefined) {
        this.startCpu(work, this.ctx.monotonic_us() - (this.readySince.shift() as number));
        return;
      }
      const next = this.queue.shift();
      if (next === undefined) {
        this.letGo();
        return;
      }
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
