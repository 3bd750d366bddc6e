// A Raft leader's handing of leadership to another voter (dissertation 3.10), for raft.ts: while it
// lasts the leader parks the client requests only a leader serves; once the target holds the whole
// log, committed, the leader sends it TimeoutNow, and from then parks reads too (its lease no longer
// holds: the target campaigns past the voters' leader stickiness). The transfer ends when the
// leader steps down (the parked requests are refused not_leader, naming the target) or is aborted
// after an election timeout (the parked requests are served).

import type { HostId, Message } from "../../sim/host.js";
import type { Request } from "../protocol.js";
import type { LeaderMessage } from "./messages.js";

/** Any host -> a Raft leader: hand leadership to `to` (a voter). Other replicas ignore it. */
export interface TransferLeadership extends Message {
  readonly kind: "transfer_leadership";
  readonly to: HostId;
}

/** Leader -> the transfer's target, which holds its whole log: start an election now. */
export interface TimeoutNow extends LeaderMessage {
  readonly kind: "timeout_now";
}

/** A client request parked while leadership is handed over. */
export interface ParkedRequest {
  readonly from: HostId;
  readonly req: Request;
}

export class LeaderTransfer {
  /** The voter leadership goes to. */
  readonly to: HostId;
  /** When the leader began it (its clock). */
  readonly started_us: number;
  /** TimeoutNow was sent: the target may be campaigning. */
  timeoutSent = false;
  private parked: ParkedRequest[] = [];

  constructor(to: HostId, started_us: number) {
    this.to = to;
    this.started_us = started_us;
  }

  /** Whether the leader parks a request: a write, or, once TimeoutNow is sent, anything only a leader serves. */
  parks(req: Request, writes: boolean): boolean {
    return req.require_leader && (writes || this.timeoutSent);
  }

  park(from: HostId, req: Request): void {
    this.parked.push({ from, req });
  }

  /** The parked requests, handed back once (to be served, or refused). */
  release(): ParkedRequest[] {
    const parked = this.parked;
    this.parked = [];
    return parked;
  }
}
