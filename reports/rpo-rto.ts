// report.json `rpo_rto`: what a region fault cost the clients' writes, as disaster recovery names it.
// RPO (recovery point): acknowledged writes lost, as the final reads judge them. RTO (recovery
// time): the longest time no write succeeded around the fault, whatever healed it: a failover, an
// election, or clients of a multi-leader cluster moving to a surviving node. RPO as a time: when the
// lost writes were sent and acknowledged, and so how far before the fault the data lost goes back.

import type { Operation } from "../workloads/checkers/history.js";
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

/** Flat memory: the last ok write's completion, the longest gap so far, a count, the lost writes' span. */
export class RpoRtoRecorder implements Observer {
  private readonly fault: RegionFault;
  /** When the fault ends (infinite: it lasts the run). */
  private readonly until_us: number;
  private lastOk_us = 0;
  private outage_us: number | null = null;
  private bad = 0;
  /** The acknowledged writes found lost: the first one sent, the first and the last acknowledged. */
  private lost: { sentFirst_us: number; ackedFirst_us: number; ackedLast_us: number } | null = null;

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

  /** An acknowledged write lost_writes found lost (CheckOptions.on_lost_write). */
  onLostWrite(write: Operation): void {
    const { invokeTime: sent_us, completeTime: acked_us } = write;
    if (sent_us === null || acked_us === null) return;
    const lost = this.lost;
    if (lost === null) {
      this.lost = { sentFirst_us: sent_us, ackedFirst_us: acked_us, ackedLast_us: acked_us };
      return;
    }
    lost.sentFirst_us = Math.min(lost.sentFirst_us, sent_us);
    lost.ackedFirst_us = Math.min(lost.ackedFirst_us, acked_us);
    lost.ackedLast_us = Math.max(lost.ackedLast_us, acked_us);
  }

  finish(finalReads: FinalReadsReport | null, replication: ReplicationReport): RpoRtoReport {
    const judged = finalReads?.lost_writes ?? null;
    // Timed only as the final reads judged them: the count beside the times is theirs.
    const lost = judged === null ? null : this.lost;
    // From when the first lost write left its client: its acknowledgement came a round trip later,
    // often after the fault began. Writes sent after the start lose no time before it; none lost, none.
    const before_fault_us =
      judged === null ? null : lost === null ? 0 : Math.max(0, this.fault.at_us - lost.sentFirst_us);
    return {
      fault: {
        kind: this.fault.kind,
        region: this.fault.target.place,
        at_s: this.fault.at_us / 1e6,
        for_s: this.fault.for_us === null ? null : this.fault.for_us / 1e6,
      },
      lost_writes: judged === null ? replication.lost_writes : judged.lost,
      divergent_writes: judged === null ? null : judged.divergent,
      lost_acked_first_s: lost === null ? null : lost.ackedFirst_us / 1e6,
      lost_acked_last_s: lost === null ? null : lost.ackedLast_us / 1e6,
      lost_before_fault_s: before_fault_us === null ? null : before_fault_us / 1e6,
      write_outage_s: this.outage_us === null ? null : this.outage_us / 1e6,
      writes_failed_or_timed_out: this.bad,
    };
  }
}
