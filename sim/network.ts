// The simulated network: one link per ordered pair of hosts, each with a latency model, loss,
// duplication, an extra delay and jitter, plus a blocked flag per direction (partitions). Each
// message's delay is drawn on its own, so messages may overtake each other when the jitter exceeds
// the gap between them; a `fifo` link instead never lets a message overtake an earlier one, like a
// single TCP connection. (The default is not FIFO because one client host carries many logical
// clients, each its own connection.)
//
// A link has two layers: its configuration (`setLink`, else the default) and a fault laid over it
// (`setFault`, removed by `clearFault`), so ending a fault restores what the cluster configured.
//
// Draw order per message, from the network's stream: loss, then per delivery (one, or two when
// duplicated) the latency sample and the jitter, the duplicate draw between the two. A blocked
// message draws nothing. Draws happen only for features a link has (loss > 0, jitter > 0, ...),
// so a link without faults draws exactly what it did before faults existed.

import { LATENCY_MAX_US, type LatencySampler, type LatencySpec, latencySampler } from "./latency.js";
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
}

export interface Link {
  readonly sample: LatencySampler;
  readonly loss: number;
  readonly duplicate: number;
  readonly fifo: boolean;
  readonly extra_latency_us: number;
  readonly jitter_us: number;
}

export function makeLink(latency: LatencySpec, options: Omit<LinkOptions, "latency"> = {}): Link {
  return checkedLink({
    sample: latencySampler(latency),
    loss: options.loss ?? 0,
    duplicate: options.duplicate ?? 0,
    fifo: options.fifo ?? false,
    extra_latency_us: options.extra_latency_us ?? 0,
    jitter_us: options.jitter_us ?? 0,
  });
}

/** `base` with a fault's fields laid over it. */
function faultyLink(base: Link, fault: LinkFault): Link {
  return checkedLink({
    sample: base.sample,
    fifo: base.fifo,
    loss: fault.loss ?? base.loss,
    duplicate: fault.duplicate ?? base.duplicate,
    extra_latency_us: fault.extra_latency_us ?? base.extra_latency_us,
    jitter_us: fault.jitter_us ?? base.jitter_us,
  });
}

function checkedLink(link: Link): Link {
  for (const name of ["loss", "duplicate"] as const) {
    const p = link[name];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`link ${name} must be a probability in [0, 1], got ${p}`);
  }
  for (const name of ["extra_latency_us", "jitter_us"] as const) {
    const us = link[name];
    if (!(Number.isInteger(us) && us >= 0 && us <= LATENCY_MAX_US)) {
      throw new RangeError(`link ${name} must be a whole number of µs in [0, ${LATENCY_MAX_US}], got ${us}`);
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

export class Network {
  private readonly hostCount: number;
  /** Per ordered pair: the link as configured (setLink, else the default). */
  private readonly configured: Link[];
  /** Per ordered pair: the link in effect, the configured one or a fault over it. */
  private readonly links: Link[];
  /** Per ordered pair: 1 while delivery in that direction is blocked (a partition). */
  private readonly blocked: Uint8Array;
  private readonly lastDeliveryUs: Float64Array;
  private readonly rng: Rng;
  private readonly result: Deliveries = { count: 0, first_us: 0, second_us: 0 };
  messagesDropped = 0;

  constructor(hostCount: number, defaultLink: Link, rng: Rng) {
    this.hostCount = hostCount;
    this.configured = new Array<Link>(hostCount * hostCount).fill(defaultLink);
    this.links = this.configured.slice();
    this.blocked = new Uint8Array(hostCount * hostCount);
    this.lastDeliveryUs = new Float64Array(hostCount * hostCount);
    this.rng = rng;
  }

  /** Configures the link from -> to; this replaces any fault on it. */
  setLink(from: number, to: number, link: Link): void {
    const i = this.index(from, to);
    this.configured[i] = link;
    this.links[i] = link;
  }

  /** Lays `fault` over the configured link from -> to, replacing any earlier fault there. */
  setFault(from: number, to: number, fault: LinkFault): void {
    const i = this.index(from, to);
    this.links[i] = faultyLink(this.configured[i] as Link, fault);
  }

  /** Removes any fault from the link from -> to: it is the configured link again. */
  clearFault(from: number, to: number): void {
    const i = this.index(from, to);
    this.links[i] = this.configured[i] as Link;
  }

  /** Blocks delivery from `from` to `to` (one direction). A host is never blocked from itself. */
  block(from: number, to: number): void {
    if (from !== to) this.blocked[this.index(from, to)] = 1;
  }

  isBlocked(from: number, to: number): boolean {
    return this.blocked[this.index(from, to)] === 1;
  }

  /** Unblocks every direction. */
  unblockAll(): void {
    this.blocked.fill(0);
  }

  /** Decides the delivery times of one message sent now. The result object is reused. */
  route(from: number, to: number, now_us: number): Deliveries {
    const out = this.result;
    out.count = 0;
    if (from === to) {
      out.count = 1;
      out.first_us = now_us;
      return out;
    }
    const i = from * this.hostCount + to;
    const link = this.links[i] as Link;
    if (this.blocked[i] === 1 || (link.loss > 0 && this.rng.float() < link.loss)) {
      this.messagesDropped++;
      return out;
    }
    out.count = 1;
    out.first_us = this.deliveryTime(i, link, now_us);
    if (link.duplicate > 0 && this.rng.float() < link.duplicate) {
      out.count = 2;
      out.second_us = this.deliveryTime(i, link, now_us);
    }
    return out;
  }

  private deliveryTime(i: number, link: Link, now_us: number): number {
    let at = now_us + link.sample(this.rng) + link.extra_latency_us;
    if (link.jitter_us > 0) at += this.rng.int(link.jitter_us + 1);
    if (link.fifo) {
      const last = this.lastDeliveryUs[i] as number;
      if (at < last) at = last;
      this.lastDeliveryUs[i] = at;
    }
    return at;
  }

  private index(from: number, to: number): number {
    if (!(from >= 0 && from < this.hostCount && to >= 0 && to < this.hostCount)) {
      throw new RangeError(`no link ${from} -> ${to}: hosts are 0..${this.hostCount - 1}`);
    }
    return from * this.hostCount + to;
  }
}
