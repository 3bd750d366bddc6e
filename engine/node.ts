// One database node as a simulated host. It serves requests one at a time from a bounded queue (so
// load shows up as queueing), charges each request CPU time from a service-time model (a base cost,
// plus each B+tree page touched, plus each row a scan examines), logs writes to a write-ahead log
// and makes them durable by fsync according to the policy:
//
// - always: a write is acknowledged once an fsync covering it completes. Fsyncs run one at a time
//   beside the CPU (the disk is its own device); writes that finish while one is in flight share the
//   next (group commit).
// - interval: an fsync every interval; writes are acknowledged without waiting for it.
// - never: writes are acknowledged at once and nothing is made durable.
//
// The table lives in the disk's durable data area; after a crash, writes whose log records were not
// yet durable are undone on restart (the write-ahead rule: pages never reach disk before their log).

import type { Disk } from "../sim/disk.js";
import type { HostBehaviour, HostContext, HostId, Message } from "../sim/host.js";
import { RingQueue } from "../sim/ring-queue.js";
import type { Request, Response, ResponseStatus } from "./protocol.js";
import { Table } from "./table.js";

export type FsyncPolicy = { kind: "always" } | { kind: "never" } | { kind: "interval"; interval_us: number };

export interface NodeConfig {
  /** CPU cost of any request. */
  service_time_us: number;
  /** CPU cost per B+tree page read or written. */
  page_time_us: number;
  /** CPU cost per row a scan examines. */
  row_time_us: number;
  fsync_policy: FsyncPolicy;
  /** Requests waiting for the CPU; past it a request is answered `overloaded` at once. */
  queue_limit: number;
}

/** A logged write, with what undoes it. */
interface WalRecord {
  readonly key: string;
  readonly row: number;
  /** -1: all fields. */
  readonly field: number;
  readonly inserted: boolean;
  readonly beforeStamp: number;
  readonly beforeVersion: number;
}

interface Pending {
  readonly from: HostId;
  readonly req: Request;
  readonly arrived_us: number;
}

interface InService {
  readonly from: HostId;
  readonly req: Request;
  readonly response: MutableResponse;
  readonly isWrite: boolean;
  readonly cpuDone_us: number;
}

type MutableResponse = { -readonly [K in keyof Response]: Response[K] };

const TIMER_CPU_DONE = 1;
const TIMER_FSYNC_DONE = 2;
const TIMER_SYNC_INTERVAL = 3;

/** Where the node keeps its table: created by whoever builds the cluster, before the node starts. */
export function tableOf(disk: Disk): Table {
  if (!(disk.data instanceof Table)) throw new Error("database node started without a table on its disk");
  return disk.data;
}

export class DatabaseNode implements HostBehaviour {
  private readonly config: NodeConfig;
  private table!: Table;
  private readonly queue: RingQueue<Pending>;
  private current: InService | null = null;
  /** Writes done on the CPU, waiting for the next fsync (policy always). */
  private awaitingSync: InService[] = [];
  /** Writes covered by the fsync in flight. */
  private syncing: InService[] = [];
  private fsyncInFlight = false;
  private fsyncTarget = 0;
  private fsyncStarted_us = 0;
  /** Counters for observers. */
  served = 0;
  rejected = 0;

  constructor(config: NodeConfig) {
    this.config = config;
    this.queue = new RingQueue<Pending>(config.queue_limit);
  }

  onStart(ctx: HostContext): void {
    this.table = tableOf(ctx.disk);
    this.recover(ctx.disk);
    if (this.config.fsync_policy.kind === "interval") {
      ctx.setTimer(this.config.fsync_policy.interval_us, TIMER_SYNC_INTERVAL);
    }
  }

  onMessage(ctx: HostContext, from: HostId, msg: Message): void {
    if (msg.kind !== "req") return;
    const req = msg as Request;
    if (this.current === null) {
      this.serve(ctx, from, req, ctx.now_us());
    } else if (!this.queue.push({ from, req, arrived_us: ctx.now_us() })) {
      this.rejected++;
      ctx.send(from, rejection(req));
    }
  }

  onTimer(ctx: HostContext, tag: number): void {
    switch (tag) {
      case TIMER_CPU_DONE:
        this.finishCpu(ctx);
        break;
      case TIMER_FSYNC_DONE:
        this.finishFsync(ctx);
        break;
      case TIMER_SYNC_INTERVAL:
        if (!this.fsyncInFlight && ctx.disk.length > ctx.disk.durableLength) this.startFsync(ctx);
        ctx.setTimer((this.config.fsync_policy as { interval_us: number }).interval_us, TIMER_SYNC_INTERVAL);
        break;
      default:
        throw new Error(`database node: unknown timer tag ${tag}`);
    }
  }

  /** Applies the request to the table now and holds the CPU for its cost. */
  private serve(ctx: HostContext, from: HostId, req: Request, arrived_us: number): void {
    const now = ctx.now_us();
    const config = this.config;
    const table = this.table;
    const index = table.index;
    let status: ResponseStatus = "ok";
    let value: number | null = null;
    let rows = 0;
    let pagesRead = 0;
    let pagesWritten = 0;
    let isWrite = false;
    switch (req.op) {
      case "read": {
        const row = table.find(req.key);
        pagesRead = index.lastPagesRead;
        if (row < 0) status = "not_found";
        else {
          value = table.version(row);
          rows = 1;
        }
        break;
      }
      case "update": {
        const row = table.find(req.key);
        pagesRead = index.lastPagesRead;
        if (row < 0) {
          status = "not_found";
          break;
        }
        this.log(ctx.disk, {
          key: req.key,
          row,
          field: req.field,
          inserted: false,
          beforeStamp: req.field < 0 ? table.version(row) : table.fieldStamp(row, req.field),
          beforeVersion: table.version(row),
        });
        table.write(row, req.field, req.value);
        value = req.value;
        rows = 1;
        pagesWritten = 1;
        isWrite = true;
        break;
      }
      case "insert": {
        const row = table.insert(req.key, req.value);
        pagesRead = index.lastPagesRead;
        pagesWritten = index.lastPagesWritten;
        if (row < 0) {
          status = "duplicate_key";
          break;
        }
        this.log(ctx.disk, {
          key: req.key,
          row,
          field: -1,
          inserted: true,
          beforeStamp: 0,
          beforeVersion: 0,
        });
        value = req.value;
        rows = 1;
        isWrite = true;
        break;
      }
      case "scan": {
        rows = index.scan(req.key, req.scan_length, noop);
        pagesRead = index.lastPagesRead;
        break;
      }
    }
    const service_us =
      config.service_time_us +
      config.page_time_us * (pagesRead + pagesWritten) +
      config.row_time_us * (req.op === "scan" ? rows : 0);
    const response: MutableResponse = {
      kind: "resp",
      digest: (Math.imul(req.id, 0x85ebca6b) ^ (value ?? -1)) >>> 0,
      id: req.id,
      status,
      value,
      rows,
      pages_read: pagesRead,
      pages_written: pagesWritten,
      queue_us: now - arrived_us,
      service_us,
      sync_us: 0,
    };
    this.current = { from, req, response, isWrite, cpuDone_us: now + service_us };
    ctx.setTimer(service_us, TIMER_CPU_DONE);
  }

  private finishCpu(ctx: HostContext): void {
    const done = this.current;
    if (done === null) throw new Error("database node: CPU timer with no request in service");
    this.current = null;
    this.served++;
    if (done.isWrite && this.config.fsync_policy.kind === "always") {
      this.awaitingSync.push(done);
      if (!this.fsyncInFlight) this.startFsync(ctx);
    } else {
      ctx.send(done.from, done.response);
    }
    const next = this.queue.shift();
    if (next !== undefined) this.serve(ctx, next.from, next.req, next.arrived_us);
  }

  private startFsync(ctx: HostContext): void {
    this.fsyncInFlight = true;
    this.fsyncTarget = ctx.disk.length;
    this.fsyncStarted_us = ctx.now_us();
    const covered = this.syncing;
    this.syncing = this.awaitingSync;
    this.awaitingSync = covered;
    ctx.setTimer(ctx.disk.fsync_us, TIMER_FSYNC_DONE);
  }

  private finishFsync(ctx: HostContext): void {
    this.fsyncInFlight = false;
    ctx.disk.syncTo(this.fsyncTarget);
    ctx.disk.trimDurable();
    const now = ctx.now_us();
    for (const write of this.syncing) {
      write.response.sync_us = now - write.cpuDone_us;
      ctx.send(write.from, write.response);
    }
    this.syncing.length = 0;
    if (this.awaitingSync.length > 0) this.startFsync(ctx);
    else if (this.fsyncStarted_us > now) throw new Error("database node: fsync finished before it started");
  }

  private log(disk: Disk, record: WalRecord): void {
    disk.append(record);
    // With no fsync policy, nothing ever becomes durable; keep only a bounded tail for crash undo.
    if (this.config.fsync_policy.kind === "never" && disk.length - disk.durableLength > NEVER_POLICY_TAIL) {
      disk.syncTo(disk.length - NEVER_POLICY_TAIL);
      disk.trimDurable();
    }
  }

  /** Undoes, newest first, the writes whose log records a crash lost. */
  private recover(disk: Disk): void {
    const lost = disk.takeLostTail() as WalRecord[];
    for (let i = lost.length - 1; i >= 0; i--) {
      const record = lost[i] as WalRecord;
      if (record.inserted) this.table.remove(record.key);
      else this.table.restore(record.row, record.field, record.beforeStamp, record.beforeVersion);
    }
  }
}

/**
 * Under `never`, the operating system eventually writes pages back; the node models that as the
 * last NEVER_POLICY_TAIL writes being at risk in a crash, which also bounds the log's memory.
 */
const NEVER_POLICY_TAIL = 100_000;

function noop(): void {}

function rejection(req: Request): Response {
  return {
    kind: "resp",
    digest: req.id >>> 0,
    id: req.id,
    status: "overloaded",
    value: null,
    rows: 0,
    pages_read: 0,
    pages_written: 0,
    queue_us: 0,
    service_us: 0,
    sync_us: 0,
  };
}
