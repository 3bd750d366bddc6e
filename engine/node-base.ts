// What every database node shares: a table on its disk, one CPU serving requests in order from a
// bounded queue (so load shows up as queueing), the service-time model, a write-ahead log on the
// disk, and fsync with group commit. Replication strategies (replica.ts, multi-leader.ts) decide
// who may serve what and when a write is acknowledged.
//
// Service time = service_time + page_time x (B+tree pages read and written) + row_time x rows a
// scan examines. fsync_policy: `always` makes a log entry durable by an fsync; fsyncs run one at a
// time beside the CPU and entries logged while one is in flight share the next (group commit);
// `interval` fsyncs periodically; `never` makes nothing durable (the operating system is modelled
// as writing pages back eventually: only the last NEVER_POLICY_TAIL entries are at risk).
//
// A node of a domain workload (ecommerce, social, timeseries) also holds a query Database
// (engine/query/) in its storage, loaded identically on every replica. A `query` request is
// executed on it: its plan's pages and rows make the service time (query/cost.ts serviceTime_us,
// the same model); a query that wrote is logged as one entry carrying its row changes, which
// followers apply (Database.apply) and which a crash or a log truncation undoes (Database.revert).

import type { Disk } from "../sim/disk.js";
import type { HostBehaviour, HostContext, HostId, Message } from "../sim/host.js";
import { RingQueue } from "../sim/ring-queue.js";
import type { EngineEventSink } from "./events.js";
import {
  type QueryOutcome,
  type RecordValue,
  type Request,
  type Response,
  type ResponseStatus,
  unserved,
} from "./protocol.js";
import type { Database, RowChange } from "./query/database.js";
import type { ConfigStore } from "./sharding/shard-map.js";
import type { Table } from "./table.js";
import { WriteSet } from "./write-set.js";

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
  events?: EngineEventSink;
  /**
   * On a sharded cluster: this node's shard, the config store holding the shard map, and the
   * coordinator the shard's leader reports its size to every second.
   */
  sharding?: { readonly shard: number; readonly store: ConfigStore; readonly coordinator: HostId };
}

/** A write as the log carries it: shared between replicas, never mutated. */
export interface LogEntry {
  readonly lsn: number;
  readonly term: number;
  readonly insert: boolean;
  readonly key: string;
  /** -1: all fields. */
  readonly field: number;
  readonly value: number;
  /** The origin node's clock when it logged the write (lag; last-writer-wins). */
  readonly ts_us: number;
  /** The node that accepted the write from a client. */
  readonly origin: HostId;
  /** A second write of the same transaction (a transfer's credit), applied and undone with this one. */
  readonly paired?: PairedWrite;
  /** Removes the record (a reshard's clean-up of rows that moved away); `value` is unused. */
  readonly delete?: boolean;
  /**
   * A query's writes (op `query`): the rows it changed, in order, applied to the query database
   * (key, field and value are unused). Undone whole, newest row first.
   */
  readonly changes?: readonly RowChange[];
  /**
   * Writes nothing: the entry a leader logs when elected under read_index or lease, to learn what is
   * committed (Raft's no-op; read-confirmation.ts). key, field and value are unused.
   */
  readonly noop?: true;
}

/** Writes every field of an existing record. */
export interface PairedWrite {
  readonly key: string;
  readonly value: number;
}

/** What a write overwrote on one node, to undo it. */
interface Before {
  /** The row existed before (false: undo removes the key). */
  readonly existed: boolean;
  readonly stamp: number;
  readonly version: number;
}

/** A log entry as one node holds it: with what undoes it on this node's table. */
export interface LogRecord {
  readonly entry: LogEntry;
  readonly before: Before;
  /** What the entry's paired write overwrote (null without one). */
  readonly pairedBefore: Before | null;
}

export type MutableResponse = { -readonly [K in keyof Response]: Response[K] };

export interface InService {
  readonly from: HostId;
  readonly req: Request;
  readonly response: MutableResponse;
  readonly isWrite: boolean;
  readonly cpuDone_us: number;
}

interface Queued {
  readonly from: HostId;
  readonly req: Request;
  readonly arrived_us: number;
}

/** Requests about one key: on a sharded cluster only its owner serves them. */
const KEYED_OPS = new Set(["read", "update", "insert", "transfer"]);
const WRITE_OPS = new Set(["update", "insert", "transfer"]);
/** Rows a sharded scan examines per B+tree range call while it skips rows of other shards. */
const SCAN_CHUNK = 64;

const TIMER_CPU_DONE = 1;
const TIMER_FSYNC_DONE = 2;
const TIMER_SYNC_INTERVAL = 3;
const TIMER_SHARD_STATS = 4;
/** How often a shard's leader tells the coordinator its size and load. */
export const SHARD_STATS_INTERVAL_US = 1_000_000;

/** A shard leader's report to the coordinator. */
export interface ShardStats extends Message {
  readonly kind: "shard_stats";
  readonly shard: number;
  /** Rows in its table (during a reshard, copies not yet owned and moved rows not yet purged too). */
  readonly keys: number;
  /** Requests it served since its previous report (its load). */
  readonly served: number;
}
/** Tags from here on belong to subclasses. */
export const FIRST_SUBCLASS_TIMER = 10;

/**
 * Under `never`, the node models the operating system writing pages back eventually as the last
 * NEVER_POLICY_TAIL log entries being at risk in a crash; it also bounds the log's memory.
 */
const NEVER_POLICY_TAIL = 100_000;

/**
 * Log entries a node keeps once they are durable; older ones are compacted away in batches of
 * LOG_COMPACT_BATCH (their writes stay in the table). A follower that needs an entry its leader no
 * longer holds is sent a snapshot of the leader's state instead (replica.ts).
 */
export const LOG_WINDOW = 100_000;
const LOG_COMPACT_BATCH = 4096;

/** What a node keeps on its disk besides the log: its table and its durable replication state. */
export class NodeStorage {
  /** Replaced whole when the node installs a snapshot. */
  table: Table;
  /** The query database of a domain workload (null for YCSB and the bank). */
  db: Database | null;
  /** Replication term (epoch) and the vote cast in it: durable, as Raft requires. */
  term = 1;
  votedFor = -1;
  /** False until the node first starts: the initial leader leads only at its first start. */
  started = false;
  /** Term of the last entry before the first one the log holds (0: none), known after compaction. */
  baseTerm = 0;
  /** Values of the writes in the part of the log no longer held (compacted, or under a snapshot). */
  compactedWrites = new WriteSet();
  constructor(table: Table, db: Database | null = null) {
    this.table = table;
    this.db = db;
  }
}

/** A node's state as of a log position: what a follower too far behind installs. Never mutated. */
export interface NodeSnapshot {
  readonly last_lsn: number;
  readonly last_term: number;
  readonly table: Table;
  readonly db: Database | null;
  /** Values of every write in the log up to last_lsn (for lost-write accounting). */
  readonly writes: WriteSet;
}

/** The `before` of a query's log record (its row changes carry what undoes them) or a no-op's. */
const NOTHING_BEFORE: Before = Object.freeze({ existed: false, stamp: 0, version: 0 });

/** A node's storage: created by whoever builds the cluster, before the node starts. */
export function storageOf(disk: Disk): NodeStorage {
  if (!(disk.data instanceof NodeStorage))
    throw new Error("database node started without storage on its disk");
  return disk.data;
}

export abstract class NodeBase implements HostBehaviour {
  protected readonly config: NodeConfig;
  protected table!: Table;
  protected storage!: NodeStorage;
  protected ctx!: HostContext;
  private readonly queue: RingQueue<Queued>;
  /** Writes to keys whose shard is frozen for a cut-over: served again when the map changes. */
  private parked: Queued[] = [];
  private current: InService | null = null;
  private fsyncInFlight = false;
  private fsyncTarget = 0;
  private fsyncWanted = false;
  served = 0;
  rejected = 0;
  /** `served` at the previous size report to the coordinator. */
  private servedAtLastStats = 0;

  constructor(config: NodeConfig) {
    this.config = config;
    this.queue = new RingQueue(config.queue_limit);
  }

  onStart(ctx: HostContext): void {
    this.ctx = ctx;
    this.storage = storageOf(ctx.disk);
    this.table = this.storage.table;
    this.undoRecords(ctx.disk.takeLostTail() as LogRecord[]);
    if (this.config.fsync_policy.kind === "interval") {
      ctx.setTimer(this.config.fsync_policy.interval_us, TIMER_SYNC_INTERVAL);
    }
    if (this.config.sharding !== undefined) ctx.setTimer(SHARD_STATS_INTERVAL_US, TIMER_SHARD_STATS);
    this.start(ctx);
  }

  onMessage(ctx: HostContext, from: HostId, msg: Message): void {
    if (msg.kind === "shard_map") {
      this.releaseParked(ctx);
      return;
    }
    if (msg.kind !== "req") {
      this.onPeerMessage(ctx, from, msg);
      return;
    }
    const req = msg as Request;
    if (this.current === null) {
      this.serve(ctx, from, req, ctx.now_us());
    } else if (!this.queue.push({ from, req, arrived_us: ctx.now_us() })) {
      this.rejected++;
      ctx.send(from, this.reply(req, "overloaded"));
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
        if (ctx.disk.length > ctx.disk.durableLength) this.requestFsync();
        ctx.setTimer((this.config.fsync_policy as { interval_us: number }).interval_us, TIMER_SYNC_INTERVAL);
        break;
      case TIMER_SHARD_STATS: {
        const sharding = this.config.sharding as NonNullable<NodeConfig["sharding"]>;
        if (this.termAndHint().leader_hint === ctx.id) {
          const stats: ShardStats = {
            kind: "shard_stats",
            digest: this.table.rowCount,
            shard: sharding.shard,
            keys: this.table.rowCount,
            served: this.served - this.servedAtLastStats,
          };
          ctx.send(sharding.coordinator, stats);
        }
        this.servedAtLastStats = this.served;
        ctx.setTimer(SHARD_STATS_INTERVAL_US, TIMER_SHARD_STATS);
        break;
      }
      default:
        this.onOwnTimer(ctx, tag);
    }
  }

  // ---- for subclasses ----

  /** Called once the table and the crash recovery are in place. */
  protected abstract start(ctx: HostContext): void;
  protected abstract onPeerMessage(ctx: HostContext, from: HostId, msg: Message): void;
  protected abstract onOwnTimer(ctx: HostContext, tag: number): void;
  /** null when this node may serve the request now, else the status to answer (e.g. not_leader). */
  protected abstract refusal(req: Request): ResponseStatus | null;
  /** A write has done its CPU work and is logged: decide when to acknowledge it. */
  protected abstract onWriteLogged(ctx: HostContext, write: InService): void;
  /** The log is durable up to `durable` (after an fsync, or at once when the policy does not wait). */
  protected abstract onDurable(ctx: HostContext, durable: number): void;
  /** The term and leader hint this node puts in responses. */
  protected abstract termAndHint(): { term: number; leader_hint: HostId };

  /**
   * A request that wrote nothing has done its CPU work: answer it. A replica may hold a read until it
   * knows the answer is linearizable (replica.ts, read_consistency).
   */
  protected answerRead(ctx: HostContext, done: InService): void {
    ctx.send(done.from, done.response);
  }

  /** Log position a write is durable at: after an fsync under `always`, at once otherwise. */
  protected durableLsn(): number {
    return this.config.fsync_policy.kind === "always" ? this.ctx.disk.durableLength : this.ctx.disk.length;
  }

  /** Term of the entry at `lsn` (0 for lsn 0); also known for the last compacted one. */
  protected termAt(lsn: number): number {
    if (lsn === 0) return 0;
    const disk = this.ctx.disk;
    if (lsn === disk.firstPosition) return this.storage.baseTerm;
    const record = disk.entryAt(lsn - 1) as LogRecord | undefined;
    if (record === undefined)
      throw new Error(`log position ${lsn} is not held (log ${disk.firstPosition}..${disk.length})`);
    return record.entry.term;
  }

  /** A copy of this node's state as of its log's end (its cost: copying the table). */
  protected snapshot(): NodeSnapshot {
    const disk = this.ctx.disk;
    return {
      last_lsn: disk.length,
      last_term: this.termAt(disk.length),
      table: this.table.copy(),
      db: this.storage.db?.copy() ?? null,
      writes: logWrites(disk),
    };
  }

  /** Replaces this node's state and log by a snapshot (a copy of it: the message may be duplicated). */
  protected installSnapshot(snapshot: NodeSnapshot): void {
    const storage = this.storage;
    storage.table = snapshot.table.copy();
    this.table = storage.table;
    storage.db = snapshot.db?.copy() ?? null;
    storage.compactedWrites = snapshot.writes.copy();
    storage.baseTerm = snapshot.last_term;
    this.ctx.disk.resetTo(snapshot.last_lsn);
  }

  /**
   * Drops durable log entries before the last LOG_WINDOW, in batches (amortised O(1) per write),
   * remembering the term of the last one dropped and the values of their writes.
   */
  private compactLog(disk: Disk): void {
    if (disk.length - disk.firstPosition <= LOG_WINDOW + LOG_COMPACT_BATCH) return;
    const keepFrom = Math.min(disk.durableLength, disk.length - LOG_WINDOW);
    if (keepFrom <= disk.firstPosition) return;
    const storage = this.storage;
    for (let p = disk.firstPosition; p < keepFrom; p++) {
      const { entry } = disk.entryAt(p) as LogRecord;
      addWrite(storage.compactedWrites, entry);
      storage.baseTerm = entry.term;
    }
    disk.trimBefore(keepFrom);
  }

  /** Applies an entry to the table (a query's to the query database) and logs it; returns its log record. */
  protected applyAndLog(entry: LogEntry): LogRecord {
    if (entry.noop === true) return this.logWithoutUndo(entry);
    if (entry.changes !== undefined) {
      this.queryDatabase().apply(entry.changes);
      return this.logWithoutUndo(entry);
    }
    const before =
      entry.delete === true
        ? this.remove(entry.key)
        : this.write(entry.key, entry.insert ? -1 : entry.field, entry.value);
    const paired = entry.paired;
    const record: LogRecord = {
      entry,
      before,
      pairedBefore: paired === undefined ? null : this.write(paired.key, -1, paired.value),
    };
    this.log(record);
    return record;
  }

  /**
   * Logs an entry with nothing to undo on the table: a no-op, or a query's whose changes are applied
   * already (the leader executed the query) and carry what undoes them.
   */
  private logWithoutUndo(entry: LogEntry): LogRecord {
    const record: LogRecord = { entry, before: NOTHING_BEFORE, pairedBefore: null };
    this.log(record);
    return record;
  }

  private queryDatabase(): Database {
    const db = this.storage.db;
    if (db === null)
      throw new Error("database node: a query without a query database (not a domain workload)");
    return db;
  }

  /** Writes one field (-1: all) of `key`, inserting the record when absent; returns what it overwrote. */
  private write(key: string, field: number, value: number): Before {
    const table = this.table;
    const row = table.find(key);
    if (row < 0) {
      table.insert(key, value);
      return { existed: false, stamp: 0, version: 0 };
    }
    const before = {
      existed: true,
      stamp: field < 0 ? table.version(row) : table.fieldStamp(row, field),
      version: table.version(row),
    };
    table.write(row, field, value);
    return before;
  }

  /** Removes `key`; returns what it held. */
  private remove(key: string): Before {
    const table = this.table;
    const row = table.find(key);
    if (row < 0) return { existed: false, stamp: 0, version: 0 };
    const version = table.version(row);
    table.remove(key);
    return { existed: true, stamp: version, version };
  }

  /** Undoes records, newest first (a crash lost them, or a replica truncates its log). */
  protected undoRecords(records: readonly LogRecord[]): void {
    for (let i = records.length - 1; i >= 0; i--) {
      const record = records[i] as LogRecord;
      const { entry } = record;
      if (entry.noop === true) continue;
      if (entry.changes !== undefined) {
        this.queryDatabase().revert(entry.changes);
        continue;
      }
      if (entry.paired !== undefined && record.pairedBefore !== null) {
        this.undo(entry.paired.key, -1, record.pairedBefore);
      }
      if (entry.delete === true) {
        if (record.before.existed) this.table.insert(entry.key, record.before.version);
      } else this.undo(entry.key, entry.insert ? -1 : entry.field, record.before);
    }
  }

  private undo(key: string, field: number, before: Before): void {
    if (!before.existed) {
      this.table.remove(key);
      return;
    }
    const row = this.table.find(key);
    if (row < 0) throw new Error(`undo: key ${key} vanished from the table`);
    this.table.restore(row, field, before.stamp, before.version);
  }

  /** Asks for an fsync covering everything logged so far (group commit). */
  protected requestFsync(): void {
    if (this.fsyncInFlight) {
      this.fsyncWanted = true;
      return;
    }
    this.fsyncInFlight = true;
    this.fsyncWanted = false;
    this.fsyncTarget = this.ctx.disk.length;
    this.ctx.setTimer(this.ctx.disk.fsync_us, TIMER_FSYNC_DONE);
  }

  protected reply(req: Request, status: ResponseStatus): Response {
    const { term, leader_hint } = this.termAndHint();
    return unserved(req, status, term, leader_hint);
  }

  /** Serves queued requests that were waiting (e.g. for a log position), if the CPU is free. */
  protected kick(ctx: HostContext): void {
    // A loop, not recursion: refused requests (e.g. not_leader) leave the CPU free for the next one.
    while (this.current === null) {
      const next = this.queue.shift();
      if (next === undefined) return;
      this.serve(ctx, next.from, next.req, next.arrived_us);
    }
  }

  // ---- the CPU ----

  /**
   * The shard map changed (the coordinator says so): parked writes are served again, now answered
   * `wrong_shard` if their key moved, or served if the cut-over was called off.
   */
  private releaseParked(ctx: HostContext): void {
    const parked = this.parked;
    this.parked = [];
    for (const waiting of parked) {
      if (this.current === null) this.serve(ctx, waiting.from, waiting.req, waiting.arrived_us);
      else if (!this.queue.push(waiting)) {
        this.rejected++;
        ctx.send(waiting.from, this.reply(waiting.req, "overloaded"));
      }
    }
  }

  /**
   * On a sharded cluster: true when the request was answered or parked here (its key belongs to
   * another shard, or waits for a cut-over).
   */
  private divertedByShard(ctx: HostContext, from: HostId, req: Request, arrived_us: number): boolean {
    const sharding = this.config.sharding;
    if (sharding === undefined || !KEYED_OPS.has(req.op)) return false;
    const map = sharding.store.map;
    if (map.ownerOf(req.key) !== sharding.shard) {
      const wrongShard = this.reply(req, "wrong_shard") as MutableResponse;
      wrongShard.shard_map = map;
      ctx.send(from, wrongShard);
      return true;
    }
    if (WRITE_OPS.has(req.op) && map.isFrozen(req.key)) {
      if (this.parked.length >= this.config.queue_limit) {
        this.rejected++;
        ctx.send(from, this.reply(req, "overloaded"));
      } else this.parked.push({ from, req, arrived_us });
      return true;
    }
    return false;
  }

  /** Applies the request now and holds the CPU for its cost. */
  private serve(ctx: HostContext, from: HostId, req: Request, arrived_us: number): void {
    if (this.divertedByShard(ctx, from, req, arrived_us)) return;
    const refused = this.refusal(req);
    if (refused !== null) {
      ctx.send(from, this.reply(req, refused));
      return;
    }
    const now = ctx.now_us();
    const { config, table } = this;
    const index = table.index;
    let status: ResponseStatus = "ok";
    let value: number | null = null;
    let rows = 0;
    let pagesRead = 0;
    let pagesWritten = 0;
    let lsn = 0;
    let wrote = false;
    let records: RecordValue[] | null = null;
    let nextKey: string | null = null;
    let outcome: QueryOutcome | null = null;
    const { term, leader_hint } = this.termAndHint();
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
      case "update":
      case "insert": {
        const row = table.find(req.key);
        pagesRead = index.lastPagesRead;
        if (row < 0 === (req.op === "update")) {
          status = row < 0 ? "not_found" : "duplicate_key";
          break;
        }
        lsn = ctx.disk.length + 1;
        wrote = true;
        this.applyAndLog({
          lsn,
          term,
          insert: req.op === "insert",
          key: req.key,
          field: req.op === "insert" ? -1 : req.field,
          value: req.value,
          ts_us: now,
          origin: ctx.id,
        });
        pagesRead += index.lastPagesRead;
        pagesWritten = req.op === "insert" ? index.lastPagesWritten : 1;
        value = req.value;
        rows = 1;
        break;
      }
      case "scan": {
        if (this.config.sharding === undefined) {
          rows = index.scan(req.key, req.scan_length, noop);
          pagesRead = index.lastPagesRead;
        } else {
          const scanned = this.ownedScan(req.key, req.scan_length, req.to_key);
          records = scanned.records;
          rows = scanned.examined;
          pagesRead = scanned.pagesRead;
        }
        break;
      }
      case "export": {
        const exported = this.exportMoving(req.key, req.scan_length);
        records = exported.records;
        nextKey = exported.nextKey;
        rows = exported.examined;
        value = exported.held;
        pagesRead = index.lastPagesRead;
        lsn = ctx.disk.length; // not a write: where a catch-up after this copy starts
        break;
      }
      case "export_log": {
        // The log no longer holds that position (compacted): every moving row, as a copy would.
        const exported =
          req.min_lsn < ctx.disk.firstPosition
            ? this.exportMoving("", Number.POSITIVE_INFINITY)
            : this.exportMovingSince(req.min_lsn);
        records = exported.records;
        rows = exported.examined;
        pagesRead = "pagesRead" in exported ? exported.pagesRead : index.lastPagesRead;
        lsn = ctx.disk.length; // not a write: where the next export_log starts
        break;
      }
      case "purge": {
        // Deletes rows this shard no longer owns (after a cut-over), up to scan_length examined.
        const purged = this.rowsNotOwned(req.key, req.scan_length);
        nextKey = purged.nextKey;
        rows = purged.examined;
        pagesRead = index.lastPagesRead;
        for (const key of purged.keys) {
          lsn = ctx.disk.length + 1;
          this.applyAndLog({
            lsn,
            term,
            insert: false,
            key,
            field: -1,
            value: 0,
            ts_us: now,
            origin: ctx.id,
            delete: true,
          });
          pagesWritten += Math.max(1, index.lastPagesWritten);
          wrote = true;
        }
        break;
      }
      case "split_point": {
        // The median of the keys this shard owns: where a range split divides it.
        const owned = this.ownedScan("", Number.POSITIVE_INFINITY, "");
        rows = owned.examined;
        pagesRead = owned.pagesRead;
        nextKey = owned.records[owned.records.length >> 1]?.key ?? null;
        break;
      }
      case "ingest": {
        for (const record of req.records ?? []) {
          lsn = ctx.disk.length + 1;
          this.applyAndLog({
            lsn,
            term,
            insert: true,
            key: record.key,
            field: -1,
            value: record.value,
            ts_us: now,
            origin: ctx.id,
          });
          pagesRead += index.lastPagesRead;
          pagesWritten += Math.max(1, index.lastPagesWritten);
          rows++;
          wrote = true;
        }
        break;
      }
      case "read_all": {
        const found: RecordValue[] = [];
        rows = index.scan(req.key, req.scan_length, (key, row) => {
          found.push({ key, value: table.version(row) });
        });
        pagesRead = index.lastPagesRead;
        records = found;
        break;
      }
      case "query": {
        const query = req.query;
        if (query == null) throw new Error("database node: a query request without its query");
        const result = this.queryDatabase().execute(query);
        const { cost, plan } = result;
        status = result.status;
        pagesRead = cost.pages_read;
        pagesWritten = cost.pages_written;
        // Charged at row_time each below: the service time is query/cost.ts serviceTime_us(cost).
        rows = cost.rows_examined + cost.rows_sorted;
        if (result.changes.length > 0) {
          lsn = ctx.disk.length + 1;
          wrote = true;
          this.logWithoutUndo({
            lsn,
            term,
            insert: false,
            key: "",
            field: -1,
            value: 0,
            ts_us: now,
            origin: ctx.id,
            changes: result.changes,
          });
        }
        const access = plan.access;
        outcome = {
          kind: plan.kind,
          shape: plan.shape,
          access: access === null ? null : access.access,
          index: access === null ? null : access.index,
          covering: access?.covering === true,
          table_lookup: access?.table_lookup === true,
          rows_returned: cost.rows_returned,
          rows_examined: cost.rows_examined,
          rows_sorted: cost.rows_sorted,
          pages_read: cost.pages_read,
          pages_written: cost.pages_written,
        };
        break;
      }
      case "transfer": {
        const from = table.find(req.key);
        pagesRead = index.lastPagesRead;
        const to = table.find(req.to_key);
        pagesRead += index.lastPagesRead;
        if (from < 0 || to < 0) {
          status = "not_found";
          break;
        }
        const fromBalance = table.version(from);
        if (fromBalance < req.value) {
          status = "insufficient_funds";
          break;
        }
        lsn = ctx.disk.length + 1;
        wrote = true;
        // Both new balances in one log entry: replicas apply (and undo) the transfer whole.
        this.applyAndLog({
          lsn,
          term,
          insert: false,
          key: req.key,
          field: -1,
          value: fromBalance - req.value,
          ts_us: now,
          origin: ctx.id,
          paired: { key: req.to_key, value: table.version(to) + req.value },
        });
        pagesWritten = 2;
        rows = 2;
        break;
      }
    }
    const service_us =
      config.service_time_us +
      config.page_time_us * (pagesRead + pagesWritten) +
      config.row_time_us * (req.op === "read" || req.op === "update" || req.op === "insert" ? 0 : rows);
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
      lsn,
      term,
      leader_hint,
      records,
      next_key: nextKey,
      // Scans on a sharded cluster say which map they were answered under (a stale router replans).
      shard_map: req.op === "scan" ? this.config.sharding?.store.map : undefined,
      query: outcome,
    };
    this.current = { from, req, response, isWrite: wrote, cpuDone_us: now + service_us };
    ctx.setTimer(service_us, TIMER_CPU_DONE);
  }

  /** A scan of the rows this shard owns: up to `limit` of them from `start` on, skipping the others. */
  private ownedScan(
    start: string,
    limit: number,
    until: string,
  ): { records: RecordValue[]; examined: number; pagesRead: number } {
    const { table } = this;
    const { shard, store } = this.config.sharding as { shard: number; store: ConfigStore };
    const map = store.map;
    const records: RecordValue[] = [];
    let examined = 0;
    let pagesRead = 0;
    let from = start;
    let inclusive = true;
    // `until`: the end of the range the scan was sent for (exclusive; "": none).
    const end = until === "" ? {} : { hi: until, hiInclusive: false };
    for (;;) {
      let seen = 0;
      let last = from;
      table.index.range({ lo: from, loInclusive: inclusive, limit: SCAN_CHUNK, ...end }, (key, row) => {
        seen++;
        last = key;
        if (records.length < limit && map.ownerOf(key) === shard)
          records.push({ key, value: table.version(row) });
      });
      examined += seen;
      pagesRead += table.index.lastPagesRead;
      if (seen < SCAN_CHUNK || records.length >= limit) break;
      from = last;
      inclusive = false;
    }
    return { records, examined, pagesRead };
  }

  /**
   * export: the moving rows among up to `limit` rows from `start` on; `held` counts those the shard
   * owned in the settled map (the others are copies moving in from other shards).
   */
  private exportMoving(
    start: string,
    limit: number,
  ): { records: RecordValue[]; nextKey: string | null; examined: number; held: number } {
    const { table } = this;
    const { shard, store } = this.config.sharding as { shard: number; store: ConfigStore };
    const map = store.map;
    const records: RecordValue[] = [];
    let examined = 0;
    let held = 0;
    let last = start;
    table.index.range({ lo: start, limit }, (key, row) => {
      examined++;
      last = key;
      if (map.current.shardOf(key) === shard) held++;
      if (map.ownerOf(key) === shard && map.destinationOf(key) !== shard)
        records.push({ key, value: table.version(row) });
    });
    // The smallest key after `last`: the next export starts there.
    return { records, nextKey: examined < limit ? null : `${last}\u0000`, examined, held };
  }

  /** purge: the rows among up to `limit` from `start` on that moved away from this shard. */
  private rowsNotOwned(
    start: string,
    limit: number,
  ): { keys: string[]; nextKey: string | null; examined: number } {
    const { shard, store } = this.config.sharding as { shard: number; store: ConfigStore };
    const map = store.map;
    const keys: string[] = [];
    let examined = 0;
    let last = start;
    this.table.index.range({ lo: start, limit }, (key) => {
      examined++;
      last = key;
      // Rows that moved away from here (not copies of rows moving here, not owned yet).
      if (map.current.shardOf(key) === shard && map.ownerOf(key) !== shard) keys.push(key);
    });
    return { keys, nextKey: examined < limit ? null : `${last}\u0000`, examined };
  }

  /** export_log: the current rows of moving keys written at log positions >= since. */
  private exportMovingSince(since: number): { records: RecordValue[]; examined: number; pagesRead: number } {
    const { table, ctx } = this;
    const { shard, store } = this.config.sharding as { shard: number; store: ConfigStore };
    const map = store.map;
    const disk = ctx.disk;
    const keys = new Set<string>();
    for (let p = since; p < disk.length; p++) {
      const entry = (disk.entryAt(p) as LogRecord).entry;
      if (entry.noop === true) continue;
      keys.add(entry.key);
      if (entry.paired !== undefined) keys.add(entry.paired.key);
    }
    const records: RecordValue[] = [];
    let pagesRead = 0;
    for (const key of [...keys].sort()) {
      if (map.ownerOf(key) !== shard || map.destinationOf(key) === shard) continue;
      const row = table.find(key);
      pagesRead += table.index.lastPagesRead;
      if (row >= 0) records.push({ key, value: table.version(row) });
    }
    return { records, examined: disk.length - since, pagesRead };
  }

  private finishCpu(ctx: HostContext): void {
    const done = this.current;
    if (done === null) throw new Error("database node: CPU timer with no request in service");
    this.current = null;
    this.served++;
    if (done.isWrite) {
      this.onWriteLogged(ctx, done);
      if (this.config.fsync_policy.kind === "always") this.requestFsync();
      else this.onDurable(ctx, ctx.disk.length);
    } else {
      this.answerRead(ctx, done);
    }
    this.kick(ctx);
  }

  private finishFsync(ctx: HostContext): void {
    this.fsyncInFlight = false;
    ctx.disk.syncTo(Math.min(this.fsyncTarget, ctx.disk.length));
    this.onDurable(ctx, ctx.disk.durableLength);
    if (this.fsyncWanted || ctx.disk.length > ctx.disk.durableLength) {
      if (this.config.fsync_policy.kind === "always") this.requestFsync();
    }
  }

  private log(record: LogRecord): void {
    const disk = this.ctx.disk;
    if (disk.append(record) + 1 !== record.entry.lsn) {
      throw new Error(`log position mismatch: appended lsn ${record.entry.lsn} at ${disk.length}`);
    }
    if (this.config.fsync_policy.kind === "never" && disk.length - disk.durableLength > NEVER_POLICY_TAIL) {
      disk.syncTo(disk.length - NEVER_POLICY_TAIL);
    }
    this.compactLog(disk);
  }
}

function noop(): void {}

/** The values of every write a node's log ever held and still stands by: compacted part included. */
export function logWrites(disk: Disk): WriteSet {
  const writes = storageOf(disk).compactedWrites.copy();
  for (let p = disk.firstPosition; p < disk.length; p++)
    addWrite(writes, (disk.entryAt(p) as LogRecord).entry);
  return writes;
}

/** Records the write a log entry made (a key's value; not a delete's or a query's rows). */
function addWrite(writes: WriteSet, entry: LogEntry): void {
  if (entry.delete !== true && entry.changes === undefined && entry.noop !== true) writes.add(entry.value);
}
