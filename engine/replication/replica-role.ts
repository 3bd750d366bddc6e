// A replica's term, vote and role, shared by leader-follower.ts and raft.ts: the term and vote it
// keeps durable across crashes (Raft's persistent state), the role it plays and the leader it knows
// of, and the role changes it reports.

import type { Role } from "../events.js";
import type { HostId, ProtocolContext } from "./protocol.js";

/** What a replica keeps on disk for its protocol: the term and its vote, durable. */
interface DurableState {
  term: number;
  voted_for: HostId;
  /** False until the node first starts: the initial leader leads term 1 only at its first start. */
  started: boolean;
  /** Raft: the highest position it acknowledged (acknowledged-log.ts); absent until then. */
  acked_lsn?: number;
}

export class ReplicaRole {
  role: Role = "follower";
  /** The leader it follows, or itself (-1: unknown). */
  leader: HostId = -1;
  durable!: DurableState;
  private node!: ProtocolContext;

  /** The node (re)started: its durable state is in place. Returns whether this is its first start. */
  start(node: ProtocolContext): boolean {
    this.node = node;
    this.durable = node.persistent<DurableState>(() => ({ term: 1, voted_for: -1, started: false }));
    const firstStart = !this.durable.started;
    this.durable.started = true;
    return firstStart;
  }

  get term(): number {
    return this.durable.term;
  }

  /** Moves to a newer term, with no vote cast in it yet; a term not newer changes nothing. */
  enterTerm(term: number): void {
    const durable = this.durable;
    if (term > durable.term) {
      durable.term = term;
      durable.voted_for = -1;
    }
  }

  /** Stands for election, voting for itself (in the next term when `next_term`); it knows no leader. */
  standForElection(next_term: boolean): void {
    if (next_term) this.durable.term++;
    this.durable.voted_for = this.node.id;
    this.set("candidate");
    this.leader = -1;
  }

  /** Records a role change (and reports it; `always`: also when unchanged, e.g. after a restart). */
  set(role: Role, always = false): void {
    if (this.role === role && role !== "leader" && !always) return;
    this.role = role;
    this.node.emit({ type: "role", node: this.node.id, role, term: this.durable.term });
  }
}
