// The transactional data of a node: per key a chain of committed versions (multi-version concurrency
// control), each stamped with the commit that wrote it. A commit is one log entry whose payload is
// its effects (`TxnEffect`: appends and register writes); applying it installs one version per key
// it writes, at the next commit timestamp; undoing it (a lost or truncated entry, newest first)
// removes them. Timestamps are this store's own count of applied commits: every replica applies the
// same entries in log order, and a snapshot ts only ever meets versions of the node that took it.
//
// A key holds a list (list-append: an append extends it) or a register (a write replaces it); a
// version's value is immutable, so a reader keeps it as it is.
//
// Garbage collection: installing a version drops the key's versions that no open transaction can
// read any more, those older than the newest one at or below the horizon (the oldest open snapshot),
// so a chain holds one version plus those committed since the oldest open transaction began.
//
// Two-phase commit (a transaction over several shards): a prepare record's payload carries the
// effects and `two_phase.step` "prepare"; applying it installs nothing but a prepared transaction
// holding its keys (prepared.ts); the decision's record ("commit": its effects installed as a commit
// here; "abort") ends it.

import { type Prepared, PreparedTransactions } from "./prepared.js";

/** A key's value: a list (list-append), a register's value, or null (never written). */
export type TxnValue = readonly number[] | number | null;

/** What a committed transaction changes: an append to a key's list, or a write of its register. */
export type TxnEffect = readonly ["append", string, number] | readonly ["w", string, number];

/** A two-phase commit's record: a participant's prepare, or its coordinator's decision. */
export type TwoPhaseRecord =
  | {
      readonly step: "prepare";
      /** The coordinator's id of the transaction. */
      readonly gtid: number;
      /** Keys it read, held with those it writes until the decision. */
      readonly reads: readonly string[];
      /** The leader's clock when it prepared. */
      readonly prepared_us: number;
    }
  | { readonly step: "commit" | "abort"; readonly gtid: number };

/** The payload of a commit's log entry (or, with `two_phase`, of a prepare or a decision). */
export interface TxnPayload {
  readonly kind: "txn";
  /** A prepare's effects to install on commit; empty for a decision (the prepare record has them). */
  readonly effects: readonly TxnEffect[];
  readonly two_phase?: TwoPhaseRecord;
}

/** What a key held before a commit wrote it, to put back should the commit be undone. */
interface Overwritten {
  readonly key: string;
  /** NEVER_WRITTEN: the key did not exist (a loaded key's first version has timestamp 0). */
  readonly ts: number;
  readonly value: TxnValue;
}

/** What undoes an applied commit here. */
export interface TxnUndo {
  readonly ts: number;
  readonly before: readonly Overwritten[];
  /** A decision's undo: the prepared transaction it ended, prepared again. */
  readonly prepared?: Prepared;
  /** A prepare's undo: the transaction no longer prepared. */
  readonly unprepare?: number;
}

const NEVER_WRITTEN = -1;

/** One key's versions, oldest first. */
interface Chain {
  ts: number[];
  values: TxnValue[];
}

export class MvccStore {
  private readonly chains = new Map<string, Chain>();
  /** The timestamp of the last commit applied (0: none). */
  private clock_ts = 0;
  private prepared_txns = new PreparedTransactions();

  /** The transactions prepared here, awaiting their coordinator's decision. */
  get prepared(): PreparedTransactions {
    return this.prepared_txns;
  }

  /** The last commit's timestamp: a snapshot taken now sees every version up to it. */
  get clock(): number {
    return this.clock_ts;
  }

  /** The newest committed value of `key`. */
  latest(key: string): TxnValue {
    const chain = this.chains.get(key);
    return chain === undefined ? null : (chain.values[chain.values.length - 1] as TxnValue);
  }

  /** The value of `key` as of timestamp `ts` (the newest version at or below it). */
  asOf(key: string, ts: number): TxnValue {
    const chain = this.chains.get(key);
    if (chain === undefined) return null;
    for (let i = chain.ts.length - 1; i >= 0; i--)
      if ((chain.ts[i] as number) <= ts) return chain.values[i] as TxnValue;
    return null;
  }

  /** The timestamp of the newest version of `key` (0: never written). */
  lastWriteTs(key: string): number {
    const chain = this.chains.get(key);
    return chain === undefined ? 0 : (chain.ts[chain.ts.length - 1] as number);
  }

  /** The load phase's value of `key`, before any commit (timestamp 0: every snapshot sees it). */
  load(key: string, value: TxnValue): void {
    if (this.clock_ts > 0 || this.chains.has(key)) throw new Error(`mvcc load: ${key} loaded late or twice`);
    this.chains.set(key, { ts: [0], values: [value] });
  }

  /** Versions of `key` kept (tests and memory accounting). */
  versionCount(key: string): number {
    return this.chains.get(key)?.ts.length ?? 0;
  }

  /**
   * Installs a commit's effects as versions at the next timestamp, applied to the newest values (an
   * append extends the list as it stands); `horizon_ts`: the oldest snapshot still open.
   */
  apply(payload: TxnPayload, horizon_ts: number): TxnUndo {
    const record = payload.two_phase;
    if (record === undefined) return this.install(payload.effects, horizon_ts);
    const unchanged = { ts: this.clock_ts + 1, before: [] };
    if (record.step === "prepare") {
      const { gtid, reads, prepared_us } = record;
      this.prepared_txns.add({ gtid, effects: payload.effects, reads, prepared_us });
      return { ...unchanged, unprepare: gtid };
    }
    const prepared = this.prepared_txns.remove(record.gtid);
    if (prepared === undefined) return unchanged;
    const installs = record.step === "commit" && prepared.effects.length > 0;
    return { ...(installs ? this.install(prepared.effects, horizon_ts) : unchanged), prepared };
  }

  private install(effects: readonly TxnEffect[], horizon_ts: number): TxnUndo {
    const ts = ++this.clock_ts;
    const before: Overwritten[] = [];
    for (const [f, key, element] of effects) {
      let chain = this.chains.get(key);
      if (chain === undefined) {
        chain = { ts: [], values: [] };
        this.chains.set(key, chain);
      }
      const last = chain.ts.length - 1;
      const previous = last < 0 ? null : (chain.values[last] as TxnValue);
      const value = f === "append" ? [...asList(previous), element] : element;
      if (last >= 0 && chain.ts[last] === ts)
        chain.values[last] = value; // a second effect on the key
      else {
        before.push({ key, ts: last < 0 ? NEVER_WRITTEN : (chain.ts[last] as number), value: previous });
        chain.ts.push(ts);
        chain.values.push(value);
        collect(chain, horizon_ts);
      }
    }
    return { ts, before };
  }

  /** Removes an applied commit's versions (the newest commit applied: undo goes newest first). */
  undo(undo: TxnUndo): void {
    if (undo.unprepare !== undefined) this.prepared_txns.remove(undo.unprepare);
    if (undo.prepared !== undefined) this.prepared_txns.add(undo.prepared);
    for (const { key, ts, value } of undo.before) {
      const chain = this.chains.get(key) as Chain;
      chain.ts.pop();
      chain.values.pop();
      if (ts === NEVER_WRITTEN) {
        if (chain.ts.length === 0) this.chains.delete(key);
      } else if (chain.ts.length === 0) {
        // Collected when this commit was applied: the undo record kept it.
        chain.ts.push(ts);
        chain.values.push(value);
      }
    }
    this.clock_ts = undo.ts - 1;
  }

  /** An independent copy (version values are immutable, so they are shared). */
  copy(): MvccStore {
    const copy = new MvccStore();
    copy.clock_ts = this.clock_ts;
    copy.prepared_txns = this.prepared_txns.copy();
    for (const [key, chain] of this.chains)
      copy.chains.set(key, { ts: [...chain.ts], values: [...chain.values] });
    return copy;
  }
}

/** A value as a list: an append to a register starts from its value. */
export function asList(value: TxnValue): readonly number[] {
  if (value === null) return [];
  return typeof value === "number" ? [value] : value;
}

/** Drops the versions older than the newest one at or below `horizon_ts` (never the newest). */
function collect(chain: Chain, horizon_ts: number): void {
  let keep = chain.ts.length - 1;
  while (keep > 0 && (chain.ts[keep] as number) > horizon_ts) keep--;
  if (keep > 0) {
    chain.ts.splice(0, keep);
    chain.values.splice(0, keep);
  }
}
