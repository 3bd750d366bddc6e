import { describe, expect, it } from "vitest";
import { DiskDevice } from "../../../engine/node/disk-device.js";
import { Rng } from "../../../sim/rng.js";

const constant = (value_us: number) => ({ dist: "constant" as const, value_us });

function device(iops: number): DiskDevice {
  return new DiskDevice({ read: constant(100), write: constant(30), iops }, 1000, Rng.fromSeed(1));
}

describe("DiskDevice", () => {
  it("completes an operation its latency after it is admitted", () => {
    const disk = device(1_000_000);
    expect(disk.read(500)).toBe(600);
    expect(disk.write(2_000)).toBe(2_030);
    expect(disk.fsync(5_000)).toBe(6_000);
  });

  it("admits one operation per 1/iops seconds: a burst queues", () => {
    const disk = device(1000);
    expect([disk.read(0), disk.read(0), disk.read(0)]).toEqual([100, 1100, 2100]);
    // Once the burst has passed, an operation is admitted at once again.
    expect(disk.read(10_000)).toBe(10_100);
  });

  it("shares its IOPS between reads, writes and fsyncs: an fsync delays the read after it", () => {
    const disk = device(1000);
    expect(disk.fsync(0)).toBe(1000);
    expect(disk.read(0)).toBe(1100);
    expect(disk.write(0)).toBe(2030);
  });

  it("refuses an IOPS limit that is not a positive integer", () => {
    expect(() => device(0)).toThrow(/iops/);
  });
});
