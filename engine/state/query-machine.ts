// The query state machine: a domain workload's tables and indexes (engine/query/ Database), loaded
// identically on every replica. It serves `query`: the plan's pages and rows make its cost
// (query/cost.ts serviceTime_us, the node's model); a query that changed rows logs them as one
// payload, which replicas apply in log order (Database.apply) and a lost or truncated entry reverts
// (Database.revert, newest row first), so an entry is applied and undone whole. A write that changed
// nothing (an update matching no row, a duplicate key) logs nothing.

import type { NodeStorage } from "../node/storage.js";
import { type RequestOf, responseDigest, type ServedResponse } from "../protocol.js";
import type { Database, RowChange } from "../query/database.js";
import { rowValuesBytes } from "../wire-size.js";
import { type Execution, type StateMachine, UNDONE_BY_PAYLOAD } from "./state-machine.js";

/** A query's row changes, in order. */
export interface RowsPayload {
  readonly kind: "rows";
  readonly changes: readonly RowChange[];
}

export class QueryMachine
  implements StateMachine<RequestOf<"query">, RowsPayload, typeof UNDONE_BY_PAYLOAD, Database>
{
  private readonly storage: NodeStorage;

  constructor(storage: NodeStorage) {
    this.storage = storage;
  }

  private get db(): Database {
    const db = this.storage.db;
    if (db === null)
      throw new Error("database node: a query without a query database (not a domain workload)");
    return db;
  }

  execute(req: RequestOf<"query">, x: Execution): ServedResponse {
    const db = this.db;
    const { cost, plan, status, changes, rows: result } = db.execute(req.query);
    let lsn = 0;
    if (changes.length > 0) {
      const payload: RowsPayload = { kind: "rows", changes };
      // Database.execute applied the changes: taken back when the protocol applies only once committed.
      if (x.applies_at_once) lsn = x.append(payload, UNDONE_BY_PAYLOAD);
      else {
        db.revert(changes);
        lsn = x.append(payload, null);
      }
    }
    // Charged at row_time each: the service time is query/cost.ts serviceTime_us(cost).
    const rows = cost.rows_examined + cost.rows_sorted;
    const access = plan.access;
    let result_bytes = 0;
    for (const row of result) result_bytes += rowValuesBytes(row);
    return {
      kind: "resp",
      digest: responseDigest(req.id, null),
      id: req.id,
      op: "query",
      status,
      outcome: {
        kind: plan.kind,
        shape: plan.shape,
        access: access === null ? null : access.access,
        index: access === null ? null : access.index,
        covering: access?.covering === true,
        table_lookup: access?.table_lookup === true,
        rows_returned: cost.rows_returned,
        rows_examined: cost.rows_examined,
        rows_sorted: cost.rows_sorted,
        pages_read: cost.pages_read,
        pages_written: cost.pages_written,
      },
      result_bytes,
      lsn,
      rows,
      pages_read: cost.pages_read,
      pages_written: cost.pages_written,
      queue_us: x.queue_us,
      service_us: x.service_us(cost.pages_read + cost.pages_written, rows),
      sync_us: 0,
      disk_us: 0,
      pages_hit: 0,
      pages_missed: 0,
      term: x.term,
      leader_hint: x.leader_hint,
    };
  }

  apply(payload: RowsPayload): typeof UNDONE_BY_PAYLOAD {
    this.db.apply(payload.changes);
    return UNDONE_BY_PAYLOAD;
  }

  undo(payload: RowsPayload): void {
    this.db.revert(payload.changes);
  }

  snapshot(): Database {
    return this.db.copy();
  }

  restore(state: Database): void {
    this.storage.db = state.copy();
  }
}
