import { describe, expect, it } from "vitest";
import type { HostContext, Message } from "../../sim/host.js";
import type { FaultHandle, LinkOptions } from "../../sim/network.js";
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

interface Sized extends Message {
  n: number;
  bytes: number;
}

/**
 * Host 0 sends one message of `bytes` to host 1 at each of `at_us` (in order), over a link of
 * `bandwidth` (bytes per second) and constant latency 100 µs; returns [n, delivery time] in
 * delivery order, and the simulation.
 */
function timed(
  sends: readonly { at_us: number; bytes: number }[],
  link: LinkOptions,
  options: { bandwidth_bytes_per_s?: number | null } = {},
): { got: [number, number][]; sim: Simulation } {
  const got: [number, number][] = [];
  const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 100 }, ...options });
  sim.addHost("sender", () => ({
    onStart(ctx: HostContext) {
      for (const [n, send] of sends.entries()) ctx.setTimer(send.at_us, n);
    },
    onTimer(ctx: HostContext, n: number) {
      ctx.send(1, { kind: "sized", n, bytes: (sends[n] as { bytes: number }).bytes } as Sized);
    },
    onMessage() {},
  }));
  sim.addHost("receiver", () => ({
    onStart() {},
    onTimer() {},
    onMessage(ctx: HostContext, _from: number, msg: Message) {
      got.push([(msg as Sized).n, ctx.now_us()]);
    },
  }));
  sim.sizeMessagesBy((msg) => (msg as Sized).bytes);
  sim.start();
  sim.setLink(0, 1, link);
  sim.run();
  return { got, sim };
}

/** Hosts a (sending at its start) and b; every message is 1000 bytes. Returns b's delivery times, filled by a run. */
function deliveryTimes(sim: Simulation, send: (ctx: HostContext) => void): number[] {
  const times: number[] = [];
  sim.addHost("a", () => ({ onStart: send, onTimer() {}, onMessage() {} }));
  sim.addHost("b", () => ({
    onStart() {},
    onTimer() {},
    onMessage(ctx: HostContext) {
      times.push(ctx.now_us());
    },
  }));
  sim.sizeMessagesBy(() => 1000);
  return times;
}

describe("link bandwidth", () => {
  const MB_PER_S = 1_000_000; // one byte per µs

  it("delays a message by its size / bandwidth, rounded up to a whole µs, before its latency", () => {
    expect(timed([{ at_us: 0, bytes: 5000 }], { bandwidth_bytes_per_s: MB_PER_S }).got).toEqual([[0, 5100]]);
    expect(timed([{ at_us: 0, bytes: 1500 }], { bandwidth_bytes_per_s: 2 * MB_PER_S }).got).toEqual([
      [0, 850],
    ]);
    expect(timed([{ at_us: 0, bytes: 1 }], { bandwidth_bytes_per_s: 3 * MB_PER_S }).got).toEqual([[0, 101]]);
  });

  it("serializes messages on a link: each waits for those sent before it", () => {
    const burst = [0, 0, 0].map(() => ({ at_us: 0, bytes: 1000 }));
    expect(timed(burst, { bandwidth_bytes_per_s: MB_PER_S }).got).toEqual([
      [0, 1100],
      [1, 2100],
      [2, 3100],
    ]);
    // Sent after the link went idle: no wait.
    const spaced = [
      { at_us: 0, bytes: 1000 },
      { at_us: 5000, bytes: 1000 },
    ];
    expect(timed(spaced, { bandwidth_bytes_per_s: MB_PER_S }).got).toEqual([
      [0, 1100],
      [1, 6100],
    ]);
  });

  it("does not round each small message up: a burst of tiny ones takes their total time", () => {
    const tiny = Array.from({ length: 10 }, () => ({ at_us: 0, bytes: 10 }));
    const { got } = timed(tiny, { bandwidth_bytes_per_s: 100 * MB_PER_S }); // 0.1 µs each
    expect(got.map(([, at]) => at)).toEqual([101, 101, 101, 101, 101, 101, 101, 101, 101, 101]);
  });

  it("keeps the links apart: a host's sends to two hosts do not wait for each other", () => {
    const sim = new Simulation({
      seed: 1,
      latency: { dist: "constant", value_us: 0 },
      bandwidth_bytes_per_s: MB_PER_S,
    });
    const times = deliveryTimes(sim, (ctx) => {
      ctx.send(1, { kind: "to b" });
      ctx.send(2, { kind: "to c" });
    });
    sim.addHost("c", () => ({
      onStart() {},
      onTimer() {},
      onMessage(ctx: HostContext) {
        times.push(ctx.now_us());
      },
    }));
    sim.run();
    expect(times).toEqual([1000, 1000]);
  });

  it("takes the default link's bandwidth unless setLink says otherwise; null is unlimited", () => {
    const one = [{ at_us: 0, bytes: 1000 }];
    expect(timed(one, {}, { bandwidth_bytes_per_s: MB_PER_S }).got).toEqual([[0, 1100]]);
    expect(timed(one, { bandwidth_bytes_per_s: null }, { bandwidth_bytes_per_s: MB_PER_S }).got).toEqual([
      [0, 100],
    ]);
    expect(timed(one, {}).got).toEqual([[0, 100]]);
  });

  it("lets a lost message occupy the link, a message into a cut link not", () => {
    const cut = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 0 } });
    let handle: FaultHandle | null = null;
    const afterCut = deliveryTimes(cut, (ctx) => {
      ctx.send(1, { kind: "into the cut" });
      cut.repair(handle as FaultHandle);
      ctx.send(1, { kind: "after the repair" });
    });
    cut.start();
    cut.setLink(0, 1, { bandwidth_bytes_per_s: MB_PER_S });
    handle = cut.partitionOneWay(["a"], ["b"]);
    cut.run();
    expect(afterCut).toEqual([1000]);

    const lossy = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 0 } });
    const afterLoss = deliveryTimes(lossy, (ctx) => {
      lossy.setLink(0, 1, { bandwidth_bytes_per_s: MB_PER_S, loss: 1 });
      ctx.send(1, { kind: "lost" });
      lossy.setLink(0, 1, { bandwidth_bytes_per_s: MB_PER_S });
      ctx.send(1, { kind: "delivered" });
    });
    lossy.run();
    expect(afterLoss).toEqual([2000]);
  });

  it("changes nothing on a link without bandwidth: the same deliveries, however large the messages", () => {
    const sends = Array.from({ length: 200 }, (_, n) => ({
      at_us: n * 10,
      bytes: 1 + ((n * 7919) % 100_000),
    }));
    const noisy: LinkOptions = {
      latency: { dist: "uniform", min_us: 0, max_us: 1000 },
      loss: 0.1,
      duplicate: 0.1,
      jitter_us: 50,
    };
    const sized = timed(sends, noisy).got;
    const headerOnly = timed(
      sends.map((send) => ({ ...send, bytes: 64 })),
      noisy,
    ).got;
    expect(sized).toEqual(headerOnly);
    expect(sized.length).toBeGreaterThan(150);
  });

  it("counts messages and bytes sent per kind, lost ones included", () => {
    const { sim } = timed(
      [
        { at_us: 0, bytes: 10 },
        { at_us: 1, bytes: 32 },
      ],
      { loss: 1 },
    );
    expect(sim.messagesByKind()).toEqual(new Map([["sized", 2]]));
    expect(sim.bytesByKind()).toEqual(new Map([["sized", 42]]));
  });

  it("rejects a bandwidth outside 1 kbit/s .. 1 Tbit/s", () => {
    expect(() => timed([], { bandwidth_bytes_per_s: 100 })).toThrow(
      /bandwidth_bytes_per_s must be in \[125, 125000000000\]/,
    );
    expect(() =>
      new Simulation({ seed: 1, latency: { dist: "constant", value_us: 0 }, bandwidth_bytes_per_s: 0 }).run(),
    ).toThrow(/bandwidth/);
  });

  it("sizes messages only before the simulation starts", () => {
    const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 0 } });
    sim.start();
    expect(() => sim.sizeMessagesBy(() => 1)).toThrow(/has started/);
  });
});
