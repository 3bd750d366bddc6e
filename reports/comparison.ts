// The data model of a comparison of runs: what `dbsim compare` prints as a table, writes as JSON and
// renders as HTML, and what `dbsim matrix` fills with medians across seeds.

/** One compared run, or one variant of a matrix (then its figures are medians across seeds). */
export interface ComparisonColumn {
  /** What sets it apart from the other columns, e.g. "fsync_policy=never" (or its path when all configs agree). */
  label: string;
  /** Where it came from: a run directory or report.json, or the variant's overrides. */
  source: string;
  /** Seeds behind the figures (one for a single run). */
  seeds: number[];
}

export type Better = "lower" | "higher" | "none";

export interface ComparisonCell {
  /** The figure (the median across seeds in a matrix); null when the run has no such figure. */
  value: number | string | null;
  /** Spread across seeds in a matrix: [min, max]; absent for a single run. */
  range?: [number, number];
}

export interface ComparisonRow {
  /** Group of rows, e.g. "throughput", "latency read", "outcomes", "checks". */
  section: string;
  /** The figure's name, as the run summary names it, e.g. "p99". */
  figure: string;
  /** "us", "ops/s", "count", "ratio", "pages" (a mean), or "" for verdicts and plans. */
  unit: string;
  better: Better;
  cells: ComparisonCell[];
  /** Columns holding the best value (none when `better` is "none" or all are equal). */
  best: number[];
  /**
   * In a matrix: true when the best column's seed range overlaps another column's, so the
   * difference is within seed-to-seed noise.
   */
  withinNoise?: boolean;
}

export interface Comparison {
  columns: ComparisonColumn[];
  rows: ComparisonRow[];
}
