import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type KneeBounds, searchKnee } from "../../reports/knee-search.js";

/** Searches a synthetic SLO met at every rate up to `threshold`; returns the result and the rates probed. */
async function search(bounds: KneeBounds, threshold: number) {
  const probed: number[] = [];
  const result = await searchKnee(bounds, async (rate) => {
    probed.push(rate);
    return rate <= threshold;
  });
  return { ...result, probed };
}

const DEFAULTS: KneeBounds = {
  start_ops_per_s: 1000,
  floor_ops_per_s: 1,
  cap_ops_per_s: 1_000_000,
  precision: 0.05,
};

describe("the knee's search", () => {
  it("doubles from a rate that meets the SLO, then bisects to within the precision", async () => {
    const { knee_ops_per_s, breach_ops_per_s, probed } = await search(DEFAULTS, 5300);
    // [5250, 5500] is within 5% of 5250: the search stops there.
    expect(probed).toEqual([1000, 2000, 4000, 8000, 6000, 5000, 5500, 5250]);
    expect(knee_ops_per_s).toBe(5250);
    expect(breach_ops_per_s).toBe(5500);
  });

  it("halves from a rate that breaches it", async () => {
    const { knee_ops_per_s, breach_ops_per_s, probed } = await search(DEFAULTS, 300);
    expect(probed.slice(0, 3)).toEqual([1000, 500, 250]);
    expect(knee_ops_per_s).toBeLessThanOrEqual(300);
    expect(breach_ops_per_s).toBeGreaterThan(300);
  });

  it("gives no knee when the floor breaches, and no breach when the cap meets it", async () => {
    const below = await search({ ...DEFAULTS, floor_ops_per_s: 400 }, 300);
    expect(below).toMatchObject({ knee_ops_per_s: null, breach_ops_per_s: 400, probed: [1000, 500, 400] });
    const above = await search({ ...DEFAULTS, cap_ops_per_s: 3000 }, 5000);
    expect(above).toMatchObject({ knee_ops_per_s: 3000, breach_ops_per_s: null, probed: [1000, 2000, 3000] });
  });

  it("brackets the knee of any monotone SLO within the precision, in a bounded number of whole rates", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 500 }),
        async (start, a, b, threshold, permille) => {
          const floor = Math.min(a, b);
          const cap = Math.max(a, b);
          const precision = permille / 1000;
          const bounds = { start_ops_per_s: start, floor_ops_per_s: floor, cap_ops_per_s: cap, precision };
          const { knee_ops_per_s: knee, breach_ops_per_s: breach, probed } = await search(bounds, threshold);
          for (const rate of probed) {
            expect(Number.isInteger(rate)).toBe(true);
            expect(rate).toBeGreaterThanOrEqual(floor);
            expect(rate).toBeLessThanOrEqual(cap);
          }
          expect(new Set(probed).size).toBe(probed.length);
          const met = probed.filter((rate) => rate <= threshold);
          const breached = probed.filter((rate) => rate > threshold);
          // The knee is the largest probed rate that met the SLO, the breach the smallest that did not.
          expect(knee).toBe(met.length === 0 ? null : Math.max(...met));
          expect(breach).toBe(breached.length === 0 ? null : Math.min(...breached));
          if (knee === null) expect(floor).toBeGreaterThan(threshold);
          if (breach === null) expect(cap).toBeLessThanOrEqual(threshold);
          if (knee !== null && breach !== null) {
            expect(breach - knee).toBeLessThanOrEqual(Math.max(1, precision * knee));
          }
          // Doublings or halvings across [floor, cap], then bisections down to the precision.
          const most = 2 + Math.ceil(Math.log2(cap / floor)) + Math.ceil(Math.log2(1 / precision)) + 1;
          expect(probed.length).toBeLessThanOrEqual(most);
        },
      ),
      { numRuns: 500 },
    );
  });
});
