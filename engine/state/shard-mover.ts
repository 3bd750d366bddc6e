// The shard mover's requests (sharding/coordinator.ts), served on a shard's leader over its
// key-value data like any request, so a migration's cost shows in everyone's latency: `export`
// copies out the rows moving away, `export_log` those written since a log position, `ingest` writes
// rows on a destination and `purge` deletes the rows that moved away (both logged and replicated as
// key-value writes), `split_point` finds the median key the shard owns.
//
// Positions are those of the applied data (`applied_lsn`), not of the log's end: a protocol that
// applies once committed (Raft) logs writes its data does not show yet, and a mark past them would
// skip them once they commit. Applying on append, the two are the same.

import { type RecordValue, type RequestOf, responseDigest, type ServedResponse } from "../protocol.js";
import type { PayloadView } from "../replication/protocol.js";
import type { KeyValueMachine, Ownership } from "./key-value.js";
import type { Execution, RequestExecutor } from "./state-machine.js";

export type ShardMoverOp = "export" | "export_log" | "ingest" | "purge" | "split_point";

export class ShardMover implements RequestExecutor<RequestOf<ShardMoverOp>> {
  private readonly kv: KeyValueMachine;
  private readonly ownership: Ownership;
  private readonly keysWritten: PayloadView["keysWritten"];

  constructor(kv: KeyValueMachine, ownership: Ownership, keysWritten: PayloadView["keysWritten"]) {
    this.kv = kv;
    this.ownership = ownership;
    this.keysWritten = keysWritten;
  }

  execute(req: RequestOf<ShardMoverOp>, x: Execution): ServedResponse {
    switch (req.op) {
      case "export": {
        const exported = this.exportMoving(req.from_key, req.batch);
        return {
          digest: responseDigest(req.id, exported.owned),
          op: "export",
          records: exported.records,
          next_key: exported.nextKey,
          owned: exported.owned,
          log_end: x.log.applied_lsn,
          ...served(req, x, exported.examined, this.kv.table.index.lastPagesRead, 0),
        };
      }
      case "export_log": {
        // The log no longer holds that position (compacted): every moving row, as a copy would.
        const exported =
          req.since_lsn < x.log.base_lsn
            ? this.exportMoving("", Number.POSITIVE_INFINITY)
            : this.exportMovingSince(req.since_lsn, x);
        const pagesRead = "pagesRead" in exported ? exported.pagesRead : this.kv.table.index.lastPagesRead;
        return {
          digest: responseDigest(req.id, null),
          op: "export_log",
          records: exported.records,
          log_end: x.log.applied_lsn,
          logged_lsn: x.log.last_lsn,
          ...served(req, x, exported.examined, pagesRead, 0),
        };
      }
      case "ingest": {
        let lsn = 0;
        let pagesRead = 0;
        let pagesWritten = 0;
        for (const record of req.records) {
          lsn = this.kv.logWrite(x, { kind: "put", key: record.key, field: -1, value: record.value });
          pagesRead += this.kv.appliedPagesRead;
          pagesWritten += Math.max(1, this.kv.appliedPagesWritten);
        }
        return {
          digest: responseDigest(req.id, null),
          op: "ingest",
          lsn,
          ...served(req, x, req.records.length, pagesRead, pagesWritten),
        };
      }
      case "purge": {
        // Deletes rows this shard no longer owns (after a cut-over), up to `batch` examined.
        const purged = this.rowsNotOwned(req.from_key, req.batch);
        const pagesRead = this.kv.table.index.lastPagesRead;
        let lsn = 0;
        let pagesWritten = 0;
        for (const key of purged.keys) {
          lsn = this.kv.logWrite(x, { kind: "delete", key });
          pagesWritten += Math.max(1, this.kv.appliedPagesWritten);
        }
        return {
          digest: responseDigest(req.id, null),
          op: "purge",
          next_key: purged.nextKey,
          lsn,
          ...served(req, x, purged.examined, pagesRead, pagesWritten),
        };
      }
      case "split_point": {
        // The median of the keys this shard owns: where a range split divides it.
        const owned = this.kv.ownedScan("", Number.POSITIVE_INFINITY, "");
        return {
          digest: responseDigest(req.id, null),
          op: "split_point",
          median: owned.records[owned.records.length >> 1]?.key ?? null,
          ...served(req, x, owned.examined, owned.pagesRead, 0),
        };
      }
    }
  }

  /**
   * export: the moving rows among up to `limit` rows from `start` on; `owned` counts those the shard
   * owned in the settled map (the others are copies moving in from other shards).
   */
  private exportMoving(
    start: string,
    limit: number,
  ): { records: RecordValue[]; nextKey: string | null; examined: number; owned: number } {
    const table = this.kv.table;
    const { shard, store } = this.ownership;
    const map = store.map;
    const records: RecordValue[] = [];
    let examined = 0;
    let owned = 0;
    let last = start;
    table.index.range({ lo: start, limit }, (key, row) => {
      examined++;
      last = key;
      if (map.current.shardOf(key) === shard) owned++;
      if (map.ownerOf(key) === shard && map.destinationOf(key) !== shard)
        records.push({ key, value: table.version(row) });
    });
    // The smallest key after `last`: the next export starts there.
    return { records, nextKey: examined < limit ? null : `${last}\u0000`, examined, owned };
  }

  /** purge: the rows among up to `limit` from `start` on that moved away from this shard. */
  private rowsNotOwned(
    start: string,
    limit: number,
  ): { keys: string[]; nextKey: string | null; examined: number } {
    const { shard, store } = this.ownership;
    const map = store.map;
    const keys: string[] = [];
    let examined = 0;
    let last = start;
    this.kv.table.index.range({ lo: start, limit }, (key) => {
      examined++;
      last = key;
      // Rows that moved away from here (not copies of rows moving here, not owned yet).
      if (map.current.shardOf(key) === shard && map.ownerOf(key) !== shard) keys.push(key);
    });
    return { keys, nextKey: examined < limit ? null : `${last}\u0000`, examined };
  }

  /** export_log: the current rows of moving keys written after log position `since` (and applied). */
  private exportMovingSince(
    since: number,
    x: Execution,
  ): { records: RecordValue[]; examined: number; pagesRead: number } {
    const table = this.kv.table;
    const { shard, store } = this.ownership;
    const map = store.map;
    const log = x.log;
    const keys = new Set<string>();
    for (let lsn = since + 1; lsn <= log.applied_lsn; lsn++) {
      for (const key of this.keysWritten(log.entryAt(lsn)?.payload ?? null)) keys.add(key);
    }
    const records: RecordValue[] = [];
    let pagesRead = 0;
    for (const key of [...keys].sort()) {
      if (map.ownerOf(key) !== shard || map.destinationOf(key) === shard) continue;
      const row = table.find(key);
      pagesRead += table.index.lastPagesRead;
      if (row >= 0) records.push({ key, value: table.version(row) });
    }
    return { records, examined: log.applied_lsn - since, pagesRead };
  }
}

/** What every response of the shard mover's carries: it was served, at this cost. */
function served(
  req: RequestOf<ShardMoverOp>,
  x: Execution,
  rows: number,
  pagesRead: number,
  pagesWritten: number,
) {
  return {
    kind: "resp",
    id: req.id,
    status: "ok",
    rows,
    pages_read: pagesRead,
    pages_written: pagesWritten,
    queue_us: x.queue_us,
    service_us: x.service_us(pagesRead + pagesWritten, rows),
    sync_us: 0,
    disk_us: 0,
    pages_hit: 0,
    pages_missed: 0,
    term: x.term,
    leader_hint: x.leader_hint,
  } as const;
}
