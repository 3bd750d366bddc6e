// What a simulated host sees of the world (in the spirit of a Jepsen client or a turmoil host).

import type { Disk } from "./disk.js";
import type { Rng } from "./rng.js";

/** Index of a host in its simulation, in the order hosts were added (the hot path's id). */
export type HostId = number;
/** A host by its id or its unique name (`shard0/n1`, `client`): what the fault verbs take. */
export type HostRef = HostId | string;
/** Identifies a pending timer; pass it to `cancelTimer`. */
export type TimerId = number;
/** A host's own label for a timer (an integer it chooses), handed back to `onTimer`. */
export type TimerTag = number;

/** The size of a message nobody sized (`Simulation.sizeMessagesBy`): its headers and a few numbers. */
export const MESSAGE_HEADER_BYTES = 64;

/**
 * Anything sent over the network. `kind` names the message type (it is hashed into the trace). Its
 * size on the wire is what the simulation's sizer says (`Simulation.sizeMessagesBy`).
 */
export interface Message {
  readonly kind: string;
  /** A cheap digest of the payload, folded into the trace hash (e.g. a request id or key hash). */
  readonly digest?: number;
}

export interface HostContext {
  readonly id: HostId;
  readonly name: string;
  /** This host's clock in µs (clock skew and drift apply). */
  now_us(): number;
  /**
   * Time since the simulation began, in µs, which clock skew does not move (a monotonic clock, as
   * CLOCK_MONOTONIC): what a host times durations and schedules its own devices with.
   */
  monotonic_us(): number;
  send(to: HostId, msg: Message): void;
  setTimer(delay_us: number, tag: TimerTag): TimerId;
  cancelTimer(id: TimerId): void;
  /** This host's own random stream. */
  readonly rng: Rng;
  /** This host's disk; it survives crashes (its volatile tail does not). */
  readonly disk: Disk;
}

export interface HostBehaviour {
  /** Called when the host starts, and again after each restart with only durable state on disk. */
  onStart(ctx: HostContext): void;
  onMessage(ctx: HostContext, from: HostId, msg: Message): void;
  onTimer(ctx: HostContext, tag: TimerTag): void;
}

/** Makes a fresh behaviour: called at start and at every restart, so a restart loses volatile state. */
export type HostFactory = () => HostBehaviour;
