import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../sim/event-queue.js";

type Cmd = { push: number } | { pop: true } | { peek: true };

describe("EventQueue", () => {
  it("pops in (time, insertion order) like a stable sort, under any interleaving of push and pop", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 50 }) }), fc.constant({ pop: true as const })),
          {
            maxLength: 400,
          },
        ),
        (commands: Cmd[]) => {
          const queue = new EventQueue(16);
          const model: { time: number; id: number }[] = [];
          let id = 0;
          let floor = 0; // a simulator never schedules into the past
          for (const cmd of commands) {
            if ("peek" in cmd) {
              // Peeking may settle the queue past `floor`; later pushes may still land before it.
              const min = model.reduce((m, e) => Math.min(m, e.time), Number.POSITIVE_INFINITY);
              expect(queue.peekTimeUs()).toBe(min);
            } else if ("push" in cmd) {
              const time = floor + cmd.push;
              queue.push(time, 1, id, id, id * 2);
              model.push({ time, id });
              id++;
            } else {
              const expected = model.sort((a, b) => a.time - b.time || a.id - b.id).shift();
              const popped = queue.pop();
              expect(popped).toBe(expected !== undefined);
              if (expected === undefined) continue;
              expect([queue.poppedTimeUs, queue.poppedTarget, queue.poppedA, queue.poppedB]).toEqual([
                expected.time,
                expected.id,
                expected.id,
                expected.id * 2,
              ]);
              floor = expected.time;
            }
            expect(queue.size).toBe(model.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps insertion order among many equal times across growth", () => {
    const queue = new EventQueue(16);
    for (let i = 0; i < 5000; i++) queue.push(i % 3 === 0 ? 7 : 3, 0, i, 0, 0);
    const order: number[] = [];
    while (queue.pop()) order.push(queue.poppedTarget);
    const threes = order.slice(0, order.length - 1667);
    expect(threes).toEqual([...threes].sort((a, b) => a - b));
    expect(order.slice(-1667)).toEqual(order.slice(-1667).sort((a, b) => a - b));
    expect(order).toHaveLength(5000);
  });

  it("takes an event earlier than the minimum it has already settled on (run stopped short)", () => {
    const queue = new EventQueue();
    queue.push(100, 0, 1, 0, 0);
    queue.push(100, 0, 2, 0, 0);
    expect(queue.peekTimeUs()).toBe(100);
    queue.push(50, 0, 3, 0, 0);
    queue.push(100, 0, 4, 0, 0);
    const order: number[] = [];
    while (queue.pop()) order.push(queue.poppedTarget);
    expect(order).toEqual([3, 1, 2, 4]);
  });

  it("orders times beyond 2^32 us", () => {
    const queue = new EventQueue();
    const times = [2 ** 45 + 3, 2 ** 32, 2 ** 32 - 1, 2 ** 45, 7];
    for (const t of times) queue.push(t, 0, 0, 0, 0);
    const out: number[] = [];
    while (queue.pop()) out.push(queue.poppedTimeUs);
    expect(out).toEqual([...times].sort((a, b) => a - b));
  });

  it("reports the earliest time and Infinity when empty", () => {
    const queue = new EventQueue();
    expect(queue.peekTimeUs()).toBe(Number.POSITIVE_INFINITY);
    queue.push(10, 0, 0, 0, 0);
    queue.push(5, 0, 0, 0, 0);
    expect(queue.peekTimeUs()).toBe(5);
    queue.pop();
    expect(queue.peekTimeUs()).toBe(10);
    queue.pop();
    expect(queue.pop()).toBe(false);
  });
});
