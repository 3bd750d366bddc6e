// A node's disk as a device: page reads and writes take a latency drawn from their own distribution,
// an fsync of the log takes `fsync`, and all of them share the device's IOPS limit: operations are
// admitted one every 1/iops seconds, in the order they were issued, and each takes its latency from
// its admission. So a device busy with fsyncs (fsync_policy: always) admits the reads later, and
// reads queue behind each other once they come faster than the limit. Times are computed when an
// operation is issued: the device needs no event of its own. A slow_disk fault multiplies every
// latency (not the IOPS limit) while it lasts.

import type { LatencySampler } from "../../sim/latency.js";
import { type LatencySpec, latencySampler } from "../../sim/latency.js";
import type { Rng } from "../../sim/rng.js";

export interface DiskSettings {
  /** Latency of one page read. */
  readonly read: LatencySpec;
  /** Latency of one page write (a dirty page written back). */
  readonly write: LatencySpec;
  /** Operations the device admits per second (reads, writes and fsyncs together). */
  readonly iops: number;
  /** Whether log entries are checksummed (engine/node/log.ts); default true. */
  readonly checksums?: boolean;
}

/** What the device reads of the simulated disk under it: a slow_disk fault's factor. */
export interface DiskCondition {
  readonly latency_factor: number;
}

const NOMINAL: DiskCondition = { latency_factor: 1 };

export class DiskDevice {
  private readonly readLatency: LatencySampler;
  private readonly writeLatency: LatencySampler;
  private readonly fsync_us: number;
  private readonly rng: Rng;
  private readonly condition: DiskCondition;
  /** Time between two admissions (µs, fractional). */
  private readonly spacing_us: number;
  /** When the device admits its next operation (µs, fractional). */
  private nextAdmission_us = 0;

  /** `condition`: the simulated disk (its latency factor, 1 unless slowed). */
  constructor(settings: DiskSettings, fsync_us: number, rng: Rng, condition: DiskCondition = NOMINAL) {
    if (!(Number.isInteger(settings.iops) && settings.iops >= 1))
      throw new RangeError(`disk: iops must be a positive integer, got ${settings.iops}`);
    this.readLatency = latencySampler(settings.read);
    this.writeLatency = latencySampler(settings.write);
    this.fsync_us = fsync_us;
    this.rng = rng;
    this.condition = condition;
    this.spacing_us = 1e6 / settings.iops;
  }

  /** A page read issued at `now_us`: when it completes. */
  read(now_us: number): number {
    return this.admit(now_us) + this.slowed(this.readLatency(this.rng));
  }

  /** A page write issued at `now_us`: when it completes. */
  write(now_us: number): number {
    return this.admit(now_us) + this.slowed(this.writeLatency(this.rng));
  }

  /** An fsync of the log issued at `now_us`: when it completes. */
  fsync(now_us: number): number {
    return this.admit(now_us) + this.slowed(this.fsync_us);
  }

  /** A latency under the disk's current condition (a slow_disk fault multiplies it). */
  private slowed(latency_us: number): number {
    const factor = this.condition.latency_factor;
    return factor === 1 ? latency_us : Math.round(latency_us * factor);
  }

  /** The operation's admission: at once, or when the device has room under its IOPS limit. */
  private admit(now_us: number): number {
    const start = Math.max(now_us, this.nextAdmission_us);
    this.nextAdmission_us = start + this.spacing_us;
    return Math.ceil(start);
  }
}
