// Runs a planned read against a table's storage, charging every page and row it touches.
//
// API (used by Database):
//   runAccess(store, exec, cost): rows      the rows the access path finds that pass every filter,
//                                           in the path's order (covering paths: index entries'
//                                           values, only the covered columns set)
//   finishRead(store, exec, rows, cost): Row[]   sort, limit, aggregate, project
//   matches(row, conditions): boolean       conditions ANDed, as the naive evaluation does

import type { QueryCost } from "./cost.js";
import type { BtreeIndex, HashIndex, IndexEntry } from "./indexes.js";
import { compareValues } from "./keys.js";
import type { ExecPlan } from "./planner.js";
import { type BoundCondition, type BoundOrder, rowObject } from "./query.js";
import type { Row, StoredRow, Value } from "./schema.js";
import type { TableStore } from "./table-store.js";

export type FoundRow = readonly (Value | undefined)[];

export function matches(row: FoundRow, conditions: readonly BoundCondition[]): boolean {
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i] as BoundCondition;
    const v = row[c.position] as number;
    const x = c.value as number;
    switch (c.op) {
      case "=":
        if (v !== x) return false;
        break;
      case "<":
        if (!(v < x)) return false;
        break;
      case "<=":
        if (!(v <= x)) return false;
        break;
      case ">":
        if (!(v > x)) return false;
        break;
      case ">=":
        if (!(v >= x)) return false;
        break;
    }
  }
  return true;
}

/** Result order: the terms in turn (the planner's effective order ends with the primary key). */
export function compareRows(a: FoundRow, b: FoundRow, order: readonly BoundOrder[]): number {
  for (const term of order) {
    const c = compareValues(a[term.position] as Value, b[term.position] as Value);
    if (c !== 0) return term.desc ? -c : c;
  }
  return 0;
}

export function runAccess(store: TableStore, exec: ExecPlan, cost: QueryCost): FoundRow[] {
  const found: FoundRow[] = [];
  const stopAfter = exec.stopAfter;
  if (exec.empty || stopAfter === 0) return found;
  const table = store.tree;
  const rowFilter = exec.rowFilter;
  const indexFilter = exec.indexFilter;
  let examined = 0;
  let lookups = 0;
  let lookupPages = 0;
  // A secondary index entry: filter on the index, then fetch the row unless the index covers.
  const takeEntry = (entry: IndexEntry): boolean => {
    examined++;
    if (!matches(entry.row, indexFilter)) return true;
    let row: FoundRow;
    if (exec.covering) row = entry.row;
    else {
      const stored = table.get(entry.pk);
      lookupPages += table.lastPagesRead;
      lookups++;
      if (stored === undefined) throw new Error(`index ${exec.index?.name}: entry for a missing row`);
      if (!matches(stored, rowFilter)) return true;
      row = stored;
    }
    found.push(row);
    return found.length < stopAfter;
  };
  switch (exec.access) {
    case "PrimaryKeyGet": {
      const row = store.find(exec.key, cost);
      if (row !== undefined) {
        examined++;
        if (matches(row, rowFilter)) found.push(row);
      }
      break;
    }
    case "TableScan":
    case "PrimaryKeyRangeScan":
      table.rangeUntil(exec.bounds, (_key, row: StoredRow) => {
        examined++;
        if (!matches(row, rowFilter)) return true;
        found.push(row);
        return found.length < stopAfter;
      });
      cost.pages_read += table.lastPagesRead;
      break;
    case "IndexRangeScan":
    case "IndexFullScan": {
      const tree = (exec.index as BtreeIndex).tree;
      tree.rangeUntil(exec.bounds, (_key, entry) => takeEntry(entry));
      cost.pages_read += tree.lastPagesRead;
      break;
    }
    case "HashLookup": {
      const hash = (exec.index as HashIndex).table;
      let open = true;
      hash.lookup(exec.key, (_id, entry) => {
        if (open) open = takeEntry(entry);
      });
      cost.pages_read += hash.lastPagesRead;
      break;
    }
  }
  cost.pages_read += lookupPages;
  cost.table_lookups += lookups;
  cost.rows_examined += examined;
  return found;
}

/** Sort (when the plan says so), limit, aggregates, projection. */
export function finishRead(store: TableStore, exec: ExecPlan, found: FoundRow[], cost: QueryCost): Row[] {
  const spec = exec.spec;
  let rows = found;
  if (exec.sort !== null) {
    const order = exec.sort;
    cost.rows_sorted += rows.length;
    rows = rows.slice().sort((a, b) => compareRows(a, b, order));
  }
  if (rows.length > spec.limit) rows = rows.slice(0, spec.limit);
  let out: Row[];
  if (spec.aggregates.length > 0) {
    const result: Record<string, Value> = {};
    for (const a of spec.aggregates) {
      if (a.fn === "count") result[a.name] = rows.length;
      else {
        let sum = 0;
        for (const row of rows) sum += row[a.position] as number;
        result[a.name] = sum;
      }
    }
    out = [result];
  } else out = rows.map((row) => rowObject(store.info, row, spec.output));
  cost.rows_returned += out.length;
  return out;
}
