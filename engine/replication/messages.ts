// Messages between the replicas of a shard.

import type { HostId, Message } from "../../sim/host.js";
import type { LogEntry, NodeSnapshot } from "../node-base.js";

/** Leader -> follower: log entries after (prev_lsn, prev_term); empty as a heartbeat. */
export interface AppendEntries extends Message {
  readonly kind: "append";
  readonly term: number;
  readonly leader: HostId;
  readonly prev_lsn: number;
  readonly prev_term: number;
  readonly entries: readonly LogEntry[];
}

/** Follower -> leader. */
export interface AppendReply extends Message {
  readonly kind: "append_reply";
  readonly term: number;
  readonly success: boolean;
  /** Success: the follower holds the leader's log up to here, durable by its fsync policy. */
  readonly match_lsn: number;
  /** Failure: the follower's last log position, where the leader should resume. */
  readonly last_lsn: number;
  /** Failure: the follower cannot match below what its compacted log holds; send a snapshot. */
  readonly snapshot_needed: boolean;
}

/** Leader -> follower whose log cannot be caught up from the leader's: its whole state. */
export interface InstallSnapshot extends Message {
  readonly kind: "snapshot";
  readonly term: number;
  readonly leader: HostId;
  readonly snapshot: NodeSnapshot;
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

/** Multi-leader: writes a node accepted from its clients, pushed to a peer. */
export interface PeerWrites extends Message {
  readonly kind: "peer_writes";
  /** Position in the sender's own-writes stream of the first entry. */
  readonly from_seq: number;
  readonly entries: readonly LogEntry[];
}

export interface PeerAck extends Message {
  readonly kind: "peer_ack";
  /** The receiver has every write of the sender's stream before this position. */
  readonly next_seq: number;
}
