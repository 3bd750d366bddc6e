// report.json `rpo_rto`: what a region fault cost the clients' writes, as disaster recovery names it.
// RPO (recovery point): acknowledged writes lost, as the final reads judge them. RTO (recovery
// time): the longest time no write succeeded around the fault, whatever healed it: a failover, an
// election, or clients of a multi-leader cluster moving to a surviving node.

import type { PlaceTarget, ResolvedFault } from "../workloads/nemesis/resolve.js";
import type { CompletedOperation, Observer } from "../workloads/observer.js";
import { CLIENT_WRITES } from "./replication.js";
import type { FinalReadsReport, ReplicationReport, RpoRtoReport } from "./report-schema.js";

export interface RegionFault {
  readonly kind: "region_outage" | "region_partition";
  readonly at_us: number;
  readonly target: PlaceTarget;
  readonly for_us: number | null;
}

/** The schedule's first region outage or partition: the fault `rpo_rto` measures (null: none). */
export function firstRegionFault(schedule: readonly ResolvedFault[]): RegionFault | null {
  for (const fault of schedule) {
    if (fault.kind === "region_outage" || fault.kind === "region_partition") {
      return { kind: fault.kind, at_us: fault.at_us, target: fault.target, for_us: fault.for_us };
    }
  }
  return null;
}

/** Flat memory: the last ok write's completion, the longest gap so far, a count. */
export class RpoRtoRecorder implements Observer {
  private readonly fault: RegionFault;
  /** When the fault ends (infinite: it lasts the run). */
  private readonly until_us: number;
  private lastOk_us = 0;
  private outage_us: number | null = null;
  private bad = 0;

  constructor(fault: RegionFault) {
    this.fault = fault;
    this.until_us = fault.for_us === null ? Number.POSITIVE_INFINITY : fault.at_us + fault.for_us;
  }

  onOperation(op: CompletedOperation): void {
    if (!CLIENT_WRITES.has(op.op)) return;
    if (op.result === "ok") {
      // A gap counts when it reaches past the fault's start and began before the fault ended.
      if (op.completed_us >= this.fault.at_us && this.lastOk_us <= this.until_us) {
        const gap_us = op.completed_us - this.lastOk_us;
        if (this.outage_us === null || gap_us > this.outage_us) this.outage_us = gap_us;
      }
      this.lastOk_us = op.completed_us;
      return;
    }
    // Writes the clients never sent (a full backlog, no connection) did not meet the fault.
    if (op.error === "backlog_full" || op.error === "not_sent") return;
    if (op.intended_us >= this.fault.at_us && op.intended_us < this.until_us) this.bad++;
  }

  finish(finalReads: FinalReadsReport | null, replication: ReplicationReport): RpoRtoReport {
    const judged = finalReads?.lost_writes ?? null;
    return {
      fault: {
        kind: this.fault.kind,
        region: this.fault.target.place,
        at_s: this.fault.at_us / 1e6,
        for_s: this.fault.for_us === null ? null : this.fault.for_us / 1e6,
      },
      lost_writes: judged === null ? replication.lost_writes : judged.lost,
      divergent_writes: judged === null ? null : judged.divergent,
      write_outage_s: this.outage_us === null ? null : this.outage_us / 1e6,
      writes_failed_or_timed_out: this.bad,
    };
  }
}
