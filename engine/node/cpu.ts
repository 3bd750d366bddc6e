// A node's CPU as a resource its servers take turns on (server.ts). Without physical nodes each
// host's server has a CPU of its own, and holds it whenever it has work, as it always did. With
// `cluster.nodes` (multi-raft, docs/ranges.md) the replica hosts of one physical node share one
// CPU: a server that finds it busy waits in line (one place per server, first come first served),
// and a server gives it back after each piece of work, so a node holding many busy leaseholders
// queues their work on one CPU and saturates.
//
// The CPU outlives the hosts that use it: a server of a crashed host never gives it back, so a
// holder or a waiter whose host is down, or whose host restarted since (a new server attached), is
// dropped when the CPU next changes hands. Whole-node crashes make that safe: the node's other
// servers are down too. The timers of the work stay on the acquiring host's context.

import type { HostId } from "../../sim/host.js";
import { RingQueue } from "../../sim/ring-queue.js";

/** A server, as the CPU sees it. */
export interface CpuUser {
  readonly host: HostId;
  /** It is this user's turn: it holds the CPU now (and gives it back by `release`). */
  granted(): void;
}

/** What a shared CPU reads of the simulation: which hosts run, and the time (for its busy share). */
export interface CpuClock {
  isUp(host: HostId): boolean;
  now_us(): number;
}

/** Users waiting at once, at most: one place per server (a node's replica hosts). */
const WAITING_MAX = 1 << 20;

export class Cpu {
  private readonly clock: CpuClock | null;
  private holder: CpuUser | null = null;
  private readonly waiting = new RingQueue<CpuUser>(WAITING_MAX);
  /** Each host's current server (a restart attaches a new one). */
  private readonly users = new Map<HostId, CpuUser>();
  /** A grant loop is running (a user that releases at once does not start another). */
  private granting = false;
  private heldSince_us = 0;
  /** Time it was held, up to the last hand-over (shared CPUs only: those with a clock). */
  private held_us = 0;

  /** `clock`: a shared CPU's (null: a host's own, which no crash outlives). */
  constructor(clock: CpuClock | null = null) {
    this.clock = clock;
  }

  /** Registers a host's new server (at its start), in place of the one a crash left behind. */
  attach(user: CpuUser): void {
    const stale = this.users.get(user.host);
    this.users.set(user.host, user);
    if (stale !== undefined && this.holder === stale) this.handOver();
  }

  /** Takes the CPU if it is free (true); otherwise `user` waits in line and is `granted` it later. */
  acquire(user: CpuUser): boolean {
    if (this.holder !== null && !this.live(this.holder)) this.handOver();
    if (this.holder === null) {
      this.take(user);
      return true;
    }
    this.waiting.push(user);
    return false;
  }

  /** Takes the CPU only if it is free now. */
  tryAcquire(user: CpuUser): boolean {
    if (this.holder !== null && !this.live(this.holder)) this.handOver();
    if (this.holder !== null) return false;
    this.take(user);
    return true;
  }

  /** `user` gives the CPU back: the next live user in line gets it. */
  release(user: CpuUser): void {
    if (this.holder !== user) return;
    this.handOver();
  }

  /** Time held since the run began (a shared CPU's; 0 for a host's own). */
  busy_us(): number {
    if (this.clock === null) return 0;
    return this.held_us + (this.holder === null ? 0 : this.clock.now_us() - this.heldSince_us);
  }

  private take(user: CpuUser): void {
    this.holder = user;
    if (this.clock !== null) this.heldSince_us = this.clock.now_us();
  }

  private handOver(): void {
    if (this.holder !== null && this.clock !== null) this.held_us += this.clock.now_us() - this.heldSince_us;
    this.holder = null;
    if (this.granting) return; // the loop below goes on
    this.granting = true;
    while (this.holder === null) {
      const next = this.waiting.shift();
      if (next === undefined) break;
      if (!this.live(next)) continue;
      this.take(next);
      next.granted(); // may release at once (nothing to run): the loop grants the next
    }
    this.granting = false;
  }

  /** Whether `user` is its host's current server, on a host that is up. */
  private live(user: CpuUser): boolean {
    return this.users.get(user.host) === user && (this.clock === null || this.clock.isUp(user.host));
  }
}
