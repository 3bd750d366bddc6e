// What replication did during a run, from the engine's events and the clients' writes: lag per
// follower (with its trend: whether it falls behind, and the last entry's lag: whether it caught
// up), failovers with the write outage around each (on the promoted node's shard), conflicts and
// discarded log entries.

import { shardOfNodeName } from "../engine/cluster.js";
import type { EngineEvent } from "../engine/events.js";
import { WriteSet } from "../engine/write-set.js";
import type { CompletedOperation, Observer } from "../workloads/observer.js";
import { type Histogram, newHistogram, summarize } from "./latency.js";
import type { ReplicationReport } from "./report-schema.js";

/** The clients' operations that write (a failover's and a region fault's write outage count them). */
export const CLIENT_WRITES: ReadonlySet<string> = new Set(["update", "insert", "rmw", "transfer"]);

/** A promotion, and the write outage around it on its shard as far as the run has gone. */
interface Failover {
  at_us: number;
  node: number;
  shard: number;
  term: number;
  /** Completion of the shard's last ok write before the promotion (0: none). */
  from_us: number;
  /** Completion of the shard's first ok write at or after it (null: none yet). */
  to_us: number | null;
  /** The shard's writes that failed or timed out from `from_us` on, until `to_us`. */
  bad: number;
}

/** One shard's writes as far as failovers need them. */
interface ShardWrites {
  lastOk_us: number;
  /** Writes that failed or timed out since the last ok write. */
  badSinceOk: number;
  /** Failovers whose outage has not ended yet (no ok write since). */
  open: Failover[];
}

/** The writes whose shard the clients did not see (routing: proxy): one cluster-wide account. */
const UNKNOWN_SHARD = -1;

/** One follower's lag samples: a histogram, and the running moments of a least-squares line over time. */
class FollowerLag {
  readonly histogram: Histogram = newHistogram();
  sum = 0;
  max = 0;
  last = 0;
  private n = 0;
  /** Running means of time (s) and lag (µs), and the co-moments (Welford: no cancellation). */
  private meanT = 0;
  private meanLag = 0;
  private sumTT = 0;
  private sumTLag = 0;

  record(lag_us: number, time_us: number): void {
    this.histogram.recordValue(lag_us);
    this.sum += lag_us;
    if (lag_us > this.max) this.max = lag_us;
    this.last = lag_us;
    const t = time_us / 1e6;
    this.n++;
    const dt = t - this.meanT;
    this.meanT += dt / this.n;
    this.meanLag += (lag_us - this.meanLag) / this.n;
    this.sumTT += dt * (t - this.meanT);
    this.sumTLag += dt * (lag_us - this.meanLag);
  }

  /** µs of lag gained per second (0 with fewer than two instants). */
  trend(): number {
    return this.sumTT === 0 ? 0 : Math.round((this.sumTLag / this.sumTT) * 10) / 10;
  }
}

/**
 * Memory stays flat however long the run: acknowledged writes are a bitset of their values, and a
 * failover's outage is closed by its shard's first ok write after it (no list of every write is
 * kept).
 */
export class ReplicationRecorder implements Observer {
  private readonly names: ReadonlyMap<number, string>;
  private readonly lag = new Map<number, FollowerLag>();
  private readonly failovers: Failover[] = [];
  /** By shard (UNKNOWN_SHARD for writes routed by a router host). */
  private readonly shardWrites = new Map<number, ShardWrites>();
  /** Values of acknowledged writes, to find those the final leader does not hold. */
  private readonly acked = new WriteSet();
  private conflicts = 0;
  private truncated = 0;
  private snapshots = 0;
  /** Raft configurations committed, in order; each shard's latest position (a new leader may report one again). */
  private readonly membership: NonNullable<ReplicationReport["membership_changes"]> = [];
  private readonly membershipLsn = new Map<number, number>();
  /** Raft leadership transfers, done or aborted, in order. */
  private readonly transfers: NonNullable<ReplicationReport["leader_transfers"]> = [];
  /** Disk faults: corrupt entries found, entries dropped for them, and dropped ones got back. */
  private corruptions = 0;
  private dropped = 0;
  private repaired = 0;

  constructor(names: ReadonlyMap<number, string>) {
    this.names = names;
  }

  onOperation(op: CompletedOperation): void {
    if (!CLIENT_WRITES.has(op.op)) return;
    if (op.result === "ok") {
      const writes = this.writesOf(op.shard);
      for (const f of writes.open) f.to_us = op.completed_us;
      writes.open = [];
      writes.lastOk_us = op.completed_us;
      writes.badSinceOk = 0;
      if (op.value !== null) this.acked.add(op.value);
    } else if (op.error !== "backlog_full" && op.error !== "not_sent") {
      const writes = this.writesOf(op.shard);
      writes.badSinceOk++;
      for (const f of writes.open) f.bad++;
    }
  }

  onEngineEvent(event: EngineEvent, time_us: number): void {
    switch (event.type) {
      case "lag": {
        let lag = this.lag.get(event.node);
        if (lag === undefined) {
          lag = new FollowerLag();
          this.lag.set(event.node, lag);
        }
        lag.record(event.lag_us, time_us);
        break;
      }
      case "role":
        if (event.role === "leader" && time_us > 0) {
          const shard = shardOfNodeName(this.name(event.node));
          // With routing: proxy the writes' shards are unknown: the cluster's writes stand in.
          const writes =
            this.shardWrites.get(shard) ?? this.shardWrites.get(UNKNOWN_SHARD) ?? this.writesOf(shard);
          const failover: Failover = {
            at_us: time_us,
            node: event.node,
            shard,
            term: event.term,
            from_us: writes.lastOk_us,
            to_us: null,
            bad: writes.badSinceOk,
          };
          this.failovers.push(failover);
          writes.open.push(failover);
        }
        break;
      case "conflict":
        this.conflicts++;
        break;
      case "truncate":
        this.truncated += event.entries;
        break;
      case "snapshot":
        this.snapshots++;
        break;
      case "membership": {
        const shard = shardOfNodeName(this.name(event.node));
        if (event.lsn <= (this.membershipLsn.get(shard) ?? 0)) break;
        this.membershipLsn.set(shard, event.lsn);
        this.membership.push({
          at_s: time_us / 1e6,
          shard,
          voters: event.voters.map((node) => this.name(node)),
          learners: event.learners.map((node) => this.name(node)),
        });
        break;
      }
      case "leader_transfer":
        this.transfers.push({
          at_s: time_us / 1e6,
          shard: shardOfNodeName(this.name(event.node)),
          from: this.name(event.from),
          to: this.name(event.to),
          term: event.term,
          done: event.done,
        });
        break;
      case "corruption":
        this.corruptions += event.corrupt;
        this.dropped += event.dropped;
        break;
      case "repaired":
        this.repaired += event.entries;
        break;
    }
  }

  /**
   * `surviving`: values of the writes the final leader holds (null: unknown, e.g. no single leader);
   * `disk_faults`: how many hit a node, null when the run has none (the report then says nothing).
   */
  finish(
    config: { mode: string; replicas: number; disk_faults?: number | null },
    end: { surviving: WriteSet | null; leaders: readonly number[] },
  ): ReplicationReport {
    const surviving = end.surviving;
    const lag_us: ReplicationReport["lag_us"] = {};
    for (const node of [...this.lag.keys()].sort((a, b) => a - b)) {
      const lag = this.lag.get(node) as FollowerLag;
      const { p50, p99, max, mean } = summarize(lag.histogram, lag.sum, lag.max);
      lag_us[this.name(node)] = {
        p50,
        p99,
        max,
        mean,
        samples: lag.histogram.totalCount,
        trend_us_per_s: lag.trend(),
        last: lag.last,
      };
    }
    return {
      mode: config.mode,
      replicas: config.replicas,
      lag_us,
      failovers: this.failovers.map((f) => ({
        at_s: f.at_us / 1e6,
        leader: this.name(f.node),
        shard: f.shard,
        term: f.term,
        write_outage_s: f.to_us === null ? null : (f.to_us - f.from_us) / 1e6,
        writes_failed_or_timed_out: f.bad,
      })),
      lost_writes: surviving === null ? null : this.acked.countMissingFrom(surviving),
      conflicts: this.conflicts,
      leaders_at_end: end.leaders.map((node) => this.name(node)),
      truncated_entries: this.truncated,
      snapshots_installed: this.snapshots,
      ...(this.membership.length === 0 ? {} : { membership_changes: this.membership }),
      ...(this.transfers.length === 0 ? {} : { leader_transfers: this.transfers }),
      ...(config.disk_faults == null
        ? {}
        : {
            disk: {
              faults_injected: config.disk_faults,
              corruptions_detected: this.corruptions,
              entries_dropped: this.dropped,
              entries_repaired: this.repaired,
            },
          }),
    };
  }

  private name(node: number): string {
    return this.names.get(node) ?? `host${node}`;
  }

  private writesOf(shard: number): ShardWrites {
    let writes = this.shardWrites.get(shard);
    if (writes === undefined) {
      writes = { lastOk_us: 0, badSinceOk: 0, open: [] };
      this.shardWrites.set(shard, writes);
    }
    return writes;
  }
}
