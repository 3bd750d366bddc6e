import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatDurationUs,
  parseBandwidthBytesPerS,
  parseDurationUs,
  parseFsyncPolicy,
  parseRatePerS,
  UnitError,
} from "../../../engine/settings/units.js";

const DURATION_HELP = "use a number and a unit (us, ms, s, m, h), e.g. 500us, 2ms, 10s";

describe("parseDurationUs", () => {
  it.each([
    ["0", 0],
    ["0us", 0],
    ["0s", 0],
    ["500us", 500],
    ["2ms", 2_000],
    ["1.5s", 1_500_000],
    ["10s", 10_000_000],
    ["5m", 300_000_000],
    ["1h", 3_600_000_000],
    ["0.5ms", 500],
    ["1.001s", 1_001_000], // exact: 1.001 * 1e6 is 1000999.9999999999 in floating point
    ["0.1m", 6_000_000],
    ["1.25h", 4_500_000_000],
    ["007ms", 7_000],
  ])("%s is %d µs", (text, us) => {
    expect(parseDurationUs(text)).toBe(us);
  });

  it.each([
    "10parsecs",
    "10",
    "1",
    "",
    "s",
    "ms",
    "-1s",
    "+1s",
    "1.s",
    ".5s",
    "1e3ms",
    "1 s",
    " 1s",
    "1s ",
    "1S",
    "1sec",
    "1d",
    "1,5s",
    "1_000ms",
    "0x10ms",
  ])("%j is not a duration", (text) => {
    expect(() => parseDurationUs(text)).toThrow(
      new UnitError(`${JSON.stringify(text)} is not a duration: ${DURATION_HELP}`),
    );
  });

  it.each(["0.5us", "1.0001ms", "0.0000001s"])("%s is not a whole number of µs", (text) => {
    expect(() => parseDurationUs(text)).toThrow(
      new UnitError(
        `${JSON.stringify(text)} is not a whole number of microseconds (the clock's resolution): ${DURATION_HELP}`,
      ),
    );
  });

  it("rejects durations past the safe integer range", () => {
    expect(() => parseDurationUs("9999999999999h")).toThrow(UnitError);
  });

  it("throws UnitError with the documented message", () => {
    expect(() => parseDurationUs("10parsecs")).toThrow(
      '"10parsecs" is not a duration: use a number and a unit (us, ms, s, m, h), e.g. 500us, 2ms, 10s',
    );
  });
});

describe("formatDurationUs", () => {
  it.each([
    [0, "0s"],
    [1, "1us"],
    [500, "500us"],
    [1_500, "1500us"],
    [2_000, "2ms"],
    [1_500_000, "1500ms"],
    [10_000_000, "10s"],
    [90_000_000, "90s"],
    [60_000_000, "1m"],
    [3_600_000_000, "1h"],
    [86_400_000_000, "24h"],
    [5_400_000_000, "90m"],
  ])("%d µs is %s", (us, text) => {
    expect(formatDurationUs(us)).toBe(text);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])("rejects %d", (us) => {
    expect(() => formatDurationUs(us)).toThrow(RangeError);
  });

  it("parse(format(us)) is us for every integer µs", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (us) => {
        expect(parseDurationUs(formatDurationUs(us))).toBe(us);
      }),
    );
  });

  it("format picks the largest unit that divides exactly, so format(parse(text)) is canonical", () => {
    const units = [
      ["us", 1],
      ["ms", 1_000],
      ["s", 1_000_000],
      ["m", 60_000_000],
      ["h", 3_600_000_000],
    ] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(...units),
        (count, [unit, size]) => {
          const us = parseDurationUs(`${count}${unit}`);
          expect(us).toBe(count * size);
          const formatted = formatDurationUs(us);
          expect(parseDurationUs(formatted)).toBe(us);
          expect(formatted.length).toBeLessThanOrEqual(`${count}${unit}`.length);
        },
      ),
    );
  });
});

describe("parseRatePerS", () => {
  it.each([
    ["2000/s", 2000],
    ["1/s", 1],
    ["0.5/s", 0.5],
    ["2.5k/s", 2500],
    ["1.1k/s", 1100], // not 1100.0000000000002
    ["10k/s", 10_000],
  ])("%s is %d per second", (text, perS) => {
    expect(parseRatePerS(text)).toBe(perS);
  });

  it.each(["2000", "fast", "2000/min", "2000 /s", "-5/s", "1e3/s", "2M/s", "/s", "k/s", ""])(
    "%j is not a rate",
    (text) => {
      expect(() => parseRatePerS(text)).toThrow(
        new UnitError(
          `${JSON.stringify(text)} is not a rate: use a number per second, e.g. 2000/s or 2.5k/s`,
        ),
      );
    },
  );

  it.each(["0/s", "0k/s", "0.0/s"])("%s is not more than 0", (text) => {
    expect(() => parseRatePerS(text)).toThrow(
      new UnitError(`${JSON.stringify(text)} is not a rate: it must be more than 0/s`),
    );
  });
});

describe("parseFsyncPolicy", () => {
  it.each([
    ["always", { kind: "always" }],
    ["never", { kind: "never" }],
    ["interval:10ms", { kind: "interval", interval_us: 10_000 }],
    ["interval:1s", { kind: "interval", interval_us: 1_000_000 }],
  ])("%s", (text, policy) => {
    expect(parseFsyncPolicy(text)).toEqual(policy);
  });

  it.each([
    [
      "sometimes",
      '"sometimes" is not an fsync policy: use always, never or interval:<duration>, e.g. interval:10ms',
    ],
    [
      "Always",
      '"Always" is not an fsync policy: use always, never or interval:<duration>, e.g. interval:10ms',
    ],
    [
      "interval",
      '"interval" is not an fsync policy: use always, never or interval:<duration>, e.g. interval:10ms',
    ],
    ["interval:0ms", '"interval:0ms": the interval must be more than 0'],
    ["interval:0", '"interval:0": the interval must be more than 0'],
    ["interval:10", `"interval:10": the interval "10" is not a duration: ${DURATION_HELP}`],
    ["interval:", `"interval:": the interval "" is not a duration: ${DURATION_HELP}`],
  ])("%s is rejected", (text, message) => {
    expect(() => parseFsyncPolicy(text)).toThrow(new UnitError(message));
  });
});

describe("parseBandwidthBytesPerS", () => {
  it.each([
    ["1Gbit/s", 125e6],
    ["100Mbit/s", 12.5e6],
    ["10kbit/s", 1250],
    ["1Tbit/s", 125e9],
    ["8bit/s", 1],
    ["1.5Gbit/s", 187.5e6],
    ["125MB/s", 125e6],
    ["1kB/s", 1000],
    ["2GB/s", 2e9],
    ["64KiB/s", 65_536],
    ["1MiB/s", 1_048_576],
    ["1GiB/s", 2 ** 30],
    ["100B/s", 100],
  ])("%s is %d bytes per second", (text, bytesPerS) => {
    expect(parseBandwidthBytesPerS(text)).toBe(bytesPerS);
  });

  it.each(["1Gbps", "1 Gbit/s", "Gbit/s", "1gbit/s", "1Gbit", "-1Mbit/s", "1e3Mbit/s", "1Mbit/h"])(
    "rejects %s, naming the units",
    (text) => {
      expect(() => parseBandwidthBytesPerS(text)).toThrow(UnitError);
      expect(() => parseBandwidthBytesPerS(text)).toThrow(
        /is not a bandwidth: use a number and a unit \(bit\/s, kbit\/s/,
      );
    },
  );

  it("rejects 0", () => {
    expect(() => parseBandwidthBytesPerS("0Mbit/s")).toThrow(/must be more than 0/);
  });
});
