// The CPU servers take turns on: a host's own, or a physical node's shared by its replica hosts.

import { describe, expect, it } from "vitest";
import { Cpu, type CpuUser } from "../../../engine/node/cpu.js";

function clock() {
  const up = new Set<number>([0, 1, 2]);
  let now = 0;
  return {
    up,
    advance: (us: number) => {
      now += us;
    },
    isUp: (host: number) => up.has(host),
    now_us: () => now,
  };
}

/** A user that records its grants and, with `holdOnGrant: false`, gives the CPU back at once. */
function user(cpu: Cpu, host: number, grants: number[], holdOnGrant = true): CpuUser {
  const u: CpuUser = {
    host,
    granted: () => {
      grants.push(host);
      if (!holdOnGrant) cpu.release(u);
    },
  };
  cpu.attach(u);
  return u;
}

describe("Cpu", () => {
  it("hands a busy CPU to the servers waiting for it, first come first served", () => {
    const cpu = new Cpu(clock());
    const grants: number[] = [];
    const [a, b, c] = [user(cpu, 0, grants), user(cpu, 1, grants), user(cpu, 2, grants)];
    expect(cpu.acquire(a)).toBe(true);
    expect(cpu.tryAcquire(b)).toBe(false);
    expect(cpu.acquire(c)).toBe(false);
    expect(cpu.acquire(b)).toBe(false);
    cpu.release(a);
    expect(grants).toEqual([2]);
    cpu.release(c);
    expect(grants).toEqual([2, 1]);
  });

  it("passes over a waiter that gives the CPU back at once", () => {
    const cpu = new Cpu(clock());
    const grants: number[] = [];
    const a = user(cpu, 0, grants);
    const b = user(cpu, 1, grants, false);
    const c = user(cpu, 2, grants);
    cpu.acquire(a);
    cpu.acquire(b);
    cpu.acquire(c);
    cpu.release(a);
    expect(grants).toEqual([1, 2]);
    expect(cpu.tryAcquire(a)).toBe(false); // c holds it
  });

  it("drops a holder whose host went down, and a waiter replaced by its host's restart", () => {
    const time = clock();
    const cpu = new Cpu(time);
    const grants: number[] = [];
    const a = user(cpu, 0, grants);
    const b = user(cpu, 1, grants);
    cpu.acquire(a);
    cpu.acquire(b); // waits
    time.up.delete(0); // a's host crashed holding the CPU: it never gives it back
    const b2 = user(cpu, 1, grants); // b's host restarted: a new server, the old one's place is stale
    expect(cpu.acquire(b2)).toBe(true);
    expect(grants).toEqual([]);
  });

  it("hands the CPU on when a restarted host's new server attaches in place of the holder", () => {
    const cpu = new Cpu(clock());
    const grants: number[] = [];
    const a = user(cpu, 0, grants);
    const b = user(cpu, 1, grants);
    cpu.acquire(a);
    cpu.acquire(b);
    user(cpu, 0, grants); // host 0 restarted
    expect(grants).toEqual([1]);
  });

  it("counts a shared CPU's busy time", () => {
    const time = clock();
    const cpu = new Cpu(time);
    const a = user(cpu, 0, []);
    cpu.acquire(a);
    time.advance(300);
    cpu.release(a);
    time.advance(700);
    expect(cpu.busy_us()).toBe(300);
    cpu.acquire(a);
    time.advance(50);
    expect(cpu.busy_us()).toBe(350);
    expect(new Cpu().busy_us()).toBe(0);
  });
});
