// Where a client sends each request among a shard's replicas, and how it follows redirects.
//
// Writes go to the node the clients believe leads (every client host shares one belief, updated by
// `not_leader` answers that name the leader, and moved on to the next node when a request to it
// times out); in multi-leader mode client i writes to node i mod replicas. Reads follow read_from:
// the leader; a follower (client i reads from follower i mod followers, fixed at the start); or the
// nearest replica (client i reads from node i mod replicas: links are alike, so "nearest" spreads;
// with a topology, from the replicas nearest the client's place, i mod their count).

import type { HostId } from "../../sim/host.js";

export interface ReplicaRoutingConfig {
  /** The shard's replicas; the first leads at the start. */
  nodes: readonly HostId[];
  multiLeader: boolean;
  read_from: "leader" | "follower" | "nearest";
  /** With a topology: the replicas nearest the client, which `nearest` reads spread over (default all). */
  nearest?: readonly HostId[];
}

export interface Route {
  readonly node: HostId;
  /** Only the leader may serve it. */
  readonly require_leader: boolean;
}

export class ReplicaRouter {
  private readonly config: ReplicaRoutingConfig;
  private leader: HostId;
  /** The shard's replicas now (a raft membership change replaces them). */
  private nodes: readonly HostId[];
  /** The members nearest the client that `nearest` reads spread over (all members without a topology). */
  private near: readonly HostId[];

  constructor(config: ReplicaRoutingConfig) {
    if (config.nodes.length === 0) throw new RangeError("routing needs at least one node");
    this.config = config;
    this.nodes = config.nodes;
    this.near = config.nearest ?? config.nodes;
    this.leader = config.nodes[0] as HostId;
  }

  /** The shard's replicas changed (a committed raft configuration): routes go to these from now on. */
  setNodes(nodes: readonly HostId[]): void {
    if (nodes.length === 0) throw new RangeError("routing needs at least one node");
    this.nodes = nodes;
    const near = this.config.nearest?.filter((node) => nodes.includes(node)) ?? [];
    this.near = near.length > 0 ? near : nodes;
    if (!nodes.includes(this.leader)) this.leader = nodes[0] as HostId;
  }

  route(kind: "read" | "write", client: number): Route {
    const { nodes } = this;
    const { multiLeader, read_from } = this.config;
    if (multiLeader) return { node: nodes[client % nodes.length] as HostId, require_leader: false };
    if (kind === "write" || read_from === "leader" || nodes.length === 1) {
      return { node: this.leader, require_leader: true };
    }
    if (read_from === "follower") {
      return { node: nodes[1 + (client % (nodes.length - 1))] as HostId, require_leader: false };
    }
    const { near } = this;
    return { node: near[client % near.length] as HostId, require_leader: false };
  }

  /** Where to resend after `not_leader` from `node` (hint: the leader it names, or -1); null: give up. */
  redirect(node: HostId, hint: HostId): HostId | null {
    if (hint >= 0 && hint !== node) {
      this.leader = hint;
      return hint;
    }
    if (node === this.leader) this.leader = this.next(node); // it knows no leader: try another next time
    return null;
  }

  /** A request to `node` went unanswered: if it was the presumed leader, presume the next node. */
  timedOut(node: HostId): void {
    if (node === this.leader && !this.config.multiLeader) this.leader = this.next(node);
  }

  private next(node: HostId): HostId {
    const { nodes } = this;
    return nodes[(nodes.indexOf(node) + 1) % nodes.length] as HostId;
  }
}
