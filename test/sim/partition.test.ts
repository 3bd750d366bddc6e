import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HostContext, HostId, HostRef, Message } from "../../sim/host.js";
import type { FaultHandle, LinkOptions } from "../../sim/network.js";
import { Simulation } from "../../sim/simulation.js";

interface Numbered extends Message {
  n: number;
}

const TICK_US = 10;
const LATENCY_US = 100;

/**
 * `hosts` hosts; each sends one numbered message to every other host every 10 µs, `count` times.
 * `got[to]` lists what `to` received as "from:n", in delivery order.
 */
function mesh(hosts: number, count: number, seed = 1) {
  const got: string[][] = Array.from({ length: hosts }, () => []);
  const sim = new Simulation({ seed, latency: { dist: "constant", value_us: LATENCY_US } });
  for (let h = 0; h < hosts; h++) {
    sim.addHost(`h${h}`, () => ({
      onStart(ctx: HostContext) {
        for (let i = 0; i < count; i++) ctx.setTimer(i * TICK_US, i);
      },
      onTimer(ctx: HostContext, n: number) {
        for (let to = 0; to < hosts; to++) if (to !== ctx.id) ctx.send(to, { kind: "m", n } as Numbered);
      },
      onMessage(ctx: HostContext, from: HostId, msg: Message) {
        (got[ctx.id] as string[]).push(`${from}:${(msg as Numbered).n}`);
      },
    }));
  }
  sim.start();
  /** How many messages `to` got from `from`. */
  const received = (from: number, to: number) =>
    (got[to] as string[]).filter((entry) => entry.startsWith(`${from}:`)).length;
  /** The numbers `to` got from `from`, in delivery order. */
  const numbers = (from: number, to: number) =>
    (got[to] as string[]).filter((entry) => entry.startsWith(`${from}:`)).map((e) => Number(e.split(":")[1]));
  return { sim, got, received, numbers };
}

describe("partitions", () => {
  it("block every link between groups, both ways, and leave hosts in no group connected", () => {
    const { sim, received } = mesh(5, 10);
    sim.partition([
      [0, 1],
      [2, 3],
    ]); // host 4 is in no group
    sim.run();
    for (const [a, b] of [
      [0, 2],
      [0, 3],
      [1, 2],
      [1, 3],
    ] as const) {
      expect(received(a, b)).toBe(0);
      expect(received(b, a)).toBe(0);
    }
    for (const [a, b] of [
      [0, 1],
      [2, 3],
      [0, 4],
      [4, 0],
      [2, 4],
      [4, 3],
    ] as const)
      expect(received(a, b)).toBe(10);
    expect(sim.messagesDropped).toBe(8 * 10);
  });

  it("one-way: stop delivery from -> to only, until heal", () => {
    const { sim, numbers } = mesh(2, 20);
    sim.partitionOneWay([0], [1]);
    expect(sim.isBlocked(0, 1)).toBe(true);
    expect(sim.isBlocked(1, 0)).toBe(false);
    // messages 0..9 are sent at 0..90 us, blocked; heal at 95 us, so 10..19 get through
    sim.at(95, () => sim.heal());
    sim.run();
    expect(numbers(0, 1)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(numbers(1, 0)).toHaveLength(20);
    expect(sim.isBlocked(0, 1)).toBe(false);
  });

  it("deliver messages already in flight when the partition starts", () => {
    const { sim, numbers } = mesh(2, 5);
    // sent at 0..40 us, arriving at 100..140 us: a partition at 45 us comes after all were sent
    sim.at(45, () => sim.partition([[0], [1]]));
    sim.run();
    expect(numbers(0, 1)).toEqual([0, 1, 2, 3, 4]);
    expect(sim.messagesDropped).toBe(0);
  });

  it("isolate cuts one host off from every other, both ways", () => {
    const { sim, received } = mesh(3, 4);
    sim.isolate(1);
    sim.run();
    expect([received(1, 0), received(0, 1), received(1, 2), received(2, 1)]).toEqual([0, 0, 0, 0]);
    expect([received(0, 2), received(2, 0)]).toEqual([4, 4]);
  });

  it("blocks add up, and heal ends them all", () => {
    const { sim } = mesh(3, 0);
    sim.partitionOneWay([0], [1]);
    sim.partitionOneWay([2], [1]);
    expect([sim.isBlocked(0, 1), sim.isBlocked(2, 1), sim.isBlocked(1, 0)]).toEqual([true, true, false]);
    sim.heal();
    expect([sim.isBlocked(0, 1), sim.isBlocked(2, 1)]).toEqual([false, false]);
  });

  it("repair ends exactly its own cut: a link stays blocked while another cut blocks it", () => {
    const { sim } = mesh(3, 0);
    const isolated = sim.isolate("h1");
    const oneWay = sim.partitionOneWay(["h0"], ["h1"]);
    expect(sim.repair(isolated)).toBe(true);
    expect([sim.isBlocked("h0", "h1"), sim.isBlocked("h1", "h0"), sim.isBlocked("h2", "h1")]).toEqual([
      true,
      false,
      false,
    ]);
    expect(sim.repair(isolated)).toBe(false); // ended already: changes nothing
    expect(sim.isBlocked("h0", "h1")).toBe(true);
    expect(sim.repair(oneWay)).toBe(true);
    expect(sim.isBlocked("h0", "h1")).toBe(false);
  });

  it("heal ends every cut: repairing one afterwards changes nothing, and later cuts stand", () => {
    const { sim } = mesh(3, 0);
    const before = sim.partition([["h0"], ["h1", "h2"]]);
    sim.heal();
    const after = sim.partitionOneWay(["h1"], ["h0"]);
    expect(sim.repair(before)).toBe(false);
    expect([sim.isBlocked(1, 0), sim.isBlocked(0, 1)]).toEqual([true, false]);
    expect(sim.repair(after)).toBe(true);
    expect(sim.isBlocked(1, 0)).toBe(false);
  });

  it("any sequence of cuts and repairs leaves blocked exactly the links some unrepaired cut blocks", () => {
    const HOSTS = 5;
    const host = fc.integer({ min: 0, max: HOSTS - 1 });
    const hosts = fc.uniqueArray(host, { maxLength: HOSTS });
    const step = fc.oneof(
      fc.record({
        groups: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: HOSTS, maxLength: HOSTS }),
      }),
      fc.record({ from: hosts, to: hosts }),
      fc.record({ isolate: host }),
      fc.record({ repair: fc.nat() }),
      fc.constant({ heal: true as const }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(step, fc.boolean()), { maxLength: 40 }), (steps) => {
        const { sim } = mesh(HOSTS, 0);
        const cuts: { handle: FaultHandle; links: Set<string>; active: boolean }[] = [];
        for (const [s, byName] of steps) {
          // Hosts by id or by name: the verbs take either.
          const ref = (id: number): HostRef => (byName ? `h${id}` : id);
          const links = new Set<string>();
          const cut = (from: readonly number[], to: readonly number[]) => {
            for (const a of from) for (const b of to) if (a !== b) links.add(`${a}>${b}`);
          };
          if ("groups" in s) {
            const groups = [0, 1, 2].map((g) => s.groups.flatMap((group, id) => (group === g ? [id] : [])));
            for (const a of groups) for (const b of groups) if (a !== b) cut(a, b);
            cuts.push({ handle: sim.partition(groups.map((group) => group.map(ref))), links, active: true });
          } else if ("from" in s) {
            cut(s.from, s.to);
            cuts.push({ handle: sim.partitionOneWay(s.from.map(ref), s.to.map(ref)), links, active: true });
          } else if ("isolate" in s) {
            const everyone = Array.from({ length: HOSTS }, (_, id) => id);
            cut([s.isolate], everyone);
            cut(everyone, [s.isolate]);
            cuts.push({ handle: sim.isolate(ref(s.isolate)), links, active: true });
          } else if ("repair" in s) {
            const target = cuts[s.repair % Math.max(1, cuts.length)];
            if (target === undefined) continue;
            expect(sim.repair(target.handle)).toBe(target.active);
            target.active = false;
          } else {
            sim.heal();
            for (const c of cuts) c.active = false;
          }
          for (let a = 0; a < HOSTS; a++) {
            for (let b = 0; b < HOSTS; b++) {
              const expected = cuts.some((c) => c.active && c.links.has(`${a}>${b}`));
              expect(sim.isBlocked(a, b), `${a} -> ${b}`).toBe(expected);
            }
          }
        }
      }),
      { seed: 20260514, numRuns: 300 },
    );
  });

  it("reject unknown hosts and a host in two groups", () => {
    const { sim } = mesh(3, 0);
    expect(() =>
      sim.partition([
        [0, 1],
        [1, 2],
      ]),
    ).toThrow("partition: host h1 is in groups 0 and 1");
    expect(() => sim.partitionOneWay([0], [7])).toThrow("no host 7");
    expect(() => sim.isolate(3)).toThrow("no host 3");
    expect(() => sim.isolate("shard9/n9")).toThrow("no host named shard9/n9");
  });
});

describe("hosts by name", () => {
  it("look up a host's id by its name and its name by its id", () => {
    const { sim } = mesh(3, 0);
    expect([sim.host("h2"), sim.host(1), sim.nameOf(2)]).toEqual([2, 1, "h2"]);
    expect(() => sim.host("nobody")).toThrow("no host named nobody");
    expect(() => sim.nameOf(3)).toThrow("no host 3");
  });

  it("refuse a second host of the same name, naming it", () => {
    const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: LATENCY_US } });
    const idle = () => ({ onStart() {}, onTimer() {}, onMessage() {} });
    sim.addHost("shard0/n1", idle);
    expect(() => sim.addHost("shard0/n1", idle)).toThrow("addHost: duplicate host name shard0/n1");
  });

  it("every fault verb takes names", () => {
    const { sim, received } = mesh(3, 4);
    sim.isolate("h1");
    sim.linkFault(["h0"], ["h2"], { loss: 1 });
    sim.pause("h0", 5);
    sim.skewClock("h2", 10);
    sim.crash("h2");
    sim.restart("h2");
    sim.run();
    expect([received(0, 1), received(1, 0), received(0, 2), received(2, 0)]).toEqual([0, 0, 0, 0]);
    expect(sim.isUp("h2")).toBe(true);
  });
});

describe("link faults", () => {
  const run = (fault: Parameters<Simulation["linkFault"]>[2], count = 400, link?: LinkOptions) => {
    const m = mesh(2, count);
    if (link !== undefined) m.sim.setLink(0, 1, link);
    m.sim.linkFault([0], [1], fault);
    m.sim.run();
    return m;
  };

  it("loss drops about that fraction, both directions", () => {
    const { received, sim } = run({ loss: 0.5 }, 2000);
    for (const n of [received(0, 1), received(1, 0)]) {
      expect(n).toBeGreaterThan(900);
      expect(n).toBeLessThan(1100);
    }
    expect(sim.messagesDropped).toBe(4000 - received(0, 1) - received(1, 0));
  });

  it("duplicate 1 delivers every message twice", () => {
    const { numbers } = run({ duplicate: 1 }, 50);
    expect(numbers(0, 1)).toHaveLength(100);
    expect(new Set(numbers(0, 1)).size).toBe(50);
  });

  it("extra latency delays every message by that much", () => {
    const times: number[] = [];
    const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: LATENCY_US } });
    sim.addHost("a", () => ({
      onStart: (ctx) => ctx.send(1, { kind: "m" }),
      onTimer() {},
      onMessage() {},
    }));
    sim.addHost("b", () => ({
      onStart() {},
      onTimer() {},
      onMessage: (ctx) => void times.push(ctx.now_us()),
    }));
    sim.start();
    sim.linkFault([0], [1], { extra_latency_us: 5000 });
    sim.run();
    expect(times).toEqual([LATENCY_US + 5000]);
  });

  it("jitter reorders a non-FIFO link and only delays a FIFO one", () => {
    const loose = run({ jitter_us: 1000 }).numbers(0, 1);
    expect(loose).toHaveLength(400);
    expect(loose).not.toEqual([...loose].sort((a, b) => a - b));
    const fifo = run({ jitter_us: 1000 }, 400, { fifo: true }).numbers(0, 1);
    expect(fifo).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });

  it("keep the configured link under the fault, and resetLink restores it", () => {
    const m = mesh(2, 400);
    m.sim.setLink(0, 1, { fifo: true, latency: { dist: "uniform", min_us: 0, max_us: 1000 } });
    m.sim.linkFault([0], [1], { loss: 0.5 });
    m.sim.at(2000, () => m.sim.resetLink(0, 1)); // messages 200.. are sent after it
    m.sim.run();
    const got = m.numbers(0, 1);
    expect(got).toEqual([...got].sort((a, b) => a - b)); // still FIFO
    expect(got.filter((n) => n >= 200)).toHaveLength(200);
    expect(got.filter((n) => n < 200).length).toBeLessThan(150);
  });

  it("end one by one: repairing the latest brings back the one before, then the configured link", () => {
    const m = mesh(2, 300);
    m.sim.setLink(0, 1, { fifo: true });
    const lossy = m.sim.linkFault(["h0"], ["h1"], { loss: 1 });
    const slow = m.sim.linkFault(["h1"], ["h0"], { extra_latency_us: 5 }); // laid over `lossy`
    m.sim.at(1000, () => m.sim.repair(slow)); // lossy again: messages 100..199 are lost
    m.sim.at(2000, () => m.sim.repair(lossy)); // as configured: 200.. arrive
    m.sim.run();
    const got = m.numbers(0, 1);
    expect(got.filter((n) => n < 100)).toHaveLength(100);
    expect(got.filter((n) => n >= 100 && n < 200)).toHaveLength(0);
    expect(got.filter((n) => n >= 200)).toHaveLength(100);
    expect(got).toEqual([...got].sort((a, b) => a - b)); // still FIFO under both faults
    expect(m.sim.repair(lossy)).toBe(false);
  });

  it("stay over the link when setLink configures it again", () => {
    const m = mesh(2, 100);
    m.sim.linkFault([0], [1], { loss: 1 });
    m.sim.setLink(0, 1, { latency: { dist: "constant", value_us: 5 } });
    m.sim.run();
    expect(m.received(0, 1)).toBe(0);
  });

  it("reject bad values", () => {
    const { sim } = mesh(2, 0);
    expect(() => sim.linkFault([0], [1], { loss: 2 })).toThrow(
      "link loss must be a probability in [0, 1], got 2",
    );
    expect(() => sim.linkFault([0], [1], { jitter_us: 1.5 })).toThrow(/jitter_us must be a whole number/);
    expect(() => sim.linkFault([0], [1], { extra_latency_us: -1 })).toThrow(/extra_latency_us/);
  });
});

describe("determinism with faults", () => {
  /** A run under a mix of faults that come and go; returns its trace hash and what was delivered. */
  function faultyRun(seed: number) {
    const { sim, got } = mesh(4, 300, seed);
    sim.linkFault([0, 1], [2, 3], { loss: 0.2, duplicate: 0.1, jitter_us: 300, extra_latency_us: 50 });
    sim.at(500, () => sim.partition([[0, 1], [2]]));
    sim.at(1200, () => sim.partitionOneWay([3], [0]));
    sim.at(2000, () => sim.heal());
    sim.at(2500, () => sim.isolate(2));
    sim.at(2800, () => sim.resetLink(0, 2));
    sim.run();
    return { hash: sim.traceHash(), got: JSON.stringify(got), dropped: sim.messagesDropped };
  }

  it("the same seed gives the same trace hash; another seed another", () => {
    const a = faultyRun(7);
    expect(faultyRun(7)).toEqual(a);
    expect(faultyRun(8).hash).not.toBe(a.hash);
  });

  it("a link without faults draws what it did before (no extra draws)", () => {
    const plain = mesh(3, 50, 3);
    plain.sim.setLink(0, 1, { latency: { dist: "uniform", min_us: 0, max_us: 500 } });
    plain.sim.run();
    const faulted = mesh(3, 50, 3);
    faulted.sim.setLink(0, 1, { latency: { dist: "uniform", min_us: 0, max_us: 500 } });
    faulted.sim.linkFault([0], [1], { extra_latency_us: 0, jitter_us: 0, loss: 0, duplicate: 0 });
    faulted.sim.run();
    expect(faulted.sim.traceHash()).toBe(plain.sim.traceHash());
  });
});
