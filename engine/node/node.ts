// A database node: a Server (queue, CPU, write-ahead log, fsync; server.ts), the state machines that
// own its data (engine/state/), its buffer pool and disk (buffer-pool.ts, disk-device.ts,
// page-access.ts), the applier of logged entries (applier.ts), a ReplicationProtocol
// (replication/protocol.ts) and, on a sharded cluster, the shard gate (sharding/shard-gate.ts). The
// node wires them: a client's request goes to the server, which asks the node to serve it (gate, then
// the protocol's refusal, then the state machines, whose writes the node logs; the pages they touch
// go through the buffer pool) and hands it to the protocol once its CPU work is done; a peer's
// message goes to the protocol, which sees the node through ProtocolContext (implemented here: the
// log, applying and undoing entries, snapshots, answers).
//
// The pool and the disk's queue are memory: a restart begins with an empty pool (or a prewarmed
// one), and a snapshot installed empties it (the data it cached is replaced).
//
// Each part sets timers with tags of its own; the node tells them apart by these bases (tag values
// are folded into the trace hash): server 1..4, gate 5, protocol 10...

import type { HostBehaviour, HostContext, HostId, Message, TimerId, TimerTag } from "../../sim/host.js";
import type { Rng } from "../../sim/rng.js";
import type { EngineEvent, EngineEventSink } from "../events.js";
import { leaderOnly, OPERATIONS } from "../operations.js";
import { type RefusalStatus, type Request, type Response, unserved } from "../protocol.js";
import type {
  InService,
  LogEntry,
  PayloadView,
  ProtocolContext,
  ReplicationProtocol,
  Snapshot,
} from "../replication/protocol.js";
import { ShardGate, type ShardSetting } from "../sharding/shard-gate.js";
import type { ShardMap } from "../sharding/shard-map.js";
import { type NodeData, NodeState } from "../state/node-state.js";
import { TRANSACTION_DEFAULTS, type TransactionSettings } from "../txn/settings.js";
import type { WriteSet } from "../write-set.js";
import { Applier, type ApplyStep } from "./applier.js";
import { BufferPool } from "./buffer-pool.js";
import { ConnectionTable } from "./connections.js";
import { Cpu } from "./cpu.js";
import { DiskDevice } from "./disk-device.js";
import { RequestExecution } from "./execution.js";
import { logWrites, NodeLog } from "./log.js";
import { PageAccess } from "./page-access.js";
import { type RequestHandler, SERVER_TIMER_TAGS, Server } from "./server.js";
import type { NodeSettings } from "./settings.js";
import { type NodeStorage, storageOf } from "./storage.js";

export interface NodeConfig extends NodeSettings {
  events?: EngineEventSink;
  /** The CPU a host's server uses: its physical node's, shared (multi-raft); absent: one of its own. */
  cpu?: (host: HostId) => Cpu;
  /** On a sharded cluster: the node's shard, the shard map's store, the coordinator. */
  sharding?: ShardSetting;
  /** How it runs transactions (TRANSACTION_DEFAULTS when left out). */
  transactions?: TransactionSettings;
}

/** What a node's snapshot carries: its data, and the writes its log stood by. */
interface NodeSnapshot extends Snapshot {
  readonly data: NodeData;
  readonly writes: WriteSet;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const SERVER_TIMERS = 1;
const GATE_TIMERS = SERVER_TIMERS + SERVER_TIMER_TAGS;
const PROTOCOL_TIMERS = 10;

export class DatabaseNode implements HostBehaviour, ProtocolContext, RequestHandler {
  private readonly config: NodeConfig;
  private readonly protocol: ReplicationProtocol;
  private ctx!: HostContext;
  private storage!: NodeStorage;
  private state!: NodeState;
  private server!: Server;
  private access!: PageAccess;
  private pool!: BufferPool;
  private applier!: Applier;
  private gate: ShardGate | null = null;
  private connections!: ConnectionTable;
  log!: NodeLog;
  /** Entries up to here were dropped on finding corruption: getting them back repairs the log. */
  private refillTo = 0;
  /** The request being executed, as the state machines see the node. */
  private execution!: RequestExecution;

  constructor(config: NodeConfig, protocol: ReplicationProtocol) {
    this.config = config;
    this.protocol = protocol;
  }

  // ---- HostBehaviour ----

  onStart(ctx: HostContext): void {
    this.ctx = ctx;
    const storage = storageOf(ctx.disk);
    this.storage = storage;
    const checksums = this.config.disk.checksums ?? true;
    this.log = new NodeLog(ctx.disk, storage, this.config.fsync_policy.kind === "never", checksums);
    const sharding = this.config.sharding;
    this.state = new NodeState(
      storage,
      sharding ?? null,
      this.config.transactions ?? TRANSACTION_DEFAULTS,
      ctx.id,
      (event) => this.emit(event),
    );
    const config = this.config;
    // The disk's latencies come from a stream of their own: the host's other draws do not move.
    const device = new DiskDevice(config.disk, config.fsync_us, ctx.rng.split("disk"), ctx.disk);
    this.pool = new BufferPool(config.buffer_pool.pages, config.buffer_pool.policy);
    this.access = new PageAccess(this.pool, device, storage.io);
    if (config.buffer_pool.prewarm) this.access.prewarm(storage.pages);
    this.server = new Server({
      config,
      ctx,
      cpu: config.cpu?.(ctx.id) ?? new Cpu(),
      device,
      stats: storage.io,
      activity: storage.connections,
      timer_base: SERVER_TIMERS,
      handler: this,
      protocol: this.protocol,
    });
    this.connections = new ConnectionTable(config.connections, storage.connections);
    this.applier = new Applier({
      log: this.log,
      state: this.state,
      storage,
      access: this.access,
      monotonic_us: () => ctx.monotonic_us(),
      cost_us: (pages) => this.server.service_us(pages, 0),
      run: (step, ready_us) => this.server.runWhenReady(step, ready_us),
      applied: (entry) => {
        if (entry.origin !== ctx.id)
          this.emit({ type: "lag", node: ctx.id, lag_us: Math.max(0, ctx.now_us() - entry.ts_us) });
      },
    });
    this.execution = new RequestExecution({
      applies_at_once: this.protocol.applies_on_append,
      log: this.log,
      server: this.server,
      origin: ctx.id,
    });
    this.log.undoLostTail(this.state);
    this.checkLog(false); // recovery reads the log: its checksums too (the protocol starts after)
    this.server.start();
    if (sharding !== undefined) {
      this.gate = new ShardGate(sharding, this.config.queue_limit, GATE_TIMERS, {
        ctx,
        submit: (from, req, arrived_us) => this.server.submit(from, req, arrived_us),
        refuse: (from, req, status, map) => ctx.send(from, this.reply(req, status, map)),
        leads: () => this.protocol.leader_hint === ctx.id,
        range: () => ({
          term: this.protocol.term,
          ...(this.protocol.membership?.() ?? { voters: [], learners: [] }),
        }),
        rowCount: () => storage.table.rowCount,
        served: () => this.server.served,
      });
      this.gate.start();
    }
    this.protocol.start(this);
    // Entries the log holds durably but the data does not yet have (the applier was behind at the
    // crash) are applied again: recovery's redo.
    if (this.protocol.applies_on_append) this.applier.request(this.log.last_lsn);
  }

  onMessage(ctx: HostContext, from: HostId, msg: Message): void {
    if (ctx.disk.corruptCount > 0) this.checkLog();
    if (msg.kind === "req") {
      const req = msg as Request;
      if (req.conn !== undefined && !this.connections.admit(from, req.conn))
        ctx.send(from, this.reply(req, "too_many_connections"));
      else this.server.submit(from, req, ctx.monotonic_us());
    } else if (msg.kind === "shard_map") this.gate?.release();
    else this.protocol.onMessage(from, msg);
  }

  onTimer(ctx: HostContext, tag: TimerTag): void {
    if (ctx.disk.corruptCount > 0) this.checkLog();
    if (tag >= PROTOCOL_TIMERS) this.protocol.onTimer(tag - PROTOCOL_TIMERS);
    else if (tag >= GATE_TIMERS) this.gate?.onTimer(tag - GATE_TIMERS);
    else this.server.onTimer(tag - SERVER_TIMERS);
  }

  /**
   * Verifies the log's checksums (with checksums on) and takes corrupt entries out. The node reads
   * its log all the time (to apply, to ship, to recover); the simulation checks at the node's next
   * event after a corruption, and at each start. `running`: the protocol has started (it is told
   * where the log was cut).
   */
  private checkLog(running = true): void {
    const end = this.log.last_lsn;
    const repair = this.log.repairCorruption(this.state);
    if (repair === null) return;
    this.emit({ type: "corruption", node: this.ctx.id, corrupt: repair.corrupt, dropped: repair.dropped });
    if (repair.cut_lsn === 0) return;
    this.refillTo = Math.max(this.refillTo, end);
    if (running) this.protocol.onLogRepaired?.(repair.cut_lsn);
  }

  // ---- RequestHandler (the server) ----

  execute(from: HostId, req: Request, arrived_us: number): InService | null {
    if (this.gate?.diverts(from, req, arrived_us) === true) return null;
    const refused = this.protocol.refusal(req, from);
    if (refused === "forwarded") return null;
    if (refused !== null) {
      this.ctx.send(from, this.reply(req, refused));
      return null;
    }
    const traits = OPERATIONS[req.op];
    const pages = this.storage.pages;
    pages.clear();
    // A write, or a read only a leader may answer, sees every entry logged (or, applying once
    // committed, committed) before it.
    const catchUp_us =
      (traits.writes || req.require_leader) && this.applier.pending ? this.applier.catchUp() : 0;
    const x = this.execution;
    const now = this.ctx.now_us();
    // Durations by the monotonic clock (a clock skew moves neither the queue nor the disk).
    const monotonic = this.ctx.monotonic_us();
    x.now_us = now;
    x.queue_us = monotonic - arrived_us;
    x.term = this.protocol.term;
    x.leader_hint = this.protocol.leader_hint;
    x.appended_lsn = 0;
    x.charged_per_row = traits.charged_per_row;
    const response = this.state.execute(req, traits.served_by, x) as Mutable<Response>;
    const access = this.access;
    response.disk_us = access.serve(pages, monotonic) - monotonic;
    response.pages_hit = access.hits;
    response.pages_missed = access.misses;
    response.service_us += catchUp_us;
    if (req.conn !== undefined)
      response.service_us += this.connections.cost_us(from, req.conn, this.server.active);
    return { from, req, response, lsn: x.appended_lsn, cpu_done_us: now + response.service_us };
  }

  overloaded(from: HostId, req: Request): void {
    this.ctx.send(from, this.reply(req, "overloaded"));
  }

  applied(_step: ApplyStep): void {
    this.applier.onCpuDone();
  }

  // ---- ProtocolContext ----

  get id(): HostId {
    return this.ctx.id;
  }

  get rng(): Rng {
    return this.ctx.rng;
  }

  get payloads(): PayloadView {
    return this.state;
  }

  get fsync_each_write(): boolean {
    return this.server.fsyncEachWrite;
  }

  now_us(): number {
    return this.ctx.now_us();
  }

  send(to: HostId, msg: Message): void {
    this.ctx.send(to, msg);
  }

  setTimer(delay_us: number, tag: TimerTag): TimerId {
    return this.ctx.setTimer(delay_us, PROTOCOL_TIMERS + tag);
  }

  leaderOnly(req: Request): boolean {
    return leaderOnly(req);
  }

  serve(client: HostId, req: Request): void {
    this.server.submit(client, req, this.ctx.monotonic_us());
  }

  requestFsync(): void {
    this.server.requestFsync();
  }

  durableLsn(): number {
    return this.server.durableLsn();
  }

  append(entry: LogEntry): void {
    this.log.append({ entry, undo: null });
    if (this.protocol.applies_on_append) this.applier.request(entry.lsn);
    else if (entry.lsn <= this.refillTo) {
      // Dropped on a corruption, got back from a peer: those known committed are applied again.
      this.emit({ type: "repaired", node: this.ctx.id, entries: 1 });
      this.applier.resume();
    }
  }

  truncateFrom(lsn: number): number {
    this.applier.truncated(lsn);
    return this.log.truncateFrom(lsn, this.state);
  }

  undo(lsn: number): void {
    const record = this.log.recordAt(lsn);
    if (record === undefined) throw new Error(`undo: log position ${lsn} is not held`);
    if (record.undo !== null) this.state.undo(record.entry.payload, record.undo);
  }

  applyTo(lsn: number): void {
    this.applier.request(lsn);
  }

  snapshot(): NodeSnapshot {
    const log = this.log;
    // The state as of the log's end, or of what is committed when the protocol applies only that:
    // what is pending is applied first (not charged: nor is the copy).
    this.applier.catchUp();
    const last_lsn = this.protocol.applies_on_append ? log.last_lsn : log.applied_lsn;
    return {
      last_lsn,
      last_term: log.termAt(last_lsn),
      data: this.state.snapshot(),
      writes: logWrites(this.ctx.disk),
    };
  }

  get awaits_snapshot(): boolean {
    return this.storage.awaits_snapshot;
  }

  install(snapshot: Snapshot): void {
    const { data, last_lsn, last_term, writes } = snapshot as NodeSnapshot;
    this.state.restore(data);
    this.log.resetTo(last_lsn, last_term, writes);
    this.storage.awaits_snapshot = false;
    this.pool.clear();
  }

  respond(done: InService): void {
    if (done.lsn > 0) (done.response as Mutable<Response>).sync_us = this.ctx.now_us() - done.cpu_done_us;
    this.ctx.send(done.from, done.response);
  }

  refuse(done: Pick<InService, "from" | "req">, status: RefusalStatus): void {
    this.ctx.send(done.from, this.reply(done.req, status));
  }

  persistent<T extends object>(init: () => T): T {
    this.storage.protocol ??= init();
    return this.storage.protocol as T;
  }

  emit(event: EngineEvent): void {
    this.config.events?.(event);
  }

  private reply(req: Request, status: RefusalStatus, map?: ShardMap): Response {
    return unserved(req, status, this.protocol.term, this.protocol.leader_hint, map);
  }
}
