import { describe, expect, it } from "vitest";
import type { HostContext, Message } from "../../sim/host.js";
import type { LinkOptions } from "../../sim/network.js";
import { Simulation } from "../../sim/simulation.js";

interface Numbered extends Message {
  n: number;
}

/** Host 0 sends `count` numbered messages to host 1, 10 us apart; returns the numbers host 1 got. */
function deliver(count: number, link: LinkOptions, seed = 1): number[] {
  const got: number[] = [];
  const sim = new Simulation({ seed, latency: { dist: "constant", value_us: 100 } });
  sim.addHost("sender", () => ({
    onStart(ctx: HostContext) {
      for (let i = 0; i < count; i++) ctx.setTimer(i * 10, i);
    },
    onTimer(ctx: HostContext, n: number) {
      ctx.send(1, { kind: "m", n } as Numbered);
    },
    onMessage() {},
  }));
  sim.addHost("receiver", () => ({
    onStart() {},
    onTimer() {},
    onMessage(_ctx: HostContext, _from: number, msg: Message) {
      got.push((msg as Numbered).n);
    },
  }));
  sim.start();
  sim.setLink(0, 1, link);
  sim.run();
  return got;
}

describe("network links", () => {
  it("drop every message at loss 1 and none at loss 0", () => {
    expect(deliver(50, { loss: 1 })).toEqual([]);
    expect(deliver(50, { loss: 0 })).toHaveLength(50);
  });

  it("drop about the given fraction", () => {
    const got = deliver(2000, { loss: 0.25 });
    expect(got.length).toBeGreaterThan(1400);
    expect(got.length).toBeLessThan(1600);
  });

  it("deliver twice at duplicate 1", () => {
    const got = deliver(20, { duplicate: 1 });
    expect(got).toHaveLength(40);
    expect(new Set(got).size).toBe(20);
  });

  it("let messages overtake each other when jitter exceeds their spacing, unless the link is FIFO", () => {
    const jitter = { latency: { dist: "uniform", min_us: 0, max_us: 1000 } } as const;
    const loose = deliver(200, jitter);
    expect(loose).not.toEqual([...loose].sort((a, b) => a - b));
    const fifo = deliver(200, { ...jitter, fifo: true });
    expect(fifo).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it("reject probabilities outside [0, 1]", () => {
    expect(() => deliver(1, { loss: 1.5 })).toThrow(/loss must be a probability in \[0, 1\]/);
    expect(() => deliver(1, { duplicate: -0.1 })).toThrow(/duplicate/);
  });
});
