// The prepared transactions of a node (two-phase commit's participant side): each, by the id its
// coordinator gave it, with the effects it will install if committed and the keys it holds until its
// coordinator's decision. Part of the node's durable transactional data (MvccStore), so a prepare
// record survives crashes and a new leader, replicated as any log entry, still holds its keys.
//
// Holds: a prepared transaction holds the keys it wrote (no other transaction may read or write
// them) and the keys it read (no other may write them) until its decision is applied. Nothing waits
// for a hold: a conflicting statement aborts (`prepared`).

import type { TxnEffect } from "./mvcc-store.js";

/** A prepared transaction, as its prepare record logged it. */
export interface Prepared {
  readonly gtid: number;
  readonly effects: readonly TxnEffect[];
  /** Keys it read (serializable: they must not change before its decision). */
  readonly reads: readonly string[];
  /** When its leader logged the prepare record (that node's clock): its keys are held since. */
  readonly prepared_us: number;
}

interface Hold {
  /** Prepared transactions that read the key. */
  readers: number;
  /** The prepared transaction that writes it (0: none). */
  writer: number;
}

export class PreparedTransactions {
  private readonly byGtid = new Map<number, Prepared>();
  private readonly holds = new Map<string, Hold>();

  get size(): number {
    return this.byGtid.size;
  }

  get(gtid: number): Prepared | undefined {
    return this.byGtid.get(gtid);
  }

  /** The prepared transactions' coordinator ids, in prepare order (those in doubt here). */
  gtids(): number[] {
    return [...this.byGtid.keys()];
  }

  /** Whether a prepared transaction writes `key` (it may not be read). */
  writeHeld(key: string): boolean {
    return (this.holds.get(key)?.writer ?? 0) !== 0;
  }

  /** Whether a prepared transaction reads or writes `key` (it may not be written). */
  held(key: string): boolean {
    return this.holds.has(key);
  }

  /** Keys the transaction holds. */
  keysOf(prepared: Prepared): number {
    return new Set([...prepared.reads, ...prepared.effects.map(([, key]) => key)]).size;
  }

  add(prepared: Prepared): void {
    this.byGtid.set(prepared.gtid, prepared);
    for (const key of prepared.reads) this.hold(key).readers++;
    for (const [, key] of prepared.effects) this.hold(key).writer = prepared.gtid;
  }

  /** Ends a prepared transaction (its decision was applied); returns it (undefined: not prepared here). */
  remove(gtid: number): Prepared | undefined {
    const prepared = this.byGtid.get(gtid);
    if (prepared === undefined) return undefined;
    this.byGtid.delete(gtid);
    for (const key of prepared.reads) {
      const hold = this.holds.get(key) as Hold;
      hold.readers--;
      this.release(key, hold);
    }
    for (const [, key] of prepared.effects) {
      const hold = this.holds.get(key);
      if (hold === undefined) continue; // a second effect on the key
      hold.writer = 0;
      this.release(key, hold);
    }
    return prepared;
  }

  copy(): PreparedTransactions {
    const copy = new PreparedTransactions();
    for (const prepared of this.byGtid.values()) copy.add(prepared);
    return copy;
  }

  private hold(key: string): Hold {
    let hold = this.holds.get(key);
    if (hold === undefined) {
      hold = { readers: 0, writer: 0 };
      this.holds.set(key, hold);
    }
    return hold;
  }

  private release(key: string, hold: Hold): void {
    if (hold.readers === 0 && hold.writer === 0) this.holds.delete(key);
  }
}
