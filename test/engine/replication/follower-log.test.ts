// The follower's side of log shipping (engine/replication/follower-log.ts), shared by leader-follower
// and raft: log matching, truncation of a divergent suffix, and the one rule where they differ, an
// append that reaches below the follower's compacted log.

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../../engine/events.js";
import { FollowerLog, type FollowerLogRules } from "../../../engine/replication/follower-log.js";
import { EchoToLeader } from "../../../engine/replication/leader-reads.js";
import type { AppendEntries } from "../../../engine/replication/messages.js";
import type { LogEntry, ProtocolContext } from "../../../engine/replication/protocol.js";

/** A node whose log holds entries of the given terms after `base` (compacted, in term `base_term`). */
function follower(terms: number[], rules: FollowerLogRules, base = 0, base_term = 0) {
  let entries: LogEntry[] = terms.map((term, i) => entry(base + i + 1, term));
  const events: EngineEvent[] = [];
  const log = {
    get last_lsn() {
      return base + entries.length;
    },
    base_lsn: base,
    applied_lsn: 0,
    entryAt: (lsn: number) => (lsn > base ? entries[lsn - base - 1] : undefined),
    termAt(lsn: number): number {
      if (lsn === base) return base_term;
      const held = entries[lsn - base - 1];
      if (held === undefined) throw new Error(`not held: ${lsn}`);
      return held.term;
    },
  };
  const node = {
    id: 1,
    log,
    durableLsn: () => log.last_lsn,
    append: (e: LogEntry) => entries.push(e),
    truncateFrom(lsn: number): number {
      const removed = log.last_lsn - lsn + 1;
      entries = entries.slice(0, lsn - base - 1);
      return removed;
    },
    emit: (event: EngineEvent) => events.push(event),
  } as unknown as ProtocolContext;
  const followerLog = new FollowerLog(node, { term: 2 }, new EchoToLeader(), rules);
  return { followerLog, log, events, terms: () => entries.map((e) => e.term) };
}

function entry(lsn: number, term: number): LogEntry {
  return { lsn, term, origin: 0, ts_us: 0, payload: null };
}

function append(prev_lsn: number, prev_term: number, terms: number[]): AppendEntries {
  const entries = terms.map((term, i) => entry(prev_lsn + i + 1, term));
  return {
    kind: "append",
    digest: 0,
    term: 2,
    leader: 0,
    round: 0,
    sent_us: 0,
    prev_lsn,
    prev_term,
    entries,
  };
}

const LEADER_FOLLOWER: FollowerLogRules = { compacted_entries_match: false, committed: () => 0 };

describe("FollowerLog", () => {
  it("appends what connects, and reports how far the logs match", () => {
    const { followerLog, terms } = follower([1, 1], LEADER_FOLLOWER);
    expect(followerLog.append(append(2, 1, [2, 2]))).toEqual({ matched: true, appended: 2 });
    expect(terms()).toEqual([1, 1, 2, 2]);
    expect(followerLog.reply(true)).toMatchObject({ success: true, match_lsn: 4, last_lsn: 4 });
  });

  it("refuses an append past its log's end, and one whose previous entry's term differs (discarding from there)", () => {
    const { followerLog, terms, events } = follower([1, 1, 1], LEADER_FOLLOWER);
    expect(followerLog.append(append(5, 2, []))).toEqual({ matched: false, snapshot_needed: false });
    expect(followerLog.append(append(2, 2, [2]))).toEqual({ matched: false, snapshot_needed: false });
    expect(terms()).toEqual([1]);
    expect(events).toEqual([{ type: "truncate", node: 1, entries: 2 }]);
  });

  it("below its compacted log: leader-follower asks for a snapshot, raft takes the entries as matching", () => {
    const below = append(1, 1, [1, 1, 2]); // positions 2..4; this log compacted up to 3
    const lf = follower([1], LEADER_FOLLOWER, 3, 1);
    expect(lf.followerLog.append(below)).toEqual({ matched: false, snapshot_needed: true });
    const raft = follower([1], { compacted_entries_match: true, committed: () => 3 }, 3, 1);
    expect(raft.followerLog.append(below)).toEqual({ matched: true, appended: 1 });
    expect(raft.terms()).toEqual([2]); // position 4 was of another term: replaced
    expect(raft.followerLog.verified).toBe(4);
  });

  it("never discards a committed entry", () => {
    const { followerLog } = follower([1, 1, 1], { compacted_entries_match: true, committed: () => 2 });
    expect(() => followerLog.append(append(2, 2, []))).toThrow("truncating committed entry 2 (commit 2)");
  });
});
