import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMPTY, EventQueue, LATER, POPPED } from "../../sim/event-queue.js";

/** A push at `floor + push`, or a popUntil(floor + until): the simulator's two calls. */
type Cmd = { push: number } | { until: number };

/** Pops the earliest event whatever its time; false when empty. */
const pop = (queue: EventQueue) => queue.popUntil(Number.POSITIVE_INFINITY) === POPPED;

describe("EventQueue", () => {
  it("pops in (time, insertion order) like a stable sort, under any interleaving of push and popUntil", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ push: fc.integer({ min: 0, max: 50 }) }),
            fc.record({ until: fc.integer({ min: 0, max: 50 }) }),
          ),
          { maxLength: 400 },
        ),
        (commands: Cmd[]) => {
          const queue = new EventQueue(16);
          const model: { time: number; id: number }[] = [];
          let id = 0;
          let floor = 0; // a simulator never schedules before its clock
          for (const cmd of commands) {
            if ("push" in cmd) {
              const time = floor + cmd.push;
              queue.push(time, 1, id, id, id * 2);
              model.push({ time, id });
              id++;
            } else {
              const until_us = floor + cmd.until;
              model.sort((a, b) => a.time - b.time || a.id - b.id);
              const expected = model[0];
              const outcome = queue.popUntil(until_us);
              if (expected === undefined) {
                expect(outcome).toBe(EMPTY);
              } else if (expected.time > until_us) {
                // The clock stops at until_us, short of the earliest event: later pushes may precede it.
                expect(outcome).toBe(LATER);
                floor = until_us;
              } else {
                expect(outcome).toBe(POPPED);
                model.shift();
                expect([queue.poppedTime_us, queue.poppedTarget, queue.poppedA, queue.poppedB]).toEqual([
                  expected.time,
                  expected.id,
                  expected.id,
                  expected.id * 2,
                ]);
                floor = expected.time;
              }
            }
            expect(queue.size).toBe(model.length);
          }
        },
      ),
      { seed: 20260514, numRuns: 300 },
    );
  });

  it("keeps insertion order among many equal times across growth", () => {
    const queue = new EventQueue(16);
    for (let i = 0; i < 5000; i++) queue.push(i % 3 === 0 ? 7 : 3, 0, i, 0, 0);
    const order: number[] = [];
    while (pop(queue)) order.push(queue.poppedTarget);
    const threes = order.slice(0, order.length - 1667);
    expect(threes).toEqual([...threes].sort((a, b) => a - b));
    expect(order.slice(-1667)).toEqual(order.slice(-1667).sort((a, b) => a - b));
    expect(order).toHaveLength(5000);
  });

  it("takes an event earlier than the minimum it has already settled on (run stopped short)", () => {
    const queue = new EventQueue();
    queue.push(100, 0, 1, 0, 0);
    queue.push(100, 0, 2, 0, 0);
    expect(queue.popUntil(60)).toBe(LATER); // settles on 100; the clock stops at 60
    queue.push(50, 0, 3, 0, 0);
    queue.push(100, 0, 4, 0, 0);
    const order: number[] = [];
    while (pop(queue)) order.push(queue.poppedTarget);
    expect(order).toEqual([3, 1, 2, 4]);
  });

  it("orders times beyond 2^32 us", () => {
    const queue = new EventQueue();
    const times = [2 ** 45 + 3, 2 ** 32, 2 ** 32 - 1, 2 ** 45, 7];
    for (const t of times) queue.push(t, 0, 0, 0, 0);
    const out: number[] = [];
    while (pop(queue)) out.push(queue.poppedTime_us);
    expect(out).toEqual([...times].sort((a, b) => a - b));
  });

  it("pops only events at or before the bound, and says whether the queue is empty", () => {
    const queue = new EventQueue();
    expect(queue.popUntil(10)).toBe(EMPTY);
    queue.push(10, 0, 0, 0, 0);
    queue.push(5, 0, 0, 0, 0);
    expect(queue.popUntil(4)).toBe(LATER);
    expect([queue.popUntil(9), queue.poppedTime_us]).toEqual([POPPED, 5]);
    expect(queue.popUntil(9)).toBe(LATER);
    expect([queue.popUntil(10), queue.poppedTime_us]).toEqual([POPPED, 10]);
    expect(queue.popUntil(10)).toBe(EMPTY);
  });
});
