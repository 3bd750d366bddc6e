// Records the operations clients saw as a history for the checkers, as the workload's plugin says
// (its HistoryRecording): reads and writes of each key as a register (YCSB updates and inserts
// are writes of a value unique per write), or operations on no single key whose value is kept as
// it is (a bank's transfers {from, to, amount} and reads of every balance {account: balance}), or
// transactions (`f` txn: micro-operations as invoked, and as completed).
// Kept in typed columns while the run goes on (RECORDER_BYTES_PER_OPERATION bytes per operation,
// plus each distinct key once and each keyless operation's value object); at the end turned into
// history.jsonl (DESIGN.md, "History") in
// chunks, and into a checker's History, both from one sequence of events, so the file and what was
// checked always agree and neither needs the history as one string.
//
// The loaded records hold the initial value 0, which no write of the run uses: a read that returns
// it saw the key as it was before the run, and the history says null (empty register).

import type { RecordValue } from "../../engine/protocol.js";
import { type History, HistoryParser, type OperationType } from "../checkers/history.js";
import type { HistoryPart, HistoryRecording, HistorySink } from "../generators/plugin.js";
import type { CompletedOperation, Observer } from "../observer.js";
import type { FinalRead } from "./final-reads.js";

const F_READ = 0;
const F_WRITE = 1;
const F_TRANSFER = 2;
const F_TXN = 3;
const F_NAMES = ["read", "write", "transfer", "txn"];
/** The key column's value for an operation on no single key (its value is in `wholeValues`). */
const NO_KEY = -1;
const RESULTS: readonly OperationType[] = ["ok", "fail", "info"];

/**
 * Bytes per operation of the columns (process, key, node: 4; f, result: 1; value, invoke and
 * completion times: 8), plus 8 for the event order built after the run (two 4-byte event codes).
 */
export const RECORDER_BYTES_PER_OPERATION = 38 + 8;
/** history.jsonl comes in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 20;
const INITIAL_CAPACITY = 1024;

type Column = Float64Array | Int32Array | Uint32Array | Uint8Array;

export class HistoryRecorder implements Observer, HistorySink {
  private readonly keys: string[] = [];
  private readonly keyIds = new Map<string, number>();
  private count = 0;
  /** The highest process number recorded (-1: none). */
  private lastProcess = -1;
  private process = new Uint32Array(INITIAL_CAPACITY);
  private f = new Uint8Array(INITIAL_CAPACITY);
  private key = new Int32Array(INITIAL_CAPACITY);
  /** A register's value (NaN: null), or a keyless operation's index in wholeValues. */
  private value = new Float64Array(INITIAL_CAPACITY);
  private result = new Uint8Array(INITIAL_CAPACITY);
  private invoke_us = new Float64Array(INITIAL_CAPACITY);
  private complete_us = new Float64Array(INITIAL_CAPACITY);
  private node = new Int32Array(INITIAL_CAPACITY);
  /** Keyless operations' values (a bank's transfer {from, to, amount}, a read's {account: balance} or null). */
  private readonly wholeValues: unknown[] = [];
  /** Event codes (2 x operation + 1 for its completion) in history order; null until asked for. */
  private order: Uint32Array | null = null;

  private readonly nodeName: (node: number) => string;
  private readonly recording: HistoryRecording;

  /** `recording`: how the workload records its operations (its plugin's `history`). */
  constructor(nodeName: (node: number) => string, recording: HistoryRecording) {
    this.nodeName = nodeName;
    this.recording = recording;
  }

  /** Every key the history touches. */
  get touchedKeys(): readonly string[] {
    return this.keys;
  }

  get size(): number {
    return this.count;
  }

  onOperation(op: CompletedOperation): void {
    if (op.process >= 0) this.recording(op, this); // else never sent
  }

  register(op: HistoryPart, f: "read" | "write", key: string, value: number | null): void {
    const write = f === "write";
    this.push(op, write ? F_WRITE : F_READ, this.keyId(key), registerValue(value, write));
  }

  whole(op: HistoryPart, f: "read" | "transfer", value: unknown): void {
    this.wholeValues.push(value);
    this.push(op, f === "transfer" ? F_TRANSFER : F_READ, NO_KEY, this.wholeValues.length - 1);
  }

  txn(op: HistoryPart, invoked: readonly unknown[], completed: readonly unknown[] | null): void {
    this.wholeValues.push({ invoked, completed });
    this.push(op, F_TXN, NO_KEY, this.wholeValues.length - 1);
  }

  /**
   * Records Jepsen's final reads (after every client operation) as reads of one process of their
   * own, the first number no client used, which it returns. A read that got no answer is `fail`
   * (a read has no effect); each names the replica it asked, answered or not.
   */
  recordFinalReads(reads: readonly FinalRead[]): number {
    const process = this.lastProcess + 1;
    for (const read of reads) {
      const op = { ...read, process };
      if (read.target.op !== "read")
        this.whole(op, "read", read.records === null ? null : recordsValue(read.records));
      else this.register(op, "read", read.target.key, read.value);
    }
    return process;
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(key);
      this.keyIds.set(key, id);
    }
    return id;
  }

  private push(
    op: Pick<CompletedOperation, "process" | "result" | "sent_us" | "completed_us" | "node">,
    f: number,
    key: number,
    value: number,
  ): void {
    if (this.count === this.process.length) this.grow();
    const i = this.count++;
    this.process[i] = op.process;
    if (op.process > this.lastProcess) this.lastProcess = op.process;
    this.f[i] = f;
    this.key[i] = key;
    this.value[i] = value;
    this.result[i] = op.result === "ok" ? 0 : op.result === "fail" ? 1 : 2;
    this.invoke_us[i] = op.sent_us;
    this.complete_us[i] = op.completed_us;
    this.node[i] = op.node;
    this.order = null;
  }

  /** Grows every column by half (not double: less slack at the end of a long run). */
  private grow(): void {
    const capacity = Math.ceil(this.process.length * 1.5);
    this.process = grown(this.process, capacity);
    this.f = grown(this.f, capacity);
    this.key = grown(this.key, capacity);
    this.value = grown(this.value, capacity);
    this.result = grown(this.result, capacity);
    this.invoke_us = grown(this.invoke_us, capacity);
    this.complete_us = grown(this.complete_us, capacity);
    this.node = grown(this.node, capacity);
  }

  /** The operations as a checker's History, from the events history.jsonl is made of. */
  toHistory(source: string): History {
    const parser = new HistoryParser(source);
    const order = this.eventOrder();
    for (let index = 0; index < order.length; index++) {
      parser.event(this.event(order[index] as number, index), index + 1);
    }
    return parser.history();
  }

  /** history.jsonl: one event per line, invokes and completions in time order, in chunks. */
  *jsonlChunks(): Generator<string> {
    const order = this.eventOrder();
    let chunk = "";
    for (let index = 0; index < order.length; index++) {
      chunk += `${JSON.stringify(this.event(order[index] as number, index))}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = "";
      }
    }
    if (chunk !== "") yield chunk;
  }

  /** Event `index` of the history: the invoke (even code) or completion (odd) of operation code / 2. */
  private event(code: number, index: number): Record<string, unknown> {
    const i = code >>> 1;
    const complete = (code & 1) === 1;
    const key = this.key[i] as number;
    const f = this.f[i] as number;
    const event: Record<string, unknown> = {
      index,
      time: complete ? this.complete_us[i] : this.invoke_us[i],
      process: this.process[i],
      type: complete ? RESULTS[this.result[i] as number] : "invoke",
      f: F_NAMES[f],
      ...(key === NO_KEY ? {} : { key: this.keys[key] }),
      value: f === F_READ && !complete ? null : f === F_TXN ? this.txnValue(i, complete) : this.valueOf(i),
    };
    const node = this.node[i] as number;
    if (complete && node >= 0) event.node = this.nodeName(node);
    return event;
  }

  /** A transaction's micro-operations: as completed when it committed, else as invoked. */
  private txnValue(i: number, complete: boolean): unknown {
    const { invoked, completed } = this.wholeValues[this.value[i] as number] as TxnValues;
    return complete && completed !== null ? completed : invoked;
  }

  private valueOf(i: number): unknown {
    const value = this.value[i] as number;
    if (this.key[i] === NO_KEY) return this.wholeValues[value];
    return Number.isNaN(value) ? null : value;
  }

  /**
   * The history's events in time order. At one instant completions come first: a client's next
   * operation starts as its last ends, and an operation's effect lies between its invoke and its
   * completion, so this order adds no false precedence. Otherwise invokes in the order they were
   * recorded, completions too; an operation that completes at the instant it was invoked has its
   * completion right after its invoke.
   */
  private eventOrder(): Uint32Array {
    if (this.order !== null) return this.order;
    const n = this.count;
    const byInvoke = indicesByTime(this.invoke_us, n);
    const byComplete = indicesByTime(this.complete_us, n);
    const order = new Uint32Array(2 * n);
    const instant = (i: number) => this.complete_us[i] === this.invoke_us[i];
    let next = 0;
    let v = 0;
    let c = 0;
    while (v < n || c < n) {
      while (c < n && instant(byComplete[c] as number)) c++; // it follows its invoke
      const completed = byComplete[c] as number;
      const invoked = byInvoke[v] as number;
      if (
        c < n &&
        (v === n || (this.complete_us[completed] as number) <= (this.invoke_us[invoked] as number))
      ) {
        order[next++] = 2 * completed + 1;
        c++;
      } else if (v < n) {
        order[next++] = 2 * invoked;
        if (instant(invoked)) order[next++] = 2 * invoked + 1;
        v++;
      }
    }
    this.order = order;
    return order;
  }
}

/** 0 .. n-1 ordered by times[i], then i (usually already in order: completions are recorded so). */
function indicesByTime(times: Float64Array, n: number): Uint32Array {
  const indices = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    indices[i] = i;
    if (i > 0 && (times[i] as number) < (times[i - 1] as number)) sorted = false;
  }
  if (!sorted) indices.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
  return indices;
}

function grown<A extends Column>(column: A, capacity: number): A {
  const next = new (column.constructor as new (length: number) => A)(capacity);
  next.set(column as never);
  return next;
}

interface TxnValues {
  readonly invoked: readonly unknown[];
  readonly completed: readonly unknown[] | null;
}

/** A register value in the value column: NaN for null, and for the initial value 0 a read returns. */
function registerValue(value: number | null, write: boolean): number {
  return value === null || (!write && value === 0) ? Number.NaN : value;
}

/** A read of every record, as its value: {key: value}. */
function recordsValue(records: readonly RecordValue[]): Record<string, number> {
  const values: Record<string, number> = {};
  for (const { key, value } of records) values[key] = value;
  return values;
}
