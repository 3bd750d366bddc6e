// The simulated network: one link per ordered pair of hosts, each with a latency model, loss,
// duplication, an extra delay and jitter, plus a blocked flag per direction (partitions). Each
// message's delay is drawn on its own, so messages may overtake each other when the jitter exceeds
// the gap between them; a `fifo` link instead never lets a message overtake an earlier one, like a
// single TCP connection. (The default is not FIFO because one client host carries many logical
// clients, each its own connection.)
//
// A link has two layers: its configuration (`setLink`, else the default) and the latest fault still
// laid over it (`degrade`), so ending a fault restores the one before it, or what the cluster
// configured. A direction is blocked while any cut (`cut`) still blocks it: a count per direction,
// so cuts end one by one (`repair`) in any order, or all at once (`heal`).
//
// Draw order per message, from the network's stream: loss, then per delivery (one, or two when
// duplicated) the latency sample and the jitter, the duplicate draw between the two. A blocked
// message draws nothing. Draws happen only for features a link has (loss > 0, jitter > 0, ...),
// so a link without faults draws exactly what it did before faults existed.
//
// Bandwidth: a link with `bandwidth_bytes_per_s` is a pipe. A message enters it when the messages
// sent before it on that link have been transmitted, takes size / bandwidth to transmit, then its
// latency sample: delivery = end of transmission + latency. One "busy until" time per link (in
// fractional µs, so many small messages do not each round up), O(1) per message and no draw. Every
// message that enters the pipe occupies it, a lost one too (lost on the way); a message sent into
// a cut link is dropped at the sender and does not. A duplicate is the same transmission delivered
// twice. Without bandwidth (null: unlimited, the default) sizes change nothing.

import { LATENCY_US_MAX, type LatencySampler, type LatencySpec, latencySampler } from "./latency.js";
import type { Rng } from "./rng.js";

/** What a fault may change on a link; a field left out keeps the configured link's value. */
export interface LinkFault {
  /** Probability in [0, 1] that a message is dropped. */
  loss?: number;
  /** Probability in [0, 1] that a message is delivered twice. */
  duplicate?: number;
  /** Added to every sampled delay, in µs (a slow or distant link). */
  extra_latency_us?: number;
  /**
   * Each delivery is delayed by a further uniform whole number of µs in [0, jitter_us]: messages
   * may then overtake each other (a FIFO link still delivers in order, only later).
   */
  jitter_us?: number;
}

export interface LinkOptions extends LinkFault {
  latency?: LatencySpec;
  /** When true, a message never overtakes an earlier one on this link (one TCP connection). */
  fifo?: boolean;
  /** Bytes per second the link transmits (null or absent: unlimited). */
  bandwidth_bytes_per_s?: number | null;
}

/** Bandwidths a link accepts, in bytes per second: 1 kbit/s to 1 Tbit/s. */
export const BANDWIDTH_BYTES_PER_S_MIN = 125;
export const BANDWIDTH_BYTES_PER_S_MAX = 125e9;

export interface Link {
  readonly sample: LatencySampler;
  readonly loss: number;
  readonly duplicate: number;
  readonly fifo: boolean;
  readonly extra_latency_us: number;
  readonly jitter_us: number;
  /** Transmission time of one byte (1e6 / bandwidth); 0 when the bandwidth is unlimited. */
  readonly us_per_byte: number;
}

export function makeLink(latency: LatencySpec, options: Omit<LinkOptions, "latency"> = {}): Link {
  return checkedLink({
    sample: latencySampler(latency),
    loss: options.loss ?? 0,
    duplicate: options.duplicate ?? 0,
    fifo: options.fifo ?? false,
    extra_latency_us: options.extra_latency_us ?? 0,
    jitter_us: options.jitter_us ?? 0,
    us_per_byte: usPerByte(options.bandwidth_bytes_per_s ?? null),
  });
}

function usPerByte(bytes_per_s: number | null): number {
  if (bytes_per_s === null) return 0;
  if (!(bytes_per_s >= BANDWIDTH_BYTES_PER_S_MIN && bytes_per_s <= BANDWIDTH_BYTES_PER_S_MAX)) {
    throw new RangeError(
      `link bandwidth_bytes_per_s must be in [${BANDWIDTH_BYTES_PER_S_MIN}, ${BANDWIDTH_BYTES_PER_S_MAX}] or null, got ${bytes_per_s}`,
    );
  }
  return 1e6 / bytes_per_s;
}

/** `base` with a fault's fields laid over it. */
function faultyLink(base: Link, fault: LinkFault): Link {
  return checkedLink({
    sample: base.sample,
    fifo: base.fifo,
    us_per_byte: base.us_per_byte,
    loss: fault.loss ?? base.loss,
    duplicate: fault.duplicate ?? base.duplicate,
    extra_latency_us: fault.extra_latency_us ?? base.extra_latency_us,
    jitter_us: fault.jitter_us ?? base.jitter_us,
  });
}

/** Throws, naming the field, when a fault's value is out of range. */
function checkFault(fault: LinkFault): void {
  faultyLink(makeLink({ dist: "constant", value_us: 0 }), fault);
}

function checkedLink(link: Link): Link {
  for (const name of ["loss", "duplicate"] as const) {
    const p = link[name];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`link ${name} must be a probability in [0, 1], got ${p}`);
  }
  for (const name of ["extra_latency_us", "jitter_us"] as const) {
    const us = link[name];
    if (!(Number.isInteger(us) && us >= 0 && us <= LATENCY_US_MAX)) {
      throw new RangeError(`link ${name} must be a whole number of µs in [0, ${LATENCY_US_MAX}], got ${us}`);
    }
  }
  return link;
}

/** Where messages go: the deliveries that `route` decided, for the simulator to schedule. */
export interface Deliveries {
  count: 0 | 1 | 2;
  first_us: number;
  second_us: number;
}

/** A fault in force until `repair`: what `cut` and `degrade` return (ids count up per network). */
export interface FaultHandle {
  readonly id: number;
}

interface ActiveFault {
  readonly handle: FaultHandle;
  /** Indexes of the directions it applies to, each once (see `linkOf`). */
  readonly links: Int32Array;
  /** What a link fault lays over its links; null for a cut. */
  readonly fault: LinkFault | null;
}

export class Network {
  private readonly hostCount: number;
  /** Per ordered pair: the link as configured (setLink, else the default). */
  private readonly configured: Link[];
  /** Per ordered pair: the link in effect, the configured one or the latest fault over it. */
  private readonly links: Link[];
  /** Per ordered pair: how many cuts block that direction; delivery is blocked while > 0. */
  private readonly cutCounts: Uint32Array;
  /** Per degraded ordered pair: the link faults over it, latest last (the one in effect). */
  private readonly faultsOn = new Map<number, ActiveFault[]>();
  /** Faults in force by handle id, oldest first. */
  private readonly active = new Map<number, ActiveFault>();
  private nextFaultId = 0;
  private readonly lastDelivery_us: Float64Array;
  /** Per ordered pair: when the link has transmitted what was sent on it (fractional µs). */
  private readonly busyUntil_us: Float64Array;
  private readonly rng: Rng;
  private readonly result: Deliveries = { count: 0, first_us: 0, second_us: 0 };
  messagesDropped = 0;

  constructor(hostCount: number, defaultLink: Link, rng: Rng) {
    this.hostCount = hostCount;
    this.configured = new Array<Link>(hostCount * hostCount).fill(defaultLink);
    this.links = this.configured.slice();
    this.cutCounts = new Uint32Array(hostCount * hostCount);
    this.lastDelivery_us = new Float64Array(hostCount * hostCount);
    this.busyUntil_us = new Float64Array(hostCount * hostCount);
    this.rng = rng;
  }

  /** Index of the link from -> to, for `cut` and `degrade`. */
  linkOf(from: number, to: number): number {
    if (!(from >= 0 && from < this.hostCount && to >= 0 && to < this.hostCount)) {
      throw new RangeError(`no link ${from} -> ${to}: hosts are 0..${this.hostCount - 1}`);
    }
    return from * this.hostCount + to;
  }

  /** Configures the link from -> to; the faults laid over it stay, over the new configuration. */
  setLink(from: number, to: number, link: Link): void {
    const i = this.linkOf(from, to);
    this.configured[i] = link;
    this.refresh(i);
  }

  /** Blocks delivery on `links` (indexes from `linkOf`; a host's link to itself is never blocked). */
  cut(links: Int32Array): FaultHandle {
    const handle: FaultHandle = { id: this.nextFaultId++ };
    for (const i of links) this.cutCounts[i] = (this.cutCounts[i] as number) + 1;
    this.active.set(handle.id, { handle, links, fault: null });
    return handle;
  }

  /** Lays `fault` over the configured `links`, above any earlier fault there, until `repair`. */
  degrade(links: Int32Array, fault: LinkFault): FaultHandle {
    checkFault(fault);
    const handle: FaultHandle = { id: this.nextFaultId++ };
    const active: ActiveFault = { handle, links, fault };
    for (const i of links) {
      const stack = this.faultsOn.get(i);
      if (stack === undefined) this.faultsOn.set(i, [active]);
      else stack.push(active);
      this.refresh(i);
    }
    this.active.set(handle.id, active);
    return handle;
  }

  /**
   * Ends exactly the fault `handle` made: a direction stays blocked while another cut blocks it, and
   * a degraded link falls back to the latest other fault over it. False when it had ended already.
   */
  repair(handle: FaultHandle): boolean {
    const active = this.active.get(handle.id);
    if (active === undefined) return false;
    this.active.delete(handle.id);
    if (active.fault === null) {
      for (const i of active.links) this.cutCounts[i] = (this.cutCounts[i] as number) - 1;
      return true;
    }
    for (const i of active.links) {
      const stack = this.faultsOn.get(i);
      if (stack === undefined) continue; // reset since (`clearFaults`)
      const rest = stack.filter((other) => other !== active);
      if (rest.length === 0) this.faultsOn.delete(i);
      else this.faultsOn.set(i, rest);
      this.refresh(i);
    }
    return true;
  }

  /** Ends every cut: no direction is blocked any more. Link faults stay. */
  heal(): void {
    this.cutCounts.fill(0);
    for (const [id, active] of this.active) if (active.fault === null) this.active.delete(id);
  }

  /** Ends every fault laid over the link from -> to (other links keep theirs): it is as configured. */
  clearFaults(from: number, to: number): void {
    const i = this.linkOf(from, to);
    this.faultsOn.delete(i);
    this.refresh(i);
  }

  isBlocked(from: number, to: number): boolean {
    return this.cutCounts[this.linkOf(from, to)] !== 0;
  }

  /** Decides the delivery times of one message of `bytes` sent now. The result object is reused. */
  route(from: number, to: number, now_us: number, bytes: number): Deliveries {
    const out = this.result;
    out.count = 0;
    if (from === to) {
      out.count = 1;
      out.first_us = now_us;
      return out;
    }
    const i = from * this.hostCount + to;
    const link = this.links[i] as Link;
    if (this.cutCounts[i] !== 0) {
      this.messagesDropped++;
      return out;
    }
    const sent_us = link.us_per_byte === 0 ? now_us : this.transmit(i, link, now_us, bytes);
    if (link.loss > 0 && this.rng.float() < link.loss) {
      this.messagesDropped++;
      return out;
    }
    out.count = 1;
    out.first_us = this.deliveryTime(i, link, sent_us);
    if (link.duplicate > 0 && this.rng.float() < link.duplicate) {
      out.count = 2;
      out.second_us = this.deliveryTime(i, link, sent_us);
    }
    return out;
  }

  /**
   * Queues `bytes` on link `i` behind what it is sending; returns when they are sent (whole µs,
   * rounded up).
   */
  private transmit(i: number, link: Link, now_us: number, bytes: number): number {
    const busy = this.busyUntil_us[i] as number;
    const done = (busy > now_us ? busy : now_us) + bytes * link.us_per_byte;
    this.busyUntil_us[i] = done;
    return Math.ceil(done);
  }

  private deliveryTime(i: number, link: Link, now_us: number): number {
    let at = now_us + link.sample(this.rng) + link.extra_latency_us;
    if (link.jitter_us > 0) at += this.rng.int(link.jitter_us + 1);
    if (link.fifo) {
      const last = this.lastDelivery_us[i] as number;
      if (at < last) at = last;
      this.lastDelivery_us[i] = at;
    }
    return at;
  }

  /** Puts the link in effect on `i`: the latest fault over its configuration, else the configuration. */
  private refresh(i: number): void {
    const stack = this.faultsOn.get(i);
    const latest = stack?.[stack.length - 1];
    const configured = this.configured[i] as Link;
    this.links[i] = latest === undefined ? configured : faultyLink(configured, latest.fault as LinkFault);
  }
}
