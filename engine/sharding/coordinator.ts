// The coordinator: the host that owns the shard map and moves data when it changes (a reshard to N
// shards, a range split, a directory move), while traffic goes on. Each change is a job; a job moves
// ownership from the settled partitioner to a target one, one source shard at a time:
//
//   copy      export the source's moving rows in batches (from its leader, through its CPU like any
//             request) and ingest each batch on the destination shards' leaders (replicated there
//             like any write); the first export marks the source's log position (that of the data
//             it read: applied, so under Raft committed, a position every replica agrees on);
//   catch up  export the moving rows written since the mark, ingest them, move the mark; again while
//             there are many;
//   freeze    the map freezes the source: its writes to moving keys wait (parked on the node);
//   final     export what was written since the mark, and ingest it, again until the mark reaches
//             the log's end at the first final export (of the latest term heard): the writes logged
//             before the freeze but not yet applied (Raft applies once committed) are then in; the
//             destinations now hold every acknowledged write to the moving keys;
//   cut over  the map gives the moving keys to their destinations; the source's parked writes are
//             answered `wrong_shard` and follow the new map;
//   purge     the source deletes the rows it no longer owns, in batches.
//
// A step that fails (a timeout, a leader change) is retried; after RETRIES_BEFORE_RESTART the source
// starts over from the copy (thawed first): copies are idempotent, and nothing is cut over until
// the destinations hold everything. When every source has cut over the target becomes the map.

import type { HostBehaviour, HostContext, HostId, Message, TimerTag } from "../../sim/host.js";
import { okResponse, type RecordValue, type RequestSpec, type Response } from "../protocol.js";
import { type RangeMove, requestMove } from "../ranges/moves.js";
import { Rebalancer } from "../ranges/rebalancer.js";
import type { RebalanceSettings } from "../ranges/settings.js";
import type { Place } from "../regions/placement.js";
import { Dispatcher } from "./dispatcher.js";
import {
  ConsistentPartitioner,
  DirectoryPartitioner,
  HashPartitioner,
  type Partitioner,
  RangePartitioner,
} from "./partitioners.js";
import { ReplicaRouter } from "./replica-router.js";
import type { ShardingSettings } from "./settings.js";
import { SHARD_STATS_INTERVAL_US, type ShardStats } from "./shard-gate.js";
import type { ConfigStore, ShardMap, ShardMapNotice } from "./shard-map.js";

export type ShardingChange =
  | { readonly at_us: number; readonly kind: "reshard"; readonly shards: number }
  | { readonly at_us: number; readonly kind: "split"; readonly shard: number }
  | { readonly at_us: number; readonly kind: "move"; readonly keys: readonly string[]; readonly to: number };

export type CoordinatorEvent =
  | { readonly type: "reshard_begin"; readonly change: string; readonly sources: number }
  | { readonly type: "cutover"; readonly source: number; readonly moved_keys: number }
  | {
      readonly type: "reshard_end";
      readonly change: string;
      readonly moved_keys: number;
      /** Rows the copies examined: every row the sources held when the job began. */
      readonly examined_keys: number;
      readonly duration_us: number;
      readonly restarts: number;
    }
  | { readonly type: "shard_stats"; readonly shard: number; readonly keys: number };

/** The coordinator's settings: `cluster.sharding`'s (vnodes, split_at, split_load, migration) and its cluster. */
export interface CoordinatorConfig
  extends Pick<ShardingSettings, "vnodes" | "split_at" | "split_load" | "migration"> {
  readonly store: ConfigStore;
  /** Every provisioned shard's replicas, spares included; the first of each leads at the start. */
  readonly groups: ReadonlyMap<number, readonly HostId[]>;
  /** Hosts told about each new map: clients routing by themselves, router hosts. */
  readonly subscribers: readonly HostId[];
  readonly changes: readonly ShardingChange[];
  /**
   * Multi-raft (docs/ranges.md): each range's replica host on every physical node, by node number,
   * and the scenario's replica moves (`move_replica`), in time order.
   */
  readonly ranges?: {
    readonly hosts: ReadonlyMap<number, readonly HostId[]>;
    readonly moves: readonly RangeMove[];
    /** The rebalancer's settings and each node's place (absent: no rebalancer; places: no topology). */
    readonly rebalance?: { readonly settings: RebalanceSettings; readonly places?: readonly Place[] };
  };
  /** A migration request unanswered this long is retried. */
  readonly request_timeout_us: number;
  readonly events: (event: CoordinatorEvent) => void;
}

type Phase = "copy" | "catchup" | "final" | "purge" | "done";

interface Task {
  readonly source: number;
  readonly index: number;
  phase: Phase;
  cursor: string | null;
  mark: number;
  /**
   * Where cursor and mark move, and the rows examined, once the batch in flight is ingested: a batch
   * whose ingest failed is exported again.
   */
  nextCursor: string | null;
  nextMark: number;
  nextExamined: number;
  /** Ingests in flight (per destination), or 1 for a request to the source. */
  waiting: number;
  failures: number;
  movedKeys: Set<string>;
  examined: number;
  catchups: number;
  /** Records the last export returned. */
  lastBatch: number;
  /**
   * Final: the source's log end at its first final export and that leader's term; a newer term's
   * leader sets it again (its log holds every committed entry; its predecessor's uncommitted tail
   * may be gone).
   */
  frozenLog: { readonly term: number; readonly lsn: number } | null;
}

interface Job {
  readonly label: string;
  readonly started_us: number;
  tasks: Task[];
  restarts: number;
}

/** Slots per task in the dispatcher's tags: 0 for the source, 1 + shard for ingests. */
const SLOTS = 64;
const TIMER_CHANGE = 0;
const TIMER_TICK = 1;
const TIMER_SPLIT_QUERY = 2;
const TIMER_MOVE = 3;
const TIMER_REBALANCE = 4;
const TIMER_STEP_BASE = 1000;
const RETRY_DELAY_US = 10_000;
const RETRIES_BEFORE_RESTART = 8;
const MAX_CATCHUP_ROUNDS = 10;
/** Most shards (sources of one job: their tags must fit). */
export const MAX_SHARDS = 63;
/** The tag of a split point query (after every task's). */
const SPLIT_QUERY_TAG = MAX_SHARDS * SLOTS;

export class Coordinator implements HostBehaviour {
  private readonly config: CoordinatorConfig;
  private readonly dispatcher: Dispatcher;
  private readonly keysByShard = new Map<number, number>();
  /** Requests per second each shard's leader served over its last report interval. */
  private readonly loadByShard = new Map<number, number>();
  /** When each shard last reported, and when the last job ended: splits wait for stats after it. */
  private readonly statsAt = new Map<number, number>();
  private lastJobEnd_us = -1;
  /** Changes due but not started (jobs run one at a time). */
  private readonly queue: ShardingChange[] = [];
  /** Range splits still to do for a reshard of a range partitioner. */
  private pendingSplits = 0;
  private job: Job | null = null;
  /** A split waiting for its source's median key. */
  private splitQuery: { readonly shard: number; readonly label: string } | null = null;
  private nextChange = 0;
  private nextMove = 0;
  /** Deadline of each tag's request in flight. */
  private readonly deadlines = new Map<number, number>();
  private readonly rebalancer: Rebalancer | null = null;

  constructor(config: CoordinatorConfig) {
    if (config.groups.size > MAX_SHARDS) throw new RangeError(`at most ${MAX_SHARDS} shards`);
    this.config = config;
    const replicaRouters = new Map<number, ReplicaRouter>();
    for (const [shard, nodes] of config.groups) {
      replicaRouters.set(shard, new ReplicaRouter({ nodes, multiLeader: false, read_from: "leader" }));
    }
    this.dispatcher = new Dispatcher({ shards: replicaRouters, map: null, readYourWrites: false });
    const ranges = config.ranges;
    if (ranges?.rebalance !== undefined) {
      const { settings, places } = ranges.rebalance;
      this.rebalancer = new Rebalancer({
        settings,
        hosts: ranges.hosts,
        nodes: ranges.hosts.get(0)?.length ?? 0,
        ...(places === undefined ? {} : { places }),
        moveReplica: (ctx, shard, remove, add) => this.moveReplica(ctx, shard, remove, add),
      });
    }
  }

  private get map(): ShardMap {
    return this.config.store.map;
  }

  onStart(ctx: HostContext): void {
    this.scheduleNextChange(ctx);
    this.scheduleNextMove(ctx);
    ctx.setTimer(this.config.request_timeout_us, TIMER_TICK);
    const every_us = this.config.ranges?.rebalance?.settings.every_us;
    if (every_us !== undefined) ctx.setTimer(every_us, TIMER_REBALANCE);
  }

  onTimer(ctx: HostContext, tag: TimerTag): void {
    if (tag === TIMER_CHANGE) {
      this.queue.push(this.config.changes[this.nextChange++] as ShardingChange);
      this.scheduleNextChange(ctx);
      this.startNextJob(ctx);
    } else if (tag === TIMER_TICK) {
      this.expireRequests(ctx);
      ctx.setTimer(this.config.request_timeout_us, TIMER_TICK);
    } else if (tag === TIMER_SPLIT_QUERY) {
      this.sendSplitQuery(ctx);
    } else if (tag === TIMER_MOVE) {
      const move = this.config.ranges?.moves[this.nextMove++] as RangeMove;
      this.moveReplica(ctx, move.shard, move.remove, move.add);
      this.scheduleNextMove(ctx);
    } else if (tag === TIMER_REBALANCE) {
      this.rebalancer?.tick(ctx);
      ctx.setTimer(this.config.ranges?.rebalance?.settings.every_us as number, TIMER_REBALANCE);
    } else if (tag >= TIMER_STEP_BASE) {
      const task = this.job?.tasks[tag - TIMER_STEP_BASE];
      if (task !== undefined && task.waiting === 0) this.step(ctx, task);
    }
  }

  onMessage(ctx: HostContext, from: HostId, msg: Message): void {
    this.rebalancer?.heard(from, ctx.now_us());
    if (msg.kind === "node_alive") return;
    if (msg.kind === "shard_stats") {
      const stats = msg as ShardStats;
      if (stats.range !== undefined)
        this.rebalancer?.onRangeStatus(from, stats.shard, stats.range, ctx.now_us());
      this.keysByShard.set(stats.shard, stats.keys);
      this.loadByShard.set(stats.shard, (stats.served * 1e6) / SHARD_STATS_INTERVAL_US);
      this.statsAt.set(stats.shard, ctx.now_us());
      this.config.events({ type: "shard_stats", shard: stats.shard, keys: stats.keys });
      if (this.pendingSplits > 0) this.startNextJob(ctx);
      else this.maybeSplit(ctx);
      return;
    }
    if (msg.kind !== "resp") return;
    const done = this.dispatcher.onResponse(ctx, from, msg as Response);
    if (done === null) return;
    this.deadlines.delete(done.tag);
    if (done.tag === SPLIT_QUERY_TAG) {
      if (done.response.status === "ok")
        this.onSplitPoint(ctx, okResponse(done.response, "split_point").median);
      else ctx.setTimer(RETRY_DELAY_US, TIMER_SPLIT_QUERY);
      return;
    }
    const task = this.job?.tasks[Math.floor(done.tag / SLOTS)];
    if (task === undefined) return;
    if (done.response.status !== "ok") this.fail(ctx, task);
    else this.onAnswer(ctx, task, done.tag % SLOTS, done.response);
  }

  /**
   * Multi-raft: moves a range's replica from the host `remove` to the host `add` (its hosts on two
   * nodes; `replicaOn` names them), by a request to every replica host of the range: its leader
   * adds `add` as a learner, promotes it once caught up, then removes `remove` (ranges/moves.ts).
   */
  moveReplica(ctx: HostContext, shard: number, remove: HostId, add: HostId): void {
    requestMove(ctx, this.config.ranges?.hosts.get(shard) ?? [], { shard, remove, add });
  }

  /** Multi-raft: a range's replica host on a physical node (undefined without nodes). */
  replicaOn(shard: number, node: number): HostId | undefined {
    return this.config.ranges?.hosts.get(shard)?.[node];
  }

  private scheduleNextMove(ctx: HostContext): void {
    const move = this.config.ranges?.moves[this.nextMove];
    if (move !== undefined) ctx.setTimer(Math.max(0, move.at_us - ctx.now_us()), TIMER_MOVE);
  }

  // ---- jobs ----

  private scheduleNextChange(ctx: HostContext): void {
    const change = this.config.changes[this.nextChange];
    if (change !== undefined) ctx.setTimer(Math.max(0, change.at_us - ctx.now_us()), TIMER_CHANGE);
  }

  /**
   * Range, split_at / split_load: a shard over a threshold (keys, or requests per second) splits
   * into a spare shard at its median key, when nothing else is moving.
   */
  private maybeSplit(ctx: HostContext): void {
    const { split_at, split_load } = this.config;
    if (split_at === null && split_load === null) return;
    if (this.busy || this.queue.length > 0 || this.pendingSplits > 0 || this.spareShard() === null) return;
    if (!(this.map.current instanceof RangePartitioner) || !this.statsFresh()) return;
    const largest = this.largestShard();
    const keys = largest === null ? 0 : (this.keysByShard.get(largest) ?? 0);
    if (largest !== null && split_at !== null && keys > split_at) {
      this.querySplitPoint(
        ctx,
        largest,
        `automatic split of shard${largest} (${keys} keys, over split_at ${split_at})`,
      );
      return;
    }
    const busiest = this.busiestShard();
    const load = busiest === null ? 0 : Math.round(this.loadByShard.get(busiest) ?? 0);
    if (busiest !== null && split_load !== null && load > split_load) {
      this.querySplitPoint(
        ctx,
        busiest,
        `automatic split of shard${busiest} (${load} requests/s, over split_load ${split_load})`,
      );
    }
  }

  /** The shard serving the most requests by the last stats (among the settled map's shards). */
  private busiestShard(): number | null {
    let best: number | null = null;
    for (const shard of this.map.current.shardIds) {
      if (best === null || (this.loadByShard.get(shard) ?? 0) > (this.loadByShard.get(best) ?? 0))
        best = shard;
    }
    return best;
  }

  /** Every shard of the map has reported since the last job ended (its sizes are current). */
  private statsFresh(): boolean {
    return this.map.current.shardIds.every((shard) => (this.statsAt.get(shard) ?? -1) > this.lastJobEnd_us);
  }

  private get busy(): boolean {
    return this.job !== null || this.splitQuery !== null;
  }

  private startNextJob(ctx: HostContext): void {
    if (this.busy) return;
    if (this.pendingSplits > 0) {
      if (!this.statsFresh()) return; // the next stats start it (after the last split's purge)
      const largest = this.largestShard();
      this.pendingSplits--;
      if (largest !== null)
        this.querySplitPoint(ctx, largest, `split of the largest range (shard${largest})`);
      return;
    }
    const change = this.queue.shift();
    if (change === undefined) return;
    const current = this.map.current;
    switch (change.kind) {
      case "reshard":
        if (current instanceof RangePartitioner) {
          // A range partitioner grows by splitting its largest ranges, one at a time.
          this.pendingSplits = Math.max(0, change.shards - current.shardIds.length);
          this.startNextJob(ctx);
          return;
        }
        this.begin(
          ctx,
          `reshard to ${change.shards} shards`,
          reshardTarget(current, change.shards, this.config.vnodes),
        );
        return;
      case "split":
        this.querySplitPoint(ctx, change.shard, `split of shard${change.shard}`);
        return;
      case "move":
        this.begin(
          ctx,
          `move of ${change.keys.length} key${change.keys.length === 1 ? "" : "s"} to shard${change.to}`,
          (current as DirectoryPartitioner).move(change.keys, change.to),
        );
        return;
    }
  }

  /** Asks the shard's leader for its median key; the answer starts the split. */
  private querySplitPoint(ctx: HostContext, shard: number, label: string): void {
    if (this.spareShard() === null) {
      this.startNextJob(ctx);
      return;
    }
    this.splitQuery = { shard, label };
    this.sendSplitQuery(ctx);
  }

  private sendSplitQuery(ctx: HostContext): void {
    const query = this.splitQuery;
    if (query === null) return;
    this.deadlines.set(SPLIT_QUERY_TAG, ctx.now_us() + this.config.request_timeout_us);
    this.dispatcher.send(
      ctx,
      SPLIT_QUERY_TAG,
      { op: "split_point" },
      {
        shard: query.shard,
        min_lsn: 0,
      },
    );
  }

  private begin(ctx: HostContext, label: string, target: Partitioner, started_us = ctx.now_us()): void {
    this.config.store.map = this.map.beginReshard(target);
    const sources = this.map.current.shardIds;
    this.job = { label, started_us, tasks: sources.map((source, i) => newTask(source, i)), restarts: 0 };
    this.config.events({ type: "reshard_begin", change: label, sources: sources.length });
    for (const task of this.job.tasks) this.step(ctx, task);
  }

  private finishJob(ctx: HostContext): void {
    const job = this.job as Job;
    this.config.store.map = this.map.settle();
    this.notify(ctx, this.config.subscribers);
    let moved = 0;
    let examined = 0;
    for (const task of job.tasks) {
      moved += task.movedKeys.size;
      examined += task.examined;
    }
    this.config.events({
      type: "reshard_end",
      change: job.label,
      moved_keys: moved,
      examined_keys: examined,
      duration_us: ctx.now_us() - job.started_us,
      restarts: job.restarts,
    });
    this.job = null;
    this.lastJobEnd_us = ctx.now_us();
    this.startNextJob(ctx);
  }

  // ---- one source's migration ----

  /** Sends the task's next request for its phase. */
  private step(ctx: HostContext, task: Task): void {
    const { batch } = this.config.migration;
    switch (task.phase) {
      case "copy":
        this.request(ctx, task, 0, task.source, { op: "export", from_key: task.cursor ?? "", batch });
        return;
      case "catchup":
      case "final":
        // Only a node whose log reaches the mark can say what was written since.
        this.request(ctx, task, 0, task.source, { op: "export_log", since_lsn: task.mark }, task.mark);
        return;
      case "purge":
        this.request(ctx, task, 0, task.source, { op: "purge", from_key: task.cursor ?? "", batch });
        return;
      case "done":
        return;
    }
  }

  private onAnswer(ctx: HostContext, task: Task, slot: number, response: Response): void {
    task.failures = 0;
    if (slot > 0) {
      // An ingest acknowledged: the phase goes on once every destination has its part.
      if (--task.waiting === 0) this.afterIngest(ctx, task);
      return;
    }
    task.waiting = 0;
    switch (task.phase) {
      case "copy": {
        const exported = okResponse(response, "export");
        // The first export marks the log.
        task.nextMark = task.cursor === null ? exported.log_end : task.mark;
        task.nextExamined = task.examined + exported.owned;
        task.nextCursor = exported.next_key;
        this.ingest(ctx, task, exported.records);
        return;
      }
      case "catchup":
      case "final": {
        const exported = okResponse(response, "export_log");
        if (task.phase === "final" && !this.noteFrozenLog(task, exported.term, exported.logged_lsn)) {
          this.fail(ctx, task); // a deposed leader's answer
          return;
        }
        task.nextMark = exported.log_end;
        this.ingest(ctx, task, exported.records);
        return;
      }
      case "purge":
        task.cursor = okResponse(response, "purge").next_key;
        if (task.cursor === null) this.taskDone(ctx, task);
        else this.step(ctx, task);
        return;
      case "done":
        return;
    }
  }

  private onSplitPoint(ctx: HostContext, median: string | null): void {
    const { label } = this.splitQuery as { shard: number; label: string };
    this.splitQuery = null;
    const current = this.map.current;
    const spare = this.spareShard();
    if (median === null || median === "" || spare === null || !(current instanceof RangePartitioner)) {
      this.startNextJob(ctx); // nothing to split (an empty shard)
      return;
    }
    let target: RangePartitioner;
    try {
      target = current.split(median, spare);
    } catch {
      this.startNextJob(ctx); // the median already starts a range
      return;
    }
    this.begin(ctx, `${label} at ${median} into shard${spare}`, target);
  }

  /** Sends the records to their destinations' leaders (one ingest each); with none, moves on. */
  private ingest(ctx: HostContext, task: Task, records: readonly RecordValue[]): void {
    const byDestination = new Map<number, RecordValue[]>();
    for (const record of records) {
      const destination = this.map.destinationOf(record.key);
      const list = byDestination.get(destination) ?? [];
      if (list.length === 0) byDestination.set(destination, list);
      list.push(record);
      task.movedKeys.add(record.key);
    }
    if (task.phase === "catchup") task.catchups++;
    task.lastBatch = records.length;
    if (byDestination.size === 0) {
      this.afterIngest(ctx, task);
      return;
    }
    task.waiting = byDestination.size;
    for (const [destination, list] of byDestination) {
      this.request(ctx, task, 1 + destination, destination, { op: "ingest", records: list });
    }
  }

  /** The batch is on its destinations: the next step of the phase, or the next phase. */
  private afterIngest(ctx: HostContext, task: Task): void {
    task.mark = task.nextMark;
    if (task.phase === "copy") {
      task.cursor = task.nextCursor;
      task.examined = task.nextExamined;
    }
    switch (task.phase) {
      case "copy":
        if (task.cursor !== null) {
          this.later(ctx, task, this.config.migration.pause_us);
          return;
        }
        task.phase = "catchup";
        this.step(ctx, task);
        return;
      case "catchup":
        if (task.lastBatch > this.config.migration.batch && task.catchups < MAX_CATCHUP_ROUNDS) {
          this.step(ctx, task);
          return;
        }
        // Few writes left behind: freeze the source's moving keys and take the rest.
        this.config.store.map = this.map.freeze(task.source);
        task.phase = "final";
        task.frozenLog = null;
        this.step(ctx, task);
        return;
      case "final":
        if (task.mark < (task.frozenLog?.lsn ?? 0)) {
          this.step(ctx, task); // writes logged before the freeze are not all applied yet
          return;
        }
        this.config.store.map = this.map.cutOverSource(task.source);
        this.config.events({ type: "cutover", source: task.source, moved_keys: task.movedKeys.size });
        this.notify(ctx, [...(this.config.groups.get(task.source) ?? []), ...this.config.subscribers]);
        task.phase = "purge";
        task.cursor = "";
        this.step(ctx, task);
        return;
      default:
        return;
    }
  }

  /**
   * Final: records the log end a final export reported, unless one of a newer term was heard; false
   * for an answer of an older term than heard (a deposed leader that has not noticed yet).
   */
  private noteFrozenLog(task: Task, term: number, logged_lsn: number): boolean {
    const heard = task.frozenLog;
    if (heard !== null && term < heard.term) return false;
    if (heard === null || term > heard.term) task.frozenLog = { term, lsn: logged_lsn };
    return true;
  }

  private taskDone(ctx: HostContext, task: Task): void {
    task.phase = "done";
    const job = this.job as Job;
    if (job.tasks.every((t) => t.phase === "done")) this.finishJob(ctx);
  }

  /** A request failed or timed out: retry the step later; after too many, start the source over. */
  private fail(ctx: HostContext, task: Task): void {
    for (let slot = 0; slot < SLOTS; slot++) this.dispatcher.abandon(task.index * SLOTS + slot, ctx);
    task.waiting = 0;
    if (++task.failures >= RETRIES_BEFORE_RESTART && task.phase !== "purge") {
      if (this.map.frozen.has(task.source)) {
        this.config.store.map = this.map.unfreeze(task.source);
        this.notify(ctx, this.config.groups.get(task.source) ?? []);
      }
      (this.job as Job).restarts++;
      Object.assign(task, { phase: "copy", cursor: null, mark: 0, failures: 0, catchups: 0, examined: 0 });
    }
    this.later(ctx, task, RETRY_DELAY_US);
  }

  private later(ctx: HostContext, task: Task, delay_us: number): void {
    ctx.setTimer(Math.max(1, delay_us), TIMER_STEP_BASE + task.index);
  }

  private request(
    ctx: HostContext,
    task: Task,
    slot: number,
    shard: number,
    spec: RequestSpec,
    min_lsn = 0,
  ): void {
    const tag = task.index * SLOTS + slot;
    if (slot === 0) task.waiting = 1;
    this.deadlines.set(tag, ctx.now_us() + this.config.request_timeout_us);
    this.dispatcher.send(ctx, tag, spec, { shard, min_lsn });
  }

  private expireRequests(ctx: HostContext): void {
    const now = ctx.now_us();
    for (const [tag, deadline] of [...this.deadlines]) {
      if (deadline > now) continue;
      this.deadlines.delete(tag);
      this.dispatcher.abandon(tag, ctx);
      if (tag === SPLIT_QUERY_TAG) {
        this.sendSplitQuery(ctx);
        continue;
      }
      const task = this.job?.tasks[Math.floor(tag / SLOTS)];
      if (task !== undefined) this.fail(ctx, task);
    }
  }

  private notify(ctx: HostContext, hosts: readonly HostId[]): void {
    const map = this.map;
    for (const host of hosts) {
      const notice: ShardMapNotice = { kind: "shard_map", digest: map.version, map };
      ctx.send(host, notice);
    }
  }

  /** The shard holding the most keys by the last stats (among the settled map's shards). */
  private largestShard(): number | null {
    let best: number | null = null;
    for (const shard of this.map.current.shardIds) {
      if (best === null || (this.keysByShard.get(shard) ?? 0) > (this.keysByShard.get(best) ?? 0))
        best = shard;
    }
    return best;
  }

  /** The lowest provisioned shard the map does not use yet. */
  private spareShard(): number | null {
    const used = new Set(this.map.shardIds);
    for (const shard of [...this.config.groups.keys()].sort((a, b) => a - b))
      if (!used.has(shard)) return shard;
    return null;
  }
}

function newTask(source: number, index: number): Task {
  return {
    source,
    index,
    phase: "copy",
    cursor: null,
    mark: 0,
    nextCursor: null,
    nextMark: 0,
    nextExamined: 0,
    waiting: 0,
    failures: 0,
    movedKeys: new Set(),
    examined: 0,
    catchups: 0,
    lastBatch: 0,
    frozenLog: null,
  };
}

/** The partitioner a reshard to `shards` shards moves to (hash, consistent, directory). */
export function reshardTarget(current: Partitioner, shards: number, vnodes: number): Partitioner {
  if (current instanceof ConsistentPartitioner) return new ConsistentPartitioner(shards, vnodes);
  if (current instanceof DirectoryPartitioner)
    return new DirectoryPartitioner(new HashPartitioner(shards), current.entries);
  return new HashPartitioner(shards);
}
