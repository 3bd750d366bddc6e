// One table's storage: rows in the engine's B+tree by primary key (the clustered index), its
// secondary indexes, its statistics, and row-level maintenance that charges every page it touches.
//
// API (used by Database and the executor; the integrator normally goes through Database):
//   new TableStore(info, storage)
//   .pkOf(row): string                      the encoded primary key of a stored row
//   .find(pk, cost): StoredRow | undefined  a primary key descent (height pages)
//   .insertRow(row, cost): boolean          false (nothing changed but the reads) on a duplicate key
//   .replaceRow(pk, before, after, cost)    the row was just read by the caller: charges writes
//   .deleteRow(pk, before, cost)
//   .putRow(pk, row | null, cost)           make the row be `row` (or absent), whatever it was
//   .addIndex(index, cost) / .removeIndex(name)
//   .storedRows(): IterableIterator<StoredRow>   in primary key order, not charged
//   .bindPages(space) / .unbindPages()      its tree's and indexes' pages join a node's page space
//   .checkConsistency(): void               every index holds exactly the entries the rows imply
//
// Costs: an insert reads and writes what the B+tree's set charges (a duplicate check costs the
// same descent, so it is not charged twice); each secondary index adds its own pages, listed per
// index in `index_maintenance`. An update or delete found its row through the access path, which
// already paid for reading it: only the table pages written (and siblings read when a delete
// rebalances) are added, plus the maintenance of every index whose columns changed.

import { BPlusTree } from "../index/btree.js";
import type { PageSpace } from "../index/page-space.js";
import { addMaintenance, type PageCounter, type QueryCost } from "./cost.js";
import type { SecondaryIndex, StorageOptions } from "./indexes.js";
import { encodeAt } from "./keys.js";
import { fanoutForEntry, type StoredRow, type TableInfo } from "./schema.js";
import { TableStats } from "./stats.js";

export class TableStore {
  readonly info: TableInfo;
  readonly tree: BPlusTree<string, StoredRow>;
  readonly stats: TableStats;
  readonly indexes: SecondaryIndex[] = [];
  /** The node's page space the table is bound to (null: none): an index built later joins it. */
  private space: PageSpace | null = null;

  constructor(info: TableInfo, storage: StorageOptions) {
    this.info = info;
    this.tree = new BPlusTree<string, StoredRow>({
      fanout: storage.fanout ?? fanoutForEntry(info.rowBytes, storage.page_bytes),
    });
    this.stats = new TableStats(info);
    for (const p of info.pk) this.stats.track(p, []);
  }

  get name(): string {
    return this.info.name;
  }

  get rowCount(): number {
    return this.tree.size;
  }

  pkOf(row: StoredRow): string {
    return encodeAt(row, this.info.pk);
  }

  find(pk: string, cost: PageCounter): StoredRow | undefined {
    const row = this.tree.get(pk);
    cost.pages_read += this.tree.lastPagesRead;
    return row;
  }

  insertRow(row: StoredRow, cost: QueryCost): boolean {
    const pk = this.pkOf(row);
    const tree = this.tree;
    if (tree.has(pk)) {
      cost.pages_read += tree.lastPagesRead;
      return false;
    }
    tree.set(pk, row);
    cost.pages_read += tree.lastPagesRead;
    cost.pages_written += tree.lastPagesWritten;
    this.stats.add(row);
    for (const index of this.indexes) {
      const pages = { pages_read: 0, pages_written: 0 };
      index.insert(row, pk, pages);
      addMaintenance(cost, index.name, pages);
    }
    return true;
  }

  replaceRow(pk: string, before: StoredRow, after: StoredRow, cost: QueryCost): void {
    this.tree.set(pk, after);
    cost.pages_written += this.tree.lastPagesWritten;
    this.stats.replace(before, after);
    for (const index of this.indexes) {
      const pages = { pages_read: 0, pages_written: 0 };
      if (index.update(before, after, pk, pages)) addMaintenance(cost, index.name, pages);
    }
  }

  deleteRow(pk: string, before: StoredRow, cost: QueryCost): void {
    const height = this.tree.height;
    if (!this.tree.delete(pk)) throw new Error(`table ${this.name}: no row ${JSON.stringify(pk)} to delete`);
    cost.pages_read += this.tree.lastPagesRead - height;
    cost.pages_written += this.tree.lastPagesWritten;
    this.stats.remove(before);
    for (const index of this.indexes) {
      const pages = { pages_read: 0, pages_written: 0 };
      index.remove(before, pk, pages);
      addMaintenance(cost, index.name, pages);
    }
  }

  /** Makes the row with primary key `pk` be `row` (null: absent). For redo and undo. */
  putRow(pk: string, row: StoredRow | null, cost: QueryCost): void {
    const current = this.tree.get(pk);
    // An insert's own descent finds the key absent: charge the lookup only when not inserting.
    if (current === undefined && row !== null) this.insertRow(row, cost);
    else {
      cost.pages_read += this.tree.lastPagesRead;
      if (current === undefined) return;
      if (row === null) this.deleteRow(pk, current, cost);
      else this.replaceRow(pk, current, row, cost);
    }
  }

  /** Builds a new index over the current rows; charges a full table scan plus the index's writes. */
  addIndex(index: SecondaryIndex, cost: QueryCost): void {
    if (this.indexes.some((i) => i.name === index.name))
      throw new Error(`index ${index.name} already exists`);
    let examined = 0;
    const pages = { pages_read: 0, pages_written: 0 };
    this.tree.range({}, (pk, row) => {
      index.insert(row, pk, pages);
      examined++;
    });
    cost.pages_read += this.tree.lastPagesRead;
    cost.rows_examined += examined;
    addMaintenance(cost, index.name, pages);
    for (const p of index.def.columns) this.stats.track(p, this.storedRows());
    if (this.space !== null) index.bindPages(this.space);
    this.indexes.push(index);
  }

  /** Binds the table's tree and its indexes (and any index added later) to a node's page space. */
  bindPages(space: PageSpace): void {
    this.space = space;
    this.tree.bindPages(space);
    for (const index of this.indexes) index.bindPages(space);
  }

  unbindPages(): void {
    this.space = null;
    this.tree.unbindPages();
    for (const index of this.indexes) index.unbindPages();
  }

  removeIndex(name: string): boolean {
    const at = this.indexes.findIndex((i) => i.name === name);
    if (at < 0) return false;
    this.indexes[at]?.unbindPages();
    this.indexes.splice(at, 1);
    return true;
  }

  *storedRows(): IterableIterator<StoredRow> {
    for (const [, row] of this.tree.entries()) yield row;
  }

  /** Throws unless every index holds exactly the entries the table's rows imply (tests). */
  checkConsistency(): void {
    this.tree.checkInvariants();
    for (const [pk, row] of this.tree.entries()) {
      if (pk !== this.pkOf(row)) throw new Error(`table ${this.name}: row filed under the wrong key`);
    }
    for (const index of this.indexes) {
      index.checkInvariants();
      const expected = new Map<string, string>();
      for (const [pk, row] of this.tree.entries()) {
        expected.set(`${index.keyOf(row, pk)}\u0000|${pk}`, JSON.stringify(index.entryOf(row, pk)));
      }
      let count = 0;
      for (const [key, entry] of index.entries()) {
        count++;
        const want = expected.get(`${key}\u0000|${entry.pk}`);
        if (want === undefined)
          throw new Error(`index ${index.name}: entry for a row the table does not have`);
        if (want !== JSON.stringify(entry))
          throw new Error(`index ${index.name}: stale values for row ${entry.pk}`);
      }
      if (count !== this.tree.size) {
        throw new Error(`index ${index.name}: ${count} entries for ${this.tree.size} rows`);
      }
    }
    const counted = new TableStats(this.info);
    for (const p of this.info.columns.keys())
      if (this.stats.isTracked(p)) counted.track(p, this.storedRows());
    const want = JSON.stringify(counted.summary().distinct);
    const got = JSON.stringify(this.stats.summary().distinct);
    if (this.stats.rowCount !== this.tree.size || want !== got) {
      throw new Error(
        `table ${this.name}: statistics ${got} (${this.stats.rowCount} rows), recounted ${want}`,
      );
    }
  }
}
