// What sharding did during a run: each shard's keys and load, the skew, scatter-gather operations,
// and every change of the shard map (when, how long, how many keys moved) with the latency of the
// operations that completed while data moved, beside the latency of the others.

import type { EngineEvent } from "../engine/events.js";
import type { CompletedOperation, Observer } from "../workloads/observer.js";
import { LatencyWindow } from "./latency.js";
import type { ShardingReport, ShardsReport } from "./report-schema.js";

/** What the runner says about the shards at the end (ScenarioRun.shardUsage). */
export interface ShardUsage {
  readonly strategy: string;
  readonly shards: readonly {
    readonly id: number;
    readonly keys: number | null;
    readonly requests: number;
  }[];
  readonly cross_shard_ops: number;
  readonly map_version: number;
}

interface Reshard {
  change: string;
  begin_us: number;
  end_us: number | null;
  moved_keys: number;
  examined_keys: number;
  restarts: number;
}

/** Two-phase commit's decisions at the participants (engine events `txn_decided`). */
class TwoPhaseTally {
  commits = 0;
  aborts = 0;
  blocked_us_max = 0;
  blocked_us_total = 0;
  keys_held_max = 0;

  record(event: Extract<EngineEvent, { type: "txn_decided" }>): void {
    if (event.decision === "commit") this.commits++;
    else this.aborts++;
    this.blocked_us_total += event.blocked_us;
    this.blocked_us_max = Math.max(this.blocked_us_max, event.blocked_us);
    this.keys_held_max = Math.max(this.keys_held_max, event.keys);
  }

  report(): NonNullable<ShardingReport>["two_phase"] {
    const decisions = this.commits + this.aborts;
    return {
      decisions,
      commits: this.commits,
      aborts: this.aborts,
      prepared_blocked_us_max: decisions === 0 ? null : this.blocked_us_max,
      prepared_blocked_us_mean: decisions === 0 ? null : Math.round(this.blocked_us_total / decisions),
      prepared_blocked_us_total: this.blocked_us_total,
      keys_held_max: this.keys_held_max,
    };
  }
}

export class ShardingRecorder implements Observer {
  private readonly reshards: Reshard[] = [];
  private readonly twoPhase = new TwoPhaseTally();
  private readonly during = new LatencyWindow();
  private readonly outside = new LatencyWindow();

  onOperation(op: CompletedOperation): void {
    if (!op.measured || op.result !== "ok") return;
    const moving = this.reshards.some(
      (r) => op.completed_us >= r.begin_us && (r.end_us === null || op.completed_us <= r.end_us),
    );
    (moving ? this.during : this.outside).record(op.latency_us);
  }

  onEngineEvent(event: EngineEvent, time_us: number): void {
    if (event.type === "txn_decided") this.twoPhase.record(event);
    else if (event.type === "reshard_begin") {
      this.reshards.push({
        change: event.change,
        begin_us: time_us,
        end_us: null,
        moved_keys: 0,
        examined_keys: 0,
        restarts: 0,
      });
    } else if (event.type === "reshard_end") {
      const open = this.reshards.findLast((r) => r.end_us === null);
      if (open === undefined) return;
      Object.assign(open, {
        end_us: time_us,
        moved_keys: event.moved_keys,
        examined_keys: event.examined_keys,
        restarts: event.restarts,
      });
    }
  }

  finish(
    usage: ShardUsage | null,
    /** `two_phase`: transactions may run two-phase commit (the report says how it went). */
    config: { routing: string; shards: number; two_phase: boolean },
  ): { shards: ShardsReport; sharding: ShardingReport } {
    if (usage === null) return { shards: null, sharding: null };
    const used = usage.shards.filter((shard) => shard.keys !== null || shard.requests > 0);
    const total = used.reduce((sum, shard) => sum + shard.requests, 0);
    const shards = used.map((shard) => ({
      id: shard.id,
      keys: shard.keys,
      ops: shard.requests,
      load_share: total === 0 ? 0 : round(shard.requests / total, 4),
    }));
    const mean = used.length === 0 ? 0 : total / used.length;
    const max = Math.max(0, ...used.map((shard) => shard.requests));
    const moved = this.reshards.reduce((sum, r) => sum + r.moved_keys, 0);
    const examined = this.reshards.reduce((sum, r) => sum + r.examined_keys, 0);
    return {
      shards,
      sharding: {
        strategy: usage.strategy,
        routing: config.routing,
        shards_at_start: config.shards,
        shards_at_end: usage.shards.filter((shard) => shard.keys !== null && shard.keys > 0).length,
        skew: mean === 0 ? null : round(max / mean, 3),
        cross_shard_ops: usage.cross_shard_ops,
        moved_keys: moved,
        moved_fraction: examined === 0 ? null : round(moved / examined, 4),
        map_version: usage.map_version,
        reshards: this.reshards.map((r) => ({
          change: r.change,
          at_s: r.begin_us / 1e6,
          duration_s: r.end_us === null ? null : (r.end_us - r.begin_us) / 1e6,
          moved_keys: r.moved_keys,
          moved_fraction: r.examined_keys === 0 ? null : round(r.moved_keys / r.examined_keys, 4),
          restarts: r.restarts,
        })),
        latency_us: { during_reshards: this.during.summary(), outside_reshards: this.outside.summary() },
        ...(config.two_phase ? { two_phase: this.twoPhase.report() } : {}),
      },
    };
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
