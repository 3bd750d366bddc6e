// @ts-check
// Chain replication as a dbsim replication protocol: the module a scenario names in
// `cluster.replication.protocol`. dbsim calls `createProtocol` once per run; the factory it returns
// builds each replica's protocol at each start (a restart builds a new one). See README.md beside
// this file.

import { ChainReplica } from "./chain-replica.js";
import { ChainMaster } from "./master.js";

/** @import { CreateProtocol } from "../../engine/replication/protocol.js" */

/** Heartbeats per detect_after: a replica silent for about detect_after is removed from the chain. */
const BEATS_PER_DETECTION = 4;

/**
 * Chain replication whose replicas are `Replica`s: ChainReplica, or a variant of it (a subclass) to
 * try a change of your own against dbsim's faults and checkers.
 * @param {typeof ChainReplica} Replica
 * @returns {CreateProtocol}
 */
export function chainProtocol(Replica) {
  return (options) => {
    const tick_us = Math.max(1000, Math.round(options.detect_after_us / BEATS_PER_DETECTION));
    /** @type {Map<number, ChainMaster>} each shard's configuration service, by its initial leader */
    const masters = new Map();
    return (shard) => {
      let master = masters.get(shard.initial_leader);
      if (master === undefined) {
        // The chain at the start: the shard's replicas in order, the initial leader its head.
        const chain = [shard.initial_leader, ...shard.peers.filter((id) => id !== shard.initial_leader)];
        master = new ChainMaster(chain, BEATS_PER_DETECTION);
        masters.set(shard.initial_leader, master);
      }
      return new Replica(master, { tick_us });
    };
  };
}

export const createProtocol = chainProtocol(ChainReplica);
