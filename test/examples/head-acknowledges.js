// @ts-check
// A deliberately broken chain (test/examples/chain-replication.test.ts): the head acknowledges a
// write as soon as its CPU work is done, before the chain holds it, so a read at the tail can miss
// a write already acknowledged.

import { ChainReplica } from "../../examples/chain-replication/chain-replica.js";
import { chainProtocol } from "../../examples/chain-replication/index.js";

/** @import { InService } from "../../engine/replication/protocol.js" */

class HeadAcknowledges extends ChainReplica {
  /**
   * @override
   * @param {InService} write
   */
  onWrite(write) {
    this.node.respond(write);
    super.onWrite(write);
  }
}

export const createProtocol = chainProtocol(HeadAcknowledges);
