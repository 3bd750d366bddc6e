// Table statistics for the planner, maintained incrementally on every insert, update and delete:
// the row count, for each tracked column (the primary key's and every indexed column) the exact
// number of distinct values, and for every numeric column the smallest and largest value seen
// (widened by writes, never narrowed by deletes: stale on the safe side, like a real optimizer's).
//
// API:
//   new TableStats(table: TableInfo)
//   .track(position, rows)            start counting distinct values of a column (over `rows`)
//   .add(row) / .remove(row) / .replace(before, after)
//   .rowCount, .distinct(position): number | undefined (undefined: not tracked)
//   .min(position), .max(position): number | undefined
//   .eqSelectivity(position), .rangeSelectivity(position, lower, upper): fractions of rows, 0..1

import type { StoredRow, TableInfo, Value } from "./schema.js";

/** Fraction of rows an equality on an untracked column keeps. */
export const DEFAULT_EQ_SELECTIVITY = 0.1;
/** Fraction of rows a one-sided range keeps when the column's span is unknown (PostgreSQL's 1/3). */
export const DEFAULT_RANGE_SELECTIVITY = 1 / 3;

export interface RangeEnd {
  readonly value: Value;
  readonly inclusive: boolean;
}

export class TableStats {
  private rows = 0;
  private readonly table: TableInfo;
  /** Per tracked column: value -> number of rows holding it. */
  private readonly counts = new Map<number, Map<Value, number>>();
  private readonly mins: (number | undefined)[];
  private readonly maxs: (number | undefined)[];
  private readonly numeric: boolean[];

  constructor(table: TableInfo) {
    this.table = table;
    this.numeric = table.columns.map((c) => c.type !== "string" && c.type !== "bool");
    this.mins = table.columns.map(() => undefined);
    this.maxs = table.columns.map(() => undefined);
  }

  get rowCount(): number {
    return this.rows;
  }

  isTracked(position: number): boolean {
    return this.counts.has(position);
  }

  /** Starts tracking distinct values of a column; `rows` are the table's current rows. */
  track(position: number, rows: Iterable<StoredRow>): void {
    if (this.counts.has(position)) return;
    const counts = new Map<Value, number>();
    for (const row of rows) {
      const value = row[position] as Value;
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    this.counts.set(position, counts);
  }

  /** Distinct values of a tracked column; undefined when the column is not tracked. */
  distinct(position: number): number | undefined {
    return this.counts.get(position)?.size;
  }

  min(position: number): number | undefined {
    return this.mins[position];
  }

  max(position: number): number | undefined {
    return this.maxs[position];
  }

  add(row: StoredRow): void {
    this.rows++;
    for (const [position, counts] of this.counts) {
      const value = row[position] as Value;
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    for (let p = 0; p < row.length; p++) {
      if (!this.numeric[p]) continue;
      const value = row[p] as number;
      const min = this.mins[p];
      if (min === undefined || value < min) this.mins[p] = value;
      const max = this.maxs[p];
      if (max === undefined || value > max) this.maxs[p] = value;
    }
  }

  remove(row: StoredRow): void {
    this.rows--;
    for (const [position, counts] of this.counts) {
      const value = row[position] as Value;
      const n = counts.get(value) ?? 0;
      if (n <= 1) counts.delete(value);
      else counts.set(value, n - 1);
    }
  }

  replace(before: StoredRow, after: StoredRow): void {
    this.remove(before);
    this.add(after);
  }

  /** Fraction of rows with a given value of the column: 1 / distinct, or a default. */
  eqSelectivity(position: number): number {
    const distinct = this.distinct(position);
    if (distinct === undefined) return DEFAULT_EQ_SELECTIVITY;
    return 1 / Math.max(1, distinct);
  }

  /**
   * Fraction of rows whose column lies between `lower` and `upper` (either may be absent):
   * interpolated over [min, max] for numeric columns, at least one distinct value's share when
   * the range can hold a value; defaults otherwise (1/3 per bound).
   */
  rangeSelectivity(position: number, lower: RangeEnd | undefined, upper: RangeEnd | undefined): number {
    if (lower === undefined && upper === undefined) return 1;
    const min = this.mins[position];
    const max = this.maxs[position];
    if (!this.numeric[position] || min === undefined || max === undefined) {
      return (
        (lower === undefined ? 1 : DEFAULT_RANGE_SELECTIVITY) *
        (upper === undefined ? 1 : DEFAULT_RANGE_SELECTIVITY)
      );
    }
    const lo = lower === undefined ? min : Math.max(min, lower.value as number);
    const hi = upper === undefined ? max : Math.min(max, upper.value as number);
    if (hi < lo) return 0;
    const oneValue = 1 / Math.max(1, this.distinct(position) ?? this.rows);
    if (max === min) return 1;
    return Math.min(1, Math.max(oneValue, (hi - lo) / (max - min)));
  }

  /** The tracked columns' distinct counts, in column order (for reports and tests). */
  summary(): { rows: number; distinct: Record<string, number> } {
    const distinct: Record<string, number> = {};
    for (let p = 0; p < this.table.columns.length; p++) {
      const counts = this.counts.get(p);
      if (counts !== undefined) distinct[this.table.column(p).name] = counts.size;
    }
    return { rows: this.rows, distinct };
  }
}
