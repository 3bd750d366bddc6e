// A node's write-ahead log on its disk: one record per log position, the entry and what undoes it
// on this node (null while not applied). Durable up to the disk's fsync mark; a crash loses the
// rest, which the restarted node undoes (the write-ahead rule).
//
// Checksums: each record is checksummed. With checksums on, `repairCorruption` finds the records
// whose bytes no longer match (a disk_corruption fault, a torn write) and takes them out of the log:
// one already applied is covered by the data, so the log drops it and everything before it (as
// compaction does; a follower that needs them gets a snapshot); one not applied cuts the log there
// (its peers re-send what follows). Nothing corrupt is applied or shipped. With checksums off a
// corrupt record is read as data: its header (position, term) survived, its payload reads as one
// that writes nothing, so the write it carried is silently dropped wherever it is applied.
//
// Compaction: a node keeps its last LOG_WINDOW durable, applied entries and drops older ones in
// batches of LOG_COMPACT_BATCH (amortised O(1) per write), remembering the term of the last one
// dropped (log matching and votes work across the cut) and the values of their writes (lost-write
// accounting: `logWrites`). A replica that needs entries no longer held gets a snapshot instead.

import type { Disk } from "../../sim/disk.js";
import type { LogEntry, ReplicatedLog } from "../replication/protocol.js";
import { writtenValue } from "../state/node-state.js";
import type { WriteSet } from "../write-set.js";
import { type NodeStorage, storageOf } from "./storage.js";

/** Log entries a node keeps once they are durable; older ones are compacted away. */
export const LOG_WINDOW = 100_000;
const LOG_COMPACT_BATCH = 4096;
/**
 * Under fsync_policy `never` the operating system is modelled as writing pages back eventually: only
 * the last NEVER_POLICY_TAIL entries are at risk in a crash (this also bounds the log's memory).
 */
const NEVER_POLICY_TAIL = 100_000;

/** The undo of a corrupt record applied without checksums: its garbled payload wrote nothing. */
const WROTE_NOTHING = Object.freeze({ wrote: "nothing" });

/** What `repairCorruption` found and did. */
export interface CorruptionRepair {
  /** Corrupt records found. */
  readonly corrupt: number;
  /** The log was cut from this position on (0: it was not). */
  readonly cut_lsn: number;
  /** Entries taken out of the log (cut, or dropped as covered by the data). */
  readonly dropped: number;
}

/** A log entry as one node holds it. */
export interface LogRecord {
  readonly entry: LogEntry;
  /** What undoes the entry on this node's data; null while it is not applied. */
  undo: unknown;
}

/** What the node's state machines do with a record's entry. */
export interface Applier {
  /** Applies an entry's payload; returns what undoes it. */
  apply(payload: LogEntry["payload"]): unknown;
  undo(payload: LogEntry["payload"], undo: unknown): void;
}

export class NodeLog implements ReplicatedLog {
  private readonly disk: Disk;
  private readonly storage: NodeStorage;
  /** fsync_policy `never`: the tail past NEVER_POLICY_TAIL counts as written back. */
  private readonly writtenBack: boolean;
  private readonly checksums: boolean;

  constructor(disk: Disk, storage: NodeStorage, writtenBack: boolean, checksums = true) {
    this.disk = disk;
    this.storage = storage;
    this.writtenBack = writtenBack;
    this.checksums = checksums;
  }

  get last_lsn(): number {
    return this.disk.length;
  }

  get base_lsn(): number {
    return this.disk.firstPosition;
  }

  /** The entries applied to the data go up to here (applied in order; kept on the disk's data area). */
  get applied_lsn(): number {
    return this.storage.applied_lsn;
  }

  recordAt(lsn: number): LogRecord | undefined {
    return this.disk.entryAt(lsn - 1) as LogRecord | undefined;
  }

  entryAt(lsn: number): LogEntry | undefined {
    const entry = (this.disk.entryAt(lsn - 1) as LogRecord | undefined)?.entry;
    return entry !== undefined && this.disk.isCorrupt(lsn - 1) ? this.garbled(entry) : entry;
  }

  termAt(lsn: number): number {
    if (lsn === 0) return 0;
    const disk = this.disk;
    if (lsn === disk.firstPosition) return this.storage.base_term;
    const record = disk.entryAt(lsn - 1) as LogRecord | undefined;
    if (record === undefined)
      throw new Error(`log position ${lsn} is not held (log ${disk.firstPosition}..${disk.length})`);
    return record.entry.term;
  }

  /**
   * Appends a record at the log's end: applied already when its undo is not null (then every entry
   * before it must be applied: entries are applied in log order).
   */
  append(record: LogRecord): void {
    const disk = this.disk;
    const lsn = record.entry.lsn;
    if (record.undo !== null && this.storage.applied_lsn !== lsn - 1)
      throw new Error(`log: entry ${lsn} applied before entry ${this.storage.applied_lsn + 1}`);
    if (disk.append(record) + 1 !== lsn) {
      throw new Error(`log position mismatch: appended lsn ${lsn} at ${disk.length}`);
    }
    if (record.undo !== null) this.storage.applied_lsn = lsn;
    if (this.writtenBack && disk.length - disk.durableLength > NEVER_POLICY_TAIL) {
      disk.syncTo(disk.length - NEVER_POLICY_TAIL);
    }
    this.compact();
  }

  /** Applies the record at `lsn`, the first one not applied yet; returns its entry. */
  applyNext(lsn: number, applier: Applier): LogEntry {
    const storage = this.storage;
    const record = this.recordAt(lsn);
    if (lsn !== storage.applied_lsn + 1 || record === undefined)
      throw new Error(`log: applying entry ${lsn}, the next one to apply is ${storage.applied_lsn + 1}`);
    if (this.disk.isCorrupt(lsn - 1) && !this.checksums) {
      record.undo = WROTE_NOTHING;
      storage.applied_lsn = lsn;
      return this.garbled(record.entry);
    }
    record.undo = applier.apply(record.entry.payload);
    storage.applied_lsn = lsn;
    return record.entry;
  }

  /**
   * With checksums on, takes the corrupt records out of the log (see the top of the file); returns
   * how many it found, where the log was cut (0: not cut) and how many entries it dropped.
   */
  repairCorruption(applier: Applier): CorruptionRepair | null {
    const disk = this.disk;
    if (!this.checksums || disk.corruptCount === 0) return null;
    const corrupt = disk.corruptPositions();
    const storage = this.storage;
    const firstHeld = disk.firstPosition;
    let cutAt = disk.length;
    let coveredTo = firstHeld; // positions before it are covered by the data
    for (const p of corrupt) {
      if (p + 1 <= storage.applied_lsn) coveredTo = p + 1;
      else cutAt = Math.min(cutAt, p);
    }
    const cut_lsn = cutAt < disk.length ? cutAt + 1 : 0;
    let dropped = 0;
    if (cut_lsn > 0) dropped += this.truncateFrom(cut_lsn, applier);
    if (coveredTo > firstHeld) {
      for (let p = firstHeld; p < coveredTo; p++) {
        const { entry } = disk.entryAt(p) as LogRecord;
        addWrite(storage.compacted_writes, entry);
        storage.base_term = entry.term; // the header survived: the term is known
      }
      disk.trimBefore(coveredTo);
      dropped += coveredTo - firstHeld;
    }
    return { corrupt: corrupt.length, cut_lsn, dropped };
  }

  /** A corrupt record's entry as read without checksums: the header, a payload that writes nothing. */
  private garbled(entry: LogEntry): LogEntry {
    return this.checksums ? entry : { ...entry, payload: null };
  }

  /** Removes the records from `lsn` on, undoing what they applied; returns how many it removed. */
  truncateFrom(lsn: number, applier: Applier): number {
    const removed = this.disk.truncateFrom(lsn - 1) as LogRecord[];
    this.undo(removed, applier);
    return removed.length;
  }

  /** Undoes what the records a crash lost had applied (once, after a restart). */
  undoLostTail(applier: Applier): void {
    this.undo(this.disk.takeLostTail() as LogRecord[], applier);
  }

  /** Empties the log, which now starts after `lsn` of `term` whose writes are `writes` (a snapshot's). */
  resetTo(lsn: number, term: number, writes: WriteSet): void {
    const storage = this.storage;
    storage.compacted_writes = writes.copy();
    storage.base_term = term;
    storage.applied_lsn = lsn;
    this.disk.resetTo(lsn);
  }

  /** Undoes what a record applied, if anything; it is then not applied. */
  private undoRecord(record: LogRecord, applier: Applier): void {
    if (record.undo !== null && record.undo !== WROTE_NOTHING)
      applier.undo(record.entry.payload, record.undo);
    record.undo = null; // a torn record stays in the log (sim/disk.ts): never undone twice
  }

  /** Undoes applied records, newest first; the log then is applied up to the first one at most. */
  private undo(records: readonly LogRecord[], applier: Applier): void {
    for (let i = records.length - 1; i >= 0; i--) {
      this.undoRecord(records[i] as LogRecord, applier);
    }
    const first = records[0];
    if (first !== undefined)
      this.storage.applied_lsn = Math.min(this.storage.applied_lsn, first.entry.lsn - 1);
  }

  /** Drops durable, applied entries before the last LOG_WINDOW, in batches. */
  private compact(): void {
    const disk = this.disk;
    if (disk.length - disk.firstPosition <= LOG_WINDOW + LOG_COMPACT_BATCH) return;
    const storage = this.storage;
    const keepFrom = Math.min(disk.durableLength, disk.length - LOG_WINDOW, storage.applied_lsn);
    if (keepFrom <= disk.firstPosition) return;
    for (let p = disk.firstPosition; p < keepFrom; p++) {
      const { entry } = disk.entryAt(p) as LogRecord;
      addWrite(storage.compacted_writes, entry);
      storage.base_term = entry.term;
    }
    disk.trimBefore(keepFrom);
  }
}

/** The values of every write a node's log ever held and still stands by: compacted part included. */
export function logWrites(disk: Disk): WriteSet {
  const writes = storageOf(disk).compacted_writes.copy();
  for (let p = disk.firstPosition; p < disk.length; p++)
    addWrite(writes, (disk.entryAt(p) as LogRecord).entry);
  return writes;
}

function addWrite(writes: WriteSet, entry: LogEntry): void {
  const value = writtenValue(entry.payload);
  if (value !== null) writes.add(value);
}
