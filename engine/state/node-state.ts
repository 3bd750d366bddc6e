// A database node's state machines together: requests go to the machine the operation table names
// (operations.ts `served_by`), log payloads to the machine that made them (a query's rows, or a
// key-value write; null, a protocol's own entry, writes nothing).

import type { HostId } from "../../sim/host.js";
import type { EngineEventSink } from "../events.js";
import type { NodeStorage } from "../node/storage.js";
import type { OperationTraits } from "../operations.js";
import type { Request, RequestOf, ServedResponse } from "../protocol.js";
import type { Database } from "../query/database.js";
import type { Payload, PayloadView } from "../replication/protocol.js";
import type { Table } from "../table.js";
import type { MvccStore, TxnPayload, TxnUndo } from "../txn/mvcc-store.js";
import type { TransactionSettings } from "../txn/settings.js";
import {
  KeyValueMachine,
  type KeyValueOp,
  type KvPayload,
  kvKeysWritten,
  kvWrittenValue,
  type Ownership,
} from "./key-value.js";
import { QueryMachine, type RowsPayload } from "./query-machine.js";
import { ShardMover, type ShardMoverOp } from "./shard-mover.js";
import { type Execution, UNDONE_BY_PAYLOAD } from "./state-machine.js";
import { TxnMachine, txnKeysWritten, txnRestrictTo } from "./txn-machine.js";

type NodePayload = KvPayload | RowsPayload | TxnPayload;

/** Copies of a node's data (what a snapshot carries). */
export interface NodeData {
  readonly table: Table;
  readonly db: Database | null;
  readonly txn: MvccStore;
}

const NO_KEYS: readonly string[] = [];

export class NodeState implements PayloadView {
  readonly kv: KeyValueMachine;
  private readonly query: QueryMachine;
  private readonly txn: TxnMachine;
  /** On a sharded cluster (null otherwise: no shard mover's request reaches the node). */
  private readonly mover: ShardMover | null;
  private readonly storage: NodeStorage;

  constructor(
    storage: NodeStorage,
    ownership: Ownership | null,
    transactions: TransactionSettings,
    host: HostId,
    events?: EngineEventSink,
  ) {
    this.storage = storage;
    this.kv = new KeyValueMachine(storage, ownership);
    this.query = new QueryMachine(storage);
    this.txn = new TxnMachine(storage, transactions, host, events);
    this.mover = ownership === null ? null : new ShardMover(this.kv, ownership, (p) => this.keysWritten(p));
  }

  /** Serves a request on the machine that serves its operation (operations.ts `served_by`). */
  execute(req: Request, served_by: OperationTraits["served_by"], x: Execution): ServedResponse {
    switch (served_by) {
      case "key-value":
        return this.kv.execute(req as RequestOf<KeyValueOp>, x);
      case "query":
        return this.query.execute(req as RequestOf<"query">, x);
      case "transactions":
        return this.txn.execute(req as RequestOf<"txn">, x);
      case "shard mover":
        if (this.mover === null) throw new Error(`database node: ${req.op} on an unsharded cluster`);
        return this.mover.execute(req as RequestOf<ShardMoverOp>, x);
    }
  }

  /** Applies a log entry's payload; returns what undoes it here. */
  apply(payload: Payload | null): unknown {
    if (payload === null) return UNDONE_BY_PAYLOAD;
    const p = payload as NodePayload;
    if (p.kind === "rows") return this.query.apply(p);
    return p.kind === "txn" ? this.txn.apply(p) : this.kv.apply(p);
  }

  undo(payload: Payload | null, undo: unknown): void {
    if (payload === null) return;
    const p = payload as NodePayload;
    if (p.kind === "rows") this.query.undo(p);
    else if (p.kind === "txn") this.txn.undo(p, undo as TxnUndo);
    else this.kv.undo(p, undo as Parameters<KeyValueMachine["undo"]>[1]);
  }

  snapshot(): NodeData {
    return {
      table: this.kv.snapshot(),
      db: this.storage.db === null ? null : this.query.snapshot(),
      txn: this.txn.snapshot(),
    };
  }

  restore(data: NodeData): void {
    this.kv.restore(data.table);
    if (data.db === null) this.storage.db = null;
    else this.query.restore(data.db);
    this.txn.restore(data.txn);
  }

  keysWritten(payload: Payload | null): readonly string[] {
    if (payload === null) return NO_KEYS;
    const p = payload as NodePayload;
    if (p.kind === "rows") return NO_KEYS;
    return p.kind === "txn" ? txnKeysWritten(p) : kvKeysWritten(p);
  }

  restrictTo(payload: Payload, keys: readonly string[]): Payload {
    const p = payload as NodePayload;
    // A key-value payload writes one key; a query's rows are not split.
    return p.kind === "txn" ? txnRestrictTo(p, keys) : p;
  }
}

/** The value a log entry's write stamped (lost-write accounting; null: none, e.g. a query's rows). */
export function writtenValue(payload: Payload | null): number | null {
  if (payload === null) return null;
  const p = payload as NodePayload;
  return p.kind === "rows" || p.kind === "txn" ? null : kvWrittenValue(p);
}
