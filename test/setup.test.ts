// test/setup.ts, loaded through vitest.config.ts: it must not be imported here, or this test would
// pass without the configuration.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

describe("property tests", () => {
  it("run from a fixed seed: the same values on every run", () => {
    const seed = fc.readConfigureGlobal().seed;
    expect(seed).toEqual(expect.any(Number));
    const values = () => fc.sample(fc.integer(), 20);
    expect(values()).toEqual(values());
    expect(values()).toEqual(fc.sample(fc.integer(), { numRuns: 20, seed }));
  });
});
