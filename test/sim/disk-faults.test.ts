// sim/disk.ts's faults: corrupt entries, lying fsyncs, torn writes, a slow device's factor.

import { describe, expect, it } from "vitest";
import { Disk } from "../../sim/disk.js";

function diskWith(entries: number, synced: number): Disk {
  const disk = new Disk(0);
  for (let i = 0; i < entries; i++) disk.append(`e${i}`);
  disk.syncTo(synced);
  return disk;
}

describe("disk faults", () => {
  it("marks a corrupt entry until it leaves the log (truncated, trimmed or reset)", () => {
    const disk = diskWith(10, 10);
    disk.corruptAt(2);
    disk.corruptAt(7);
    expect(disk.corruptPositions()).toEqual([2, 7]);
    expect(disk.entryAt(2)).toBe("e2"); // the bytes are still there: the reader decides
    disk.truncateFrom(5);
    expect(disk.corruptPositions()).toEqual([2]);
    disk.trimBefore(3);
    expect(disk.corruptCount).toBe(0);
    disk.corruptAt(4);
    disk.resetTo(20);
    expect(disk.isCorrupt(4)).toBe(false);
    expect(() => disk.corruptAt(20)).toThrow(RangeError);
  });

  it("loses at the next crash what lying fsyncs reported durable, and nothing once they stop", () => {
    const disk = diskWith(4, 4);
    disk.fsyncsLie = true;
    disk.append("e4");
    disk.append("e5");
    disk.syncTo(6);
    expect(disk.durableLength).toBe(6); // what the host is told
    disk.trimBefore(6);
    expect(disk.firstPosition).toBe(4); // trimming keeps what did not reach the platter
    disk.crash();
    expect(disk.length).toBe(4);
    expect(disk.durableLength).toBe(4);
    expect(disk.takeLostTail()).toEqual(["e4", "e5"]);
    disk.append("e4'");
    disk.syncTo(5); // still lying
    disk.fsyncsLie = false;
    disk.syncTo(5); // a real fsync flushes everything reported
    disk.crash();
    expect(disk.length).toBe(5);
  });

  it("leaves the entry being written torn (corrupt, durable) on a torn crash; the lost tail lists it", () => {
    const disk = diskWith(6, 3);
    expect(disk.crash(true)).toBe(3);
    expect(disk.length).toBe(4);
    expect(disk.durableLength).toBe(4);
    expect(disk.entryAt(3)).toBe("e3");
    expect(disk.corruptPositions()).toEqual([3]);
    expect(disk.takeLostTail()).toEqual(["e3", "e4", "e5"]);
  });

  it("tears nothing when everything was synced", () => {
    const disk = diskWith(3, 3);
    expect(disk.crash(true)).toBe(-1);
    expect(disk.length).toBe(3);
    expect(disk.corruptCount).toBe(0);
  });
});
