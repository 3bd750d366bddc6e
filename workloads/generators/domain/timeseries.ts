// The timeseries domain workload: IoT measurements by device and time, insert-heavy.
//
// API: createTimeseries(knobs?): DomainWorkload (see domain.ts), TIMESERIES_KNOBS, TIMESERIES_TEMPLATES.
//
// Table:
//   measurements (device_id int, ts timestamp, value float, quality int; PK device_id, ts)
//   Stored in (device_id, ts) order: a device's time range is a primary key range scan.
// Initial data: points_per_device measurements for each of `devices` devices, one every
// interval_s seconds up to the run's start (values a random walk per device).
//
// Templates (default weights):
//   record_measurement  0.80  INSERT one measurement of a uniformly drawn device at the clock's time
//   device_range        0.10  SELECT * FROM measurements WHERE device_id = ? AND ts >= ? AND ts < ? + range_s
//   device_latest       0.05  SELECT * FROM measurements WHERE device_id = ? ORDER BY ts DESC LIMIT latest_limit
//   device_range_stats  0.03  SELECT count(*), sum(value) ... WHERE device_id = ? AND ts in a range
//   all_devices_range   0.02  SELECT * FROM measurements WHERE ts >= ? AND ts < ? + all_range_s
//                             (every device: no primary key prefix; an index on ts serves it)
// Ranges end at most at the clock's time, start at most history_s before it.
// Suggested index: measurements (ts).

import type { IndexDefinition } from "../../../engine/query/indexes.js";
import { eq, ge, lt } from "../../../engine/query/query.js";
import type { TableSchema } from "../../../engine/query/schema.js";
import type { Rng } from "../../../sim/rng.js";
import {
  DEFAULT_EPOCH_US,
  type DomainWorkload,
  type GeneratedQuery,
  type InitialRow,
  type KnobSpec,
  resolveKnobs,
  SECOND_US,
  TemplateMix,
  type TemplateSpec,
  templateInfos,
  WorkloadClock,
} from "./domain.js";

export const TIMESERIES_KNOBS = {
  devices: {
    default: 100,
    min: 1,
    max: 1_000_000,
    integer: true,
    description: "Devices reporting measurements.",
  },
  points_per_device: {
    default: 1000,
    min: 0,
    max: 1_000_000,
    integer: true,
    description: "Initial measurements per device.",
  },
  interval_s: {
    default: 10,
    min: 1,
    max: 86_400,
    integer: true,
    description: "Seconds between a device's initial measurements.",
  },
  range_s: {
    default: 600,
    min: 1,
    max: 31_536_000,
    integer: true,
    description: "Length of device_range and device_range_stats.",
  },
  all_range_s: {
    default: 10,
    min: 1,
    max: 31_536_000,
    integer: true,
    description: "Length of all_devices_range.",
  },
  history_s: {
    default: 3600,
    min: 1,
    max: 31_536_000,
    integer: true,
    description: "How far back before the clock ranges start.",
  },
  latest_limit: { default: 10, min: 1, max: 10_000, integer: true, description: "LIMIT of device_latest." },
} as const satisfies Record<string, KnobSpec>;

export const TIMESERIES_TEMPLATES: readonly TemplateSpec[] = [
  { name: "record_measurement", weight: 0.8, description: "A device reports a measurement." },
  { name: "device_range", weight: 0.1, description: "A device's measurements in a time range." },
  { name: "device_latest", weight: 0.05, description: "A device's latest measurements, newest first." },
  {
    name: "device_range_stats",
    weight: 0.03,
    description: "Count and sum of a device's measurements in a time range.",
  },
  {
    name: "all_devices_range",
    weight: 0.02,
    description: "Every device's measurements in a short time range.",
  },
];

export const TIMESERIES_TABLES: readonly TableSchema[] = [
  {
    name: "measurements",
    columns: [
      { name: "device_id", type: "int" },
      { name: "ts", type: "timestamp" },
      { name: "value", type: "float" },
      { name: "quality", type: "int" },
    ],
    primary_key: ["device_id", "ts"],
  },
];

export const TIMESERIES_INDEXES: readonly IndexDefinition[] = [
  { name: "measurements_by_ts", table: "measurements", columns: ["ts"] },
];

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function createTimeseries(
  given?: Readonly<Record<string, unknown>>,
  epoch_us = DEFAULT_EPOCH_US,
): DomainWorkload {
  const { knobs, mix: weights } = resolveKnobs(TIMESERIES_KNOBS, TIMESERIES_TEMPLATES, given);
  const mix = new TemplateMix(weights, TIMESERIES_TEMPLATES);
  const clock = new WorkloadClock(epoch_us);
  const interval_us = knobs.interval_s * SECOND_US;
  // The last timestamp per device: new measurements stay unique per device (the primary key).
  const lastTs = new Float64Array(knobs.devices).fill(epoch_us - interval_us);

  function* initialData(rng: Rng): IterableIterator<InitialRow> {
    for (let device = 0; device < knobs.devices; device++) {
      let value = 20 + rng.float() * 10;
      for (let k = knobs.points_per_device; k >= 1; k--) {
        value += rng.normal() * 0.5;
        yield {
          table: "measurements",
          row: {
            device_id: device,
            ts: epoch_us - k * interval_us,
            value: round3(value),
            quality: rng.int(4),
          },
        };
      }
    }
  }

  function rangeStart(rng: Rng, now: number, length_us: number): number {
    const span = Math.min(
      knobs.history_s * SECOND_US,
      Math.max(0, now - epoch_us + knobs.points_per_device * interval_us),
    );
    return now - length_us - Math.floor(rng.float() * Math.max(0, span - length_us));
  }

  function next(rng: Rng, now_us?: number): GeneratedQuery {
    const now = clock.tick(now_us);
    const template = mix.pick(rng);
    const device = rng.int(knobs.devices);
    switch (template) {
      case "record_measurement": {
        const ts = Math.max(now, (lastTs[device] as number) + 1);
        lastTs[device] = ts;
        return {
          template,
          query: {
            kind: "insert",
            table: "measurements",
            rows: [{ device_id: device, ts, value: round3(20 + rng.normal() * 5), quality: rng.int(4) }],
          },
        };
      }
      case "device_range":
      case "device_range_stats": {
        const range_us = knobs.range_s * SECOND_US;
        const from = rangeStart(rng, now, range_us);
        const where = [eq("device_id", device), ge("ts", from), lt("ts", from + range_us)];
        return {
          template,
          query:
            template === "device_range"
              ? { kind: "select", table: "measurements", where }
              : {
                  kind: "select",
                  table: "measurements",
                  where,
                  aggregates: [{ fn: "count" }, { fn: "sum", column: "value" }],
                },
        };
      }
      case "device_latest":
        return {
          template,
          query: {
            kind: "select",
            table: "measurements",
            where: [eq("device_id", device)],
            order_by: [{ column: "ts", direction: "desc" }],
            limit: knobs.latest_limit,
          },
        };
      default: {
        const range_us = knobs.all_range_s * SECOND_US;
        const from = rangeStart(rng, now, range_us);
        return {
          template,
          query: {
            kind: "select",
            table: "measurements",
            where: [ge("ts", from), lt("ts", from + range_us)],
          },
        };
      }
    }
  }

  return {
    type: "timeseries",
    tables: TIMESERIES_TABLES,
    templates: templateInfos(TIMESERIES_TEMPLATES, weights),
    suggested_indexes: TIMESERIES_INDEXES,
    knobs,
    mix: weights,
    epoch_us,
    initialData,
    next,
  };
}
