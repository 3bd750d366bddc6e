// The message side of read confirmation (read-confirmation.ts), shared by the protocols with one
// leader per term (leader-follower.ts, raft.ts): a leader sends read rounds as heartbeats and counts
// what its followers echo; a follower echoes the latest round and send time it accepted from its
// leader in every reply.

import type { HostId } from "../../sim/host.js";
import { OPERATIONS } from "../operations.js";
import type { Heartbeat, HeartbeatReply, LeaderEcho, LeaderMessage } from "./messages.js";
import type { InService, ProtocolContext } from "./protocol.js";
import { quorumValue, type ReadConfirmation, type ReadSettings } from "./read-confirmation.js";

/** What a leader knows a follower echoed in its term. */
export interface FollowerEcho {
  /** Highest read round it acknowledged. */
  round: number;
  /** This leader's clock at the latest send it acknowledged. */
  echo_us: number;
}

/** A leader's read confirmation for one term, with its node and followers. */
export class LeaderReads {
  readonly confirmation: ReadConfirmation;
  private readonly node: ProtocolContext;
  private readonly term: number;
  private readonly followers: ReadonlyMap<HostId, FollowerEcho>;
  /** Read when counting: a protocol whose majority changes (Raft's membership) passes a getter. */
  private readonly quorum: { readonly majority: number };

  constructor(
    confirmation: ReadConfirmation,
    leader: {
      node: ProtocolContext;
      term: number;
      followers: ReadonlyMap<HostId, FollowerEcho>;
      majority: number;
    },
  ) {
    this.confirmation = confirmation;
    this.node = leader.node;
    this.term = leader.term;
    this.followers = leader.followers;
    this.quorum = leader;
  }

  /** Sends the latest read round to every follower at once (not waiting for the next append). */
  sendRound(): void {
    const node = this.node;
    const round = this.confirmation.roundSent;
    const heartbeat: Heartbeat = {
      kind: "heartbeat",
      digest: round,
      term: this.term,
      leader: node.id,
      round,
      sent_us: node.now_us(),
    };
    for (const peer of this.followers.keys()) node.send(peer, heartbeat);
    this.confirm(); // alone, a leader is its own majority
  }

  /** Records what a follower acknowledged, and answers the reads that lets through. */
  noteEcho(f: FollowerEcho, echo: LeaderEcho): void {
    if (echo.round > f.round) f.round = echo.round;
    if (echo.sent_us > f.echo_us) f.echo_us = echo.sent_us;
    this.confirm();
  }

  answerConfirmed(): void {
    for (const read of this.confirmation.ready()) this.node.respond(read);
  }

  /** Takes the read round and send time a majority acknowledged; starts the next round if wanted. */
  private confirm(): void {
    const confirmation = this.confirmation;
    const rounds: number[] = [];
    const sent: number[] = [];
    for (const f of this.followers.values()) {
      rounds.push(f.round);
      sent.push(f.echo_us);
    }
    const { majority } = this.quorum;
    const round = quorumValue(confirmation.roundSent, rounds, majority);
    if (confirmation.acknowledged(round, quorumValue(this.node.now_us(), sent, majority))) this.sendRound();
    else this.answerConfirmed();
  }
}

/**
 * Answers a request that wrote nothing: at once when no one asked the leader for it, when it is a
 * client's read under local reads, or when it is the shard mover's and `confirm_mover_reads` is not
 * set (nor anything else: a transaction's statement); refused when this node no longer leads; else
 * held until confirmed, at once within a lease, and once what it must see (`commitNeeded`) is
 * committed.
 */
export function answerRead(
  node: ProtocolContext,
  reads: {
    settings: ReadSettings;
    lease_us: number;
    leader: LeaderReads | null;
    confirm_mover_reads?: boolean;
  },
  done: InService,
  commitNeeded: (confirmation: ReadConfirmation) => number,
): void {
  const { req } = done;
  const traits = OPERATIONS[req.op];
  const confirmed = traits.client_read
    ? reads.settings.consistency !== "local"
    : traits.served_by === "shard mover" && reads.confirm_mover_reads === true;
  if (!req.require_leader || !confirmed) {
    node.respond(done);
    return;
  }
  const leaderReads = reads.leader;
  if (leaderReads === null) {
    node.refuse(done, "not_leader"); // stepped down during its CPU work
    return;
  }
  const { confirmation } = leaderReads;
  const leased =
    reads.settings.consistency === "lease" && confirmation.leaseHeld(node.now_us(), reads.lease_us);
  if (confirmation.hold(done, leased, commitNeeded(confirmation))) leaderReads.sendRound();
  leaderReads.answerConfirmed();
}

/** A follower's echo: the latest read round and leader clock it accepted from a term's leader. */
export class EchoToLeader {
  private term = 0;
  private round = 0;
  private sent_us = Number.NEGATIVE_INFINITY;

  /** A leader's message was accepted. */
  accept(msg: LeaderMessage): void {
    if (msg.term !== this.term) {
      this.term = msg.term;
      this.round = msg.round;
      this.sent_us = msg.sent_us;
    } else {
      if (msg.round > this.round) this.round = msg.round;
      if (msg.sent_us > this.sent_us) this.sent_us = msg.sent_us;
    }
  }

  /** The reply to a heartbeat this follower accepted, in its term `term`. */
  heartbeatReply(msg: Heartbeat, term: number): HeartbeatReply {
    return { kind: "heartbeat_reply", digest: msg.round, term, ...this.echoed(term) };
  }

  /** What a reply in `term` echoes (nothing when no message of that term was accepted). */
  echoed(term: number): { round: number; sent_us: number } {
    return this.term === term
      ? { round: this.round, sent_us: this.sent_us }
      : { round: 0, sent_us: Number.NEGATIVE_INFINITY };
  }
}
