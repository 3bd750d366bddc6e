// A host's disk: an append-only log whose prefix up to the durable mark survives a crash, plus a
// durable data area. The simulator owns disks (they outlive host incarnations); hosts account for
// fsync latency themselves with a timer of `fsync_us`.
//
// Disk faults (as FoundationDB's simulator and TigerBeetle's VOPR inject them): a held entry can be
// corrupted (its bytes no longer match its checksum: the mark is kept beside the log, sparse); fsyncs
// can lie (`fsyncsLie`: they report success, but only the `flushed` prefix survives the next crash);
// a crash can tear the entry being written (`crash(true)`: the first volatile entry survives, corrupt);
// and the device can be slowed (`latency_factor`, which the host's timing of its I/O reads). Whether a
// corruption is noticed is the host's business: the disk only knows which bytes are bad.
//
// Write-ahead rule, as the engine models it: data pages never reach disk before the log records that
// changed them are durable. So after a crash the data area reflects the durable log only; the
// records that were lost (`takeLostTail`) tell the recovering host which changes to undo.

/** Most entries a log holds at once (trimmed entries do not count). */
export const DISK_LOG_ENTRIES_MAX = 50_000_000;

/** Trimmed slots are released in bulk once they are this many and at least half of the array. */
const COMPACT_MIN = 4096;

export class Disk {
  readonly fsync_us: number;
  /** Durable data area (e.g. the table's pages); survives crashes as is. */
  data: unknown = undefined;
  /** Held entries are `log[head..]`; the slots before `head` were trimmed and are released in bulk. */
  private log: unknown[] = [];
  private head = 0;
  /** Position of the first held entry (`log[head]`); entries before it were trimmed. */
  private base = 0;
  private durable = 0;
  /** What really reached the platter: `durable` unless fsyncs lie. */
  private flushed = 0;
  private lost: unknown[] = [];
  /** Positions of held entries whose bytes no longer match their checksum. */
  private readonly corrupt = new Set<number>();
  fsyncs = 0;
  /** While true, fsyncs report success without flushing (a lost fsync). */
  fsyncsLie = false;
  /** Multiplies the device's latencies (a slow disk); 1: nominal. */
  latency_factor = 1;

  constructor(fsync_us: number) {
    if (!(Number.isInteger(fsync_us) && fsync_us >= 0))
      throw new RangeError(`fsync_us must be an integer >= 0`);
    this.fsync_us = fsync_us;
  }

  /** Appends a volatile entry; returns its log position (LSN-like, from 0). */
  append(entry: unknown): number {
    if (this.log.length - this.head >= DISK_LOG_ENTRIES_MAX) {
      throw new RangeError(`disk log exceeds ${DISK_LOG_ENTRIES_MAX} entries; trim durable entries`);
    }
    this.log.push(entry);
    return this.length - 1;
  }

  /** Number of entries ever appended (not lost). */
  get length(): number {
    return this.base + this.log.length - this.head;
  }

  get durableLength(): number {
    return this.durable;
  }

  /** Marks every entry before `position` durable (an fsync covering them has completed). */
  syncTo(position: number): void {
    if (position > this.length) throw new RangeError(`syncTo(${position}) past the log end ${this.length}`);
    if (position > this.durable) this.durable = position;
    if (!this.fsyncsLie) this.flushed = this.durable;
    this.fsyncs++;
  }

  /**
   * Forgets entries before `position` (only durable ones). Amortised O(1) per entry: the array is
   * compacted only once the trimmed slots are at least half of it.
   */
  trimBefore(position: number): void {
    const drop = Math.min(position, this.flushed) - this.base;
    if (drop <= 0) return;
    this.head += drop;
    this.base += drop;
    if (this.corrupt.size > 0) for (const p of this.corrupt) if (p < this.base) this.corrupt.delete(p);
    if (this.head >= COMPACT_MIN && 2 * this.head >= this.log.length) {
      this.log = this.log.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Replaces the whole log by a durable snapshot of everything before `position` (a replica
   * installing its leader's state): no entry is held, the next append goes at `position`.
   */
  resetTo(position: number): void {
    if (!(Number.isInteger(position) && position >= 0)) throw new RangeError(`resetTo(${position})`);
    this.log = [];
    this.head = 0;
    this.base = position;
    this.durable = position;
    this.flushed = position;
    this.lost = [];
    this.corrupt.clear();
  }

  /** Position of the first entry still held (earlier ones were trimmed). */
  get firstPosition(): number {
    return this.base;
  }

  /** The entry at a position, or undefined when trimmed or past the end. */
  entryAt(position: number): unknown {
    return position >= this.base ? this.log[this.head + position - this.base] : undefined;
  }

  /**
   * Removes the entries at `position` and after (a replica discarding a divergent suffix) and
   * returns them, oldest first. The durable mark moves back with them.
   */
  truncateFrom(position: number): unknown[] {
    if (position < this.base)
      throw new RangeError(`truncateFrom(${position}): entries before ${this.base} were trimmed`);
    const removed = this.log.splice(this.head + position - this.base);
    if (this.durable > position) this.durable = position;
    if (this.flushed > position) this.flushed = position;
    this.forgetCorruptFrom(position);
    return removed;
  }

  /**
   * Called by the simulator on a crash: entries not really flushed are lost. `torn`: the first of
   * them was being written and stays, partially written (corrupt) and durable; the lost tail still
   * lists it (what it applied is undone). Returns the torn entry's position, or -1.
   */
  crash(torn = false): number {
    const keep = this.head + this.flushed - this.base;
    this.lost = this.log.slice(keep);
    this.durable = this.flushed;
    this.forgetCorruptFrom(this.flushed);
    const tornAt = torn && keep < this.log.length ? this.flushed : -1;
    this.log.length = tornAt < 0 ? keep : keep + 1;
    if (tornAt >= 0) {
      this.durable = this.flushed = tornAt + 1;
      this.corrupt.add(tornAt);
    }
    return tornAt;
  }

  /**
   * Flips bytes of the held entry at `position`, one that reached the platter (only those can rot):
   * it no longer matches its checksum.
   */
  corruptAt(position: number): void {
    if (!(position >= this.base && position < this.flushed))
      throw new RangeError(
        `corruptAt(${position}): the flushed entries held are ${this.base}..${this.flushed}`,
      );
    this.corrupt.add(position);
  }

  /** Entries before this position really reached the platter (`durableLength` unless fsyncs lie). */
  get flushedLength(): number {
    return this.flushed;
  }

  /** How many held entries are corrupt. */
  get corruptCount(): number {
    return this.corrupt.size;
  }

  /** Whether the entry at `position` no longer matches its checksum. */
  isCorrupt(position: number): boolean {
    return this.corrupt.size > 0 && this.corrupt.has(position);
  }

  /** Corrupt held positions, lowest first (few: one per fault). */
  corruptPositions(): number[] {
    return [...this.corrupt].sort((a, b) => a - b);
  }

  /** Positions from `position` on are gone: their corruption with them. */
  private forgetCorruptFrom(position: number): void {
    if (this.corrupt.size === 0) return;
    for (const p of this.corrupt) if (p >= position) this.corrupt.delete(p);
  }

  /** The entries the last crash lost, oldest first; empties the list. */
  takeLostTail(): unknown[] {
    const lost = this.lost;
    this.lost = [];
    return lost;
  }
}
