// The classic "hold model" benchmark of a pending-event set, through the public simulator API:
// one host keeps `pending` timers outstanding; each timer, when it fires, sets one successor at an
// exponentially distributed delay.

import type { HostContext } from "../sim/host.js";
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
