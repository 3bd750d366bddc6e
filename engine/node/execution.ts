// The node as the state machines see it while they serve one request (state/state-machine.ts
// Execution): one object per node, updated by the node before each request.

import type { HostId } from "../../sim/host.js";
import type { Payload } from "../replication/protocol.js";
import type { Execution } from "../state/state-machine.js";
import type { NodeLog } from "./log.js";
import type { Server } from "./server.js";

export class RequestExecution implements Execution {
  now_us = 0;
  queue_us = 0;
  term = 0;
  leader_hint: HostId = -1;
  /** The operation is charged per row examined (operations.ts). */
  charged_per_row = false;
  /** The log position of the request's last write (0: it wrote nothing). */
  appended_lsn = 0;
  readonly applies_at_once: boolean;
  readonly log: NodeLog;
  private readonly server: Server;
  /** This node: the origin of the entries it logs. */
  private readonly origin: HostId;

  constructor(options: { applies_at_once: boolean; log: NodeLog; server: Server; origin: HostId }) {
    this.applies_at_once = options.applies_at_once;
    this.log = options.log;
    this.server = options.server;
    this.origin = options.origin;
  }

  append(payload: Payload, undo: unknown): number {
    const lsn = this.log.last_lsn + 1;
    this.log.append({
      entry: { lsn, term: this.term, origin: this.origin, ts_us: this.now_us, payload },
      undo,
    });
    this.appended_lsn = lsn;
    return lsn;
  }

  service_us(pages: number, rows: number): number {
    return this.server.service_us(pages, this.charged_per_row ? rows : 0);
  }
}
