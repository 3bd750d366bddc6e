// What a database node keeps on its disk beside the log: the state machines' data, where the log
// starts after compaction, and its protocol's durable state. A crash keeps it all (the data area is
// durable); the log's lost tail tells the restarted node which writes to undo.
//
// The data's pages have ids in the node's page space (index/page-space.ts): the table and the query
// database are bound to it as they are set, and a replaced one (a snapshot installed) gives its ids
// back. The I/O counters live here too, so they outlive a crash.

import type { Disk } from "../../sim/disk.js";
import { PageSpace } from "../index/page-space.js";
import type { Database } from "../query/database.js";
import type { Table } from "../table.js";
import { MvccStore } from "../txn/mvcc-store.js";
import { WriteSet } from "../write-set.js";
import { ConnectionStats } from "./connections.js";
import { IoStats } from "./io-stats.js";

export class NodeStorage {
  /** The pages of the table and the query database, and the pages each unit of work touches. */
  readonly pages = new PageSpace();
  /** What the node's buffer pool and disk did since the run began. */
  readonly io = new IoStats();
  /** What its client connections did, and the requests active at it. */
  readonly connections = new ConnectionStats();
  private currentTable: Table;
  private currentDb: Database | null;
  /** The log entries applied to the data go up to here (every entry, unless the protocol applies once committed). */
  applied_lsn = 0;
  /** Term of the last entry before the first one the log holds (0: none), known after compaction. */
  base_term = 0;
  /** Values of the writes in the part of the log no longer held (compacted, or under a snapshot). */
  compacted_writes = new WriteSet();
  /** The transactions' versioned keys (list-append, rw-register); replaced whole by a snapshot. */
  txn = new MvccStore();
  /** Transactions this node began, across restarts (their ids: engine/state/txn-machine.ts). */
  txn_seq = 0;
  /** A multi-raft spare that started empty and has not installed a snapshot yet (ProtocolContext.awaits_snapshot). */
  awaits_snapshot = false;
  /** The replication protocol's durable state (ProtocolContext.persistent), null until it asks. */
  protocol: object | null = null;

  constructor(table: Table, db: Database | null = null) {
    this.currentTable = table;
    this.currentDb = db;
    table.bindPages(this.pages);
    db?.bindPages(this.pages);
  }

  /** The key-value table (YCSB, the bank); replaced whole when the node installs a snapshot. */
  get table(): Table {
    return this.currentTable;
  }

  set table(table: Table) {
    this.currentTable.unbindPages();
    this.currentTable = table;
    table.bindPages(this.pages);
  }

  /** The query database of a domain workload (null for YCSB and the bank). */
  get db(): Database | null {
    return this.currentDb;
  }

  set db(db: Database | null) {
    this.currentDb?.unbindPages();
    this.currentDb = db;
    db?.bindPages(this.pages);
  }
}

/** A node's storage: created by whoever builds the cluster, before the node starts. */
export function storageOf(disk: Disk): NodeStorage {
  if (!(disk.data instanceof NodeStorage))
    throw new Error("database node started without storage on its disk");
  return disk.data;
}
