// A sharded node's gate, before the CPU serves a request: a keyed request for a key the node's shard
// does not own is answered `wrong_shard` with the current map; a write to a key whose shard is frozen
// for a cut-over waits here (parked) until the coordinator says the map changed, then is served
// again (now `wrong_shard` if its key moved, or served if the cut-over was called off). The gate
// also reports the shard's size and load to the coordinator every second while its node leads
// (with a rebalancer, its range's configuration too, and one host per node says the node is up).

import type { HostContext, HostId, Message, TimerTag } from "../../sim/host.js";
import { OPERATIONS } from "../operations.js";
import type { RefusalStatus, Request } from "../protocol.js";
import type { ConfigStore, ShardMap } from "./shard-map.js";

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
  /** With a rebalancer (docs/ranges.md): the range's configuration as its leader sees it, and its term. */
  readonly range?: RangeStatus;
}

/** A range leader's view of its range, for the rebalancer. */
export interface RangeStatus {
  readonly term: number;
  readonly voters: readonly HostId[];
  readonly learners: readonly HostId[];
}

/**
 * With a rebalancer: one host of each physical node (its replica of range 0) tells the coordinator
 * every second that the node is up, leading or not (the simplification of CockroachDB's node
 * liveness records).
 */
export interface NodeAlive extends Message {
  readonly kind: "node_alive";
}

/** A node's place in a sharded cluster. */
export interface ShardSetting {
  readonly shard: number;
  /** The config store holding the authoritative shard map (nodes read it directly). */
  readonly store: ConfigStore;
  /** The coordinator the shard's leader reports its size to. */
  readonly coordinator: HostId;
  /**
   * With a rebalancer: leaders add their range's status to their reports, and `heartbeat` hosts
   * send `node_alive` too. Absent: the reports are as without physical nodes.
   */
  readonly rebalance?: { readonly heartbeat: boolean };
}

/** What the gate asks of its node. */
export interface GatedNode {
  readonly ctx: HostContext;
  /** Hands a request to the server as if it arrived at `arrived_us`. */
  submit(from: HostId, req: Request, arrived_us: number): void;
  refuse(from: HostId, req: Request, status: RefusalStatus, map?: ShardMap): void;
  /** The node believes it leads its shard. */
  leads(): boolean;
  /** Its term and its range's latest configuration. */
  range(): RangeStatus;
  /** Rows the node holds, and requests it has served. */
  rowCount(): number;
  served(): number;
}

interface Parked {
  readonly from: HostId;
  readonly req: Request;
  readonly arrived_us: number;
}

const TIMER_STATS = 0;

export class ShardGate {
  private readonly setting: ShardSetting;
  /** Parked writes at most; past it a write is answered overloaded. */
  private readonly limit: number;
  private readonly node: GatedNode;
  /** The node's timer tag for the gate's tag 0. */
  private readonly timerBase: TimerTag;
  private parked: Parked[] = [];
  /** `served` at the previous report. */
  private servedAtLastStats = 0;

  constructor(setting: ShardSetting, limit: number, timerBase: TimerTag, node: GatedNode) {
    this.setting = setting;
    this.limit = limit;
    this.timerBase = timerBase;
    this.node = node;
  }

  start(): void {
    this.node.ctx.setTimer(SHARD_STATS_INTERVAL_US, this.timerBase + TIMER_STATS);
  }

  /** True when the request was answered or parked here, not to be served now. */
  diverts(from: HostId, req: Request, arrived_us: number): boolean {
    const traits = OPERATIONS[req.op];
    if (!traits.keyed) return false;
    const key = (req as { readonly key: string }).key;
    const map = this.setting.store.map;
    if (map.ownerOf(key) !== this.setting.shard) {
      this.node.refuse(from, req, "wrong_shard", map);
      return true;
    }
    if (traits.writes === true && map.isFrozen(key)) {
      if (this.parked.length >= this.limit) this.node.refuse(from, req, "overloaded");
      else this.parked.push({ from, req, arrived_us });
      return true;
    }
    return false;
  }

  /** The shard map changed (the coordinator says so): parked writes are served again. */
  release(): void {
    const parked = this.parked;
    this.parked = [];
    for (const waiting of parked) this.node.submit(waiting.from, waiting.req, waiting.arrived_us);
  }

  onTimer(tag: TimerTag): void {
    if (tag !== TIMER_STATS) throw new Error(`shard gate: unknown timer tag ${tag}`);
    const node = this.node;
    const served = node.served();
    const { coordinator, rebalance } = this.setting;
    if (node.leads()) {
      const keys = node.rowCount();
      const stats: ShardStats = {
        kind: "shard_stats",
        digest: keys,
        shard: this.setting.shard,
        keys,
        served: served - this.servedAtLastStats,
        ...(rebalance === undefined ? {} : { range: node.range() }),
      };
      node.ctx.send(coordinator, stats);
    }
    if (rebalance?.heartbeat === true) {
      const alive: NodeAlive = { kind: "node_alive", digest: 0 };
      node.ctx.send(coordinator, alive);
    }
    this.servedAtLastStats = served;
    node.ctx.setTimer(SHARD_STATS_INTERVAL_US, this.timerBase + TIMER_STATS);
  }
}
