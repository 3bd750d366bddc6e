// Jepsen's final phase, once the run has finished (the runner's finalPhase): every fault ends (the
// fault injector's endAll, Jepsen's final generator), the cluster runs for `settle_us` with no new
// operation, then the workload's final reads (each touched key, or a bank's every balance, from
// every replica of its shard as it is then) run one at a time from the client host, until the
// last is answered or given up.

import type { ClusterInspector } from "../engine/topology.js";
import type { Simulation } from "../sim/simulation.js";
import { type ClientHost, type FinalRead, FinalReader, type FinalReadTarget } from "./client/final-reads.js";

/** Jepsen's final phase, as it went (ScenarioRun.finalPhase, runFinalPhase). */
export interface FinalPhase {
  /** When every fault was ended (the clients had drained), and when the reads began and ended. */
  readonly healed_us: number;
  readonly reads_from_us: number;
  readonly end_us: number;
  readonly settle_us: number;
  readonly reads: readonly FinalRead[];
  /** Nodes that believed they led when the reads began. */
  readonly leaders: readonly number[];
  /** What the cluster did meanwhile: promotions, and log entries replicas discarded. */
  readonly leader_changes: number;
  readonly truncated_entries: number;
}

export interface FinalPhaseWorld {
  readonly sim: Simulation;
  readonly injector: { endAll(): void };
  readonly cluster: ClusterInspector;
  readonly clientHost: ClientHost;
  /** What to read from which replicas, asked as the reads begin (a reshard may have moved keys). */
  readonly targets: () => FinalReadTarget[];
  readonly settle_us: number;
  /** A read unanswered this long is tried again. */
  readonly timeout_us: number;
  /** Counted by whoever hears the engine's events meanwhile; read as the reads end. */
  readonly during: { readonly leader_changes: number; readonly truncated_entries: number };
}

export function runFinalPhase(world: FinalPhaseWorld): FinalPhase {
  const { sim } = world;
  const healed_us = sim.now_us;
  world.injector.endAll();
  const reads_from_us = healed_us + world.settle_us;
  const phase: { reader: FinalReader | null; leaders: number[] } = { reader: null, leaders: [] };
  sim.at(reads_from_us, () => {
    phase.leaders = world.cluster.leaders();
    phase.reader = new FinalReader(world.targets(), world.timeout_us, () => sim.stop());
    world.clientHost.startFinalReads(phase.reader);
  });
  sim.resume();
  while (phase.reader === null || !phase.reader.done) {
    const outcome = sim.runSlice(1_000_000);
    if (outcome === "idle") throw new Error("final phase: no event left before the reads ended (a bug)");
    if (outcome === "stopped" && phase.reader?.done !== true) sim.resume();
  }
  return {
    healed_us,
    reads_from_us,
    end_us: sim.now_us,
    settle_us: world.settle_us,
    reads: phase.reader.reads,
    leaders: phase.leaders,
    leader_changes: world.during.leader_changes,
    truncated_entries: world.during.truncated_entries,
  };
}
