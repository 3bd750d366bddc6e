// Interactive transactions of several clients interleaved statement by statement (a seeded schedule)
// against one node's Transactions and store, recorded as an Elle list-append history (JSONL).

import { MvccStore } from "../../../engine/txn/mvcc-store.js";
import { type IsolationLevel, Transactions, type TxnMicroOp } from "../../../engine/txn/transactions.js";
import { Rng } from "../../../sim/rng.js";

export interface InterleavingOptions {
  readonly clients: number;
  readonly transactions: number;
  readonly keys: number;
  /** Statements per transaction (one micro-operation each), at most. */
  readonly statements_max: number;
  /** Share of micro-operations that read. */
  readonly read_fraction: number;
}

interface Client {
  id: number;
  planned: TxnMicroOp[];
  done: TxnMicroOp[];
}

export interface InterleavedRun {
  readonly jsonl: string;
  readonly committed: number;
  readonly aborted: Readonly<Record<string, number>>;
  /** The most versions any key kept at once after a commit. */
  readonly versions_max: number;
}

export function interleavedHistory(
  isolation: IsolationLevel,
  seed: number,
  options: InterleavingOptions,
): InterleavedRun {
  const rng = Rng.fromSeed(seed);
  const store = new MvccStore();
  let lastId = 0;
  const txns = new Transactions(
    { isolation, timeout_us: Number.POSITIVE_INFINITY },
    { store: () => store, nextId: () => ++lastId },
  );
  const clients: (Client | null)[] = Array.from({ length: options.clients }, () => null);
  const lines: string[] = [];
  const aborted: Record<string, number> = {};
  let element = 0;
  let started = 0;
  let committed = 0;
  let versions_max = 0;
  const event = (process: number, type: string, value: readonly TxnMicroOp[]) =>
    lines.push(JSON.stringify({ index: lines.length, time: lines.length, process, type, f: "txn", value }));
  while (started < options.transactions || clients.some((c) => c !== null)) {
    const process = rng.int(options.clients);
    const client = clients[process];
    if (client === undefined) continue;
    if (client === null) {
      if (started === options.transactions) continue;
      started++;
      const length = 1 + rng.int(options.statements_max);
      const planned = Array.from({ length }, (): TxnMicroOp => {
        const key = `k${rng.int(options.keys)}`;
        return rng.float() < options.read_fraction ? ["r", key, null] : ["append", key, ++element];
      });
      event(process, "invoke", planned);
      clients[process] = { id: txns.begin(0), planned, done: [] };
    } else if (client.done.length < client.planned.length) {
      const mop = client.planned[client.done.length] as TxnMicroOp;
      client.done.push(...(txns.execute(client.id, [mop]) as TxnMicroOp[]));
    } else {
      const outcome = txns.commit(client.id);
      if (outcome.status === "committed") {
        committed++;
        if (outcome.payload !== null) {
          store.apply(outcome.payload, txns.horizon());
          for (const [, key] of outcome.payload.effects)
            versions_max = Math.max(versions_max, store.versionCount(key));
        }
        event(process, "ok", client.done);
      } else {
        aborted[outcome.reason] = (aborted[outcome.reason] ?? 0) + 1;
        event(process, "fail", client.planned);
      }
      clients[process] = null;
    }
  }
  return { jsonl: lines.join("\n"), committed, aborted, versions_max };
}
