// A protocol decides when log entries reach the state machines: as they are logged (what
// leader-follower and multi-leader do) or only once it commits them (what consensus needs). A stub
// protocol, written against replication/protocol.ts alone, commits when a test message says so.

import { describe, expect, it } from "vitest";
import { addShard } from "../../../engine/cluster.js";
import { storageOf } from "../../../engine/node/storage.js";
import type { Request, RequestSpec, Response } from "../../../engine/protocol.js";
import type {
  InService,
  ProtocolContext,
  RefusalStatus,
  ReplicationProtocol,
} from "../../../engine/replication/protocol.js";
import type { HostContext, HostId, Message } from "../../../sim/host.js";
import { Simulation } from "../../../sim/simulation.js";

/** Test message to the node: commit the log up to `lsn`, or discard it from `lsn` on. */
interface Control extends Message {
  readonly kind: "commit" | "truncate";
  readonly lsn: number;
}

/** One node that acknowledges a write once a `commit` message covers it. */
class CommitWhenTold implements ReplicationProtocol {
  readonly term = 1;
  readonly applies_on_append: boolean;
  private node!: ProtocolContext;
  private waiting: InService[] = [];

  constructor(applies_on_append: boolean) {
    this.applies_on_append = applies_on_append;
  }

  get leader_hint(): HostId {
    return this.node.id;
  }

  start(node: ProtocolContext): void {
    this.node = node;
  }

  refusal(): RefusalStatus | null {
    return null;
  }

  onWrite(write: InService): void {
    this.waiting.push(write);
  }

  onRead(read: InService): void {
    this.node.respond(read);
  }

  onDurable(): void {}

  onTimer(): void {}

  onMessage(_from: HostId, msg: Message): void {
    const { kind, lsn } = msg as Control;
    if (kind === "truncate") {
      this.node.truncateFrom(lsn);
      return;
    }
    if (!this.applies_on_append) this.node.applyTo(lsn);
    for (const write of this.waiting.filter((w) => w.lsn <= lsn)) this.node.respond(write);
    this.waiting = this.waiting.filter((w) => w.lsn > lsn);
  }
}

/** A node with keys k0..k9 (value 0), and a client sending `script` (requests and controls). */
function run(applies_on_append: boolean, script: [number, RequestSpec | Control][]) {
  const sim = new Simulation({ seed: 1, latency: { dist: "constant", value_us: 10 } });
  const shard = addShard(sim, {
    replicas: 1,
    protocol: () => new CommitWhenTold(applies_on_append),
    node: {
      service_time_us: 50,
      page_time_us: 1,
      row_time_us: 1,
      fsync_policy: { kind: "never" },
      queue_limit: 10,
      fsync_us: 100,
      btree_fanout: 8,
    },
    field_count: 1,
    load: { count: 10, key: (n) => `k${n}`, value: 0 },
  });
  const node = shard.nodes[0] as HostId;
  const answers: { id: number; at_us: number; response: Response }[] = [];
  sim.addHost("client", () => ({
    onStart(ctx: HostContext) {
      for (const [i, [at_us]] of script.entries()) ctx.setTimer(at_us, i);
    },
    onTimer(ctx: HostContext, i: number) {
      const [, message] = script[i] as [number, RequestSpec | Control];
      if ("op" in message) {
        const request = { ...message, kind: "req", digest: i, id: i, min_lsn: 0, require_leader: false };
        ctx.send(node, request as Request);
      } else ctx.send(node, message);
    },
    onMessage(ctx: HostContext, _from: HostId, msg: Message) {
      const response = msg as Response;
      answers.push({ id: response.id, at_us: ctx.now_us(), response });
    },
  }));
  sim.run({ until_us: 1_000_000 });
  const answer = (id: number) => answers.find((a) => a.id === id);
  const value = (id: number) => {
    const response = answer(id)?.response;
    return response !== undefined && "value" in response ? response.value : undefined;
  };
  return { answer, value, table: storageOf(sim.disk(node)).table, log: sim.disk(node) };
}

const update = (key: string, value: number): RequestSpec => ({ op: "update", key, field: 0, value });
const read = (key: string): RequestSpec => ({ op: "read", key });
const control = (kind: Control["kind"], lsn: number): Control => ({ kind, lsn, digest: lsn });

describe("when a protocol applies what it logs", () => {
  const script: [number, RequestSpec | Control][] = [
    [0, update("k1", 7)],
    [1_000, read("k1")],
    [2_000, control("commit", 1)],
    [3_000, read("k1")],
  ];

  it("applying only once committed: a read before the commit does not see the write", () => {
    const { answer, value } = run(false, script);
    expect(value(1)).toBe(0);
    expect(answer(0)?.at_us).toBeGreaterThan(2_000); // acknowledged once committed
    expect(value(3)).toBe(7);
  });

  it("applying at once, acknowledging later: the same read sees the write before it is committed", () => {
    const { answer, value } = run(true, script);
    expect(value(1)).toBe(7);
    expect(answer(0)?.at_us).toBeGreaterThan(2_000);
    expect(value(3)).toBe(7);
  });

  it("a truncated entry that was never applied leaves the data as it was", () => {
    const { table, log, value } = run(false, [
      [0, update("k1", 7)],
      [1_000, control("commit", 1)],
      [2_000, update("k2", 9)],
      [3_000, control("truncate", 2)],
      [4_000, read("k2")],
    ]);
    expect(log.length).toBe(1);
    expect(table.version(table.find("k1"))).toBe(7);
    expect(table.version(table.find("k2"))).toBe(0);
    expect(value(4)).toBe(0);
  });

  it("an applied entry that is truncated is undone", () => {
    const { table, value } = run(true, [
      [0, update("k2", 9)],
      [1_000, control("truncate", 1)],
      [2_000, read("k2")],
    ]);
    expect(table.version(table.find("k2"))).toBe(0);
    expect(value(2)).toBe(0);
  });
});
