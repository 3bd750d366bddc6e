// The key-value state machine: YCSB's records and the bank's accounts (read_then_write), in a Table
// (engine/table.ts) whose fields hold the stamp of the write that last wrote them. It serves read,
// update, insert, scan and read_all; its payloads write one record's field (or every field), or
// delete a record (a reshard's purge).
//
// Costs: a request charges the B+tree pages it reads and writes, a write's apply included (an
// update writes one page); scans and read_all also charge each row they examine.
//
// On a sharded cluster a scan returns the rows its shard owns, with their values (`ownedScan`).

import type { NodeStorage } from "../node/storage.js";
import {
  type InsertResponse,
  type RecordValue,
  type RequestOf,
  responseDigest,
  type ServedResponse,
  type UpdateResponse,
} from "../protocol.js";
import type { ConfigStore } from "../sharding/shard-map.js";
import type { Table } from "../table.js";
import type { Execution, StateMachine } from "./state-machine.js";

export type KeyValueOp = "read" | "update" | "insert" | "scan" | "read_all";

export type KvPayload =
  /** Writes one field (-1: every field) of a record, creating it when absent. */
  | { readonly kind: "put"; readonly key: string; readonly field: number; readonly value: number }
  /** Removes a record (rows a reshard moved away). */
  | { readonly kind: "delete"; readonly key: string };

/** What a write overwrote on one node, to undo it. */
interface Before {
  /** The record existed before (false: undo removes the key). */
  readonly existed: boolean;
  readonly stamp: number;
  readonly version: number;
}
type KvUndo = Before;

export type KvSnapshot = Table;

/** On a sharded cluster: this node's shard, and the store whose map says which keys it owns. */
export interface Ownership {
  readonly shard: number;
  readonly store: ConfigStore;
}

/** Rows a sharded scan examines per B+tree range call while it skips rows of other shards. */
const SCAN_CHUNK = 64;
const ABSENT: Before = Object.freeze({ existed: false, stamp: 0, version: 0 });

export class KeyValueMachine implements StateMachine<RequestOf<KeyValueOp>, KvPayload, KvUndo, KvSnapshot> {
  private readonly storage: NodeStorage;
  private readonly ownership: Ownership | null;
  /** Pages the last apply read and wrote (0 when a write was logged without applying it). */
  appliedPagesRead = 0;
  appliedPagesWritten = 0;

  constructor(storage: NodeStorage, ownership: Ownership | null) {
    this.storage = storage;
    this.ownership = ownership;
  }

  get table(): Table {
    return this.storage.table;
  }

  execute(req: RequestOf<KeyValueOp>, x: Execution): ServedResponse {
    switch (req.op) {
      case "read":
        return this.read(req, x);
      case "update":
      case "insert":
        return this.put(req, x);
      case "scan":
        return this.scan(req, x);
      case "read_all":
        return this.readAll(req, x);
    }
  }

  /** Logs a write, applying it first when the protocol applies at once; returns its log position. */
  logWrite(x: Execution, payload: KvPayload): number {
    if (!x.applies_at_once) {
      this.appliedPagesRead = 0;
      this.appliedPagesWritten = 0;
      return x.append(payload, null);
    }
    return x.append(payload, this.apply(payload));
  }

  apply(payload: KvPayload): KvUndo {
    const index = this.table.index;
    let undo: KvUndo;
    switch (payload.kind) {
      case "put":
        undo = this.write(payload.key, payload.field, payload.value);
        break;
      case "delete":
        undo = this.remove(payload.key);
        break;
    }
    this.appliedPagesRead = index.lastPagesRead;
    this.appliedPagesWritten = index.lastPagesWritten;
    return undo;
  }

  undo(payload: KvPayload, undo: KvUndo): void {
    switch (payload.kind) {
      case "put":
        this.revert(payload.key, payload.field, undo);
        return;
      case "delete": {
        if (undo.existed) this.table.insert(payload.key, undo.version);
        return;
      }
    }
  }

  snapshot(): KvSnapshot {
    return this.table.copy();
  }

  restore(state: KvSnapshot): void {
    this.storage.table = state.copy();
  }

  /** A scan of the rows this shard owns: up to `limit` of them from `start` on, skipping the others. */
  ownedScan(
    start: string,
    limit: number,
    until: string,
  ): { records: RecordValue[]; examined: number; pagesRead: number } {
    const { table } = this;
    const { shard, store } = this.ownership as Ownership;
    const map = store.map;
    const records: RecordValue[] = [];
    let examined = 0;
    let pagesRead = 0;
    let from = start;
    let inclusive = true;
    // `until`: the end of the range the scan was sent for (exclusive; "": none).
    const end = until === "" ? {} : { hi: until, hiInclusive: false };
    for (;;) {
      let seen = 0;
      let last = from;
      table.index.range({ lo: from, loInclusive: inclusive, limit: SCAN_CHUNK, ...end }, (key, row) => {
        seen++;
        last = key;
        if (records.length < limit && map.ownerOf(key) === shard)
          records.push({ key, value: table.version(row) });
      });
      examined += seen;
      pagesRead += table.index.lastPagesRead;
      if (seen < SCAN_CHUNK || records.length >= limit) break;
      from = last;
      inclusive = false;
    }
    return { records, examined, pagesRead };
  }

  private read(req: RequestOf<"read">, x: Execution): ServedResponse {
    const table = this.table;
    const row = table.find(req.key);
    const pages_read = table.index.lastPagesRead;
    const value = row < 0 ? null : table.version(row);
    return {
      kind: "resp",
      digest: responseDigest(req.id, value),
      id: req.id,
      op: "read",
      status: row < 0 ? "not_found" : "ok",
      value,
      rows: row < 0 ? 0 : 1,
      pages_read,
      pages_written: 0,
      queue_us: x.queue_us,
      service_us: x.service_us(pages_read, 0),
      sync_us: 0,
      disk_us: 0,
      pages_hit: 0,
      pages_missed: 0,
      term: x.term,
      leader_hint: x.leader_hint,
    };
  }

  private put(req: RequestOf<"update" | "insert">, x: Execution): ServedResponse {
    const table = this.table;
    const insert = req.op === "insert";
    const row = table.find(req.key);
    let pagesRead = table.index.lastPagesRead;
    let pagesWritten = 0;
    let lsn = 0;
    const written = row < 0 === insert;
    if (written) {
      lsn = this.logWrite(x, { kind: "put", key: req.key, field: insert ? -1 : req.field, value: req.value });
      pagesRead += this.appliedPagesRead;
      pagesWritten = insert ? this.appliedPagesWritten : 1;
    }
    return {
      kind: "resp",
      digest: responseDigest(req.id, written ? req.value : null),
      id: req.id,
      op: req.op,
      status: written ? "ok" : insert ? "duplicate_key" : "not_found",
      lsn,
      rows: written ? 1 : 0,
      pages_read: pagesRead,
      pages_written: pagesWritten,
      queue_us: x.queue_us,
      service_us: x.service_us(pagesRead + pagesWritten, 0),
      sync_us: 0,
      disk_us: 0,
      pages_hit: 0,
      pages_missed: 0,
      term: x.term,
      leader_hint: x.leader_hint,
    } as UpdateResponse | InsertResponse;
  }

  private scan(req: RequestOf<"scan">, x: Execution): ServedResponse {
    const index = this.table.index;
    let records: RecordValue[] | null = null;
    let rows: number;
    let pagesRead: number;
    if (this.ownership === null) {
      rows = index.scan(req.key, req.scan_length, noop);
      pagesRead = index.lastPagesRead;
    } else {
      const scanned = this.ownedScan(req.key, req.scan_length, req.until);
      records = scanned.records;
      rows = scanned.examined;
      pagesRead = scanned.pagesRead;
    }
    return {
      kind: "resp",
      digest: responseDigest(req.id, null),
      id: req.id,
      op: "scan",
      status: "ok",
      records,
      // Which map it was answered under: a dispatcher that planned it with an older one replans.
      shard_map: this.ownership?.store.map,
      rows,
      pages_read: pagesRead,
      pages_written: 0,
      queue_us: x.queue_us,
      service_us: x.service_us(pagesRead, rows),
      sync_us: 0,
      disk_us: 0,
      pages_hit: 0,
      pages_missed: 0,
      term: x.term,
      leader_hint: x.leader_hint,
    };
  }

  private readAll(req: RequestOf<"read_all">, x: Execution): ServedResponse {
    const table = this.table;
    const records: RecordValue[] = [];
    const rows = table.index.scan(req.key, req.limit, (key, row) => {
      records.push({ key, value: table.version(row) });
    });
    const pagesRead = table.index.lastPagesRead;
    return {
      kind: "resp",
      digest: responseDigest(req.id, null),
      id: req.id,
      op: "read_all",
      status: "ok",
      records,
      rows,
      pages_read: pagesRead,
      pages_written: 0,
      queue_us: x.queue_us,
      service_us: x.service_us(pagesRead, rows),
      sync_us: 0,
      disk_us: 0,
      pages_hit: 0,
      pages_missed: 0,
      term: x.term,
      leader_hint: x.leader_hint,
    };
  }

  /** Writes one field (-1: all) of `key`, inserting the record when absent; returns what it overwrote. */
  private write(key: string, field: number, value: number): Before {
    const table = this.table;
    const row = table.find(key);
    if (row < 0) {
      table.insert(key, value);
      return ABSENT;
    }
    const before = {
      existed: true,
      stamp: field < 0 ? table.version(row) : table.fieldStamp(row, field),
      version: table.version(row),
    };
    table.write(row, field, value);
    return before;
  }

  /** Removes `key`; returns what it held. */
  private remove(key: string): Before {
    const table = this.table;
    const row = table.find(key);
    if (row < 0) return ABSENT;
    const version = table.version(row);
    table.remove(key);
    return { existed: true, stamp: version, version };
  }

  /** Puts back what a write overwrote. */
  private revert(key: string, field: number, before: Before): void {
    const table = this.table;
    if (!before.existed) {
      table.remove(key);
      return;
    }
    const row = table.find(key);
    if (row < 0) throw new Error(`undo: key ${key} vanished from the table`);
    table.restore(row, field, before.stamp, before.version);
  }
}

/** The key a key-value payload writes. */
export function kvKeysWritten(payload: KvPayload): readonly string[] {
  return [payload.key];
}

/** The value a write stamped (lost-write accounting): a put's; a delete's none. */
export function kvWrittenValue(payload: KvPayload): number | null {
  return payload.kind === "put" ? payload.value : null;
}

function noop(): void {}
