// report.json `final_reads`: what Jepsen's final phase found. The state each replica converged to
// (from the final reads in the history), the keys on which replicas disagree, and the acknowledged
// writes judged on it: the lost_writes check's counts, the run's headline lost-writes figure.

import type { Verdict } from "../workloads/checkers/checker.js";
import { finalStates } from "../workloads/checkers/final-state.js";
import type { History } from "../workloads/checkers/history.js";
import type { FinalPhase } from "../workloads/final-phase.js";
import { DIVERGENCE_LISTED, type FinalReadsReport } from "./report-schema.js";

export function finalReadsReport(input: {
  phase: FinalPhase;
  /** The history's process of the final reads. */
  process: number;
  history: History;
  nodeName: (node: number) => string;
  /** lost_writes judged with the final reads (a LostWritesVerdict; null: not judged). */
  lostWrites: Verdict | null;
}): FinalReadsReport {
  const { phase } = input;
  const states = finalStates(input.history, input.process);
  let diverged = 0;
  const divergence: FinalReadsReport["divergence"] = [];
  for (const state of states.values()) {
    if (!state.diverged) continue;
    if (diverged++ < DIVERGENCE_LISTED) {
      divergence.push({ key: state.key, values: Object.fromEntries(state.replicas) });
    }
  }
  return {
    healed_at_s: phase.healed_us / 1e6,
    settle_s: phase.settle_us / 1e6,
    reads_from_s: phase.reads_from_us / 1e6,
    end_s: phase.end_us / 1e6,
    process: input.process,
    keys: states.size,
    reads: phase.reads.length,
    unanswered: phase.reads.filter((read) => read.result !== "ok").length,
    leaders: phase.leaders.map(input.nodeName),
    leader_changes: phase.leader_changes,
    truncated_entries: phase.truncated_entries,
    diverged_keys: diverged,
    divergence,
    lost_writes: lostWritesCounts(input.lostWrites),
  };
}

function lostWritesCounts(verdict: Verdict | null): FinalReadsReport["lost_writes"] {
  if (verdict === null || typeof verdict.lost !== "number") return null;
  const count = (field: string) => verdict[field] as number;
  return {
    acknowledged: count("checked"),
    lost: count("lost"),
    divergent: count("divergent"),
    unjudged: count("unjudged"),
  };
}
