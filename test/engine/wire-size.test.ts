import { describe, expect, it } from "vitest";
import { routed } from "../../engine/protocol.js";
import { Database } from "../../engine/query/database.js";
import { LOG_ENTRY_HEADER_BYTES, messageSizer, rowValuesBytes } from "../../engine/wire-size.js";
import { MESSAGE_HEADER_BYTES, type Message } from "../../sim/host.js";

const H = MESSAGE_HEADER_BYTES;
// YCSB's defaults: 10 fields of 100 bytes; keys of 23 characters where a message does not carry them.
const size = messageSizer({ field_count: 10, field_bytes: 100, key_bytes: 23 });
const req = (spec: Parameters<typeof routed>[0]) => size(routed(spec, 0, 1, 0, false));
const resp = (fields: object) => size({ kind: "resp", ...fields } as Message);
const entry = (payload: object | null) => ({ lsn: 1, term: 1, origin: 0, ts_us: 0, payload });

describe("message sizes", () => {
  it("a request: its key, and what a write writes (one field, or the record)", () => {
    expect(req({ op: "read", key: "user1" })).toBe(H + 5);
    expect(req({ op: "update", key: "user1", field: 3, value: 9 })).toBe(H + 5 + 100);
    expect(req({ op: "update", key: "user1", field: -1, value: 9 })).toBe(H + 5 + 1000);
    expect(req({ op: "insert", key: "user1", value: 9 })).toBe(H + 5 + 1000);
    expect(req({ op: "scan", key: "user1", scan_length: 100, until: "" })).toBe(H + 5);
    expect(
      req({
        op: "ingest",
        records: [
          { key: "k1", value: 1 },
          { key: "k22", value: 2 },
        ],
      }),
    ).toBe(H + 2 * 1000 + 5);
    expect(req({ op: "export", from_key: "k", batch: 256 })).toBe(H + 1);
  });

  it("a response: a read its record, a scan and an export their records, a refusal nothing", () => {
    expect(resp({ op: "read", status: "ok", value: 7 })).toBe(H + 1000);
    expect(resp({ op: "read", status: "not_found", value: null })).toBe(H);
    expect(resp({ op: "read", status: "not_leader" })).toBe(H);
    expect(resp({ op: "update", status: "ok", lsn: 4 })).toBe(H);
    // Unsharded, a scan counts its rows: each a key and a record.
    expect(resp({ op: "scan", status: "ok", records: null, rows: 100 })).toBe(H + 100 * 1023);
    const records = [
      { key: "k1", value: 1 },
      { key: "k2", value: 2 },
    ];
    expect(resp({ op: "scan", status: "ok", records, rows: 9 })).toBe(H + 2 * 1002);
    expect(resp({ op: "export", status: "ok", records })).toBe(H + 2 * 1002);
    expect(resp({ op: "scan", status: "overloaded", records: undefined, rows: 0 })).toBe(H);
    expect(resp({ op: "query", status: "ok", result_bytes: 321 })).toBe(H + 321);
  });

  it("a log batch: an entry header and each entry's payload", () => {
    const append = {
      kind: "append",
      entries: [
        entry({ kind: "put", key: "user1", field: 2, value: 1 }),
        entry({ kind: "put", key: "user1", field: -1, value: 1 }),
        entry({
          kind: "txn",
          effects: [
            ["w", "a1", 1],
            ["append", "a2", 2],
          ],
        }),
        entry({ kind: "delete", key: "user1" }),
        entry({
          kind: "rows",
          changes: [{ table: "t", before: null, after: { id: 1, name: "abc", ok: true } }],
        }),
        entry(null),
      ],
    } as Message;
    const payloads = 5 + 100 + (5 + 1000) + (4 + 2 * 8) + 5 + (8 + 3 + 1);
    expect(size(append)).toBe(H + 6 * LOG_ENTRY_HEADER_BYTES + payloads);
    expect(size({ ...append, kind: "peer_writes" } as Message)).toBe(size(append));
    expect(size({ kind: "append", entries: [] } as Message)).toBe(H); // a heartbeat
  });

  it("a snapshot: every row of the data", () => {
    const db = new Database({
      tables: [
        {
          name: "t",
          columns: [
            { name: "id", type: "int" },
            { name: "name", type: "string", bytes: 16 },
          ],
          primary_key: ["id"],
        },
      ],
    });
    db.execute({
      kind: "insert",
      table: "t",
      rows: [
        { id: 1, name: "a" },
        { id: 2, name: "b" },
      ],
    });
    const snapshot = (rows: number, withDb: boolean) =>
      size({
        kind: "snapshot",
        snapshot: { last_lsn: 9, last_term: 1, data: { table: { rowCount: rows }, db: withDb ? db : null } },
      } as Message);
    expect(snapshot(100, false)).toBe(H + 100 * 1023);
    expect(snapshot(0, true)).toBe(H + 2 * (8 + 16));
  });

  it("a protocol module's message by what it carries: entries and a snapshot; anything else a header", () => {
    const entries = [entry({ kind: "delete", key: "k" })];
    expect(size({ kind: "chain_append", entries, writes: [null] } as Message)).toBe(
      H + LOG_ENTRY_HEADER_BYTES + 1,
    );
    expect(
      size({
        kind: "chain_snapshot",
        snapshot: { last_lsn: 1, last_term: 1, data: { table: { rowCount: 3 }, db: null } },
      } as Message),
    ).toBe(H + 3 * 1023);
    expect(size({ kind: "chain_reply", held_lsn: 4 } as Message)).toBe(H);
    for (const kind of ["append_reply", "heartbeat", "vote_request", "shard_map", "shard_stats"]) {
      expect(size({ kind } as Message)).toBe(H);
    }
  });

  it("a query row: 8 bytes a number, a string's length, 1 a bool", () => {
    expect(rowValuesBytes({ a: 1, b: 2.5, c: "hello", d: false })).toBe(8 + 8 + 5 + 1);
    expect(rowValuesBytes({})).toBe(0);
  });
});
