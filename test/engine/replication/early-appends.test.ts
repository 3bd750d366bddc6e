// A Raft follower's early pipelined appends (engine/replication/early-appends.ts): held until the
// log reaches the entry before them, taken out in turn, never more than the window, only of the
// term asked for.

import { describe, expect, it } from "vitest";
import { EarlyAppends } from "../../../engine/replication/early-appends.js";
import type { AppendEntries } from "../../../engine/replication/messages.js";

function append(prev_lsn: number, count: number, term = 2): AppendEntries {
  const entries = Array.from({ length: count }, (_, i) => ({
    lsn: prev_lsn + i + 1,
    term,
    origin: 0,
    ts_us: 0,
    payload: null,
  }));
  return {
    kind: "append",
    digest: 0,
    term,
    leader: 0,
    round: 0,
    sent_us: 0,
    prev_lsn,
    prev_term: term,
    entries,
    pipelined: true,
  };
}

describe("EarlyAppends", () => {
  it("gives back a held append once the log reaches the entry before it, in turn", () => {
    const early = new EarlyAppends<AppendEntries>(4);
    early.hold(append(12, 3));
    early.hold(append(10, 2));
    expect(early.takeConnecting(2, 9)).toBeUndefined();
    expect(early.takeConnecting(2, 10)?.prev_lsn).toBe(10);
    expect(early.takeConnecting(2, 10)).toBeUndefined();
    expect(early.takeConnecting(2, 12)?.prev_lsn).toBe(12);
    expect(early.takeConnecting(2, 15)).toBeUndefined();
  });

  it("holds at most its window, and only gives back appends of the term asked for", () => {
    const early = new EarlyAppends<AppendEntries>(2);
    for (const prev of [20, 21, 22]) early.hold(append(prev, 1));
    expect(early.takeConnecting(3, 30)).toBeUndefined();
    expect(early.takeConnecting(2, 30)?.prev_lsn).toBe(20);
    expect(early.takeConnecting(2, 30)?.prev_lsn).toBe(21);
    expect(early.takeConnecting(2, 30)).toBeUndefined(); // the third was dropped: the leader resends it
    early.hold(append(40, 1));
    early.clear();
    expect(early.takeConnecting(2, 50)).toBeUndefined();
  });
});
