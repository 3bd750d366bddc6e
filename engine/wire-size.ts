// The size of each engine message on the wire, from what it carries: what a link's bandwidth
// charges (sim/network.ts) and report.json's bytes per kind count. Computed, never serialized, in
// time proportional to what the message's sender built (a batch's entries or records; a snapshot in
// O(tables)).
//
// Every message has a header (MESSAGE_HEADER_BYTES: kind, ids, term, positions, the node-side
// latency parts), plus:
// - a key: its length; a key-value record's value: field_count x field_bytes (one field: field_bytes);
// - a query's row: its values (8 bytes a number, a string's length, 1 a bool);
// - a log entry: LOG_ENTRY_HEADER_BYTES plus its payload (the key and what it writes, or the rows);
// - a snapshot: every row of the data, at key_bytes + a record's value (key-value) or the table's
//   declared row width (a query database);
// - requests: a read or scan its key, a write its key and value, an ingest its records, a query
//   the rows it inserts or the values it sets, a transaction's statement its micro-operations (a key
//   each, and a number per value or element); responses: a read its record, a scan, read_all or
//   export its records (an unsharded scan's rows at key_bytes + a record each), a query its result.
// Messages of other kinds (a protocol module's) are sized by what they carry as the built-in ones
// do: their `entries` (log entries) and their `snapshot` (a node's); anything else is a header.

import { MESSAGE_HEADER_BYTES, type Message } from "../sim/host.js";
import type { Request, Response } from "./protocol.js";
import type { Query } from "./query/query.js";
import type { Row } from "./query/schema.js";
import type { AppendEntries, InstallSnapshot, PeerWrites } from "./replication/messages.js";
import type { LogEntry, Payload, Snapshot } from "./replication/protocol.js";
import type { KvPayload } from "./state/key-value.js";
import type { NodeData } from "./state/node-state.js";
import type { RowsPayload } from "./state/query-machine.js";
import type { TxnPayload } from "./txn/mvcc-store.js";
import { microOpsBytes } from "./txn/transactions.js";

/** An entry's own fields on the wire: lsn, term, origin, timestamp. */
export const LOG_ENTRY_HEADER_BYTES = 32;
/** A number on the wire (a query's numeric value). */
const NUMBER_BYTES = 8;

/** What the key-value records of a run weigh (the workload says: YCSB's field_count x field_length). */
export interface RecordWidths {
  readonly field_count: number;
  /** Bytes of one field's value (YCSB's field_length; the bank's balance: 8). */
  readonly field_bytes: number;
  /** Bytes of a key where a message carries rows without their keys at hand (a snapshot, an unsharded scan). */
  readonly key_bytes: number;
}

/** The sizer of a run's messages: MESSAGE_HEADER_BYTES plus what each carries (see above). */
export function messageSizer(widths: RecordWidths): (msg: Message) => number {
  const recordBytes = widths.field_count * widths.field_bytes;
  const rowBytes = widths.key_bytes + recordBytes;

  function requestBytes(req: Request): number {
    switch (req.op) {
      case "read":
      case "read_all":
        return req.key.length;
      case "update":
        return req.key.length + (req.field < 0 ? recordBytes : widths.field_bytes);
      case "insert":
        return req.key.length + recordBytes;
      case "scan":
        return req.key.length + req.until.length;
      case "query":
        return queryBytes(req.query);
      case "txn":
        return microOpsBytes(req.mops);
      case "ingest":
        return recordsBytes(req.records);
      case "export":
      case "purge":
        return req.from_key.length;
      case "export_log":
      case "split_point":
        return 0;
    }
  }

  function responseBytes(resp: Response): number {
    if (resp.status !== "ok") return 0; // refused, or nothing found: no data
    switch (resp.op) {
      case "read":
        return recordBytes;
      case "scan":
        return resp.records === null ? resp.rows * rowBytes : recordsBytes(resp.records);
      case "read_all":
      case "export":
      case "export_log":
        return recordsBytes(resp.records);
      case "query":
        return resp.result_bytes;
      case "txn":
        return microOpsBytes(resp.mops);
      default:
        return 0;
    }
  }

  function recordsBytes(records: readonly { readonly key: string }[]): number {
    let bytes = records.length * recordBytes;
    for (const record of records) bytes += record.key.length;
    return bytes;
  }

  function entriesBytes(entries: readonly LogEntry[]): number {
    let bytes = entries.length * LOG_ENTRY_HEADER_BYTES;
    for (const entry of entries) bytes += payloadBytes(entry.payload);
    return bytes;
  }

  function payloadBytes(payload: Payload | null): number {
    if (payload === null) return 0;
    const p = payload as KvPayload | RowsPayload | TxnPayload;
    switch (p.kind) {
      case "put":
        return p.key.length + (p.field < 0 ? recordBytes : widths.field_bytes);
      case "delete":
        return p.key.length;
      case "txn":
        return microOpsBytes(p.effects);
      case "rows": {
        let bytes = 0;
        for (const change of p.changes) bytes += rowValuesBytes((change.after ?? change.before) as Row);
        return bytes;
      }
    }
  }

  /** A node's snapshot (engine/node/node.ts: its data beside the log position). */
  function snapshotBytes(snapshot: Snapshot): number {
    const { table, db } = (snapshot as Snapshot & { readonly data: NodeData }).data;
    let bytes = table.rowCount * rowBytes;
    if (db !== null)
      for (const { name } of db.tables()) bytes += db.rowCount(name) * db.tableInfo(name).rowBytes;
    return bytes;
  }

  return (msg: Message): number => {
    switch (msg.kind) {
      case "req":
        return MESSAGE_HEADER_BYTES + requestBytes(msg as Request);
      case "resp":
        return MESSAGE_HEADER_BYTES + responseBytes(msg as Response);
      case "append":
      case "peer_writes":
        return MESSAGE_HEADER_BYTES + entriesBytes((msg as AppendEntries | PeerWrites).entries);
      case "snapshot":
        return MESSAGE_HEADER_BYTES + snapshotBytes((msg as InstallSnapshot).snapshot);
      case "append_reply":
      case "heartbeat":
      case "heartbeat_reply":
      case "vote_request":
      case "vote_reply":
      case "peer_ack":
      case "shard_map":
      case "shard_stats":
        return MESSAGE_HEADER_BYTES;
      default: {
        // A protocol module's message: what it carries of the node's log and state.
        const { entries, snapshot } = msg as { entries?: unknown; snapshot?: { data?: unknown } };
        let bytes = MESSAGE_HEADER_BYTES;
        if (Array.isArray(entries)) bytes += entriesBytes(entries as LogEntry[]);
        if (snapshot?.data !== undefined) bytes += snapshotBytes(snapshot as Snapshot);
        return bytes;
      }
    }
  };
}

/** A query's row on the wire: its values (8 bytes a number, a string's length, 1 a bool). */
export function rowValuesBytes(row: Row): number {
  let bytes = 0;
  for (const column in row) {
    const value = row[column] as Row[string];
    bytes += typeof value === "string" ? value.length : typeof value === "boolean" ? 1 : NUMBER_BYTES;
  }
  return bytes;
}

/** What a query request carries beyond its header: the rows it inserts, the values it sets. */
function queryBytes(query: Query): number {
  switch (query.kind) {
    case "insert": {
      let bytes = 0;
      for (const row of query.rows) bytes += rowValuesBytes(row);
      return bytes;
    }
    case "update":
      return rowValuesBytes(query.set);
    case "batch": {
      let bytes = 0;
      for (const part of query.queries) bytes += queryBytes(part);
      return bytes;
    }
    default:
      return 0; // a select, get or delete: its conditions fit in the header
  }
}
