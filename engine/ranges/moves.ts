// Moving a range's replica from one physical node to another at run time (docs/ranges.md): a
// membership change requested by message rather than scheduled when the cluster is built. The
// coordinator host sends `move_replica` to every replica host of the range; each Raft replica keeps
// the request (durably, beside its configurations) and whichever leads carries it out, one
// single-server change at a time: the host on the target node joins as a learner (a snapshot
// fills it when it started empty), becomes a voter once caught up, then the replica on the source
// node is removed (a leader about to remove itself first transfers leadership to the new replica, which removes it).

import type { HostContext, HostId, Message } from "../../sim/host.js";

/** Coordinator -> a range's replica hosts: replace the replica `remove` by the host `add`. */
export interface MoveReplicaRequest extends Message {
  readonly kind: "move_replica";
  readonly shard: number;
  readonly add: HostId;
  readonly remove: HostId;
}

/** A scheduled move (a scenario's `move_replica` change), with the hosts its nodes name. */
export interface RangeMove {
  readonly at_us: number;
  readonly shard: number;
  /** The range's replica host on the source node, and on the target node. */
  readonly remove: HostId;
  readonly add: HostId;
}

/** Sends the request to every replica host of the range (`hosts`: its host on each node). */
export function requestMove(
  ctx: HostContext,
  hosts: readonly HostId[],
  move: Omit<RangeMove, "at_us">,
): void {
  const request: MoveReplicaRequest = {
    kind: "move_replica",
    digest: (Math.imul(move.add, 0x9e3779b1) ^ (move.remove << 8) ^ move.shard) >>> 0,
    shard: move.shard,
    add: move.add,
    remove: move.remove,
  };
  for (const host of hosts) ctx.send(host, request);
}

/**
 * The step a leader takes next for a move given its configuration: add the new host (as a learner),
 * wait for its promotion, remove the old one; null once the move is done.
 */
export function moveStep(
  move: { readonly add: HostId; readonly remove: HostId },
  voters: readonly HostId[],
  learners: readonly HostId[],
): "add" | "wait" | "remove" | null {
  if (learners.includes(move.add)) return "wait";
  if (!voters.includes(move.add)) return "add";
  return voters.includes(move.remove) || learners.includes(move.remove) ? "remove" : null;
}
