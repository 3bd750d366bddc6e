import { describe, expect, it } from "vitest";
import type { Clock } from "../../cli/real/clock.js";
import {
  type DriverEnd,
  OK,
  type Outcome,
  RealDriver,
  type RealDriverConfig,
} from "../../cli/real/driver.js";
import { Rng } from "../../sim/rng.js";
import { ArrivalSchedule, constantRate, type RateShape } from "../../workloads/client/arrivals.js";
import type { CompletedOperation } from "../../workloads/observer.js";

/**
 * Virtual time for the driver: once every promise has settled (a setImmediate later), the clock
 * jumps to the earliest callback and runs it. Deterministic, and instant.
 */
class FakeClock implements Clock {
  now = 0;
  private readonly pending: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = [];
  private seq = 0;
  private armed = false;

  now_us(): number {
    return this.now;
  }

  at(at_us: number, fn: () => void): () => void {
    const entry = { at: at_us, seq: this.seq++, fn, cancelled: false };
    this.pending.push(entry);
    this.arm();
    return () => {
      entry.cancelled = true;
    };
  }

  sleep(for_us: number): Promise<void> {
    return new Promise((resolve) => this.at(this.now + for_us, resolve));
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    setImmediate(() => {
      this.armed = false;
      const live = this.pending.filter((p) => !p.cancelled);
      this.pending.length = 0;
      this.pending.push(...live);
      if (live.length === 0) return;
      const next = live.reduce((a, b) => (b.at < a.at || (b.at === a.at && b.seq < a.seq) ? b : a));
      this.pending.splice(this.pending.indexOf(next), 1);
      this.now = Math.max(this.now, next.at);
      next.fn();
      this.arm();
    });
  }
}

interface Op {
  readonly op: "read";
  readonly key: string;
}

/** A target that takes `service_us` per operation (or what `outcome` says), on a fake clock. */
function drive(
  config: Partial<RealDriverConfig>,
  target: { service_us: number; outcome?: (n: number) => Promise<Outcome> | Outcome },
  control: (driver: RealDriver<Op>, clock: FakeClock) => void = () => {},
): Promise<{ ops: CompletedOperation[]; end: DriverEnd; finished: number }> {
  const clock = new FakeClock();
  const ops: CompletedOperation[] = [];
  let n = 0;
  let finished = 0;
  const driver = new RealDriver<Op>({
    config: {
      rate: constantRate(100),
      arrival: "constant",
      clients: 1,
      timeout_us: 10_000_000,
      max_backlog: 100,
      warmup_us: 0,
      end_us: 100_000,
      ...config,
    },
    workload: {
      next: () => ({ op: "read", key: `k${n++}` }),
      run: async (op) => {
        await clock.sleep(target.service_us);
        return target.outcome === undefined ? OK : target.outcome(Number(op.key.slice(1)));
      },
      finished: () => {
        finished++;
      },
    },
    arrivals: Rng.fromSeed(7).split("arrivals"),
    clock,
    observer: { onOperation: (op) => ops.push(op) },
    describeError: (error) => `described: ${(error as Error).message}`,
  });
  control(driver, clock);
  return driver.run().then((end) => ({ ops, end, finished }));
}

describe("the real driver's open loop", () => {
  it("counts latency from the intended start: an operation waiting for the one client waits in its latency", async () => {
    // Arrivals every 10 ms, each operation takes 25 ms on the one client: the backlog grows.
    const { ops, end } = await drive({ end_us: 60_000 }, { service_us: 25_000 });
    expect(ops.map((o) => [o.intended_us, o.sent_us, o.completed_us])).toEqual([
      [10_000, 10_000, 35_000],
      [20_000, 35_000, 60_000],
      [30_000, 60_000, 85_000],
      [40_000, 85_000, 110_000],
      [50_000, 110_000, 135_000],
    ]);
    expect(ops.map((o) => o.latency_us)).toEqual([25_000, 40_000, 55_000, 70_000, 85_000]);
    expect(ops.every((o) => o.service_us === 25_000 && o.queue_us === o.latency_us - 25_000)).toBe(true);
    expect(end).toMatchObject({ completed: 5, stopped: false, measured_end_us: 60_000, unexpected: null });
  });

  it("draws the arrivals a simulated run at the seed draws (Poisson gaps from the stream `arrivals`)", async () => {
    const { ops } = await drive(
      { arrival: "poisson", rate: constantRate(1000), clients: 4, end_us: 50_000 },
      { service_us: 100 },
    );
    const rng = Rng.fromSeed(7).split("arrivals");
    const expected: number[] = [];
    for (
      let clock_us = rng.exponential(1000);
      Math.round(clock_us) < 50_000;
      clock_us += rng.exponential(1000)
    ) {
      expected.push(Math.round(clock_us));
    }
    expect(ops.map((o) => o.intended_us)).toEqual(expected);
  });

  it("follows a load shape on the schedule a simulated run follows (ArrivalSchedule)", async () => {
    // Nothing for 20 ms, then a ramp from 0/s to 2000/s over 40 ms, held after it.
    const rate: RateShape = {
      stages: [
        { for_us: 20_000, from_per_s: 0, to_per_s: 0 },
        { for_us: 40_000, from_per_s: 0, to_per_s: 2000 },
      ],
      after_per_s: 2000,
    };
    const { ops } = await drive(
      { arrival: "poisson", rate, clients: 4, end_us: 80_000 },
      { service_us: 100 },
    );
    const schedule = new ArrivalSchedule(rate, "poisson", Rng.fromSeed(7).split("arrivals"));
    const expected: number[] = [];
    for (let at_us = schedule.next_us(); at_us < 80_000; at_us = schedule.next_us()) expected.push(at_us);
    expect(ops.map((o) => o.intended_us)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(30);
    expect(expected[0]).toBeGreaterThan(20_000);
  });

  it("measures only operations intended after the warmup", async () => {
    const { ops } = await drive({ warmup_us: 30_000, end_us: 60_000, clients: 2 }, { service_us: 1000 });
    expect(ops.map((o) => [o.intended_us, o.measured])).toEqual([
      [10_000, false],
      [20_000, false],
      [30_000, true],
      [40_000, true],
      [50_000, true],
    ]);
  });

  it("records an operation unanswered after the timeout as info; its client goes on as a new process once free", async () => {
    const { ops } = await drive({ end_us: 25_000, timeout_us: 40_000 }, { service_us: 50_000 });
    expect(ops.map((o) => [o.key, o.process, o.result, o.error, o.sent_us, o.completed_us])).toEqual([
      // The second waited for the session the first still held.
      ["k0", 0, "info", "timeout", 10_000, 50_000],
      ["k1", 1, "info", "timeout", 60_000, 100_000],
    ]);
  });

  it("fails arrivals past a full backlog (backlog_full), and backlogged ones not sent within the timeout after the end", async () => {
    const { ops, finished } = await drive(
      { end_us: 45_000, max_backlog: 1, timeout_us: 20_000 },
      { service_us: 70_000 },
    );
    expect(ops.map((o) => [o.key, o.process, o.result, o.error, o.completed_us])).toEqual([
      ["k0", 0, "info", "timeout", 30_000],
      ["k2", -1, "fail", "backlog_full", 30_000],
      ["k3", -1, "fail", "backlog_full", 40_000],
      // Its client was free at 80 ms, past the end (45 ms) plus the timeout.
      ["k1", -1, "fail", "not_sent", 80_000],
    ]);
    expect(finished).toBe(4);
  });

  it("stops on stop(): nothing more is sent, the backlog is dropped, what was sent ends", async () => {
    const { ops, end } = await drive(
      { end_us: 1_000_000, clients: 1 },
      { service_us: 15_000 },
      (driver, clock) => {
        clock.at(42_000, () => driver.stop());
      },
    );
    expect(ops.map((o) => o.key)).toEqual(["k0", "k1", "k2"]);
    expect(end).toMatchObject({ stopped: true, measured_end_us: 42_000, completed: 3 });
  });

  it("runs a closed loop without a rate: each client sends its next operation as the last one ends", async () => {
    const { ops } = await drive({ rate: null, clients: 2, end_us: 50_000 }, { service_us: 10_000 });
    expect(ops).toHaveLength(10);
    expect(ops.every((o) => o.intended_us === o.sent_us && o.latency_us === 10_000)).toBe(true);
    expect(new Set(ops.map((o) => o.process))).toEqual(new Set([0, 1]));
  });

  it("records outcomes as given, an error no outcome names as info, and the service time a target accounts", async () => {
    const { ops, end } = await drive(
      { end_us: 50_000, clients: 2 },
      {
        service_us: 2000,
        outcome: (n) => {
          if (n === 1) return { result: "fail", error: "duplicate_key" };
          if (n === 2) throw new Error("connection lost");
          return { ...OK, service_us: 500 };
        },
      },
    );
    expect(ops.map((o) => [o.result, o.error, o.service_us, o.queue_us])).toEqual([
      ["ok", null, 500, 1500],
      ["fail", "duplicate_key", 2000, 0],
      ["info", "error", 2000, 0],
      ["ok", null, 500, 1500],
    ]);
    expect(end.unexpected).toEqual({ first: "described: connection lost", count: 1 });
  });
});
