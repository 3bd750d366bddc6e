// engine/replication/acknowledged-log.ts: a replica that lost entries it acknowledged stays out of
// elections until a leader matched its log through them again.

import { describe, expect, it } from "vitest";
import { AcknowledgedLog } from "../../../engine/replication/acknowledged-log.js";

const log = (last_lsn: number) => ({ last_lsn }) as never;

describe("AcknowledgedLog", () => {
  it("abstains after a restart whose log ends before what it acknowledged, until matched through it", () => {
    const durable: { acked_lsn?: number } = {};
    new AcknowledgedLog(durable, log(0), false).acknowledged(120);
    expect(durable.acked_lsn).toBe(120);
    const restarted = new AcknowledgedLog(durable, log(100), false);
    expect(restarted.abstains).toBe(true);
    restarted.matched(119);
    expect(restarted.abstains).toBe(true);
    restarted.matched(120);
    expect(restarted.abstains).toBe(false);
  });

  it("does not abstain after an ordinary restart, nor when a leader replaced uncommitted entries", () => {
    const durable = { acked_lsn: 50 };
    expect(new AcknowledgedLog(durable, log(50), false).abstains).toBe(false);
    const replica = new AcknowledgedLog(durable, log(50), false);
    replica.replaced(41); // a new leader's log diverged from 41 on: those were never committed
    expect(durable.acked_lsn).toBe(40);
    expect(new AcknowledgedLog(durable, log(40), false).abstains).toBe(false);
  });

  it("abstains when it cuts its log below what it acknowledged while running; never when alone", () => {
    const durable = { acked_lsn: 80 };
    const replica = new AcknowledgedLog(durable, log(90), false);
    replica.lost(85);
    expect(replica.abstains).toBe(false);
    replica.lost(70);
    expect(replica.abstains).toBe(true);
    const alone = new AcknowledgedLog(durable, log(10), true);
    alone.lost(5);
    expect(alone.abstains).toBe(false);
  });
});
