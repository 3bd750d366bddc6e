// A domain workload (ecommerce, social, timeseries) as the client driver runs it: each operation is
// one `query` request carrying one query of a template, served by the node's query database.
//
// API:
//   new DomainClientWorkload(workload, rng)    rng: the workload's stream; queries draw from its
//                                              split "query" (the data loads from split "data")
//   opNameOf(query): OpName                    the report's operation name of a query:
//       select, get -> read; insert, and a batch of inserts only -> insert; update, delete, and any
//       other batch -> update
//   interface DomainOperation                  the template, the query, and the node's outcome

import { okResponse, type QueryOutcome, type Response } from "../../../engine/protocol.js";
import type { Query } from "../../../engine/query/query.js";
import type { Rng } from "../../../sim/rng.js";
import type { ClientOperation, ClientWorkload, NextStep, RequestPlan } from "../../client/client-workload.js";
import type { OpName, QueryData } from "../../observer.js";
import type { DomainWorkload } from "./domain.js";

export interface DomainOperation extends ClientOperation {
  readonly kind: OpName;
  readonly template: string;
  readonly query: Query;
  /** How the node served it, once it answered `ok`. */
  outcome: QueryOutcome | null;
}

/** The report's operation name of a query (report.json `ops` keeps YCSB's names). */
export function opNameOf(query: Query): OpName {
  switch (query.kind) {
    case "select":
    case "get":
      return "read";
    case "insert":
      return "insert";
    case "batch":
      return query.queries.every((q) => q.kind === "insert") ? "insert" : "update";
    default:
      return "update";
  }
}

export class DomainClientWorkload implements ClientWorkload<DomainOperation> {
  /** Queries write rows, not values unique to a write: there is no register history to check. */
  readonly uniqueWrites = false;
  readonly workload: DomainWorkload;
  private readonly rng: Rng;

  constructor(workload: DomainWorkload, rng: Rng) {
    this.workload = workload;
    this.rng = rng.split("query");
  }

  next(now_us: number): DomainOperation {
    const { template, query } = this.workload.next(this.rng, now_us);
    return { kind: opNameOf(query), key: "", template, query, outcome: null };
  }

  first(op: DomainOperation): RequestPlan {
    return { op: "query", query: op.query, template: op.template };
  }

  after(op: DomainOperation, _step: number, response: Response): NextStep {
    op.outcome = okResponse(response, "query").outcome;
    return null;
  }

  finished(): void {}

  queryData(op: DomainOperation): QueryData {
    return { template: op.template, query: op.query, outcome: op.outcome };
  }
}
