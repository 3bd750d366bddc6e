// The router host (routing: proxy), as mongos is to MongoDB: clients send every request to it, and
// it routes each to its shard (scattering scans and merging them) with its own cached shard map,
// following redirects, then answers the client. It spends no CPU time of its own: it costs the
// clients one more network round trip. Requests a shard never answers are dropped after the
// clients' timeout (the client has timed out by then), and their shard's presumed leader moves on.

import type { HostBehaviour, HostContext, HostId, Message, TimerTag } from "../../sim/host.js";
import { type Request, type RequestSpec, type Response, unserved } from "../protocol.js";
import { DISPATCH_MAX_TAGS, type Dispatcher } from "./dispatcher.js";
import type { ShardMapNotice } from "./shard-map.js";

interface Forwarded {
  readonly client: HostId;
  readonly id: number;
  readonly since_us: number;
}

const TIMER_SWEEP = 0;

export class RouterHost implements HostBehaviour {
  private readonly dispatcher: Dispatcher;
  private readonly timeout_us: number;
  private readonly slots: (Forwarded | undefined)[] = [];
  private readonly free: number[] = [];

  constructor(dispatcher: Dispatcher, timeout_us: number) {
    this.dispatcher = dispatcher;
    this.timeout_us = timeout_us;
    for (let tag = DISPATCH_MAX_TAGS - 1; tag >= 0; tag--) this.free.push(tag);
  }

  onStart(ctx: HostContext): void {
    ctx.setTimer(this.timeout_us, TIMER_SWEEP);
  }

  onMessage(ctx: HostContext, from: HostId, msg: Message): void {
    if (msg.kind === "shard_map") {
      this.dispatcher.adopt((msg as ShardMapNotice).map);
    } else if (msg.kind === "req") {
      this.forward(ctx, from, msg as Request);
    } else if (msg.kind === "resp") {
      const done = this.dispatcher.onResponse(ctx, from, msg as Response);
      if (done === null) return;
      const forwarded = this.slots[done.tag] as Forwarded;
      this.release(done.tag);
      // The client's only node is this router: a leader hint would point it past the router.
      const answer: Response = { ...done.response, id: forwarded.id, leader_hint: -1 };
      ctx.send(forwarded.client, answer);
    }
  }

  onTimer(ctx: HostContext, _tag: TimerTag): void {
    const now = ctx.now_us();
    for (let tag = 0; tag < this.slots.length; tag++) {
      const forwarded = this.slots[tag];
      if (forwarded === undefined || now - forwarded.since_us < this.timeout_us) continue;
      this.dispatcher.abandon(tag, ctx);
      this.release(tag);
    }
    ctx.setTimer(this.timeout_us, TIMER_SWEEP);
  }

  private forward(ctx: HostContext, client: HostId, req: Request): void {
    const tag = this.free.pop();
    if (tag === undefined) {
      // The router's own slots are full: answered like a node's full queue.
      ctx.send(client, unserved(req, "overloaded", 0, -1));
      return;
    }
    this.slots[tag] = { client, id: req.id, since_us: ctx.now_us() };
    // The client's routing fields were for this router: the dispatcher routes the request anew.
    const { kind: _kind, digest: _digest, id: _id, min_lsn: _min, require_leader: _leader, ...spec } = req;
    this.dispatcher.send(ctx, tag, spec as RequestSpec);
  }

  private release(tag: number): void {
    this.slots[tag] = undefined;
    this.free.push(tag);
  }
}
