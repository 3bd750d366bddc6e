// Configurations (engine/replication/membership.ts): the latest configuration entry the log holds
// is in effect; one the log lost (a crash) or discarded falls back to the one before; a snapshot's
// replaces them all; catch-up rounds.

import { describe, expect, it } from "vitest";
import {
  CatchUp,
  type ConfigEntry,
  type Configuration,
  Configurations,
} from "../../../engine/replication/membership.js";
import type { LogEntry, ReplicatedLog } from "../../../engine/replication/protocol.js";

/** A log of `entries` (positions 1..n) after `base` compacted ones. */
function logOf(entries: LogEntry[], base = 0): ReplicatedLog {
  return {
    last_lsn: base + entries.length,
    base_lsn: base,
    applied_lsn: 0,
    entryAt: (lsn) => entries[lsn - base - 1],
    termAt: (lsn) => (lsn <= base ? 0 : (entries[lsn - base - 1] as LogEntry).term),
  };
}

const write = (lsn: number, term: number): LogEntry => ({ lsn, term, origin: 0, ts_us: 0, payload: {} });
const config = (lsn: number, term: number, voters: number[], learners: number[] = []): ConfigEntry => ({
  lsn,
  term,
  origin: 0,
  ts_us: 0,
  payload: null,
  membership: { voters, learners },
  done: lsn,
});

describe("Configurations", () => {
  it("takes the latest configuration entry appended, and falls back when the log no longer holds it", () => {
    const stored: Configuration[] = [];
    const configs = new Configurations(stored, [0, 1, 2]);
    const entries = [write(1, 1), config(2, 1, [0, 1, 2], [3]), write(3, 1), config(4, 1, [0, 1, 2, 3])];
    configs.appended(entries, logOf(entries));
    expect(configs.latest().membership.voters).toEqual([0, 1, 2, 3]);
    expect(configs.isVoter(3)).toBe(true);
    expect(configs.at(3).membership.learners).toEqual([3]);
    // A restart finds what the durable record says, minus what the crash lost (entries 4 on).
    const restarted = new Configurations(stored, [0, 1, 2]);
    restarted.reconcile(logOf(entries.slice(0, 3)));
    expect(restarted.latest().membership).toEqual({ voters: [0, 1, 2], learners: [3] });
    // Entry 2 replaced by another term's write (a discarded suffix): back to the initial configuration.
    const other = [write(1, 1), write(2, 2)];
    restarted.appended(other.slice(1), logOf(other));
    expect(restarted.latest().lsn).toBe(0);
    expect(restarted.isMember(3)).toBe(false);
  });

  it("keeps entries under the log's start (committed) and takes a snapshot's configuration whole", () => {
    const configs = new Configurations([], [0, 1, 2]);
    const entries = [config(1, 1, [0, 1])];
    configs.appended(entries, logOf(entries));
    configs.reconcile(logOf([], 5));
    expect(configs.latest().membership.voters).toEqual([0, 1]);
    configs.installed({ lsn: 9, term: 2, membership: { voters: [1, 2], learners: [] }, done: 3 });
    expect(configs.latest()).toMatchObject({ lsn: 9, done: 3 });
    expect(configs.between(0, 8)).toEqual([]);
  });
});

describe("CatchUp", () => {
  it("is caught up once a round (the entries held when it began) took at most the bound", () => {
    const catchUp = new CatchUp();
    expect(catchUp.caughtUp(3, 0, 100, 0, 1000)).toBe(false); // round 1 begins: up to 100
    expect(catchUp.caughtUp(3, 100, 150, 2000, 1000)).toBe(false); // took 2000: round 2, up to 150
    expect(catchUp.caughtUp(3, 140, 160, 2500, 1000)).toBe(false);
    expect(catchUp.caughtUp(3, 150, 170, 2900, 1000)).toBe(true);
  });
});
