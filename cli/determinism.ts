// Where two runs of one scenario and seed part ways: compares their trace checkpoints (the rolling
// trace hash every 100,000 events) and final trace hashes. Replay compares a re-run with a recorded
// run; `dbsim run --check-determinism` compares two fresh runs.

import type { TraceCheckpoint } from "../sim/trace.js";
import type { LoadedScenario } from "../workloads/scenario/load.js";
import { executeRun } from "./execute.js";

/** What a run leaves to compare: its final trace hash, and its checkpoints when known. */
export interface RunTrace {
  readonly trace_hash: string;
  /** null when not recorded (a run directory's report.json has none): only the final hash is compared. */
  readonly checkpoints: readonly TraceCheckpoint[] | null;
}

/** The first place two runs differ. */
export type Divergence =
  | {
      readonly kind: "checkpoint";
      /** 1-based number of the checkpoint. */
      readonly number: number;
      /** Events and virtual time of the checkpoint (of the run that has it, the expected one first). */
      readonly events: number;
      readonly time_us: number;
      /** The hashes there; null when that run ended before the checkpoint. */
      readonly expected: string | null;
      readonly actual: string | null;
    }
  | {
      readonly kind: "final";
      /** The last checkpoint both runs agree on, if any. */
      readonly agreed?: TraceCheckpoint;
      readonly expected: string;
      readonly actual: string;
    };

export interface DeterminismCheck {
  readonly same: boolean;
  /** The first run's trace hash. */
  readonly trace_hash: string;
  /** Where the second run first differs from the first; absent when they are the same. */
  readonly first?: Divergence;
}

/** Runs the scenario twice at the seed, as `dbsim run` does, and compares the two traces. */
export async function checkDeterminism(scenario: LoadedScenario, seed: number): Promise<DeterminismCheck> {
  const traces: RunTrace[] = [];
  for (let run = 0; run < 2; run++) {
    const executed = await executeRun(scenario, seed, { yieldBetweenSlices: true, metrics: false });
    traces.push({ trace_hash: executed.report.trace_hash, checkpoints: executed.checkpoints });
  }
  const [expected, actual] = traces as [RunTrace, RunTrace];
  const first = findDivergence(expected, actual);
  return {
    same: first === undefined,
    trace_hash: expected.trace_hash,
    ...(first === undefined ? {} : { first }),
  };
}

/** The first checkpoint where `actual` differs from `expected`, or their final hashes; undefined when the same. */
export function findDivergence(expected: RunTrace, actual: RunTrace): Divergence | undefined {
  let agreed: TraceCheckpoint | undefined;
  if (expected.checkpoints !== null && actual.checkpoints !== null) {
    const count = Math.max(expected.checkpoints.length, actual.checkpoints.length);
    for (let i = 0; i < count; i++) {
      const want = expected.checkpoints[i];
      const got = actual.checkpoints[i];
      if (want !== undefined && got !== undefined && sameCheckpoint(want, got)) {
        agreed = want;
        continue;
      }
      const at = (want ?? got) as TraceCheckpoint;
      return {
        kind: "checkpoint",
        number: i + 1,
        events: at.events,
        time_us: at.time_us,
        expected: want?.hash ?? null,
        actual: got?.hash ?? null,
      };
    }
  }
  if (expected.trace_hash === actual.trace_hash) return undefined;
  return {
    kind: "final",
    ...(agreed === undefined ? {} : { agreed }),
    expected: expected.trace_hash,
    actual: actual.trace_hash,
  };
}

/** One line naming where the runs diverge and the hashes there. */
export function divergenceLine(divergence: Divergence): string {
  if (divergence.kind === "final") {
    const where =
      divergence.agreed === undefined
        ? "no checkpoint locates the divergence"
        : `the runs agree up to ${checkpointName(divergence.agreed.events, divergence.agreed.time_us)}`;
    return `trace hash differs: expected ${divergence.expected}, got ${divergence.actual} (${where})`;
  }
  const name = `checkpoint ${divergence.number} (${checkpointName(divergence.events, divergence.time_us)})`;
  return `first diverging ${name}: expected hash ${hashOrEnd(divergence.expected)}, got ${hashOrEnd(divergence.actual)}`;
}

function hashOrEnd(hash: string | null): string {
  return hash ?? "none (the run ended before it)";
}

function checkpointName(events: number, time_us: number): string {
  return `event ${events}, virtual time ${(time_us / 1e6).toFixed(6)}s`;
}

function sameCheckpoint(a: TraceCheckpoint, b: TraceCheckpoint): boolean {
  return a.hash === b.hash && a.events === b.events && a.time_us === b.time_us;
}
