import { describe, expect, it } from "vitest";
import { Rng } from "../../../../sim/rng.js";
import {
  YCSB_DEFAULTS,
  YCSB_PRESETS,
  type YcsbConfig,
  type YcsbOperation,
  type YcsbOpKind,
  type YcsbPresetName,
  YcsbWorkload,
  ycsbPresetConfig,
} from "../../../../workloads/generators/ycsb/core-workload.js";
import { ycsbKeyName } from "../../../../workloads/generators/ycsb/fnv.js";
import {
  AcknowledgedCounterGenerator,
  DiscreteGenerator,
  ScrambledZipfianGenerator,
  SkewedLatestGenerator,
} from "../../../../workloads/generators/ycsb/generators.js";
import { binomialZ, chiSquare, histogram } from "./stats.js";

const KINDS: readonly YcsbOpKind[] = ["read", "update", "insert", "scan", "rmw"];

function workload(preset: YcsbPresetName, records: number, seed = 1, overrides: Partial<YcsbConfig> = {}) {
  return new YcsbWorkload(ycsbPresetConfig(preset, records, overrides), Rng.fromSeed(seed));
}

/** Runs `count` operations, acknowledging each insert at once (a client with instant inserts). */
function run(w: YcsbWorkload, count: number, acknowledge = true): YcsbOperation[] {
  const ops: YcsbOperation[] = [];
  for (let i = 0; i < count; i++) {
    const op = w.nextOperation();
    if (op.kind === "insert" && acknowledge) w.acknowledgeInsert(op.keynum);
    ops.push(op);
  }
  return ops;
}

describe("YCSB presets", () => {
  it("are YCSB's workloads/workloada..f", () => {
    expect(YCSB_PRESETS).toEqual({
      a: {
        mix: { read: 0.5, update: 0.5, insert: 0, scan: 0, rmw: 0 },
        distribution: "zipfian",
        scanLengthMax: 1000,
      },
      b: {
        mix: { read: 0.95, update: 0.05, insert: 0, scan: 0, rmw: 0 },
        distribution: "zipfian",
        scanLengthMax: 1000,
      },
      c: {
        mix: { read: 1, update: 0, insert: 0, scan: 0, rmw: 0 },
        distribution: "zipfian",
        scanLengthMax: 1000,
      },
      d: {
        mix: { read: 0.95, update: 0, insert: 0.05, scan: 0, rmw: 0 },
        distribution: "latest",
        scanLengthMax: 1000,
      },
      e: {
        mix: { read: 0, update: 0, insert: 0.05, scan: 0.95, rmw: 0 },
        distribution: "zipfian",
        scanLengthMax: 100,
      },
      f: {
        mix: { read: 0.5, update: 0, insert: 0, scan: 0, rmw: 0.5 },
        distribution: "zipfian",
        scanLengthMax: 1000,
      },
    });
    expect(YCSB_DEFAULTS).toMatchObject({
      fieldCount: 10,
      fieldLength: 100,
      scanLengthMin: 1,
      scanLengthMax: 1000,
      hotspotDataFraction: 0.2,
      hotspotOpsFraction: 0.8,
      zipfianConstant: 0.99,
      exponentialPercentile: 95,
      exponentialFrac: 0.8571428571,
      insertOrder: "hashed",
    });
  });

  for (const preset of ["a", "b", "c", "d", "e", "f"] as const) {
    it(`workload ${preset}: each operation kind within 1 point of the mix over 100k operations`, () => {
      const ops = run(workload(preset, 1000, 11), 100_000);
      const counts = new Map<YcsbOpKind, number>(KINDS.map((k) => [k, 0]));
      for (const op of ops) counts.set(op.kind, (counts.get(op.kind) ?? 0) + 1);
      for (const kind of KINDS) {
        const share = (counts.get(kind) ?? 0) / ops.length;
        expect(Math.abs(share - YCSB_PRESETS[preset].mix[kind]), kind).toBeLessThan(0.01);
      }
    });
  }
});

describe("YcsbWorkload operations", () => {
  it("workload E scans a uniform 1..100 records (χ², p = 0.001)", () => {
    const ops = run(workload("e", 1000, 12), 60_000).filter((op) => op.kind === "scan");
    const counts = histogram(
      100,
      ops.length,
      (() => {
        let i = 0;
        return () => (ops[i++] as YcsbOperation).scanLength - 1;
      })(),
    );
    const fit = chiSquare(counts, new Float64Array(100).fill(1 / 100));
    expect(fit.statistic).toBeLessThan(fit.critical);
  });

  it("zipfian scan lengths favour the shortest", () => {
    const w = workload("e", 1000, 13, {
      scanLengthDistribution: "zipfian",
      scanLengthMin: 5,
      scanLengthMax: 50,
    });
    const lengths = run(w, 20_000)
      .filter((op) => op.kind === "scan")
      .map((op) => op.scanLength);
    expect(Math.min(...lengths)).toBe(5);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(50);
    const fives = lengths.filter((l) => l === 5).length;
    const sixes = lengths.filter((l) => l === 6).length;
    expect(fives).toBeGreaterThan(sixes);
  });

  it("fills the other fields as documented", () => {
    const w = workload("a", 1000, 14, { fieldCount: 7 });
    const fields = new Float64Array(7);
    const wrong: YcsbOperation[] = [];
    for (const op of run(w, 20_000)) {
      if (op.key !== ycsbKeyName(op.keynum, false) || op.scanLength !== 0) wrong.push(op);
      if (op.kind === "update") {
        fields[op.field] = (fields[op.field] as number) + 1;
      } else if (op.field !== -1) {
        wrong.push(op);
      }
    }
    expect(wrong).toEqual([]);
    const fit = chiSquare(fields, new Float64Array(7).fill(1 / 7));
    expect(fit.statistic).toBeLessThan(fit.critical);
    const rmw = run(workload("f", 100, 14), 1000).filter((op) => op.kind === "rmw");
    expect(rmw.every((op) => op.field >= 0 && op.field < 10)).toBe(true);
  });

  it("inserts take keynums records, records + 1, ... and never choose an unacknowledged key", () => {
    const w = workload("e", 500, 15);
    const ops = run(w, 4000, false);
    const inserts = ops.filter((op) => op.kind === "insert").map((op) => op.keynum);
    expect(inserts.length).toBeGreaterThan(100);
    expect(inserts).toEqual(inserts.map((_, i) => 500 + i));
    expect(ops.filter((op) => op.kind !== "insert").every((op) => op.keynum < 500)).toBe(true);
    expect(w.lastAcknowledged()).toBe(499);
    // Acknowledged out of order, the keys become available once contiguous.
    w.acknowledgeInsert(501);
    expect(w.lastAcknowledged()).toBe(499);
    w.acknowledgeInsert(500);
    expect(w.lastAcknowledged()).toBe(501);
  });

  it("latest (workload D): recently inserted records are the most read", () => {
    const records = 1000;
    const w = workload("d", records, 16);
    const distances = new Float64Array(records + 10_000);
    let reads = 0;
    for (let i = 0; i < 100_000; i++) {
      const op = w.nextOperation();
      if (op.kind === "insert") {
        w.acknowledgeInsert(op.keynum);
      } else {
        const age = w.lastAcknowledged() - op.keynum;
        distances[age] = (distances[age] as number) + 1;
        reads++;
      }
    }
    expect(w.lastAcknowledged()).toBeGreaterThan(records + 4000);
    // Age 0 (the latest record) is the single most read key, age 1 the second. (Further back the
    // order is blurred, as in YCSB: when the item count grows, YCSB's ZipfianGenerator recomputes
    // eta from the item count it was built with, which thins out ages 2, 3, ... .)
    const older = Math.max(...distances.subarray(2));
    expect(distances[0]).toBeGreaterThan(distances[1] as number);
    expect(distances[1]).toBeGreaterThan(older);
    expect(distances[10]).toBeGreaterThan(distances[100] as number);
    // About 1/ζ of the reads go to the newest record; over half hit the newest 100 of > 5000.
    expect((distances[0] as number) / reads).toBeGreaterThan(0.08);
    let recent = 0;
    for (let age = 0; age < 100; age++) recent += distances[age] as number;
    expect(recent / reads).toBeGreaterThan(0.5);
  });

  it("latest never picks a key before its insert is acknowledged", () => {
    const w = workload("d", 100, 17);
    const pending: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const op = w.nextOperation();
      if (op.kind === "insert") pending.push(op.keynum);
      else expect(op.keynum).toBeLessThanOrEqual(w.lastAcknowledged());
      if (pending.length > 5) w.acknowledgeInsert(pending.shift() as number);
    }
  });

  it("exponential counts back from the last acknowledged record", () => {
    const records = 7000;
    const w = workload("a", records, 18, { distribution: "exponential" });
    const ops = run(w, 50_000);
    const range = records * 0.8571428571; // 6000
    const within = ops.filter((op) => records - 1 - op.keynum < range).length;
    // P(age < range | age <= records - 1) with 95% of the mass below `range`.
    const gamma = -Math.log(0.05) / range;
    const expected = (1 - Math.exp(-gamma * range)) / (1 - Math.exp(-gamma * records));
    expect(binomialZ(within, ops.length, expected)).toBeLessThan(4);
    expect(ops.every((op) => op.keynum >= 0 && op.keynum < records)).toBe(true);
    const newest = ops.filter((op) => op.keynum === records - 1).length;
    const oldest = ops.filter((op) => op.keynum === 0).length;
    expect(newest).toBeGreaterThan(5 * oldest);
  });

  it("hotspot sends 80% of the operations to the first 20% of the keynums", () => {
    const w = workload("c", 1000, 19, { distribution: "hotspot" });
    const ops = run(w, 50_000);
    const hot = ops.filter((op) => op.keynum < 200).length;
    expect(binomialZ(hot, ops.length, 0.8)).toBeLessThan(4);
  });

  it("uniform and sequential cover the loaded records", () => {
    const uniform = run(workload("c", 50, 20, { distribution: "uniform" }), 50_000);
    const counts = histogram(
      50,
      uniform.length,
      (() => {
        let i = 0;
        return () => (uniform[i++] as YcsbOperation).keynum;
      })(),
    );
    const fit = chiSquare(counts, new Float64Array(50).fill(1 / 50));
    expect(fit.statistic).toBeLessThan(fit.critical);
    const sequential = run(workload("c", 4, 20, { distribution: "sequential" }), 9);
    expect(sequential.map((op) => op.keynum)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0]);
  });

  it("zipfian keys are scrambled: the hottest key is not keynum 0", () => {
    const ops = run(workload("c", 1000, 21), 50_000);
    const counts = new Float64Array(1000);
    for (const op of ops) counts[op.keynum] = (counts[op.keynum] as number) + 1;
    const hottest = counts.indexOf(Math.max(...counts));
    expect(hottest).not.toBe(0);
    expect(counts[hottest]).toBeGreaterThan(0.03 * ops.length);
  });
});

describe("YcsbWorkload builds its generators as YCSB's CoreWorkload.init does", () => {
  it("zipfian: a scrambled zipfian over [0, records + trunc(operationcount * insert * 2)], retried above the last acknowledged", () => {
    const records = 1000;
    const seed = 31;
    const w = workload("e", records, seed, { operationCount: 4000 }); // 4000 * 0.05 * 2 = 400 new keys
    const chooser = new ScrambledZipfianGenerator(Rng.fromSeed(seed).split("key"), 0, records + 400);
    const ops = run(w, 3000, false).filter((op) => op.kind === "scan");
    const expected = ops.map(() => {
      for (let attempt = 0; attempt < 1000; attempt++) {
        const k = chooser.next();
        if (k <= records - 1) return k;
      }
      throw new Error("no key in 1000 draws");
    });
    expect(ops.map((op) => op.keynum)).toEqual(expected);
  });

  it("latest: a skewed-latest over the acknowledged insert counter; operations: a discrete generator", () => {
    const seed = 32;
    const w = workload("d", 500, seed);
    const counter = new AcknowledgedCounterGenerator(500);
    const latest = new SkewedLatestGenerator(Rng.fromSeed(seed).split("key"), counter);
    const chooser = new DiscreteGenerator<YcsbOpKind>(Rng.fromSeed(seed).split("op"));
    chooser.addValue(0.95, "read");
    chooser.addValue(0.05, "insert");
    const actual: [YcsbOpKind, number][] = [];
    const expected: [YcsbOpKind, number][] = [];
    for (let i = 0; i < 3000; i++) {
      const op = w.nextOperation();
      const kind = chooser.next();
      const keynum = kind === "insert" ? counter.next() : latest.next();
      actual.push([op.kind, op.keynum]);
      expected.push([kind, keynum]);
      if (op.kind === "insert") w.acknowledgeInsert(op.keynum);
      if (kind === "insert") counter.acknowledge(keynum);
    }
    expect(actual).toEqual(expected);
    expect(w.lastAcknowledged()).toBeGreaterThan(550);
  });
});

describe("YcsbWorkload keys", () => {
  it("loads distinct keys, hashed or ordered", () => {
    const records = 100_000;
    const hashed = workload("a", records, 1);
    const keys = new Set<string>();
    for (let n = 0; n < records; n++) keys.add(hashed.loadKey(n));
    expect(keys.size).toBe(records);
    expect(hashed.loadKey(0)).toBe("user6284781860667377211");
    const ordered = workload("a", 1000, 1, { insertOrder: "ordered", zeroPadding: 6 });
    expect(ordered.loadKey(42)).toBe("user000042");
    expect(ordered.keyName(1_234_567)).toBe("user1234567");
    expect(() => ordered.loadKey(1000)).toThrow(RangeError);
    expect(() => ordered.loadKey(-1)).toThrow(RangeError);
  });

  it("gives inserted records keys past the cache size", () => {
    const w = workload("a", 10, 1);
    expect(w.keyName(5000)).toBe(ycsbKeyName(5000, false));
    expect(w.keyName(5000)).toBe(ycsbKeyName(5000, false));
    expect(w.keyName(2 ** 40)).toBe(ycsbKeyName(2 ** 40, false));
  });
});

describe("YcsbWorkload determinism", () => {
  it("the same seed gives the same operations", () => {
    const a = run(workload("e", 1000, 99), 10_000);
    const b = run(workload("e", 1000, 99), 10_000);
    expect(a).toEqual(b);
    const c = run(workload("e", 1000, 100), 10_000);
    expect(c).not.toEqual(a);
  });

  it("the key sequence does not depend on the mix (independent streams), without inserts", () => {
    const keys = (preset: YcsbPresetName) =>
      run(workload(preset, 1000, 5), 5000)
        .map((op) => op.keynum)
        .slice(0, 4000);
    const a = keys("a");
    expect(keys("b")).toEqual(a);
    expect(keys("c")).toEqual(a);
    expect(keys("f")).toEqual(a);
  });
});

describe("YcsbWorkload validation", () => {
  const base = ycsbPresetConfig("a", 100);
  const bad: [string, Partial<YcsbConfig>][] = [
    ["records", { records: 0 }],
    ["records", { records: 1.5 }],
    ["mix.read", { mix: { read: 1.5, update: 0, insert: 0, scan: 0, rmw: 0 } }],
    ["mix.update", { mix: { read: 0.5, update: -0.1, insert: 0, scan: 0, rmw: 0 } }],
    ["all be 0", { mix: { read: 0, update: 0, insert: 0, scan: 0, rmw: 0 } }],
    ["distribution", { distribution: "pareto" as never }],
    ["fieldCount", { fieldCount: 0 }],
    ["scanLengthMin", { scanLengthMin: 0 }],
    ["scanLengthMin", { scanLengthMin: 10, scanLengthMax: 5 }],
    ["scanLengthDistribution", { scanLengthDistribution: "latest" as never }],
    ["insertOrder", { insertOrder: "random" as never }],
    ["hotspotDataFraction", { hotspotDataFraction: 2 }],
    ["hotspotOpsFraction", { hotspotOpsFraction: Number.NaN }],
    ["zipfianConstant", { zipfianConstant: 1 }],
    ["exponentialPercentile", { exponentialPercentile: 100 }],
    ["exponentialFrac", { exponentialFrac: 0 }],
    ["zeroPadding", { zeroPadding: -1 }],
    ["operationCount", { operationCount: -5 }],
    ["hot set is empty", { records: 3, distribution: "hotspot" }],
  ];
  for (const [message, override] of bad) {
    it(`rejects a bad ${message}`, () => {
      expect(() => new YcsbWorkload({ ...base, ...override }, Rng.fromSeed(1))).toThrow(RangeError);
      expect(() => new YcsbWorkload({ ...base, ...override }, Rng.fromSeed(1))).toThrow(message);
    });
  }

  it("works with a single record for every distribution", () => {
    for (const distribution of ["uniform", "zipfian", "latest", "sequential", "exponential"] as const) {
      const w = workload("a", 1, 3, { distribution });
      const ops = run(w, 200);
      expect(ops.every((op) => op.keynum === 0)).toBe(true);
    }
  });

  it("throws a clear error when a key space far larger than the records starves the retry loop", () => {
    // 1 record, and a zipfian key space sized for 10^9 expected inserts that never get acknowledged.
    const w = workload("e", 1, 4, { operationCount: 10_000_000_000 });
    expect(() => {
      for (let i = 0; i < 100; i++) {
        const op = w.nextOperation();
        if (op.kind === "scan") return;
      }
    }).toThrow(/no key at or below/);
  });
});
