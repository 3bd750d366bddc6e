// A Raft follower's pipelined appends that arrived before the appends they follow (the simulated
// network, unlike a TCP stream, lets a message overtake an earlier one): held, as a TCP receiver
// holds an out-of-order segment, until the log reaches the entry before them, then appended. At most
// `max` are held (the leader's window); past that, or if the one they wait for was lost, the
// leader's append timeout resends.

import type { AppendEntries } from "./messages.js";

export class EarlyAppends<T extends AppendEntries> {
  private held: T[] = [];
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /** Holds an append that does not connect yet (dropped when `max` are held). */
  hold(append: T): void {
    if (this.held.length < this.max) this.held.push(append);
  }

  /** Takes out a held append of `term` that connects to a log ending at `last_lsn`, if any. */
  takeConnecting(term: number, last_lsn: number): T | undefined {
    const i = this.held.findIndex((append) => append.term === term && append.prev_lsn <= last_lsn);
    if (i < 0) return undefined;
    const [append] = this.held.splice(i, 1);
    return append;
  }

  /** A new leader, or a new term: what an earlier one sent is forgotten. */
  clear(): void {
    if (this.held.length > 0) this.held = [];
  }
}
