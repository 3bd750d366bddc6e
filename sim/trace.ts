// Rolling trace hash: two independent 32-bit lanes (64 bits in all) folded over every event the
// simulator executes, with a checkpoint every N events so two runs can be compared and the first
// divergence located.

import { hex32, mix32 } from "./hash.js";

export interface TraceCheckpoint {
  readonly events: number;
  readonly time_us: number;
  readonly hash: string;
}

export const DEFAULT_CHECKPOINT_EVERY = 100_000;

export class TraceHash {
  private lane1 = 0x243f6a88;
  private lane2 = 0x85a308d3;
  private events = 0;
  private untilCheckpoint: number;
  private readonly checkpointEvery: number;
  readonly checkpoints: TraceCheckpoint[] = [];

  constructor(checkpointEvery = DEFAULT_CHECKPOINT_EVERY) {
    if (!(Number.isInteger(checkpointEvery) && checkpointEvery > 0)) {
      throw new RangeError(`checkpointEvery must be a positive integer, got ${checkpointEvery}`);
    }
    this.checkpointEvery = checkpointEvery;
    this.untilCheckpoint = checkpointEvery;
  }

  /** Folds one event: time, kind, target, source (or tag) and a digest of the payload. */
  record(time_us: number, kind: number, target: number, source: number, digest: number): void {
    // Multiply-xorshift steps over four words per lane, with different constants and word orders
    // per lane; cheap enough for every event, and the lanes are finalized by hex().
    const timeLow = time_us >>> 0;
    const timeHigh = (time_us / 4294967296) >>> 0;
    let h1 = Math.imul(this.lane1 ^ timeLow, 0x9e3779b1);
    h1 = Math.imul(h1 ^ (h1 >>> 15) ^ ((kind << 24) ^ target), 0x85ebca77);
    h1 = Math.imul(h1 ^ (h1 >>> 13) ^ source, 0xc2b2ae3d);
    this.lane1 = Math.imul(h1 ^ (h1 >>> 16) ^ digest, 0x27d4eb2f);
    let h2 = Math.imul(this.lane2 ^ digest, 0x165667b1);
    h2 = Math.imul(h2 ^ (h2 >>> 15) ^ timeHigh ^ (source << 7), 0xd3a2646c | 1);
    h2 = Math.imul(h2 ^ (h2 >>> 13) ^ timeLow, 0xfd7046c5);
    this.lane2 = Math.imul(h2 ^ (h2 >>> 16) ^ ((target << 8) ^ kind), 0xb55a4f09);
    this.events++;
    if (--this.untilCheckpoint === 0) {
      this.untilCheckpoint = this.checkpointEvery;
      this.checkpoints.push({ events: this.events, time_us, hash: this.hex() });
    }
  }

  get eventCount(): number {
    return this.events;
  }

  hex(): string {
    return hex32(mix32(this.lane1 ^ 0x9e3779b9)) + hex32(mix32(this.lane2 ^ this.lane1));
  }
}
