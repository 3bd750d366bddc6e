// The textual value forms of a scenario file: durations ("500us", "10s"), rates ("2000/s"), fsync
// policies ("interval:10ms") and bandwidths ("1Gbit/s"). Pure functions of their text; errors are
// UnitErrors that say what is allowed.

import type { FsyncPolicy } from "../node/server.js";

/** A value that does not follow its unit syntax. The message is meant for the user as is. */
export class UnitError extends Error {
  override readonly name = "UnitError";
}

/** Microseconds per unit. Virtual time is an integer count of µs, so every duration resolves to one. */
export const DURATION_UNITS_US = {
  h: 3_600_000_000,
  m: 60_000_000,
  s: 1_000_000,
  ms: 1_000,
  us: 1,
} as const;

export type DurationUnit = keyof typeof DURATION_UNITS_US;

/** Largest unit first: the order formatDurationUs tries them in. */
const UNITS_LARGEST_FIRST = Object.keys(DURATION_UNITS_US) as DurationUnit[];

const DURATION_PATTERN = /^(\d+)(?:\.(\d+))?(us|ms|s|m|h)$/;
const DURATION_HELP = "use a number and a unit (us, ms, s, m, h), e.g. 500us, 2ms, 10s";

/** Parses "500us", "2ms", "1.5s", "5m", "1h" or a bare "0" into an integer number of µs. */
export function parseDurationUs(text: string): number {
  if (text === "0") return 0;
  const match = DURATION_PATTERN.exec(text);
  if (match === null) throw new UnitError(`${JSON.stringify(text)} is not a duration: ${DURATION_HELP}`);
  const [, whole = "", fraction = "", unit = "us"] = match;
  // Exact decimal arithmetic: "1.001s" must be 1001000 µs, not 1000999.9999999999.
  const scaled = BigInt(whole + fraction) * BigInt(DURATION_UNITS_US[unit as DurationUnit]);
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) {
    throw new UnitError(
      `${JSON.stringify(text)} is not a whole number of microseconds (the clock's resolution): ${DURATION_HELP}`,
    );
  }
  const us = scaled / divisor;
  if (us > BigInt(Number.MAX_SAFE_INTEGER))
    throw new UnitError(`${JSON.stringify(text)} is too long a duration`);
  return Number(us);
}

/** Like parseDurationUs, but null instead of an error: for checks that only compare valid values. */
export function tryParseDurationUs(text: string): number | null {
  try {
    return parseDurationUs(text);
  } catch (error) {
    if (error instanceof UnitError) return null;
    throw error;
  }
}

/** The shortest exact form: the largest unit that divides `us`, e.g. 1_500_000 -> "1500ms", 0 -> "0s". */
export function formatDurationUs(us: number): string {
  if (!Number.isSafeInteger(us) || us < 0) {
    throw new RangeError(`formatDurationUs: expected a non-negative integer number of µs, got ${us}`);
  }
  if (us === 0) return "0s";
  for (const unit of UNITS_LARGEST_FIRST) {
    const size = DURATION_UNITS_US[unit];
    if (us % size === 0) return `${us / size}${unit}`;
  }
  return `${us}us`; // unreachable: 1 µs divides every integer
}

const RATE_PATTERN = /^(\d+(?:\.\d+)?)(k?)\/s$/;

/** Parses "2000/s" or "2.5k/s" into operations per second (> 0; may be fractional). */
export function parseRatePerS(text: string): number {
  const match = RATE_PATTERN.exec(text);
  if (match === null) {
    throw new UnitError(
      `${JSON.stringify(text)} is not a rate: use a number per second, e.g. 2000/s or 2.5k/s`,
    );
  }
  const [, number = "", thousands = ""] = match;
  // "1.1e3" parses exactly to 1100, where 1.1 * 1000 would give 1100.0000000000002.
  const perS = Number(thousands === "k" ? `${number}e3` : number);
  if (!(perS > 0)) throw new UnitError(`${JSON.stringify(text)} is not a rate: it must be more than 0/s`);
  return perS;
}

export type { FsyncPolicy } from "../node/server.js";

const FSYNC_HELP = "use always, never or interval:<duration>, e.g. interval:10ms";

/** Parses "always", "never" or "interval:<duration>" (the interval must be more than 0). */
export function parseFsyncPolicy(text: string): FsyncPolicy {
  if (text === "always" || text === "never") return { kind: text };
  if (!text.startsWith("interval:")) {
    throw new UnitError(`${JSON.stringify(text)} is not an fsync policy: ${FSYNC_HELP}`);
  }
  const intervalText = text.slice("interval:".length);
  let interval_us: number;
  try {
    interval_us = parseDurationUs(intervalText);
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
    throw new UnitError(`${JSON.stringify(text)}: the interval ${error.message}`);
  }
  if (interval_us === 0) throw new UnitError(`${JSON.stringify(text)}: the interval must be more than 0`);
  return { kind: "interval", interval_us };
}

/** Bytes per unit of a size: binary (KiB, MiB, GiB, TiB) and decimal (kB, MB, GB, TB). */
const BYTE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
};

const BYTE_SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/;

/** Parses "8GiB", "512MiB", "2GB" or a bare number of bytes into a whole number of bytes (> 0). */
export function parseByteSize(text: string): number {
  const match = BYTE_SIZE_PATTERN.exec(text.trim());
  const unit = BYTE_UNITS[match?.[2] || "B"];
  if (match === null || unit === undefined) {
    throw new UnitError(
      `${JSON.stringify(text)} is not a size: use a number and a unit (B, KiB, MiB, GiB, TiB, kB, MB, GB, TB), e.g. 8GiB`,
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) {
    throw new UnitError(
      `${JSON.stringify(text)} is not a size: it must be at least 1 byte and at most 8 PiB`,
    );
  }
  return bytes;
}

/** Bytes per second of each bandwidth unit: bits (decimal) and bytes (decimal and binary). */
const BANDWIDTH_UNITS: Readonly<Record<string, number>> = {
  "bit/s": 1 / 8,
  "kbit/s": 1e3 / 8,
  "Mbit/s": 1e6 / 8,
  "Gbit/s": 1e9 / 8,
  "Tbit/s": 1e12 / 8,
  "B/s": 1,
  "kB/s": 1e3,
  "MB/s": 1e6,
  "GB/s": 1e9,
  "KiB/s": 2 ** 10,
  "MiB/s": 2 ** 20,
  "GiB/s": 2 ** 30,
};

const BANDWIDTH_PATTERN = /^(\d+(?:\.\d+)?)([A-Za-z]+\/s)$/;
const BANDWIDTH_HELP =
  "use a number and a unit (bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s, B/s, kB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s), e.g. 1Gbit/s or 125MB/s";

/** Parses "1Gbit/s", "100Mbit/s", "125MB/s" or "64KiB/s" into bytes per second (> 0; may be fractional). */
export function parseBandwidthBytesPerS(text: string): number {
  const match = BANDWIDTH_PATTERN.exec(text);
  const perUnit = BANDWIDTH_UNITS[match?.[2] ?? ""];
  if (match === null || perUnit === undefined)
    throw new UnitError(`${JSON.stringify(text)} is not a bandwidth: ${BANDWIDTH_HELP}`);
  const bytesPerS = Number(match[1]) * perUnit;
  if (!(bytesPerS > 0))
    throw new UnitError(`${JSON.stringify(text)} is not a bandwidth: it must be more than 0`);
  return bytesPerS;
}

/** A size for messages: "512 bytes", "1 MiB", "3.7 GiB" (binary units, at most one decimal). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? "" : "s"}`;
  const units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (Math.round(value * 10) / 10 >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded : rounded.toFixed(1)} ${units[unit]}`;
}
