// The planner: for a read (or the row-finding part of an update or delete) it considers every
// access path that can serve the query, estimates the pages it reads and the rows it examines from
// the table's statistics and the trees' shapes, and picks the cheapest under the cost model.
// EXPLAIN is the chosen plan as one line.
//
// API:
//   ACCESS_KINDS; type AccessKind =
//     "PrimaryKeyGet"        equality on every primary key column: one descent of the table's tree
//     "PrimaryKeyRangeScan"  equality on a prefix of the primary key and/or a range on the next column
//     "TableScan"            every row, in primary key order
//     "IndexRangeScan"       a B+tree index: equality on a prefix of its columns, a range on the next
//     "IndexFullScan"        a whole B+tree index, for its order (ORDER BY [LIMIT]) or because it covers
//     "HashLookup"           a hash index: equality on every one of its columns
//   interface AccessPlan      the chosen path and why: estimate, flags, notes, alternatives, text
//   planRead(store, spec, constants): { plan: AccessPlan; exec: ExecPlan }
//   suggestIndex(store, spec): IndexDefinition | null     the B+tree index that would serve a query
//
// Estimates (N rows, H = the table tree's height, e = entries per leaf page):
// - rows examined R = N x (1/distinct per equality column) x (range fraction of the range column);
//   with LIMIT and an order the path already gives (or none asked), R = min(R, limit / fraction of
//   rows the remaining filters keep);
// - pages: PrimaryKeyGet H; B+tree scans (height - 1) + ceil(R / e) leaves; HashLookup the pages of
//   the key's bucket; plus H per table lookup from a non-covering secondary index (a lookup is
//   needed only for entries that pass the filters the index can evaluate itself);
// - a sort, when ORDER BY is not given by the path, handles every matching row;
// - cost = page_time x pages + row_time x (rows examined + rows sorted). Ties go to fewer pages,
//   then to the first path in this order: PrimaryKeyGet, PrimaryKeyRangeScan, secondary indexes in
//   declaration order, TableScan.
// A hash index is never used for a range or a sort; when one of its columns is in the query (a
// condition or ORDER BY) but it cannot serve it, the plan carries a note saying why. So does a
// B+tree index with a condition on one of its columns but none on its leading column, when the
// plan ends up a TableScan.
//
// EXPLAIN: `<access> <index or table>[ (<conditions>)] → <rows> rows, <pages> pages[, flags][; notes]`
//   flags, in this order: covering | table lookup (secondary index paths), backward,
//   filter (<residual conditions>), sort (<order>), limit <n>, aggregate (<count, sum(col)>);
//   values are shown as `?`. `shape` is the same line without the estimate, stable across values.

import type { RangeBounds } from "../index/btree.js";
import type { CostConstants } from "./cost.js";
import { BtreeIndex, HashIndex, type IndexDefinition, type SecondaryIndex } from "./indexes.js";
import { encodeTuple, encodeValue, prefixSuccessor } from "./keys.js";
import type { BoundCondition, BoundOrder, ReadSpec } from "./query.js";
import type { Value } from "./schema.js";
import type { RangeEnd } from "./stats.js";
import type { TableStore } from "./table-store.js";

export const ACCESS_KINDS = [
  "PrimaryKeyGet",
  "PrimaryKeyRangeScan",
  "TableScan",
  "IndexRangeScan",
  "IndexFullScan",
  "HashLookup",
] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

export interface Estimate {
  /** Rows (or index entries) the path examines. */
  readonly rows: number;
  /** Pages read, table lookups included. */
  readonly pages: number;
  /** Rows sorted afterwards (0 when the path gives the order). */
  readonly rows_sorted: number;
  /** page_time x pages + row_time x (rows + rows_sorted), µs (without the fixed service_time). */
  readonly cost_us: number;
}

export interface AlternativePlan {
  /** The alternative's EXPLAIN shape. */
  readonly shape: string;
  readonly estimate: Estimate;
}

export interface AccessPlan {
  readonly table: string;
  readonly access: AccessKind;
  /** The secondary index used; null for the table's own tree. */
  readonly index: string | null;
  /** Conditions the path itself applies: "customer_id = ? AND created_at >= ?" ("" if none). */
  readonly conditions: string;
  /** Secondary index paths: the index holds every column the query reads (no table lookup). */
  readonly covering: boolean;
  /** Rows are fetched from the table through the index. */
  readonly table_lookup: boolean;
  /** The path runs in descending key order (an ORDER BY ... DESC it satisfies). */
  readonly backward: boolean;
  /** Conditions checked on each row after the path ("" if none). */
  readonly filter: string;
  /** The ORDER BY that needs a sort ("" when the path gives the order or none is asked). */
  readonly sort: string;
  readonly limit: number | null;
  readonly estimate: Estimate;
  /** Why indexes touching the query's columns could not serve it. */
  readonly notes: readonly string[];
  /** Every path considered, cheapest first (the chosen one first). */
  readonly alternatives: readonly AlternativePlan[];
  /** EXPLAIN without the estimate: the same for every instance of a query template. */
  readonly shape: string;
  /** EXPLAIN. */
  readonly text: string;
}

/** What the executor needs: opaque to callers. */
export interface ExecPlan {
  readonly access: AccessKind;
  readonly index: SecondaryIndex | null;
  /** B+tree paths: the key range (encoded). */
  readonly bounds: RangeBounds<string>;
  /** The bounds contradict each other: no row can match. */
  readonly empty: boolean;
  /** PrimaryKeyGet: the encoded primary key; HashLookup: the encoded index columns. */
  readonly key: string;
  readonly covering: boolean;
  /** Residual conditions checked on the index entry (secondary paths) before any table lookup. */
  readonly indexFilter: readonly BoundCondition[];
  /** Residual conditions checked on the row. */
  readonly rowFilter: readonly BoundCondition[];
  /** The scan may stop once this many rows passed the filters (Infinity: never early). */
  readonly stopAfter: number;
  /** The order to sort the matching rows into; null when no sort is needed. */
  readonly sort: readonly BoundOrder[] | null;
  readonly spec: ReadSpec;
}

interface ColumnConditions {
  eq: number;
  lower: number;
  upper: number;
}

interface Candidate {
  readonly access: AccessKind;
  readonly index: SecondaryIndex | null;
  /** Condition indexes the path applies (equality prefix, then range). */
  readonly consumed: readonly number[];
  readonly bounds: RangeBounds<string>;
  readonly empty: boolean;
  readonly key: string;
  readonly covering: boolean;
  readonly backward: boolean;
  readonly needSort: boolean;
  readonly indexFilter: readonly BoundCondition[];
  readonly rowFilter: readonly BoundCondition[];
  readonly stopAfter: number;
  readonly raw: { rows: number; pages: number; sorted: number; cost: number };
}

const SELECTIVITY_FLOOR = 1e-9;

function groupConditions(conditions: readonly BoundCondition[]): Map<number, ColumnConditions> {
  const groups = new Map<number, ColumnConditions>();
  conditions.forEach((c, i) => {
    let g = groups.get(c.position);
    if (g === undefined) {
      g = { eq: -1, lower: -1, upper: -1 };
      groups.set(c.position, g);
    }
    if (c.op === "=") {
      if (g.eq < 0) g.eq = i;
    } else if (c.op === ">" || c.op === ">=") {
      if (g.lower < 0 || tighter(c, conditions[g.lower] as BoundCondition, 1)) g.lower = i;
    } else if (g.upper < 0 || tighter(c, conditions[g.upper] as BoundCondition, -1)) g.upper = i;
  });
  return groups;
}

/** Whether bound `a` is tighter than `b` (direction 1: lower bounds, -1: upper bounds). */
function tighter(a: BoundCondition, b: BoundCondition, direction: 1 | -1): boolean {
  const av = a.value as number;
  const bv = b.value as number;
  if (av !== bv) return direction === 1 ? av > bv : av < bv;
  return a.op.length === 1 && b.op.length === 2; // strict beats inclusive at the same value
}

/** The order the result must have, after dropping constant columns, ending in the primary key. */
export function effectiveOrder(
  spec: ReadSpec,
  eqBound: ReadonlySet<number>,
  pk: readonly number[],
): BoundOrder[] | null {
  if (spec.order.length === 0) return null;
  const lastDesc = (spec.order[spec.order.length - 1] as BoundOrder).desc;
  const pkRest = pk.filter((p) => !eqBound.has(p));
  const seen = new Set<number>();
  const out: BoundOrder[] = [];
  const total = () => pkRest.every((p) => seen.has(p));
  for (const term of spec.order) {
    if (total()) break;
    if (eqBound.has(term.position) || seen.has(term.position)) continue;
    out.push(term);
    seen.add(term.position);
  }
  for (const p of pkRest) if (!seen.has(p)) out.push({ position: p, desc: lastDesc });
  return out;
}

/** Whether scanning keys ordered by `keyColumns` yields `order`; which direction. */
function orderFrom(
  keyColumns: readonly number[],
  order: readonly BoundOrder[] | null,
  eqBound: ReadonlySet<number>,
): "forward" | "backward" | null {
  if (order === null || order.length === 0) return "forward";
  const desc = (order[0] as BoundOrder).desc;
  if (order.some((o) => o.desc !== desc)) return null;
  let k = 0;
  for (const term of order) {
    while (k < keyColumns.length && eqBound.has(keyColumns[k] as number)) k++;
    if (k >= keyColumns.length || keyColumns[k] !== term.position) return null;
    k++;
  }
  return desc ? "backward" : "forward";
}

function rangeEnd(c: BoundCondition | undefined): RangeEnd | undefined {
  return c === undefined ? undefined : { value: c.value, inclusive: c.op.length === 2 };
}

/** Fraction of rows that pass `conditions` (independence assumed between columns). */
function selectivity(store: TableStore, conditions: readonly BoundCondition[]): number {
  if (conditions.length === 0) return 1;
  let s = 1;
  for (const [position, g] of groupConditions(conditions)) {
    if (g.eq >= 0) s *= store.stats.eqSelectivity(position);
    else
      s *= store.stats.rangeSelectivity(
        position,
        rangeEnd(conditions[g.lower]),
        rangeEnd(conditions[g.upper]),
      );
  }
  return s;
}

interface PathShape {
  access: AccessKind;
  index: SecondaryIndex | null;
  keyColumns: readonly number[];
  /** Leading key columns bound by equality. */
  eqCount: number;
  /** Condition indexes of the range on keyColumns[eqCount], if any. */
  lower: number;
  upper: number;
}

class Planner {
  private readonly store: TableStore;
  private readonly spec: ReadSpec;
  private readonly constants: CostConstants;
  private readonly groups: Map<number, ColumnConditions>;
  private readonly eqBound: Set<number>;
  /** The order the result must come in (null: any), see effectiveOrder. */
  readonly order: BoundOrder[] | null;

  constructor(store: TableStore, spec: ReadSpec, constants: CostConstants) {
    this.store = store;
    this.spec = spec;
    this.constants = constants;
    this.groups = groupConditions(spec.conditions);
    this.eqBound = new Set([...this.groups].filter(([, g]) => g.eq >= 0).map(([p]) => p));
    this.order = effectiveOrder(spec, this.eqBound, store.info.pk);
  }

  /** Equality prefix and range of a B+tree path over `keyColumns`. */
  private btreeShape(
    access: AccessKind,
    index: SecondaryIndex | null,
    keyColumns: readonly number[],
  ): PathShape {
    let eqCount = 0;
    while (eqCount < keyColumns.length && this.eqBound.has(keyColumns[eqCount] as number)) eqCount++;
    const next = eqCount < keyColumns.length ? this.groups.get(keyColumns[eqCount] as number) : undefined;
    return { access, index, keyColumns, eqCount, lower: next?.lower ?? -1, upper: next?.upper ?? -1 };
  }

  /** Candidates in tie-break order, and notes: hash ones always shown, B+tree ones with a TableScan. */
  candidates(): { candidates: Candidate[]; notes: { text: string; always: boolean }[] } {
    const { store } = this;
    const pk = store.info.pk;
    const out: Candidate[] = [];
    const notes: { text: string; always: boolean }[] = [];
    const primary = this.btreeShape("TableScan", null, pk);
    if (primary.eqCount === pk.length) out.push(this.build({ ...primary, access: "PrimaryKeyGet" }));
    else if (primary.eqCount > 0 || primary.lower >= 0 || primary.upper >= 0) {
      out.push(this.build({ ...primary, access: "PrimaryKeyRangeScan" }));
    }
    for (const index of store.indexes) {
      const def = index.def;
      const referenced = def.columns.some(
        (p) => this.groups.has(p) || this.spec.order.some((o) => o.position === p),
      );
      if (index instanceof HashIndex) {
        if (def.columns.every((p) => this.eqBound.has(p))) {
          out.push(
            this.build({
              access: "HashLookup",
              index,
              keyColumns: def.columns,
              eqCount: def.columns.length,
              lower: -1,
              upper: -1,
            }),
          );
        } else if (referenced)
          notes.push({ text: `${def.name} not usable: ${this.hashReason(index)}`, always: true });
        continue;
      }
      const shape = this.btreeShape("IndexRangeScan", index, def.keyColumns);
      if (shape.eqCount > 0 || shape.lower >= 0 || shape.upper >= 0) {
        out.push(this.build(shape));
        continue;
      }
      const covering = this.covers(index);
      const ordered = this.order !== null && orderFrom(def.keyColumns, this.order, this.eqBound) !== null;
      if (ordered || covering) out.push(this.build({ ...shape, access: "IndexFullScan", eqCount: 0 }));
      else if (def.columns.some((p) => this.groups.has(p))) {
        const leading = store.info.column(def.columns[0] as number).name;
        notes.push({
          text: `${def.name} not usable: no condition on its leading column ${leading}`,
          always: false,
        });
      }
    }
    out.push(
      this.build({ access: "TableScan", index: null, keyColumns: pk, eqCount: 0, lower: -1, upper: -1 }),
    );
    return { candidates: out, notes };
  }

  private hashReason(index: SecondaryIndex): string {
    const name = (p: number) => this.store.info.column(p).name;
    const columns = index.def.columns;
    const ranged = columns.find((p) => !this.eqBound.has(p) && this.groups.has(p));
    if (ranged !== undefined) return `hash index supports equality only, not the range on ${name(ranged)}`;
    if (!columns.some((p) => this.groups.has(p))) {
      const ordered = this.spec.order.find((o) => columns.includes(o.position)) as BoundOrder;
      return `hash index keeps no order, for ORDER BY ${name(ordered.position)}`;
    }
    const missing = columns.find((p) => !this.eqBound.has(p)) as number;
    return `hash index needs equality on all of (${columns.map(name).join(", ")}); none on ${name(missing)}`;
  }

  private covers(index: SecondaryIndex): boolean {
    const stored = index.def.stored;
    return this.spec.needed.every((needed, p) => !needed || stored[p] === true);
  }

  private build(shape: PathShape): Candidate {
    const { store, spec, constants } = this;
    const conditions = spec.conditions;
    const { access, index, keyColumns, eqCount } = shape;
    const consumed: number[] = [];
    const eqValues: Value[] = [];
    for (let k = 0; k < eqCount; k++) {
      const g = this.groups.get(keyColumns[k] as number) as ColumnConditions;
      if (!consumed.includes(g.eq)) consumed.push(g.eq);
      eqValues.push((conditions[g.eq] as BoundCondition).value);
    }
    if (shape.lower >= 0) consumed.push(shape.lower);
    if (shape.upper >= 0) consumed.push(shape.upper);
    const residual = conditions.filter((_, i) => !consumed.includes(i));
    const covering = index !== null && this.covers(index);
    const stored = index?.def.stored;
    const indexFilter = index === null ? [] : residual.filter((c) => stored?.[c.position] === true);
    const rowFilter =
      index === null ? residual : covering ? [] : residual.filter((c) => stored?.[c.position] !== true);

    // Key bounds.
    let key = "";
    let bounds: RangeBounds<string> = {};
    let empty = false;
    if (access === "PrimaryKeyGet" || access === "HashLookup") key = encodeTuple(eqValues);
    else if (access !== "IndexFullScan" && access !== "TableScan") {
      const prefix = encodeTuple(eqValues);
      const lower = conditions[shape.lower];
      const upper = conditions[shape.upper];
      let lo: string | undefined = eqCount > 0 ? prefix : undefined;
      let hi: string | undefined = eqCount > 0 ? prefixSuccessor(prefix) : undefined;
      if (lower !== undefined) {
        const at = prefix + encodeValue(lower.value);
        lo = lower.op === ">=" ? at : prefixSuccessor(at);
        if (lo === undefined) empty = true;
      }
      if (upper !== undefined) {
        const at = prefix + encodeValue(upper.value);
        hi = upper.op === "<" ? at : (prefixSuccessor(at) ?? hi);
      }
      bounds = {
        ...(lo === undefined ? {} : { lo, loInclusive: true }),
        ...(hi === undefined ? {} : { hi, hiInclusive: false }),
      };
      if (lo !== undefined && hi !== undefined && lo >= hi) empty = true;
    }

    const direction = access === "HashLookup" ? null : orderFrom(keyColumns, this.order, this.eqBound);
    const needSort = this.order !== null && direction === null && access !== "PrimaryKeyGet";
    const backward = direction === "backward" && access !== "PrimaryKeyGet";
    bounds = backward ? { ...bounds, reverse: true } : bounds;
    const canStop = Number.isFinite(spec.limit) && spec.aggregates.length === 0 && !needSort;

    // Estimates.
    const n = store.rowCount;
    const tree = store.tree;
    let rows: number;
    if (access === "PrimaryKeyGet") rows = Math.min(1, n);
    else {
      let sel = 1;
      const seen = new Set<number>();
      for (let k = 0; k < eqCount; k++) {
        const p = keyColumns[k] as number;
        if (!seen.has(p)) sel *= store.stats.eqSelectivity(p);
        seen.add(p);
      }
      if (shape.lower >= 0 || shape.upper >= 0) {
        sel *= store.stats.rangeSelectivity(
          keyColumns[eqCount] as number,
          rangeEnd(conditions[shape.lower]),
          rangeEnd(conditions[shape.upper]),
        );
      }
      rows = empty ? 0 : n * sel;
    }
    const sIndex = selectivity(store, indexFilter);
    const sRow = selectivity(store, rowFilter);
    const sResidual = Math.max(SELECTIVITY_FLOOR, sIndex * sRow);
    if (canStop) rows = Math.min(rows, spec.limit / sResidual);
    const matching = canStop ? Math.min(rows * sResidual, spec.limit) : rows * sResidual;
    const lookups = index !== null && !covering ? rows * sIndex : 0;
    let pages: number;
    switch (access) {
      case "PrimaryKeyGet":
        pages = tree.height;
        break;
      case "HashLookup":
        pages = (index as HashIndex).table.bucketPagesOf(key);
        break;
      default: {
        const t = index instanceof BtreeIndex ? index.tree : tree;
        const perLeaf = Math.max(1, t.size / t.leafPageCount);
        pages = t.height - 1 + Math.max(1, Math.ceil(rows / perLeaf));
      }
    }
    pages += lookups * tree.height;
    const sorted = needSort ? matching : 0;
    const cost = constants.page_time_us * pages + constants.row_time_us * (rows + sorted);
    return {
      access,
      index,
      consumed,
      bounds,
      empty,
      key,
      covering,
      backward,
      needSort,
      indexFilter,
      rowFilter,
      stopAfter: canStop ? spec.limit : Number.POSITIVE_INFINITY,
      raw: { rows, pages, sorted, cost },
    };
  }

  describe(c: Candidate, notes: readonly string[], alternatives: AlternativePlan[]): AccessPlan {
    const { store, spec, constants } = this;
    const info = store.info;
    const name = (p: number) => info.column(p).name;
    const condText = (list: readonly BoundCondition[]) =>
      list.map((x) => `${name(x.position)} ${x.op} ?`).join(" AND ");
    const conditions = condText(c.consumed.map((i) => spec.conditions[i] as BoundCondition));
    const residual = spec.conditions.filter((_, i) => !c.consumed.includes(i));
    const filter = condText(residual);
    const sort = c.needSort
      ? spec.order.map((o) => `${name(o.position)} ${o.desc ? "desc" : "asc"}`).join(", ")
      : "";
    const estimate = roundEstimate(c.raw, constants);
    const flags: string[] = [];
    if (c.index !== null) flags.push(c.covering ? "covering" : "table lookup");
    if (c.backward) flags.push("backward");
    if (filter !== "") flags.push(`filter (${filter})`);
    if (sort !== "") flags.push(`sort (${sort})`);
    if (Number.isFinite(spec.limit)) flags.push(`limit ${spec.limit}`);
    if (spec.aggregates.length > 0) {
      const list = spec.aggregates.map((a) => (a.fn === "count" ? "count" : `sum(${name(a.position)})`));
      flags.push(`aggregate (${list.join(", ")})`);
    }
    const head = `${c.access} ${c.index?.name ?? info.name}${conditions === "" ? "" : ` (${conditions})`}`;
    const tail = `${flags.map((f) => `, ${f}`).join("")}${notes.map((n) => `; ${n}`).join("")}`;
    const estimateText = `${plural(estimate.rows, "row")}, ${plural(estimate.pages, "page")}`;
    return {
      table: info.name,
      access: c.access,
      index: c.index?.name ?? null,
      conditions,
      covering: c.covering,
      table_lookup: c.index !== null && !c.covering,
      backward: c.backward,
      filter,
      sort,
      limit: Number.isFinite(spec.limit) ? spec.limit : null,
      estimate,
      notes,
      alternatives,
      shape: head + tail,
      text: `${head} → ${estimateText}${tail}`,
    };
  }

  shapeOf(c: Candidate): string {
    return this.describe(c, [], []).shape;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function roundEstimate(raw: Candidate["raw"], constants: CostConstants): Estimate {
  const round = (x: number) => (x > 0 && x < 1 ? 1 : Math.round(x));
  const rows = round(raw.rows);
  const pages = Math.ceil(raw.pages - 1e-9);
  const rows_sorted = round(raw.sorted);
  return {
    rows,
    pages,
    rows_sorted,
    cost_us: constants.page_time_us * pages + constants.row_time_us * (rows + rows_sorted),
  };
}

/** Plans a read (or the row-finding part of an update or delete) on one table. */
export function planRead(
  store: TableStore,
  spec: ReadSpec,
  constants: CostConstants,
): { plan: AccessPlan; exec: ExecPlan } {
  const planner = new Planner(store, spec, constants);
  const { candidates, notes } = planner.candidates();
  // Stable: ties keep the candidates' order.
  const ranked = candidates
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.raw.cost - b.c.raw.cost || a.c.raw.pages - b.c.raw.pages || a.i - b.i)
    .map(({ c }) => c);
  const chosen = ranked[0] as Candidate;
  const shown = notes.filter((n) => n.always || chosen.access === "TableScan").map((n) => n.text);
  const described = planner.describe(chosen, shown, []);
  // The alternatives' descriptions are built on first read: execute() plans every query.
  let alternatives: AlternativePlan[] | undefined;
  const plan: AccessPlan = {
    ...described,
    get alternatives(): readonly AlternativePlan[] {
      alternatives ??= ranked.map((c) => ({
        shape: planner.shapeOf(c),
        estimate: roundEstimate(c.raw, constants),
      }));
      return alternatives;
    },
  };
  const exec: ExecPlan = {
    access: chosen.access,
    index: chosen.index,
    bounds: chosen.bounds,
    empty: chosen.empty,
    key: chosen.key,
    covering: chosen.covering,
    indexFilter: chosen.indexFilter,
    rowFilter: chosen.rowFilter,
    stopAfter: chosen.stopAfter,
    sort: chosen.needSort ? planner.order : null,
    spec,
  };
  return { plan, exec };
}

/**
 * The B+tree index that would serve a read: its equality columns (in condition order), then its
 * range column, or else its ORDER BY columns when they share one direction. Null when the query
 * has no condition or order to index, or when the primary key already serves it.
 */
export function suggestIndex(store: TableStore, spec: ReadSpec): IndexDefinition | null {
  const info = store.info;
  const columns: number[] = [];
  for (const c of spec.conditions)
    if (c.op === "=" && !columns.includes(c.position)) columns.push(c.position);
  const range = spec.conditions.find((c) => c.op !== "=" && !columns.includes(c.position));
  if (range !== undefined) columns.push(range.position);
  else if (spec.order.length > 0 && spec.order.every((o) => o.desc === spec.order[0]?.desc)) {
    for (const o of spec.order) if (!columns.includes(o.position)) columns.push(o.position);
  }
  if (columns.length === 0) return null;
  const pk = info.pk;
  if (columns.every((p, i) => pk[i] === p)) return null;
  const names = columns.map((p) => info.column(p).name);
  return {
    name: `${info.name}_by_${names.join("_")}`,
    table: info.name,
    columns: names,
    kind: "btree",
    include: [],
  };
}
