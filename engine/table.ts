// A YCSB-style table: a primary key and `fieldCount` fields per record, indexed by the engine's own
// B+tree. Field contents are represented by the value (write stamp) that last wrote them: enough to
// tell which write a read observed, without storing 1 KB of random bytes per record.
//
// A row lives in its key's leaf page (an index-organized table, as InnoDB's): writing a row's
// fields writes that page, which `write` and `restore` record (they follow a `find` of the row's key).

import { BPlusTree } from "./index/btree.js";
import type { PageSpace } from "./index/page-space.js";

/** Upper bound on rows per table (memory: 8 bytes x fields per row, plus the index). */
export const TABLE_MAX_ROWS = 20_000_000;

export class Table {
  readonly fieldCount: number;
  readonly index: BPlusTree<string, number>;
  /** Per row: the stamp of the last write to each field, row-major. */
  private stamps: Float64Array;
  /** Per row: the stamp of the last write to the row (any field). */
  private versions: Float64Array;
  private rows = 0;

  constructor(options: { fieldCount: number; fanout: number; initialRows?: number }) {
    if (!(Number.isInteger(options.fieldCount) && options.fieldCount >= 1)) {
      throw new RangeError(`fieldCount must be a positive integer, got ${options.fieldCount}`);
    }
    this.fieldCount = options.fieldCount;
    this.index = new BPlusTree<string, number>({ fanout: options.fanout });
    const capacity = Math.max(16, options.initialRows ?? 1024);
    this.stamps = new Float64Array(capacity * this.fieldCount);
    this.versions = new Float64Array(capacity);
  }

  get rowCount(): number {
    return this.index.size;
  }

  /** Row id of `key`, or -1. Charges the index descent to `index.lastPages*`. */
  find(key: string): number {
    return this.index.get(key) ?? -1;
  }

  version(row: number): number {
    return this.versions[row] as number;
  }

  fieldStamp(row: number, field: number): number {
    return this.stamps[row * this.fieldCount + field] as number;
  }

  /** Inserts a record whose every field carries `stamp`; returns its row id, or -1 if the key exists. */
  insert(key: string, stamp: number): number {
    if (this.index.has(key)) return -1;
    const row = this.allocateRow();
    this.stamps.fill(stamp, row * this.fieldCount, (row + 1) * this.fieldCount);
    this.versions[row] = stamp;
    this.index.set(key, row);
    return row;
  }

  /** Its pages join a node's page space (index/page-space.ts); unbind gives their ids back. */
  bindPages(space: PageSpace): void {
    this.index.bindPages(space);
  }

  unbindPages(): void {
    this.index.unbindPages();
  }

  /** Writes one field (or all when field < 0) of the row `find` just found. */
  write(row: number, field: number, stamp: number): void {
    this.index.writeLastLeaf();
    if (field < 0) this.stamps.fill(stamp, row * this.fieldCount, (row + 1) * this.fieldCount);
    else this.stamps[row * this.fieldCount + field] = stamp;
    this.versions[row] = stamp;
  }

  /** Restores a row's field and version (undo of a lost write) of the row `find` just found. */
  restore(row: number, field: number, fieldStamp: number, version: number): void {
    this.index.writeLastLeaf();
    if (field < 0) this.stamps.fill(fieldStamp, row * this.fieldCount, (row + 1) * this.fieldCount);
    else this.stamps[row * this.fieldCount + field] = fieldStamp;
    this.versions[row] = version;
  }

  /** Removes the key from the index (its row slot is not reused). */
  remove(key: string): boolean {
    return this.index.delete(key);
  }

  /** An independent copy (a snapshot a follower installs); the index is rebuilt in key order. */
  copy(): Table {
    const copy = new Table({
      fieldCount: this.fieldCount,
      fanout: this.index.fanout,
      initialRows: this.rows,
    });
    copy.stamps.set(this.stamps.subarray(0, this.rows * this.fieldCount));
    copy.versions.set(this.versions.subarray(0, this.rows));
    copy.rows = this.rows;
    this.index.scan("", Number.POSITIVE_INFINITY, (key, row) => {
      copy.index.set(key, row);
    });
    return copy;
  }

  private allocateRow(): number {
    if (this.rows >= TABLE_MAX_ROWS) throw new RangeError(`table exceeds ${TABLE_MAX_ROWS} rows`);
    if (this.rows === this.versions.length) {
      const capacity = Math.min(TABLE_MAX_ROWS, this.versions.length * 2);
      const stamps = new Float64Array(capacity * this.fieldCount);
      stamps.set(this.stamps);
      this.stamps = stamps;
      const versions = new Float64Array(capacity);
      versions.set(this.versions);
      this.versions = versions;
    }
    return this.rows++;
  }
}
