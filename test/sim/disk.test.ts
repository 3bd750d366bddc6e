import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Disk } from "../../sim/disk.js";

/** The disk as a plain list: what every operation must amount to, however the log is stored. */
class ModelDisk {
  entries: number[] = [];
  base = 0;
  durable = 0;
  lost: number[] = [];
  get length(): number {
    return this.base + this.entries.length;
  }
}

type Step =
  | { kind: "append"; count: number }
  | { kind: "sync"; back: number }
  | { kind: "trim"; back: number }
  | { kind: "truncate"; back: number }
  | { kind: "crash" }
  | { kind: "reset"; ahead: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant("append" as const), count: fc.integer({ min: 1, max: 5000 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("sync" as const), back: fc.integer({ min: 0, max: 3000 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("trim" as const), back: fc.integer({ min: 0, max: 3000 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("truncate" as const), back: fc.integer({ min: 0, max: 500 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("crash" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("reset" as const), ahead: fc.integer({ min: 0, max: 100 }) }),
  },
);

describe("the disk's log", () => {
  it("holds what a plain list would, through appends, syncs, trims, truncations, crashes and resets", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const disk = new Disk(0);
        const model = new ModelDisk();
        let next = 0;
        for (const s of steps) {
          switch (s.kind) {
            case "append":
              for (let i = 0; i < s.count; i++) {
                const position = disk.append(next);
                if (position !== model.length) expect(position).toBe(model.length);
                model.entries.push(next++);
              }
              break;
            case "sync": {
              const to = Math.max(0, model.length - s.back);
              disk.syncTo(to);
              model.durable = Math.max(model.durable, to);
              break;
            }
            case "trim": {
              const before = Math.max(0, model.length - s.back);
              disk.trimBefore(before);
              const drop = Math.min(before, model.durable) - model.base;
              if (drop > 0) {
                model.entries.splice(0, drop);
                model.base += drop;
              }
              break;
            }
            case "truncate": {
              const from = Math.max(model.base, model.length - s.back);
              const removed = disk.truncateFrom(from);
              expect(removed).toEqual(model.entries.splice(from - model.base));
              model.durable = Math.min(model.durable, from);
              break;
            }
            case "crash":
              disk.crash();
              model.lost = model.entries.splice(model.durable - model.base);
              expect(disk.takeLostTail()).toEqual(model.lost);
              break;
            case "reset": {
              const to = model.length + s.ahead;
              disk.resetTo(to);
              Object.assign(model, { entries: [], base: to, durable: to });
              break;
            }
          }
          expect(disk.length).toBe(model.length);
          expect(disk.firstPosition).toBe(model.base);
          expect(disk.durableLength).toBe(model.durable);
        }
        for (let p = model.base - 2; p < model.length + 2; p++) {
          expect(disk.entryAt(p)).toBe(
            p >= model.base && p < model.length ? model.entries[p - model.base] : undefined,
          );
        }
      }),
      { seed: 20261206, numRuns: 100 },
    );
  });

  it("trims at a flat cost per entry however long the log has grown (no splice of its head)", () => {
    // Two million entries trimmed one at a time: a head splice per trim would move 10^12 slots.
    const disk = new Disk(0);
    for (let i = 0; i < 2_000_000; i++) {
      disk.append(i);
      disk.syncTo(disk.length);
      if (i >= 1_000_000) disk.trimBefore(i - 1_000_000);
    }
    expect(disk.firstPosition).toBe(999_999);
    expect(disk.entryAt(1_999_999)).toBe(1_999_999);
  });
});
