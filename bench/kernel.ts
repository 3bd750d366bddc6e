// The classic "hold model" benchmark of a pending-event set, through the public simulator API:
// one host keeps `pending` timers outstanding; each timer, when it fires, sets one successor at an
// exponentially distributed delay.

import type { HostContext } from "../sim/host.js";
import { Rng } from "../sim/rng.js";
import { Simulation } from "../sim/simulation.js";

export interface HoldModelResult {
  events: number;
  pending: number;
  wall_s: number;
  events_per_s: number;
  trace_hash: string;
}

export function holdModel(options: {
  pending: number;
  events: number;
  mean_delay_us: number;
  seed?: number;
}): HoldModelResult {
  const { pending, events, mean_delay_us } = options;
  const sim = new Simulation({ seed: options.seed ?? 1, latency: { dist: "constant", value_us: 0 } });
  sim.addHost("hold", () => {
    let rng: HostContext["rng"];
    return {
      onStart(ctx) {
        rng = ctx.rng;
        for (let i = 0; i < pending; i++) ctx.setTimer(Math.round(rng.exponential(mean_delay_us)), 0);
      },
      onMessage() {},
      onTimer(ctx) {
        ctx.setTimer(Math.round(rng.exponential(mean_delay_us)), 0);
      },
    };
  });
  sim.start();
  sim.runSlice(1); // the start event sets up the pending timers
  const started = process.hrtime.bigint();
  sim.runSlice(events);
  const wall_s = Number(process.hrtime.bigint() - started) / 1e9;
  return { events, pending, wall_s, events_per_s: events / wall_s, trace_hash: sim.traceHash() };
}

/**
 * The same hold model on a bare pending-event set: a flat binary heap in typed arrays (time,
 * sequence for ties), the same random stream, no simulator around it. The kernel's events/s over
 * this one's says what the simulator's dispatch costs beyond a textbook queue.
 */
export function flatHeapHoldModel(options: {
  pending: number;
  events: number;
  mean_delay_us: number;
  seed?: number;
}): { events_per_s: number } {
  const { pending, events, mean_delay_us } = options;
  const rng = Rng.fromSeed(options.seed ?? 1).split("host:hold");
  const times = new Float64Array(pending + 1);
  const sequences = new Float64Array(pending + 1);
  let size = 0;
  let sequence = 0;
  const less = (a: number, b: number) =>
    (times[a] as number) < (times[b] as number) ||
    (times[a] === times[b] && (sequences[a] as number) < (sequences[b] as number));
  const swap = (a: number, b: number) => {
    const t = times[a] as number;
    times[a] = times[b] as number;
    times[b] = t;
    const s = sequences[a] as number;
    sequences[a] = sequences[b] as number;
    sequences[b] = s;
  };
  const push = (time_us: number) => {
    let i = size++;
    times[i] = time_us;
    sequences[i] = sequence++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  };
  const pop = (): number => {
    const top = times[0] as number;
    size--;
    times[0] = times[size] as number;
    sequences[0] = sequences[size] as number;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const child = left + 1 < size && less(left + 1, left) ? left + 1 : left;
      if (!less(child, i)) break;
      swap(i, child);
      i = child;
    }
    return top;
  };
  for (let i = 0; i < pending; i++) push(Math.round(rng.exponential(mean_delay_us)));
  const started = process.hrtime.bigint();
  for (let n = 0; n < events; n++) {
    const now_us = pop();
    push(now_us + Math.round(rng.exponential(mean_delay_us)));
  }
  const wall_s = Number(process.hrtime.bigint() - started) / 1e9;
  return { events_per_s: events / wall_s };
}
