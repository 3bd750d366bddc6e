// What the engine tells whoever runs it (metrics, reports): role changes, replication lag, write
// conflicts, log truncations. The runner adds the virtual time and forwards them to its Observer.

import type { HostId } from "../sim/host.js";
import type { CoordinatorEvent } from "./sharding/coordinator.js";

export type Role = "leader" | "follower" | "candidate";

export type EngineEvent =
  | { readonly type: "role"; readonly node: HostId; readonly role: Role; readonly term: number }
  /** A follower applied a replicated entry `lag_us` after the leader logged it (by their clocks). */
  | { readonly type: "lag"; readonly node: HostId; readonly lag_us: number }
  /** Last-writer-wins discarded a write (multi-leader): an acknowledged update is lost. */
  | { readonly type: "conflict"; readonly node: HostId; readonly key: string }
  /** A replica discarded a divergent suffix of its log (writes it had applied are undone). */
  | { readonly type: "truncate"; readonly node: HostId; readonly entries: number }
  /**
   * A node found `corrupt` log entries whose checksum failed (a corrupt or torn entry) and took
   * `dropped` entries out of its log (engine/node/log.ts).
   */
  | { readonly type: "corruption"; readonly node: HostId; readonly corrupt: number; readonly dropped: number }
  /** A node got back from a peer `entries` it had dropped on finding corruption. */
  | { readonly type: "repaired"; readonly node: HostId; readonly entries: number }
  /** A follower too far behind its leader's compacted log installed the leader's state as of `lsn`. */
  | { readonly type: "snapshot"; readonly node: HostId; readonly lsn: number }
  /** A Raft leader committed the configuration logged at `lsn` (a new leader may report it again). */
  | {
      readonly type: "membership";
      readonly node: HostId;
      readonly lsn: number;
      readonly voters: readonly HostId[];
      readonly learners: readonly HostId[];
    }
  /**
   * Raft leadership transfer (replication/leader-transfer.ts) from `from` to `to`: done (the target,
   * `node`, won its election) or aborted (the old leader, `node`, gave up after an election timeout).
   */
  | {
      readonly type: "leader_transfer";
      readonly node: HostId;
      readonly from: HostId;
      readonly to: HostId;
      readonly term: number;
      readonly done: boolean;
    }
  /**
   * A shard leader applied two-phase commit's decision for a transaction prepared there: it held
   * `keys` keys for `blocked_us` (from its prepare record to now, by the leader's clock).
   */
  | {
      readonly type: "txn_decided";
      readonly node: HostId;
      readonly decision: "commit" | "abort";
      readonly blocked_us: number;
      readonly keys: number;
    }
  /** The sharding coordinator's reports (engine/sharding/coordinator.ts). */
  | CoordinatorEvent;

export type EngineEventSink = (event: EngineEvent) => void;
