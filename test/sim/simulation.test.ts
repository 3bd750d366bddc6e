import { describe, expect, it } from "vitest";
import type { HostBehaviour, HostContext, Message } from "../../sim/host.js";
import { Simulation, SimulationError } from "../../sim/simulation.js";

interface Ping extends Message {
  kind: "ping";
  n: number;
}

const constant = (value_us: number) => ({ dist: "constant", value_us }) as const;

/** A host that records what happens to it. */
function recorder(log: string[], hooks: Partial<HostBehaviour> = {}): () => HostBehaviour {
  return () => ({
    onStart(ctx) {
      log.push(`${ctx.now_us()} ${ctx.name} start`);
      hooks.onStart?.(ctx);
    },
    onMessage(ctx, from, msg) {
      log.push(`${ctx.now_us()} ${ctx.name} msg ${(msg as Ping).n} from ${from}`);
      hooks.onMessage?.(ctx, from, msg);
    },
    onTimer(ctx, tag) {
      log.push(`${ctx.now_us()} ${ctx.name} timer ${tag}`);
      hooks.onTimer?.(ctx, tag);
    },
  });
}

describe("Simulation", () => {
  it("delivers messages after the link latency and fires timers at their time, in order", () => {
    const log: string[] = [];
    const sim = new Simulation({ seed: 1, latency: constant(100) });
    const a = sim.addHost(
      "a",
      recorder(log, { onStart: (ctx) => ctx.send(1, { kind: "ping", n: 1 } as Ping) }),
    );
    sim.addHost(
      "b",
      recorder(log, {
        onStart: (ctx) => {
          ctx.setTimer(50, 7);
          ctx.setTimer(100, 8);
        },
        onMessage: (ctx, from) => ctx.send(from, { kind: "ping", n: 2 } as Ping),
      }),
    );
    expect(sim.run()).toBe("idle");
    expect(a).toBe(0);
    expect(log).toEqual([
      "0 a start",
      "0 b start",
      "50 b timer 7",
      "100 b msg 1 from 0",
      "100 b timer 8",
      "200 a msg 2 from 1",
    ]);
    expect(sim.now_us).toBe(200);
  });

  it("cancels timers", () => {
    const log: string[] = [];
    const sim = new Simulation({ seed: 1, latency: constant(0) });
    sim.addHost(
      "h",
      recorder(log, {
        onStart: (ctx) => {
          const id = ctx.setTimer(10, 1);
          ctx.setTimer(20, 2);
          ctx.cancelTimer(id);
        },
      }),
    );
    sim.run();
    expect(log).toEqual(["0 h start", "20 h timer 2"]);
  });

  it("a crash loses timers, deliveries and the disk's volatile tail; a restart makes a fresh host", () => {
    const log: string[] = [];
    let starts = 0;
    const sim = new Simulation({ seed: 1, latency: constant(100) });
    const h = sim.addHost(
      "h",
      recorder(log, {
        onStart: (ctx) => {
          starts++;
          if (starts === 1) {
            ctx.disk.append("durable");
            ctx.disk.syncTo(ctx.disk.length);
            ctx.disk.append("volatile");
            ctx.setTimer(500, 1);
          }
        },
      }),
    );
    sim.addHost("c", recorder(log, { onStart: (ctx) => ctx.send(h, { kind: "ping", n: 1 } as Ping) }));
    sim.at(50, () => sim.crash(h));
    sim.at(1000, () => sim.restart(h));
    sim.run();
    expect(log).toEqual(["0 h start", "0 c start", "1000 h start"]);
    expect(sim.disk(h).length).toBe(1);
    expect(sim.disk(h).takeLostTail()).toEqual(["volatile"]);
    expect(starts).toBe(2);
  });

  it("a paused host handles its messages and timers, in order, when it resumes; its clock runs on", () => {
    const log: string[] = [];
    const sim = new Simulation({ seed: 1, latency: constant(10) });
    const h = sim.addHost("h", recorder(log, { onStart: (ctx) => ctx.setTimer(20, 1) }));
    sim.addHost(
      "c",
      recorder(log, {
        onStart: (ctx) => {
          ctx.send(h, { kind: "ping", n: 1 } as Ping);
          ctx.send(h, { kind: "ping", n: 2 } as Ping);
        },
      }),
    );
    sim.at(5, () => sim.pause(h, 100));
    sim.run();
    expect(log).toEqual([
      "0 h start",
      "0 c start",
      "105 h msg 1 from 1",
      "105 h msg 2 from 1",
      "105 h timer 1",
    ]);
  });

  it("cancels a timer that a pause deferred", () => {
    const log: string[] = [];
    let ctxOfH: HostContext | undefined;
    let timer = -1;
    const sim = new Simulation({ seed: 1, latency: constant(0) });
    const h = sim.addHost(
      "h",
      recorder(log, {
        onStart: (ctx) => {
          ctxOfH = ctx;
          timer = ctx.setTimer(20, 1);
        },
      }),
    );
    sim.at(10, () => sim.pause(h, 100));
    sim.at(50, () => ctxOfH?.cancelTimer(timer));
    sim.run();
    expect(log).toEqual(["0 h start"]);
  });

  it("has a trace hash that is a pure function of the seed", () => {
    function traced(seed: number): string {
      const sim = new Simulation({ seed, latency: { dist: "exponential", mean_us: 100 } });
      const peer = (other: number) => () =>
        ({
          onStart(ctx: HostContext) {
            ctx.send(other, { kind: "ping", digest: 1 });
          },
          onMessage(ctx: HostContext, from: number) {
            if (ctx.now_us() < 100_000) ctx.send(from, { kind: "ping", digest: ctx.rng.u32() });
          },
          onTimer() {},
        }) satisfies HostBehaviour;
      sim.addHost("a", peer(1));
      sim.addHost("b", peer(0));
      sim.run();
      return sim.traceHash();
    }
    expect(traced(5)).toBe(traced(5));
    expect(traced(5)).not.toBe(traced(6));
  });

  it("takes checkpoints every N events", () => {
    const sim = new Simulation({ seed: 1, latency: constant(1), checkpointEvery: 10 });
    sim.addHost("h", () => ({
      onStart: (ctx) => ctx.setTimer(1, 0),
      onMessage() {},
      onTimer: (ctx) => {
        if (ctx.now_us() < 100) ctx.setTimer(1, 0);
      },
    }));
    sim.run();
    expect(sim.events).toBe(101);
    expect(sim.checkpoints.map((c) => c.events)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(sim.checkpoints.at(-1)?.time_us).toBe(99);
  });

  it("stops at a virtual time and resumes", () => {
    const sim = new Simulation({ seed: 1, latency: constant(1) });
    sim.addHost("h", () => ({
      onStart: (ctx) => ctx.setTimer(1000, 0),
      onMessage() {},
      onTimer() {},
    }));
    expect(sim.run({ until_us: 500 })).toBe("until");
    expect(sim.now_us).toBe(500);
    expect(sim.run()).toBe("idle");
    expect(sim.now_us).toBe(1000);
  });

  it("annotates an error inside a host with the seed, the time and the host", () => {
    const sim = new Simulation({ seed: 77, latency: constant(1) });
    sim.addHost("broken", () => ({
      onStart: (ctx) => ctx.setTimer(5, 0),
      onMessage() {},
      onTimer() {
        throw new Error("invariant broken");
      },
    }));
    expect(() => sim.run()).toThrow(SimulationError);
    try {
      new Simulation({ seed: 77, latency: constant(1) });
      sim.run();
    } catch (error) {
      expect((error as Error).message).toContain("seed=77");
    }
    const again = new Simulation({ seed: 77, latency: constant(1) });
    again.addHost("broken", () => ({
      onStart: (ctx) => ctx.setTimer(5, 0),
      onMessage() {},
      onTimer() {
        throw new Error("invariant broken");
      },
    }));
    expect(() => again.run()).toThrow(
      /invariant broken \(seed=77, t=5us, host broken; reproduce with --seed=77\)/,
    );
  });

  it("skews a host's clock", () => {
    const seen: number[] = [];
    const sim = new Simulation({ seed: 1, latency: constant(1) });
    const h = sim.addHost("h", () => ({
      onStart: (ctx) => ctx.setTimer(1_000_000, 0),
      onMessage() {},
      onTimer: (ctx) => {
        seen.push(ctx.now_us());
      },
    }));
    sim.skewClock(h, 500, 100);
    sim.run();
    expect(seen).toEqual([1_000_000 + 500 + 100]);
  });

  it("stops a zero-delay loop that would freeze virtual time, naming the seed", () => {
    const sim = new Simulation({ seed: 5, latency: constant(0) });
    sim.addHost("spin", () => ({
      onStart: (ctx) => ctx.setTimer(0, 0),
      onMessage() {},
      onTimer: (ctx) => {
        ctx.setTimer(0, 0);
      },
    }));
    expect(() => sim.run()).toThrow(/no progress: more than 10000000 events at virtual time 0us .*seed=5/);
  });
});
