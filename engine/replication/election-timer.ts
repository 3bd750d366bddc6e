// A follower's election timeout, shared by leader-follower.ts and raft.ts: detect_after plus a random
// delay of up to half of it (redrawn at each election), counted from the last time it heard from a
// leader (or granted a vote, or started an election); checked every tick, and by a timer of its own
// for a deadline that falls between ticks (ticks alone would quantize elections). It also keeps when
// a leader was last heard from, for the votes a node refuses while it may still follow one.

import type { ProtocolContext, TimerTag } from "./protocol.js";

export class ElectionTimer {
  /** The timeout counts from here. */
  private lastHeard_us = 0;
  /** When this node last accepted a leader's message (or started, if it may hold a lease). */
  private leaderHeard_us = Number.NEGATIVE_INFINITY;
  private delay_us = 0;
  private armed = false;
  private readonly node: ProtocolContext;
  private readonly detect_after_us: number;
  private readonly tick_us: number;
  private readonly tag: TimerTag;

  /** `tag`: the protocol's timer tag for the deadline (passed back to `fired`). */
  constructor(node: ProtocolContext, settings: { detect_after_us: number; tick_us: number; tag: TimerTag }) {
    this.node = node;
    this.detect_after_us = settings.detect_after_us;
    this.tick_us = settings.tick_us;
    this.tag = settings.tag;
  }

  /**
   * The node (re)started: the timeout counts from now; `leased`: as if it had just heard from a
   * leader (under lease reads it may have acknowledged a lease before it crashed).
   */
  start(leased: boolean): void {
    this.restart(true);
    if (leased) this.leaderHeard_us = this.lastHeard_us;
  }

  /** A leader's message was accepted. */
  heardLeader(): void {
    this.restart(false);
    this.leaderHeard_us = this.lastHeard_us;
  }

  /** Whether a leader's message was accepted within detect_after. */
  leaderHeardRecently(): boolean {
    return this.node.now_us() - this.leaderHeard_us < this.detect_after_us;
  }

  /** Restarts the timeout from now, with a newly drawn random delay when `redraw`. */
  restart(redraw: boolean): void {
    this.lastHeard_us = this.node.now_us();
    if (redraw) this.delay_us = this.node.rng.int(Math.max(1, Math.floor(this.detect_after_us / 2)));
  }

  /** The deadline timer fired. */
  fired(): void {
    this.armed = false;
  }

  /** Whether the deadline passed; if not, arms the timer for a deadline within the next tick. */
  expired(): boolean {
    const deadline_us = this.lastHeard_us + this.detect_after_us + this.delay_us;
    const now = this.node.now_us();
    if (now >= deadline_us) return true;
    if (deadline_us - now < this.tick_us && !this.armed) {
      this.armed = true;
      this.node.setTimer(deadline_us - now, this.tag);
    }
    return false;
  }
}
