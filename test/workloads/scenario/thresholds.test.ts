import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../workloads/scenario/load.js";
import {
  formatThreshold,
  MAX_THRESHOLDS,
  parseSlo,
  parseThreshold,
  plainDecimal,
  type Threshold,
  ThresholdError,
} from "../../../workloads/scenario/thresholds.js";
import { loadError } from "./helpers.js";

function thresholdError(figure: string, condition: string): string {
  try {
    parseThreshold(figure, condition);
  } catch (error) {
    if (error instanceof ThresholdError) return error.message;
    throw error;
  }
  throw new Error(`${figure} ${condition} parsed`);
}

describe("parseThreshold", () => {
  it.each([
    ["update.p99", "< 10ms", "<", 10_000, "duration", "ms"],
    ["update.p99", "<=1.5s", "<=", 1_500_000, "duration", "s"],
    ["all.mean", "> 250µs", ">", 250, "duration", "µs"],
    ["all.error_rate", "< 0.1%", "<", 0.001, "ratio", "%"],
    ["all.error_rate", "!= 0.25", "!=", 0.25, "ratio", ""],
    ["throughput", "> 1900/s", ">", 1900, "rate", "/s"],
    ["throughput", ">= 2.5k/s", ">=", 2500, "rate", "k/s"],
    ["lost_writes", "== 0", "==", 0, "count", ""],
    ["read.fail", "< 3", "<", 3, "count", ""],
    ["write_outage", "< 2s", "<", 2_000_000, "duration", "s"],
    ["replication.lag.p99", "< 5ms", "<", 5000, "duration", "ms"],
    ["sharding.skew", "< 1.5", "<", 1.5, "number", ""],
    ["sharding.moved_fraction", "< 10%", "<", 0.1, "ratio", "%"],
    ["final_reads.end_s", "< 30s", "<", 30_000_000, "duration", "s"],
    ["ops.read.queue_us.p99", "< 1ms", "<", 1000, "duration", "ms"],
    ["checks.stale_reads.count", "== 0", "==", 0, "number", ""],
  ] as const)("%s %s", (figure, condition, comparator, bound, kind, unit) => {
    const threshold = parseThreshold(figure, condition);
    expect(threshold).toMatchObject({ figure, condition, comparator, bound, kind, unit });
  });

  it("locates each short name's value in the report", () => {
    expect(parseThreshold("update.p99", "< 1ms").locator).toEqual({
      source: "path",
      path: ["ops", "update", "latency_us", "p99"],
    });
    expect(parseThreshold("throughput", "> 1/s").locator).toEqual({
      source: "path",
      path: ["throughput_ops_per_s"],
    });
    expect(parseThreshold("final_reads.end_s", "< 1s").locator).toEqual({
      source: "path",
      path: ["final_reads", "end_s"],
      scale_us: 1_000_000,
    });
    expect(parseThreshold("all.error_rate", "< 1%").locator).toEqual({ source: "error_rate", op: "all" });
  });

  it.each([
    ["update.p99", "< 10", "update.p99 is a latency: write a duration such as 10ms"],
    ["update.p99", "< 10/s", "update.p99 is a latency: write a duration such as 10ms"],
    ["throughput", "> 1900", "throughput is a rate: write operations per second such as 1900/s"],
    ["all.error_rate", "< 0.1ms", "all.error_rate is a ratio: write a percentage such as 0.1%"],
    ["all.error_rate", "< 150%", "(at most 100%)"],
    ["lost_writes", "== 0.5", "lost_writes is a count: write a whole number such as 0"],
    ["sharding.skew", "< 2x", "sharding.skew is a number: write a plain number"],
    ["update.p99", "10ms", 'update.p99: "10ms" is not a condition: write a comparator'],
    ["update.p99", "=< 10ms", "is not a condition"],
    ["update.p99", "< -1ms", "is not a condition"],
    ["update.p99", "", "is not a condition"],
    ["update.p9", "< 1ms", '"update.p9" is not a threshold figure: use throughput, lost_writes'],
    ["ops.read.latency_us.p98", "< 1ms", "is not a threshold figure"],
    ["replication.lag.p90", "< 1ms", "is not a threshold figure"],
    ["checks.nope.count", "== 0", "is not a threshold figure"],
    ["update..p99", "< 1ms", "is not a threshold figure"],
    ["host.wall_s", "< 1s", "host figures depend on the machine, not the seed"],
    ["x".repeat(200), "< 1", "at most 160 characters"],
    ["update.p99", `< ${"1".repeat(70)}ms`, "the condition is at most 64 characters"],
  ])("refuses %s %j in one line naming what it takes", (figure, condition, expected) => {
    const message = thresholdError(figure, condition);
    expect(message).toContain(expected);
    expect(message).not.toContain("\n");
  });
});

describe("parseSlo", () => {
  it("reads a figure, a comparator and a bound in one string, with or without spaces", () => {
    expect(parseSlo("all.p99 < 10ms")).toEqual(parseThreshold("all.p99", "< 10ms"));
    expect(parseSlo("all.p99<=10ms")).toMatchObject({ figure: "all.p99", comparator: "<=", bound: 10_000 });
  });

  it.each([["all.p99"], ["< 10ms"], ["all.p99 10ms"]])("refuses %j", (text) => {
    expect(() => parseSlo(text)).toThrow(ThresholdError);
  });
});

describe("formatThreshold", () => {
  it("writes the bound in a unit that reads back exactly", () => {
    expect(formatThreshold(parseThreshold("all.error_rate", "< 0.07"))).toBe("all.error_rate < 7%");
    expect(formatThreshold(parseThreshold("update.p99", "<= 1.5s"))).toBe("update.p99 <= 1500ms");
    expect(formatThreshold(parseThreshold("throughput", "> 0.0000001/s"))).toBe("throughput > 0.0000001/s");
    expect(plainDecimal(1e21)).toBe("1000000000000000000000");
    expect(plainDecimal(1.5e-7)).toBe("0.00000015");
  });

  // Formatting a parsed threshold and parsing it again gives the same threshold (its figure,
  // comparator, kind and bound exactly); the canonical form is a fixed point.
  const figures: [string, fc.Arbitrary<string>][] = [
    ["update.p99", durationText()],
    ["write_outage", durationText()],
    ["final_reads.end_s", durationText()],
    ["throughput", rateText()],
    ["all.error_rate", ratioText()],
    ["lost_writes", fc.nat({ max: 1e12 }).map(String)],
    ["sharding.skew", decimalText()],
  ];
  it("round-trips every kind's bound through its units", () => {
    const comparator = fc.constantFrom("<", "<=", ">", ">=", "==", "!=");
    const threshold = fc
      .constantFrom(...figures)
      .chain(([figure, bound]) =>
        fc
          .tuple(comparator, fc.constantFrom("", " "), bound)
          .map(([c, space, b]) => parseThreshold(figure, `${c}${space}${b}`)),
      );
    fc.assert(
      fc.property(threshold, (parsed: Threshold) => {
        const again = parseSlo(formatThreshold(parsed));
        expect(again.bound).toBe(parsed.bound);
        expect(again.comparator).toBe(parsed.comparator);
        expect(again.kind).toBe(parsed.kind);
        expect(again.locator).toEqual(parsed.locator);
        expect(formatThreshold(again)).toBe(formatThreshold(parsed));
      }),
    );
  });
});

function durationText(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: 86_400_000_000 }).map((us) => `${us}us`),
    fc.nat({ max: 86_400_000 }).map((ms) => `${ms}ms`),
    fc
      .tuple(fc.nat({ max: 86_400 }), fc.nat({ max: 999_999 }))
      .map(([s, us]) => `${s}.${String(us).padStart(6, "0")}s`),
    fc.nat({ max: 1000 }).map((us) => `${us}µs`),
  );
}

function rateText(): fc.Arbitrary<string> {
  return fc.oneof(
    decimalText()
      .filter((text) => Number(text) > 0)
      .map((text) => `${text}/s`),
    decimalText()
      .filter((text) => Number(text) > 0)
      .map((text) => `${text}k/s`),
  );
}

function ratioText(): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .tuple(fc.nat({ max: 100 }), fc.nat({ max: 9999 }))
      .map(([whole, part]) => `${whole}.${part}%`)
      .filter((text) => Number.parseFloat(text) <= 100),
    fc.nat({ max: 999_999 }).map((part) => `0.${String(part).padStart(6, "0")}`),
  );
}

function decimalText(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat({ max: 1_000_000 }), fc.option(fc.nat({ max: 999_999 }), { nil: undefined }))
    .map(([whole, part]) => (part === undefined ? String(whole) : `${whole}.${part}`));
}

describe("the scenario's thresholds", () => {
  it("are optional with no default: a scenario without them echoes none", () => {
    const { doc } = loadScenario("name: x\n");
    expect("thresholds" in doc).toBe(false);
  });

  it("keep what the file says", () => {
    const { doc } = loadScenario('name: x\nthresholds: { update.p99: "< 10ms", throughput: "> 1900/s" }\n');
    expect(doc.thresholds).toEqual({ "update.p99": "< 10ms", throughput: "> 1900/s" });
  });

  it("refuse a bad figure or unit at load, with the file position", () => {
    const error = loadError('name: x\nthresholds:\n  update.p99: "< 10ms"\n  read.p99: "< 10"\n', {
      sourceName: "s.yaml",
    });
    expect(error.message).toBe(
      "s.yaml:4:13: thresholds.read.p99: read.p99 is a latency: write a duration such as 10ms (us, µs, ms, s, m, h) " +
        '(got "< 10")',
    );
    expect(loadError('name: x\nthresholds: { nope: "< 1" }\n').message).toContain(
      'thresholds.nope: "nope" is not a threshold figure',
    );
  });

  it("refuse a condition that is not a string, and more than the limit", () => {
    expect(loadError("name: x\nthresholds: { lost_writes: 0 }\n").message).toContain(
      "thresholds.lost_writes: expected a string",
    );
    const many = Array.from({ length: MAX_THRESHOLDS + 1 }, (_, i) => `  op${i}.p99: "< 1ms"`).join("\n");
    expect(loadError(`name: x\nthresholds:\n${many}\n`).message).toContain(
      `thresholds: at most ${MAX_THRESHOLDS} thresholds (got ${MAX_THRESHOLDS + 1})`,
    );
  });

  it("are set on the command line as one mapping (--set splits its path at dots)", () => {
    const { doc } = loadScenario("name: x\n", {
      overrides: ['thresholds={all.p99: "< 5ms", throughput: "> 10/s"}'],
    });
    expect(doc.thresholds).toEqual({ "all.p99": "< 5ms", throughput: "> 10/s" });
  });
});
