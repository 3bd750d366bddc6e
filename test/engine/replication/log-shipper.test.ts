// The leader's side of log shipping (engine/replication/log-shipper.ts): a follower is probed (one
// append in flight) until an append succeeds, then pipelined: new entries go out at once, never
// more than `window` appends in flight; a rejection or no answer for 2 ticks probes again.

import { describe, expect, it } from "vitest";
import { LogShipper, type ShipperRules } from "../../../engine/replication/log-shipper.js";
import type { AppendEntries, AppendReply } from "../../../engine/replication/messages.js";
import type { LogEntry, Message, ProtocolContext } from "../../../engine/replication/protocol.js";

const TICK_US = 1000;
const FOLLOWER = 1;

/** A leader (host 0) shipping to one follower (host 1): its log, its clock, what it sent. */
function leader(window: number) {
  const entries: LogEntry[] = [];
  const sent: AppendEntries[] = [];
  let now_us = 0;
  const log = {
    get last_lsn() {
      return entries.length;
    },
    base_lsn: 0,
    applied_lsn: 0,
    entryAt: (lsn: number) => entries[lsn - 1],
    termAt: (lsn: number) => (lsn === 0 ? 0 : 1),
  };
  const node = {
    id: 0,
    log,
    now_us: () => now_us,
    send: (_to: number, msg: Message) => sent.push(msg as AppendEntries),
  } as unknown as ProtocolContext;
  const rules: ShipperRules = { tick_us: TICK_US, window, roundSent: () => 0, commitLsn: () => 0 };
  const shipper = new LogShipper(node, { term: 1 }, { peers: [0, FOLLOWER], batch_max: 256 }, rules);
  const write = () => {
    entries.push({ lsn: entries.length + 1, term: 1, origin: 0, ts_us: now_us, payload: null });
    shipper.replicateAll();
  };
  const reply = (success: boolean, last_lsn: number): void => {
    const msg: AppendReply = {
      kind: "append_reply",
      digest: 0,
      term: 1,
      round: 0,
      sent_us: 0,
      success,
      match_lsn: success ? last_lsn : 0,
      last_lsn,
      snapshot_needed: false,
    };
    shipper.onReply(FOLLOWER, msg, () => {});
  };
  const lastOf = (append: AppendEntries) => append.prev_lsn + append.entries.length;
  return {
    shipper,
    sent,
    write,
    reply,
    lastOf,
    advance: (us: number) => {
      now_us += us;
    },
  };
}

/** A leader whose follower answered its first append: the follower is pipelined from entry 2 on. */
function pipelined(window: number) {
  const l = leader(window);
  l.write();
  l.shipper.lead(1);
  expect(l.sent).toHaveLength(1);
  l.reply(true, 1);
  l.sent.length = 0;
  return l;
}

describe("LogShipper", () => {
  it("probes a follower with one append in flight until one succeeds", () => {
    const l = leader(8);
    l.write();
    l.shipper.lead(1);
    for (let i = 0; i < 20; i++) l.write();
    expect(l.sent).toHaveLength(1);
  });

  it("pipelines new entries without waiting for answers, never more than the window in flight", () => {
    for (const window of [2, 4, 16]) {
      const l = pipelined(window);
      for (let i = 0; i < 100; i++) l.write();
      expect(l.sent, `window ${window}`).toHaveLength(window);
      // Each append carries what was new when sent, in order, without gaps.
      expect(l.sent.map((append) => append.prev_lsn)).toEqual(
        Array.from({ length: window }, (_, i) => 1 + i),
      );
      // An answer for the first two frees two places: the backlog goes out in one batch, then a new entry.
      const answered = l.lastOf(l.sent[1] as AppendEntries);
      l.sent.length = 0;
      l.reply(true, answered);
      expect(l.sent).toHaveLength(1);
      expect(l.lastOf(l.sent[0] as AppendEntries)).toBe(101);
      l.write();
      expect(l.sent).toHaveLength(2);
      l.write();
      expect(l.sent).toHaveLength(2);
    }
  });

  it("with a window of 1 never pipelines (leader-follower's shipping)", () => {
    const l = pipelined(1);
    for (let i = 0; i < 20; i++) l.write();
    expect(l.sent).toHaveLength(1);
  });

  it("probes again from what the follower holds when no answer came for 2 ticks", () => {
    const l = pipelined(4);
    for (let i = 0; i < 10; i++) l.write();
    expect(l.sent).toHaveLength(4);
    l.advance(2 * TICK_US);
    l.sent.length = 0;
    l.shipper.replicateAll();
    expect(l.sent).toHaveLength(1);
    expect(l.sent[0]?.prev_lsn).toBe(1);
    for (let i = 0; i < 10; i++) l.write();
    expect(l.sent).toHaveLength(1); // probing: one in flight
  });

  it("probes again from the follower's log end after a rejection, then pipelines once one succeeds", () => {
    const l = pipelined(4);
    for (let i = 0; i < 3; i++) l.write();
    expect(l.sent.map((append) => append.prev_lsn)).toEqual([1, 2, 3]);
    expect(l.sent.every((append) => append.pipelined === true)).toBe(true);
    l.sent.length = 0;
    l.reply(false, 2); // its log ends at 2 (e.g. it lost entries in a crash)
    expect(l.sent.map((append) => [append.prev_lsn, l.lastOf(append), append.pipelined])).toEqual([
      [2, 4, undefined],
    ]);
    l.write();
    expect(l.sent).toHaveLength(1); // probing: one in flight
    l.reply(true, 4);
    expect(l.sent.map((append) => [append.prev_lsn, l.lastOf(append), append.pipelined])).toEqual([
      [2, 4, undefined],
      [4, 5, true],
    ]);
  });
});
