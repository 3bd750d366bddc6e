// YCSB's CoreWorkload (site.ycsb.workloads.CoreWorkload) as an operation generator: the presets of
// YCSB's workloads/workloada..f files, and the choice of operation, key, field and scan length for
// each transaction of the run phase. The client driver executes the operations and calls
// `acknowledgeInsert` when an insert completes, which is what lets the key choosers (and
// `latest` above all) pick the new record.

import type { Rng } from "../../../sim/rng.js";
import { ycsbKeyName } from "./fnv.js";
import {
  AcknowledgedCounterGenerator,
  DiscreteGenerator,
  ExponentialGenerator,
  HotspotIntegerGenerator,
  type NumberGenerator,
  ScrambledZipfianGenerator,
  SequentialGenerator,
  SkewedLatestGenerator,
  UniformLongGenerator,
  ZIPFIAN_CONSTANT,
  ZipfianGenerator,
} from "./generators.js";

export const YCSB_OP_KINDS = ["read", "update", "insert", "scan", "rmw"] as const;
export type YcsbOpKind = (typeof YCSB_OP_KINDS)[number];
export const YCSB_DISTRIBUTIONS = [
  "uniform",
  "zipfian",
  "latest",
  "hotspot",
  "sequential",
  "exponential",
] as const;
export type YcsbDistribution = (typeof YCSB_DISTRIBUTIONS)[number];

/** Proportions of the operation kinds (YCSB's readproportion, ...); normalized by their sum. */
export interface YcsbMix {
  read: number;
  update: number;
  insert: number;
  scan: number;
  rmw: number;
}

export interface YcsbPreset {
  mix: YcsbMix;
  distribution: YcsbDistribution;
  /** YCSB's maxscanlength: 100 for E, YCSB's default 1000 elsewhere. */
  scanLengthMax: number;
}

/** YCSB's workloads/workloada ... workloadf, exactly. */
export const YCSB_PRESETS: Readonly<Record<"a" | "b" | "c" | "d" | "e" | "f", Readonly<YcsbPreset>>> = {
  /** Update heavy: 50/50 read/update, zipfian. */
  a: {
    mix: { read: 0.5, update: 0.5, insert: 0, scan: 0, rmw: 0 },
    distribution: "zipfian",
    scanLengthMax: 1000,
  },
  /** Read mostly: 95/5 read/update, zipfian. */
  b: {
    mix: { read: 0.95, update: 0.05, insert: 0, scan: 0, rmw: 0 },
    distribution: "zipfian",
    scanLengthMax: 1000,
  },
  /** Read only, zipfian. */
  c: {
    mix: { read: 1, update: 0, insert: 0, scan: 0, rmw: 0 },
    distribution: "zipfian",
    scanLengthMax: 1000,
  },
  /** Read latest: 95/5 read/insert, latest. */
  d: {
    mix: { read: 0.95, update: 0, insert: 0.05, scan: 0, rmw: 0 },
    distribution: "latest",
    scanLengthMax: 1000,
  },
  /** Short ranges: 95/5 scan/insert, zipfian, scan lengths uniform in [1, 100]. */
  e: {
    mix: { read: 0, update: 0, insert: 0.05, scan: 0.95, rmw: 0 },
    distribution: "zipfian",
    scanLengthMax: 100,
  },
  /** Read-modify-write: 50/50 read/rmw, zipfian. */
  f: {
    mix: { read: 0.5, update: 0, insert: 0, scan: 0, rmw: 0.5 },
    distribution: "zipfian",
    scanLengthMax: 1000,
  },
};

export type YcsbPresetName = keyof typeof YCSB_PRESETS;

export interface YcsbConfig {
  /** YCSB's recordcount: records loaded before the run, keynums 0 .. records - 1. */
  records: number;
  mix: YcsbMix;
  distribution: YcsbDistribution;
  /** YCSB's fieldcount (default 10). */
  fieldCount: number;
  /** YCSB's fieldlength in bytes (default 100); carried for the client, not used to choose operations. */
  fieldLength: number;
  /** YCSB's minscanlength (default 1). */
  scanLengthMin: number;
  /** YCSB's maxscanlength (default 1000; 100 in workload E). */
  scanLengthMax: number;
  scanLengthDistribution: "uniform" | "zipfian";
  /** YCSB's insertorder (default hashed: keys are "user" + fnvhash64(keynum)). */
  insertOrder: "hashed" | "ordered";
  /** YCSB's zeropadding (default 1). */
  zeroPadding?: number;
  /** YCSB's hotspotdatafraction (default 0.2). */
  hotspotDataFraction: number;
  /** YCSB's hotspotopnfraction (default 0.8). */
  hotspotOpsFraction: number;
  /**
   * theta of the zipfian generators: the key chooser of `zipfian` and `latest`, and zipfian scan
   * lengths. YCSB hard-codes 0.99 (the default here).
   */
  zipfianConstant: number;
  /** YCSB's exponential.percentile (default 95). */
  exponentialPercentile: number;
  /** YCSB's exponential.frac (default 0.8571428571). */
  exponentialFrac: number;
  /**
   * YCSB's operationcount, used only as YCSB does: `zipfian` sizes its key space for
   * trunc(operationCount * insert proportion * 2) records beyond those loaded. Default: `records`
   * (YCSB's workload files set operationcount = recordcount).
   */
  operationCount?: number;
}

/** YCSB's CoreWorkload defaults for everything but the record count, mix and distribution. */
export const YCSB_DEFAULTS = {
  fieldCount: 10,
  fieldLength: 100,
  scanLengthMin: 1,
  scanLengthMax: 1000,
  scanLengthDistribution: "uniform",
  insertOrder: "hashed",
  zeroPadding: 1,
  hotspotDataFraction: 0.2,
  hotspotOpsFraction: 0.8,
  zipfianConstant: ZIPFIAN_CONSTANT,
  exponentialPercentile: 95,
  exponentialFrac: 0.8571428571,
} as const satisfies Omit<YcsbConfig, "records" | "mix" | "distribution">;

/** The full configuration of a YCSB preset over `records` records, with YCSB's defaults. */
export function ycsbPresetConfig(
  preset: YcsbPresetName,
  records: number,
  overrides: Partial<YcsbConfig> = {},
): YcsbConfig {
  const p = YCSB_PRESETS[preset];
  return {
    ...YCSB_DEFAULTS,
    records,
    mix: { ...p.mix },
    distribution: p.distribution,
    scanLengthMax: p.scanLengthMax,
    ...overrides,
  };
}

export interface YcsbOperation {
  kind: YcsbOpKind;
  keynum: number;
  key: string;
  /** Records to scan; 0 unless kind is "scan". */
  scanLength: number;
  /**
   * Index of the field written by update and rmw (YCSB's writeallfields=false: uniform over
   * fieldCount); -1 for the other kinds (YCSB's readallfields=true: reads and scans read all fields).
   */
  field: number;
}

/** Attempts of nextKeynum to find a key at or below the last acknowledged insert. */
const MAX_KEY_ATTEMPTS = 1_000_000;
/** Key strings are cached for keynums below this (about 50 MB of strings at most). */
const KEY_CACHE_LIMIT = 1 << 20;

function checkInt(value: number, name: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`ycsb ${name} must be an integer ${range}, got ${value}`);
  }
}

function checkFraction(value: number, name: string): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`ycsb ${name} must be in [0, 1], got ${value}`);
}

function validate(config: YcsbConfig): void {
  checkInt(config.records, "records", 1);
  if (config.mix === null || typeof config.mix !== "object")
    throw new RangeError("ycsb mix must be an object");
  let sum = 0;
  for (const kind of YCSB_OP_KINDS) {
    const fraction = config.mix[kind];
    checkFraction(fraction, `mix.${kind}`);
    sum += fraction;
  }
  if (!(sum > 0)) throw new RangeError("ycsb mix: the proportions must not all be 0");
  if (!(YCSB_DISTRIBUTIONS as readonly string[]).includes(config.distribution)) {
    throw new RangeError(
      `ycsb distribution must be one of ${YCSB_DISTRIBUTIONS.join(", ")}, got ${config.distribution}`,
    );
  }
  checkInt(config.fieldCount, "fieldCount", 1);
  checkInt(config.fieldLength, "fieldLength", 0);
  checkInt(config.scanLengthMin, "scanLengthMin", 1);
  checkInt(config.scanLengthMax, "scanLengthMax", 1);
  if (config.scanLengthMin > config.scanLengthMax) {
    throw new RangeError(
      `ycsb scanLengthMin (${config.scanLengthMin}) must be <= scanLengthMax (${config.scanLengthMax})`,
    );
  }
  if (config.scanLengthDistribution !== "uniform" && config.scanLengthDistribution !== "zipfian") {
    throw new RangeError(
      `ycsb scanLengthDistribution must be uniform or zipfian, got ${config.scanLengthDistribution}`,
    );
  }
  if (config.insertOrder !== "hashed" && config.insertOrder !== "ordered") {
    throw new RangeError(`ycsb insertOrder must be hashed or ordered, got ${config.insertOrder}`);
  }
  if (config.zeroPadding !== undefined) checkInt(config.zeroPadding, "zeroPadding", 0, 64);
  checkFraction(config.hotspotDataFraction, "hotspotDataFraction");
  checkFraction(config.hotspotOpsFraction, "hotspotOpsFraction");
  if (!(config.zipfianConstant >= 0 && config.zipfianConstant < 1)) {
    throw new RangeError(`ycsb zipfianConstant must be in [0, 1), got ${config.zipfianConstant}`);
  }
  if (!(config.exponentialPercentile > 0 && config.exponentialPercentile < 100)) {
    throw new RangeError(
      `ycsb exponentialPercentile must be in (0, 100), got ${config.exponentialPercentile}`,
    );
  }
  if (!(config.exponentialFrac > 0 && Number.isFinite(config.exponentialFrac))) {
    throw new RangeError(`ycsb exponentialFrac must be a positive number, got ${config.exponentialFrac}`);
  }
  if (config.operationCount !== undefined) checkInt(config.operationCount, "operationCount", 0);
}

/**
 * The run phase of YCSB's CoreWorkload. Each choice draws from its own stream split from the given
 * Rng ("op", "key", "field", "scan"), so for instance the key sequence does not depend on the mix
 * unless inserts change the key space.
 */
export class YcsbWorkload {
  readonly config: Readonly<YcsbConfig>;
  private readonly orderedInserts: boolean;
  private readonly zeroPadding: number;
  private readonly operationChooser: DiscreteGenerator<YcsbOpKind>;
  /** YCSB's transactioninsertkeysequence: keynums of run-phase inserts, from `records` on. */
  private readonly insertKeySequence: AcknowledgedCounterGenerator;
  private readonly keyChooser: NumberGenerator;
  private readonly exponential: boolean;
  private readonly fieldChooser: UniformLongGenerator;
  private readonly scanLength: NumberGenerator;
  private keyCache: (string | undefined)[];

  constructor(config: YcsbConfig, rng: Rng) {
    validate(config);
    this.config = { ...config, mix: { ...config.mix } };
    const records = config.records;
    this.orderedInserts = config.insertOrder === "ordered";
    this.zeroPadding = config.zeroPadding ?? 1;

    // YCSB adds the kinds in this order, each only if its proportion is > 0.
    const mix = config.mix;
    this.operationChooser = new DiscreteGenerator<YcsbOpKind>(rng.split("op"));
    for (const kind of YCSB_OP_KINDS) {
      if (mix[kind] > 0) this.operationChooser.addValue(mix[kind], kind);
    }

    this.insertKeySequence = new AcknowledgedCounterGenerator(records);
    const keyRng = rng.split("key");
    this.exponential = config.distribution === "exponential";
    switch (config.distribution) {
      case "uniform":
        this.keyChooser = new UniformLongGenerator(keyRng, 0, records - 1);
        break;
      case "exponential":
        this.keyChooser = new ExponentialGenerator(
          keyRng,
          config.exponentialPercentile,
          records * config.exponentialFrac,
        );
        break;
      case "sequential":
        this.keyChooser = new SequentialGenerator(0, records - 1);
        break;
      case "zipfian": {
        // YCSB sizes the key space for the inserts it expects (x2 as a fudge factor), so that the
        // popular keys do not move as records are added; keys not inserted yet are drawn again.
        const operations = config.operationCount ?? records;
        const expectedNewKeys = Math.trunc(operations * mix.insert * 2);
        this.keyChooser = new ScrambledZipfianGenerator(
          keyRng,
          0,
          records + expectedNewKeys,
          config.zipfianConstant,
        );
        break;
      }
      case "latest":
        this.keyChooser = new SkewedLatestGenerator(keyRng, this.insertKeySequence, config.zipfianConstant);
        break;
      case "hotspot":
        this.keyChooser = new HotspotIntegerGenerator(
          keyRng,
          0,
          records - 1,
          config.hotspotDataFraction,
          config.hotspotOpsFraction,
        );
        break;
    }

    this.fieldChooser = new UniformLongGenerator(rng.split("field"), 0, config.fieldCount - 1);
    this.scanLength =
      config.scanLengthDistribution === "uniform"
        ? new UniformLongGenerator(rng.split("scan"), config.scanLengthMin, config.scanLengthMax)
        : new ZipfianGenerator(rng.split("scan"), config.scanLengthMin, config.scanLengthMax, {
            zipfianConstant: config.zipfianConstant,
          });

    this.keyCache = new Array<string | undefined>(Math.min(records, KEY_CACHE_LIMIT));
  }

  /** Key name of keynum (YCSB's buildKeyName with this workload's insert order and padding). */
  keyName(keynum: number): string {
    const cache = this.keyCache;
    if (keynum < cache.length) {
      const cached = cache[keynum];
      if (cached !== undefined) return cached;
    }
    const key = ycsbKeyName(keynum, this.orderedInserts, this.zeroPadding);
    if (keynum >= 0 && keynum < KEY_CACHE_LIMIT) {
      if (keynum >= cache.length) this.growKeyCache(keynum);
      this.keyCache[keynum] = key;
    }
    return key;
  }

  /** Replaces the key cache by a larger one (a fresh array keeps V8's fast elements). */
  private growKeyCache(keynum: number): void {
    const old = this.keyCache;
    const size = Math.min(KEY_CACHE_LIMIT, Math.max(keynum + 1, old.length * 2, 1024));
    const grown = new Array<string | undefined>(size);
    for (let i = 0; i < old.length; i++) grown[i] = old[i];
    this.keyCache = grown;
  }

  /** Key name of the n-th record of the load phase, n in [0, records). */
  loadKey(n: number): string {
    if (!(Number.isInteger(n) && n >= 0 && n < this.config.records)) {
      throw new RangeError(`loadKey: n must be an integer in [0, ${this.config.records}), got ${n}`);
    }
    return this.keyName(n);
  }

  /** The next operation of the run phase. */
  nextOperation(): YcsbOperation {
    const kind = this.operationChooser.next();
    let keynum: number;
    let scanLength = 0;
    let field = -1;
    switch (kind) {
      case "insert":
        keynum = this.insertKeySequence.next();
        break;
      case "scan":
        keynum = this.nextKeynum();
        scanLength = this.scanLength.next();
        break;
      case "update":
      case "rmw":
        keynum = this.nextKeynum();
        field = this.fieldChooser.next();
        break;
      default:
        keynum = this.nextKeynum();
        break;
    }
    return { kind, keynum, key: this.keyName(keynum), scanLength, field };
  }

  /**
   * The client calls this when an insert has completed, so the key choosers (`latest` above all)
   * may pick its key. YCSB acknowledges every insert in a `finally`, whatever its outcome; an insert
   * never acknowledged holds `lastAcknowledged()` back, and after 2^20 later inserts the window
   * overflows (an Error).
   */
  acknowledgeInsert(keynum: number): void {
    this.insertKeySequence.acknowledge(keynum);
  }

  /** The highest keynum k such that records 0..k are all loaded or acknowledged. */
  lastAcknowledged(): number {
    return this.insertKeySequence.last();
  }

  /** YCSB's nextKeynum: a key of a record that exists (at or below the last acknowledged insert). */
  private nextKeynum(): number {
    const acked = this.insertKeySequence;
    const chooser = this.keyChooser;
    if (this.exponential) {
      // Exponential counts back from the most recent record.
      for (let attempt = 0; attempt < MAX_KEY_ATTEMPTS; attempt++) {
        const keynum = acked.last() - Math.floor(chooser.next());
        if (keynum >= 0) return keynum;
      }
    } else {
      for (let attempt = 0; attempt < MAX_KEY_ATTEMPTS; attempt++) {
        const keynum = chooser.next();
        if (keynum <= acked.last()) return keynum;
      }
    }
    throw new Error(
      `ycsb ${this.config.distribution}: no key at or below the last acknowledged insert (${acked.last()}) ` +
        `in ${MAX_KEY_ATTEMPTS} draws; is the key space far larger than the records (operationCount too large?)`,
    );
  }
}
