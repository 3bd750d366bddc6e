// A database node: a Server (queue, CPU, write-ahead log, fsync; server.ts), the state machines that
// own its data (engine/state/), a ReplicationProtocol (replication/protocol.ts) and, on a sharded
// cluster, the shard gate (sharding/shard-gate.ts). The node wires them: a client's request goes to
// the server, which asks the node to serve it (gate, then the protocol's refusal, then the state
// machines, whose writes the node logs) and hands it to the protocol once its CPU work is done; a
// peer's message goes to the protocol, which sees the node through ProtocolContext (implemented
// here: the log, applying and undoing entries, snapshots, answers).
//
// Each part sets timers with tags of its own; the node tells them apart by these bases (tag values
// are folded into the trace hash): server 1.., gate 4, protocol 10...

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
import type { WriteSet } from "../write-set.js";
import { RequestExecution } from "./execution.js";
import { logWrites, NodeLog } from "./log.js";
import { type RequestHandler, Server, type ServerConfig } from "./server.js";
import { type NodeStorage, storageOf } from "./storage.js";

export interface NodeConfig extends ServerConfig {
  events?: EngineEventSink;
  /** On a sharded cluster: the node's shard, the shard map's store, the coordinator. */
  sharding?: ShardSetting;
}

/** What a node's snapshot carries: its data, and the writes its log stood by. */
interface NodeSnapshot extends Snapshot {
  readonly data: NodeData;
  readonly writes: WriteSet;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const SERVER_TIMERS = 1;
const GATE_TIMERS = 4;
const PROTOCOL_TIMERS = 10;

export class DatabaseNode implements HostBehaviour, ProtocolContext, RequestHandler {
  private readonly config: NodeConfig;
  private readonly protocol: ReplicationProtocol;
  private ctx!: HostContext;
  private storage!: NodeStorage;
  private state!: NodeState;
  private server!: Server;
  private gate: ShardGate | null = null;
  log!: NodeLog;
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
    this.log = new NodeLog(ctx.disk, storage, this.config.fsync_policy.kind === "never");
    const sharding = this.config.sharding;
    this.state = new NodeState(storage, sharding ?? null);
    this.server = new Server({
      config: this.config,
      ctx,
      timer_base: SERVER_TIMERS,
      handler: this,
      protocol: this.protocol,
    });
    this.execution = new RequestExecution({
      applies_at_once: this.protocol.applies_on_append,
      log: this.log,
      server: this.server,
      origin: ctx.id,
    });
    this.log.undoLostTail(this.state);
    this.server.start();
    if (sharding !== undefined) {
      this.gate = new ShardGate(sharding, this.config.queue_limit, GATE_TIMERS, {
        ctx,
        submit: (from, req, arrived_us) => this.server.submit(from, req, arrived_us),
        refuse: (from, req, status, map) => ctx.send(from, this.reply(req, status, map)),
        leads: () => this.protocol.leader_hint === ctx.id,
        rowCount: () => storage.table.rowCount,
        served: () => this.server.served,
      });
      this.gate.start();
    }
    this.protocol.start(this);
  }

  onMessage(ctx: HostContext, from: HostId, msg: Message): void {
    if (msg.kind === "req") this.server.submit(from, msg as Request, ctx.now_us());
    else if (msg.kind === "shard_map") this.gate?.release();
    else this.protocol.onMessage(from, msg);
  }

  onTimer(_ctx: HostContext, tag: TimerTag): void {
    if (tag >= PROTOCOL_TIMERS) this.protocol.onTimer(tag - PROTOCOL_TIMERS);
    else if (tag >= GATE_TIMERS) this.gate?.onTimer(tag - GATE_TIMERS);
    else this.server.onTimer(tag - SERVER_TIMERS);
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
    const x = this.execution;
    const now = this.ctx.now_us();
    x.now_us = now;
    x.queue_us = now - arrived_us;
    x.term = this.protocol.term;
    x.leader_hint = this.protocol.leader_hint;
    x.appended_lsn = 0;
    x.charged_per_row = traits.charged_per_row;
    const response = this.state.execute(req, traits.served_by, x);
    return { from, req, response, lsn: x.appended_lsn, cpu_done_us: now + response.service_us };
  }

  overloaded(from: HostId, req: Request): void {
    this.ctx.send(from, this.reply(req, "overloaded"));
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
    this.server.submit(client, req, this.ctx.now_us());
  }

  requestFsync(): void {
    this.server.requestFsync();
  }

  durableLsn(): number {
    return this.server.durableLsn();
  }

  append(entry: LogEntry): void {
    this.log.append({
      entry,
      undo: this.protocol.applies_on_append ? this.state.apply(entry.payload) : null,
    });
  }

  truncateFrom(lsn: number): number {
    return this.log.truncateFrom(lsn, this.state);
  }

  undo(lsn: number): void {
    const record = this.log.recordAt(lsn);
    if (record === undefined) throw new Error(`undo: log position ${lsn} is not held`);
    if (record.undo !== null) this.state.undo(record.entry.payload, record.undo);
  }

  applyTo(lsn: number): void {
    this.log.applyTo(lsn, this.state);
  }

  snapshot(): NodeSnapshot {
    const log = this.log;
    return {
      last_lsn: log.last_lsn,
      last_term: log.termAt(log.last_lsn),
      data: this.state.snapshot(),
      writes: logWrites(this.ctx.disk),
    };
  }

  install(snapshot: Snapshot): void {
    const { data, last_lsn, last_term, writes } = snapshot as NodeSnapshot;
    this.state.restore(data);
    this.log.resetTo(last_lsn, last_term, writes);
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
