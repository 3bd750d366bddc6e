// Asking for votes and counting them, shared by leader-follower.ts and raft.ts (its pre-votes too):
// a candidate sends its log's end, and a voter grants only a log at least as up to date as its own
// (Raft's election restriction).

import type { Role } from "../events.js";
import type { VoteReply, VoteRequest } from "./messages.js";
import type { HostId, ProtocolContext, ReplicatedLog } from "./protocol.js";
import type { ReplicaRole } from "./replica-role.js";

/** A vote request, a pre-vote request (Raft's PreVote) or a leadership transfer's vote request (Raft). */
type VoteRequestKind = VoteRequest["kind"] | "pre_vote_request" | "transfer_vote_request";

/** The votes of one election, the candidate's own included. */
export class VoteTally {
  private readonly votes = new Set<HostId>();
  private readonly peers: readonly HostId[];
  private readonly majority: number;

  constructor(peers: readonly HostId[]) {
    this.peers = peers;
    this.majority = Math.floor(peers.length / 2) + 1;
  }

  /**
   * Starts counting with the candidate's own vote and, unless that alone is a majority (returns
   * true), asks every other peer for its vote in `term` (`kind`: a vote or a pre-vote request).
   */
  campaign(node: ProtocolContext, kind: VoteRequestKind, term: number): boolean {
    this.votes.clear();
    if (this.add(node.id)) return true;
    requestVotes(node, this.peers, kind, term);
    return false;
  }

  /** A reply to this candidate's vote request: counts it if granted; returns whether the votes are a majority. */
  countReply(
    from: HostId,
    msg: VoteReply,
    candidate: { readonly role: Role; readonly term: number },
  ): boolean {
    if (candidate.role !== "candidate" || msg.term !== candidate.term || !msg.granted) return false;
    return this.add(from);
  }

  /** Counts a granted vote; returns whether the votes are a majority. */
  add(voter: HostId): boolean {
    this.votes.add(voter);
    return this.votes.size >= this.majority;
  }
}

function requestVotes(
  node: ProtocolContext,
  peers: readonly HostId[],
  kind: VoteRequestKind,
  term: number,
): void {
  const lastLsn = node.log.last_lsn;
  const request = {
    kind,
    digest: term,
    term,
    candidate: node.id,
    last_lsn: lastLsn,
    last_term: node.log.termAt(lastLsn),
  };
  for (const peer of peers) if (peer !== node.id) node.send(peer, request);
}

/** Whether a candidate's log (its last position and term) is at least as up to date as `log`. */
export function upToDate(
  log: ReplicatedLog,
  candidate: Pick<VoteRequest, "last_lsn" | "last_term">,
): boolean {
  const lastLsn = log.last_lsn;
  const lastTerm = log.termAt(lastLsn);
  return (
    candidate.last_term > lastTerm || (candidate.last_term === lastTerm && candidate.last_lsn >= lastLsn)
  );
}

/**
 * Answers a vote request (the voter entered a newer term first): granted to a candidate of the voter's
 * term whose log is up to date, by a voter that does not lead and has not voted for another in the
 * term (`one_vote_per_term` false: it may have; leader-follower without fencing), and recorded.
 * Returns whether it granted it.
 */
export function answerVote(
  node: ProtocolContext,
  from: HostId,
  msg: VoteRequest,
  voter: ReplicaRole,
  one_vote_per_term = true,
): boolean {
  const durable = voter.durable;
  const free = durable.voted_for === -1 || durable.voted_for === msg.candidate || !one_vote_per_term;
  const granted = msg.term === durable.term && voter.role !== "leader" && free && upToDate(node.log, msg);
  if (granted) durable.voted_for = msg.candidate;
  sendVote(node, from, durable.term, granted);
  return granted;
}

/** Refuses a vote request without looking at it (the voter's term stays). */
export function refuseVote(node: ProtocolContext, from: HostId, voter: ReplicaRole): void {
  sendVote(node, from, voter.term, false);
}

function sendVote(node: ProtocolContext, to: HostId, term: number, granted: boolean): void {
  const reply: VoteReply = { kind: "vote_reply", digest: granted ? 1 : 0, term, granted };
  node.send(to, reply);
}
