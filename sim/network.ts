// The simulated network: one link per ordered pair of hosts, each with a latency model, loss and
// duplication. Each message's delay is drawn on its own, so
// messages may overtake each other when the jitter exceeds the gap between them; a `fifo` link
// instead never lets a message overtake an earlier one, like a single TCP connection. (The default
// is not FIFO because one client host carries many logical clients, each its own connection.)

import { type LatencySampler, type LatencySpec, latencySampler } from "./latency.js";
import type { Rng } from "./rng.js";

export interface LinkOptions {
  latency?: LatencySpec;
  /** Probability in [0, 1] that a message is dropped. */
  loss?: number;
  /** Probability in [0, 1] that a message is delivered twice. */
  duplicate?: number;
  /** When true, a message never overtakes an earlier one on this link (one TCP connection). */
  fifo?: boolean;
}

export interface Link {
  readonly sample: LatencySampler;
  readonly loss: number;
  readonly duplicate: number;
  readonly fifo: boolean;
}

export function makeLink(latency: LatencySpec, options: Omit<LinkOptions, "latency"> = {}): Link {
  const loss = options.loss ?? 0;
  const duplicate = options.duplicate ?? 0;
  for (const [name, p] of [
    ["loss", loss],
    ["duplicate", duplicate],
  ] as const) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`link ${name} must be a probability in [0, 1], got ${p}`);
  }
  return { sample: latencySampler(latency), loss, duplicate, fifo: options.fifo ?? false };
}

/** Where messages go: the deliveries that `route` decided, for the simulator to schedule. */
export interface Deliveries {
  count: 0 | 1 | 2;
  first_us: number;
  second_us: number;
}

export class Network {
  private readonly hostCount: number;
  private readonly links: Link[];
  private readonly lastDeliveryUs: Float64Array;
  private readonly rng: Rng;
  private readonly result: Deliveries = { count: 0, first_us: 0, second_us: 0 };
  messagesDropped = 0;

  constructor(hostCount: number, defaultLink: Link, rng: Rng) {
    this.hostCount = hostCount;
    this.links = new Array<Link>(hostCount * hostCount).fill(defaultLink);
    this.lastDeliveryUs = new Float64Array(hostCount * hostCount);
    this.rng = rng;
  }

  setLink(from: number, to: number, link: Link): void {
    this.links[this.index(from, to)] = link;
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
    if (link.loss > 0 && this.rng.float() < link.loss) {
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
    let at = now_us + link.sample(this.rng);
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
