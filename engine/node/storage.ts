// What a database node keeps on its disk beside the log: the state machines' data, where the log
// starts after compaction, and its protocol's durable state. A crash keeps it all (the data area is
// durable); the log's lost tail tells the restarted node which writes to undo.

import type { Disk } from "../../sim/disk.js";
import type { Database } from "../query/database.js";
import type { Table } from "../table.js";
import { WriteSet } from "../write-set.js";

export class NodeStorage {
  /** The key-value table (YCSB, the bank); replaced whole when the node installs a snapshot. */
  table: Table;
  /** The query database of a domain workload (null for YCSB and the bank). */
  db: Database | null;
  /** The log entries applied to the data go up to here (every entry, unless the protocol applies once committed). */
  applied_lsn = 0;
  /** Term of the last entry before the first one the log holds (0: none), known after compaction. */
  base_term = 0;
  /** Values of the writes in the part of the log no longer held (compacted, or under a snapshot). */
  compacted_writes = new WriteSet();
  /** The replication protocol's durable state (ProtocolContext.persistent), null until it asks. */
  protocol: object | null = null;

  constructor(table: Table, db: Database | null = null) {
    this.table = table;
    this.db = db;
  }
}

/** A node's storage: created by whoever builds the cluster, before the node starts. */
export function storageOf(disk: Disk): NodeStorage {
  if (!(disk.data instanceof NodeStorage))
    throw new Error("database node started without storage on its disk");
  return disk.data;
}
