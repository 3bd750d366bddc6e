// The rebalancer (docs/ranges.md, "The rebalancer"): run by the coordinator host every `every`, it
// asks the planner (rebalance-plan.ts) for one action and carries it out. It knows only what it was
// told by message: each range leader's periodic report (its term and configuration: the range's
// replicas, and that it leads) and each node's liveness signal (node_alive, or any report from one
// of its hosts); a node not heard from for `dead_after` is down. An action in flight is shown to the
// planner as done (so it plans the next one elsewhere), and is over once the reports show it done,
// its target node is down, or after REBALANCE_ACTION_TIMEOUT_US; a range has at most one action in
// flight.

import type { HostContext, HostId } from "../../sim/host.js";
import type { Place } from "../regions/placement.js";
import type { TransferLeadership } from "../replication/leader-transfer.js";
import type { RangeStatus } from "../sharding/shard-gate.js";
import { type NodeId, nextRebalanceAction, type PlanRange, type RebalanceAction } from "./rebalance-plan.js";
import type { RebalanceSettings } from "./settings.js";

/** An action the reports do not show done within this long is given up: the range may get another. */
export const REBALANCE_ACTION_TIMEOUT_US = 10_000_000;

export interface RebalancerConfig {
  readonly settings: RebalanceSettings;
  /** Each range's replica host on every physical node, by node number. */
  readonly hosts: ReadonlyMap<number, readonly HostId[]>;
  readonly nodes: number;
  /** Each node's place (absent: no topology). */
  readonly places?: readonly Place[];
  /** Carries a move out (the coordinator's `moveReplica`). */
  moveReplica(ctx: HostContext, shard: number, remove: HostId, add: HostId): void;
}

/** A range as its latest leader's report says. */
interface RangeView {
  readonly term: number;
  readonly leader: HostId;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

interface InFlight {
  readonly action: RebalanceAction;
  readonly started_us: number;
}

export class Rebalancer {
  private readonly config: RebalancerConfig;
  private readonly nodeOf = new Map<HostId, NodeId>();
  /** When each node was last heard from (the start counts: every node is presumed up then). */
  private readonly heardAt_us: number[];
  private readonly ranges = new Map<number, RangeView>();
  private readonly inFlight = new Map<number, InFlight>();

  constructor(config: RebalancerConfig) {
    this.config = config;
    for (const hosts of config.hosts.values())
      for (const [node, host] of hosts.entries()) this.nodeOf.set(host, node);
    this.heardAt_us = Array.from({ length: config.nodes }, () => 0);
  }

  /** A message from `from`: its node is up. */
  heard(from: HostId, now_us: number): void {
    const node = this.nodeOf.get(from);
    if (node !== undefined) this.heardAt_us[node] = now_us;
  }

  /** A range leader's report (a report of an older term than the one known is stale). */
  onRangeStatus(from: HostId, shard: number, status: RangeStatus, now_us: number): void {
    this.heard(from, now_us);
    const known = this.ranges.get(shard);
    if (known !== undefined && status.term < known.term) return;
    const toNodes = (hosts: readonly HostId[]) =>
      hosts.map((host) => this.nodeOf.get(host)).filter((node) => node !== undefined);
    this.ranges.set(shard, {
      term: status.term,
      leader: from,
      voters: toNodes(status.voters),
      learners: toNodes(status.learners),
    });
  }

  /** Every `every`: retires what is done or timed out, asks the planner for one action, carries it out. */
  tick(ctx: HostContext): void {
    const now = ctx.now_us();
    const up = this.heardAt_us.map((at) => now - at <= this.config.settings.dead_after_us);
    const seen = new Map<number, PlanRange>();
    for (const [shard, view] of this.ranges) {
      const leader = this.nodeOf.get(view.leader) as NodeId;
      seen.set(shard, {
        shard,
        voters: view.voters,
        learners: view.learners,
        // A leader on a down node leads no more: the range elects another by itself.
        leaseholder: up[leader] === true ? leader : -1,
      });
    }
    for (const [shard, flight] of this.inFlight) {
      const range = seen.get(shard) as PlanRange;
      const over = isDone(flight.action, range) || now - flight.started_us >= REBALANCE_ACTION_TIMEOUT_US;
      // An action toward a node found down since will not be done: the range may get another.
      if (over || up[target(flight.action)] !== true) this.inFlight.delete(shard);
    }
    const action = nextRebalanceAction({
      ranges: [...seen.values()].map((range) => {
        const flight = this.inFlight.get(range.shard);
        return flight === undefined ? range : assumeDone(flight.action, range);
      }),
      nodes: up.map((isUp, id) => ({
        id,
        up: isUp,
        ...(this.config.places === undefined ? {} : { place: this.config.places[id] as Place }),
      })),
      ...(this.config.settings.lease_region === null
        ? {}
        : { lease_region: this.config.settings.lease_region }),
    });
    if (action === null) return;
    const shard = "move_replica" in action ? action.move_replica.shard : action.transfer_leader.shard;
    if (this.inFlight.has(shard)) return; // one action per range at a time
    const hosts = this.config.hosts.get(shard) ?? [];
    if ("move_replica" in action) {
      const { from, to } = action.move_replica;
      this.config.moveReplica(ctx, shard, hosts[from] as HostId, hosts[to] as HostId);
    } else {
      const request: TransferLeadership = {
        kind: "transfer_leadership",
        digest: action.transfer_leader.to,
        to: hosts[action.transfer_leader.to] as HostId,
      };
      ctx.send((this.ranges.get(shard) as RangeView).leader, request);
    }
    this.inFlight.set(shard, { action, started_us: now });
  }
}

function target(action: RebalanceAction): NodeId {
  return "move_replica" in action ? action.move_replica.to : action.transfer_leader.to;
}

function isDone(action: RebalanceAction, range: PlanRange): boolean {
  if ("transfer_leader" in action) return range.leaseholder === action.transfer_leader.to;
  const { from, to } = action.move_replica;
  return range.voters.includes(to) && !range.voters.includes(from) && !range.learners.includes(from);
}

/** The range as it will be once the action is done (what the planner plans the next action from). */
function assumeDone(action: RebalanceAction, range: PlanRange): PlanRange {
  if ("transfer_leader" in action) return { ...range, leaseholder: action.transfer_leader.to };
  const { from, to } = action.move_replica;
  const others = (nodes: readonly NodeId[]) => nodes.filter((node) => node !== from && node !== to);
  return {
    ...range,
    voters: [...others(range.voters), to],
    learners: others(range.learners),
    // A leader moved off hands leadership to the new replica first (raft.ts's move step).
    leaseholder: range.leaseholder === from ? to : range.leaseholder,
  };
}
