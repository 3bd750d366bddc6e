// What a query costs, and the cost model that turns it into a node's service time.
//
// API:
//   interface QueryCost        pages read/written, rows examined/sorted/returned, table lookups,
//                              per-index maintenance (write amplification)
//   emptyCost(): QueryCost, addCost(into, from): void, addMaintenance(cost, index, pages): void
//   interface CostConstants    { service_time_us, page_time_us, row_time_us }: the meaning of the
//                              node's `service_time`, `page_time` and `row_time` (engine/node-base.ts)
//   DEFAULT_COST_CONSTANTS     50 µs, 2 µs, 1 µs: the scenario defaults
//   serviceTime_us(cost, constants): number
//       = service_time + page_time x (pages read + pages written) + row_time x (rows examined + rows sorted)
//   (the node's model, plus a sort charging row_time per row it sorts.)

/** Pages read and written, accumulated across the steps of one operation. */
export interface PageCounter {
  pages_read: number;
  pages_written: number;
}

export interface IndexMaintenance {
  /** Secondary index name. */
  readonly index: string;
  pages_read: number;
  pages_written: number;
}

export interface QueryCost {
  /** Pages read: table (primary key B+tree) and secondary index pages, table lookups included. */
  pages_read: number;
  /** Pages written: table pages plus every secondary index's maintenance. */
  pages_written: number;
  /** Rows (or index entries) the access path produced and the filters looked at. */
  rows_examined: number;
  /** Rows put through a sort (ORDER BY that no index order satisfied). */
  rows_sorted: number;
  /** Rows in the result (1 for an aggregate), or rows written by a write. */
  rows_returned: number;
  /** Rows fetched from the table through a secondary index (each a primary key descent). */
  table_lookups: number;
  /** Pages of secondary index maintenance, per index touched, in index declaration order. */
  index_maintenance: IndexMaintenance[];
}

export interface CostConstants {
  /** CPU cost of any request (the node's `service_time`). */
  readonly service_time_us: number;
  /** Cost per page read or written (`page_time`). */
  readonly page_time_us: number;
  /** Cost per row examined or sorted (`row_time`). */
  readonly row_time_us: number;
}

export const DEFAULT_COST_CONSTANTS: CostConstants = Object.freeze({
  service_time_us: 50,
  page_time_us: 2,
  row_time_us: 1,
});

export function emptyCost(): QueryCost {
  return {
    pages_read: 0,
    pages_written: 0,
    rows_examined: 0,
    rows_sorted: 0,
    rows_returned: 0,
    table_lookups: 0,
    index_maintenance: [],
  };
}

/** Adds `from` into `into` (index maintenance merged by index name). */
export function addCost(into: QueryCost, from: QueryCost): void {
  into.pages_read += from.pages_read;
  into.pages_written += from.pages_written;
  into.rows_examined += from.rows_examined;
  into.rows_sorted += from.rows_sorted;
  into.rows_returned += from.rows_returned;
  into.table_lookups += from.table_lookups;
  for (const m of from.index_maintenance) {
    const existing = into.index_maintenance.find((e) => e.index === m.index);
    if (existing === undefined) into.index_maintenance.push({ ...m });
    else {
      existing.pages_read += m.pages_read;
      existing.pages_written += m.pages_written;
    }
  }
}

/** The node's service time for a query of this cost. */
export function serviceTime_us(
  cost: Pick<QueryCost, "pages_read" | "pages_written" | "rows_examined" | "rows_sorted">,
  constants: CostConstants = DEFAULT_COST_CONSTANTS,
): number {
  return (
    constants.service_time_us +
    constants.page_time_us * (cost.pages_read + cost.pages_written) +
    constants.row_time_us * (cost.rows_examined + cost.rows_sorted)
  );
}

/** Charges one index's maintenance pages to a query's cost (totals and the per-index list). */
export function addMaintenance(cost: QueryCost, index: string, pages: PageCounter): void {
  cost.pages_read += pages.pages_read;
  cost.pages_written += pages.pages_written;
  const existing = cost.index_maintenance.find((m) => m.index === index);
  if (existing === undefined) {
    cost.index_maintenance.push({ index, pages_read: pages.pages_read, pages_written: pages.pages_written });
  } else {
    existing.pages_read += pages.pages_read;
    existing.pages_written += pages.pages_written;
  }
}
