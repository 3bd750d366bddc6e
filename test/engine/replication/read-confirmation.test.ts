import { describe, expect, it } from "vitest";
import type { InService } from "../../../engine/replication/protocol.js";
import {
  type KeysAt,
  leaseDuration_us,
  quorumValue,
  ReadConfirmation,
} from "../../../engine/replication/read-confirmation.js";

/** A read that finished its CPU work, as the leader holds it (only identity matters here). */
function read(id: number): InService {
  return { from: 0, req: { id }, response: { id }, lsn: 0, cpu_done_us: 0 } as unknown as InService;
}

/** A logged write: its position and the keys it writes. */
interface Written {
  readonly lsn: number;
  readonly keys: readonly string[];
}

function write(lsn: number, key: string, paired?: string): Written {
  return { lsn, keys: paired === undefined ? [key] : [key, paired] };
}

const ids = (reads: InService[]) => reads.map((r) => r.req.id);

/** A leader's log: its no-op at 5, then `entries`. */
function logOf(entries: Written[]): KeysAt {
  return (lsn) => entries.find((e) => e.lsn === lsn)?.keys;
}

describe("quorumValue", () => {
  it("is the largest value a majority has reached, the leader's own included", () => {
    expect(quorumValue(10, [3, 7], 2)).toBe(7);
    expect(quorumValue(10, [3, 7, 9, 1], 3)).toBe(7);
    expect(quorumValue(2, [3, 7], 2)).toBe(3); // a follower may be ahead of the leader's own durability
    expect(quorumValue(4, [], 1)).toBe(4); // alone, the leader is its majority
  });
});

describe("leaseDuration_us", () => {
  it("is detect_after less the clock error each side may have: 2 x max_clock_error", () => {
    expect(leaseDuration_us(1_000_000, 10_000)).toBe(980_000);
    expect(leaseDuration_us(1_000_000, 0)).toBe(1_000_000);
  });
});

describe("ReadConfirmation", () => {
  it("read_index: a read waits for a round started after it arrived; reads arriving meanwhile share the next", () => {
    const c = new ReadConfirmation(5);
    c.majorityHolds(5, logOf([]));
    expect(c.hold(read(1), false, 5)).toBe(true); // round 1 starts now
    expect(c.roundSent).toBe(1);
    expect(c.hold(read(2), false, 5)).toBe(false); // round 1 is in flight: waits for round 2
    expect(c.hold(read(3), false, 5)).toBe(false);
    expect(c.ready()).toEqual([]);
    // A majority acknowledges round 1: read 1 is answered, and round 2 starts for reads 2 and 3.
    expect(c.acknowledged(1, 0)).toBe(true);
    expect(c.roundSent).toBe(2);
    expect(ids(c.ready())).toEqual([1]);
    expect(c.acknowledged(2, 0)).toBe(false); // nothing more waits: no round 3
    expect(ids(c.ready())).toEqual([2, 3]);
    expect(c.roundSent).toBe(2);
  });

  it("an acknowledgement of an older round answers nothing newer", () => {
    const c = new ReadConfirmation(1);
    c.majorityHolds(1, logOf([]));
    c.hold(read(1), false, 1);
    c.acknowledged(0, 0);
    expect(c.ready()).toEqual([]);
  });

  it("nothing is committed before the term's own first entry (its no-op) is held by a majority", () => {
    const c = new ReadConfirmation(5);
    expect(c.majorityHolds(4, logOf([]))).toBe(false); // entries of older terms: not known committed
    expect(c.commitLsn).toBe(0);
    c.hold(read(1), true, c.commitNeeded("k", 5));
    expect(c.ready()).toEqual([]);
    expect(c.majorityHolds(5, logOf([]))).toBe(true);
    expect(ids(c.ready())).toEqual([1]);
  });

  it("a read of a key whose latest write is not committed waits for it; other keys do not", () => {
    const log = [write(6, "a"), write(7, "b", "c"), write(8, "a")];
    const c = new ReadConfirmation(5);
    c.majorityHolds(5, logOf(log));
    c.logged(8, logOf(log));
    expect(c.commitNeeded("a", 8)).toBe(8);
    expect(c.commitNeeded("b", 8)).toBe(7);
    expect(c.commitNeeded("c", 8)).toBe(7); // a transfer's second account
    expect(c.commitNeeded("z", 8)).toBe(5);
    expect(c.commitNeeded(null, 8)).toBe(8); // a read of several keys: the whole log
    c.hold(read(1), true, c.commitNeeded("a", 8));
    c.hold(read(2), true, c.commitNeeded("b", 8));
    c.hold(read(3), true, c.commitNeeded("z", 8));
    expect(ids(c.ready())).toEqual([3]);
    c.majorityHolds(7, logOf(log));
    expect(ids(c.ready())).toEqual([2]);
    expect(c.commitNeeded("a", 8)).toBe(8); // its later write is still pending
    expect(c.commitNeeded("b", 8)).toBe(5);
    c.majorityHolds(8, logOf(log));
    expect(ids(c.ready())).toEqual([1]);
    expect(c.commitNeeded("a", 8)).toBe(5);
  });

  it("writes compacted away before they committed are forgotten by position", () => {
    const log = [write(6, "a"), write(7, "b")];
    const c = new ReadConfirmation(5);
    c.majorityHolds(5, logOf(log));
    c.logged(7, logOf(log));
    c.majorityHolds(7, () => undefined);
    expect(c.commitNeeded("a", 7)).toBe(5);
    expect(c.commitNeeded("b", 7)).toBe(5);
  });

  it("lease: a read needs no round while a majority acknowledged a send within the lease", () => {
    const c = new ReadConfirmation(1);
    c.majorityHolds(1, logOf([]));
    expect(c.leaseHeld(0, 980_000)).toBe(false); // nothing acknowledged yet
    c.acknowledged(0, 1_000_000);
    expect(c.leaseHeld(1_979_999, 980_000)).toBe(true);
    expect(c.leaseHeld(1_980_000, 980_000)).toBe(false);
    expect(c.hold(read(1), true, 1)).toBe(false);
    expect(ids(c.ready())).toEqual([1]);
  });

  it("drain hands back every held read (the leader steps down)", () => {
    const c = new ReadConfirmation(1);
    c.hold(read(1), false, 1);
    c.hold(read(2), true, 9);
    expect(ids(c.drain())).toEqual([1, 2]);
    expect(c.ready()).toEqual([]);
  });
});
