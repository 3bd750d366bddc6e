// Messages between the replicas of a shard.

import type { HostId, Message } from "../../sim/host.js";
import type { LogEntry, Snapshot } from "./protocol.js";

/**
 * What every message from a leader carries. A follower that accepts it echoes the highest `round`
 * and `sent_us` it accepted from its leader in every reply: the leader's proof that a majority
 * still followed it after a read arrived (read_index) or at a time its lease counts from (lease).
 */
export interface LeaderMessage extends Message {
  readonly term: number;
  readonly leader: HostId;
  /** The leader's latest read round when it sent this (0: none; see read-confirmation.ts). */
  readonly round: number;
  /** The leader's clock when it sent this. */
  readonly sent_us: number;
}

/** What every reply to a leader carries: the echo of the latest leader message its sender accepted. */
export interface LeaderEcho extends Message {
  readonly term: number;
  /** The highest read round accepted from this term's leader (0: none). */
  readonly round: number;
  /** The latest `sent_us` accepted from this term's leader (-Infinity: none). */
  readonly sent_us: number;
}

/** Leader -> follower: log entries after (prev_lsn, prev_term); empty as a heartbeat. */
export interface AppendEntries extends LeaderMessage {
  readonly kind: "append";
  readonly prev_lsn: number;
  readonly prev_term: number;
  readonly entries: readonly LogEntry[];
  /**
   * Sent without waiting for the previous append's answer (Raft's pipelining): a follower that lacks
   * the entries before it holds it until they arrive, rather than refusing it (they are in flight).
   */
  readonly pipelined?: true;
}

/** Follower -> leader. */
export interface AppendReply extends LeaderEcho {
  readonly kind: "append_reply";
  readonly success: boolean;
  /** Success: the follower holds the leader's log up to here, durable by its fsync policy. */
  readonly match_lsn: number;
  /** Failure: the follower's last log position, where the leader should resume. */
  readonly last_lsn: number;
  /** Failure: the follower cannot match below what its compacted log holds; send a snapshot. */
  readonly snapshot_needed: boolean;
}

/** Leader -> follower whose log cannot be caught up from the leader's: its whole state. */
export interface InstallSnapshot extends LeaderMessage {
  readonly kind: "snapshot";
  readonly snapshot: Snapshot;
}

/**
 * Leader -> follower, under read_index or lease: an immediate round of confirmation for reads that
 * are waiting (it bypasses the one-append-in-flight flow control of log shipping).
 */
export interface Heartbeat extends LeaderMessage {
  readonly kind: "heartbeat";
}

/** Follower -> leader: it accepted a heartbeat. */
export interface HeartbeatReply extends LeaderEcho {
  readonly kind: "heartbeat_reply";
}

export interface VoteRequest extends Message {
  readonly kind: "vote_request";
  readonly term: number;
  readonly candidate: HostId;
  readonly last_lsn: number;
  readonly last_term: number;
}

export interface VoteReply extends Message {
  readonly kind: "vote_reply";
  readonly term: number;
  readonly granted: boolean;
}

/**
 * Multi-leader: writes a node accepted from its clients, pushed to a peer. Positions are the sender's
 * log positions in one incarnation of the sender (a start: a restart begins a new one, whose log
 * may have lost a tail the old one had pushed).
 */
export interface PeerWrites extends Message {
  readonly kind: "peer_writes";
  /** The sender's incarnation. */
  readonly incarnation: number;
  /**
   * The incarnation of the sender's stream `after_lsn` was computed in, from the receiver's last
   * acknowledgement: a receiver still on an older one moves to this one only from that position.
   */
  readonly from_incarnation: number;
  /** The receiver holds the sender's own writes up to this position (-1: a probe, asking where it stands). */
  readonly after_lsn: number;
  /** The sender's own writes after `after_lsn`, in log order (each `lsn` is the sender's). */
  readonly entries: readonly LogEntry[];
}

/** Multi-leader: where the receiver of a peer's writes stands in that peer's stream. */
export interface PeerAck extends Message {
  readonly kind: "peer_ack";
  /** The acknowledging node's incarnation (a newer one: it restarted, its position may have gone back). */
  readonly incarnation: number;
  /** The incarnation of the addressee's stream `through_lsn` counts in. */
  readonly stream_incarnation: number;
  /** The acknowledging node holds every own write of the addressee up to this log position. */
  readonly through_lsn: number;
}
