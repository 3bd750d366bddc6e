// Records the operations clients saw as a history for the checkers: reads and writes of each key as
// a register (YCSB updates, inserts and read-modify-writes are writes of a value unique per write;
// scans are not register operations and are left out), or a bank's transfers (value {from, to,
// amount}) and reads of every balance (value {account: balance}), which have no key. Kept in
// compact columns while the run goes on; turned into JSONL (DESIGN.md, "History") or a checker's
// History at the end.
//
// The loaded records hold the initial value 0, which no write of the run uses: a read that returns
// it saw the key as it was before the run, and the history says null (empty register).

import { type History, type OperationType, parseHistoryJsonl } from "./checkers/history.js";
import type { BankData, CompletedOperation, Observer } from "./observer.js";

const F_READ = 0;
const F_WRITE = 1;
const F_TRANSFER = 2;
const F_NAMES = ["read", "write", "transfer"];
/** The key column's value for an operation without a key. */
const NO_KEY = -1;
const RESULTS: readonly OperationType[] = ["ok", "fail", "info"];

export class HistoryRecorder implements Observer {
  private readonly keys: string[] = [];
  private readonly keyIds = new Map<string, number>();
  private readonly process: number[] = [];
  private readonly f: number[] = [];
  private readonly key: number[] = [];
  /** number | null for registers; a transfer's {from, to, amount}; a bank read's {account: balance}. */
  private readonly value: unknown[] = [];
  private readonly result: number[] = [];
  private readonly invoke_us: number[] = [];
  private readonly complete_us: number[] = [];
  private readonly node: number[] = [];

  private readonly nodeName: (node: number) => string;

  constructor(nodeName: (node: number) => string) {
    this.nodeName = nodeName;
  }

  /** Every key the history touches. */
  get touchedKeys(): readonly string[] {
    return this.keys;
  }

  get size(): number {
    return this.process.length;
  }

  onOperation(op: CompletedOperation): void {
    if (op.op === "scan" || op.process < 0) return; // not a register operation, or never sent
    if (op.bank !== undefined) {
      this.push(op, op.bank.f === "transfer" ? F_TRANSFER : F_READ, NO_KEY, bankValue(op.bank));
      return;
    }
    const write = op.op !== "read";
    let id = this.keyIds.get(op.key);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(op.key);
      this.keyIds.set(op.key, id);
    }
    this.push(op, write ? F_WRITE : F_READ, id, !write && op.value === 0 ? null : op.value);
  }

  private push(op: CompletedOperation, f: number, key: number, value: unknown): void {
    this.process.push(op.process);
    this.f.push(f);
    this.key.push(key);
    this.value.push(value);
    this.result.push(op.result === "ok" ? 0 : op.result === "fail" ? 1 : 2);
    this.invoke_us.push(op.sent_us);
    this.complete_us.push(op.completed_us);
    this.node.push(op.node);
  }

  /** The operations as a checker's History (through the JSONL, so both always agree). */
  toHistory(source: string): History {
    return parseHistoryJsonl(this.toJsonl(), source);
  }

  /** History JSONL: one event per line, invokes and completions in time order. */
  toJsonl(): string {
    const events: { time: number; seq: number; i: number; complete: boolean }[] = [];
    for (let i = 0; i < this.size; i++) {
      events.push({ time: this.invoke_us[i] as number, seq: 2 * i, i, complete: false });
      events.push({ time: this.complete_us[i] as number, seq: 2 * i + 1, i, complete: true });
    }
    // At one instant completions come first: a client's next operation starts as its last ends, and
    // an operation's effect lies between its invoke and its completion, so this order adds no false
    // precedence. (The seq keeps an operation's own invoke before its completion.)
    events.sort(
      (a, b) =>
        a.time - b.time ||
        (a.i === b.i ? a.seq - b.seq : Number(b.complete) - Number(a.complete) || a.seq - b.seq),
    );
    const lines = events.map((e, index) => {
      const i = e.i;
      const key = this.key[i] as number;
      const event: Record<string, unknown> = {
        index,
        time: e.time,
        process: this.process[i],
        type: e.complete ? RESULTS[this.result[i] as number] : "invoke",
        f: F_NAMES[this.f[i] as number],
        ...(key === NO_KEY ? {} : { key: this.keys[key] }),
        value: this.f[i] === F_READ && !e.complete ? null : this.value[i],
      };
      if (e.complete && (this.node[i] as number) >= 0) event.node = this.nodeName(this.node[i] as number);
      return JSON.stringify(event);
    });
    return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
  }
}

function bankValue(data: BankData): unknown {
  if (data.f === "transfer") return { from: data.from, to: data.to, amount: data.amount };
  if (data.balances === null) return null;
  const balances: Record<string, number> = {};
  for (const { key, value } of data.balances) balances[key] = value;
  return balances;
}
