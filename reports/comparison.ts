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
   * Set when there is a best column: true when the difference is within noise, so the best value
   * is not starred. In a matrix, the best column's seed range overlaps another column's; for
   * single runs, its 95% sampling interval overlaps another run's (reports/noise.ts).
   */
  withinNoise?: boolean;
  /**
   * Single runs, within noise: the best value's interval has no upper bound (a maximum is one
   * sample; a tail percentile of few operations cannot be bounded), printed "(one sample)" or
   * "(too few samples)".
   */
  unbounded?: boolean;
}

export interface Comparison {
  columns: ComparisonColumn[];
  /** What measures noise: each run's own samples ("run", `dbsim compare`) or the seeds ("seeds", a matrix). */
  noise: "run" | "seeds";
  rows: ComparisonRow[];
}
