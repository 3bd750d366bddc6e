// Writes a list-append transaction history (docs/formats.md, "Transaction histories"), strict
// serializable by construction, to time `dbsim check --model list-append` on large input.
//
//   npx tsx bench/generate-transactions.ts <file> [transactions, default 100000] [seed, default 1] [--g2]
//
// Processes invoke transactions of 1 to 4 micro-operations (reads and appends of the live keys); a
// pending transaction takes effect atomically when it completes, so the completion order is a serial
// order that respects real time. Like Elle's generator, a key retires after 32 appends (a fresh key
// takes its place), so lists stay short. `--g2` adds two concurrent transactions that each read a
// key the other appends to: a G2-item cycle, invalid under
// repeatable-read and stronger.

import { closeSync, openSync, writeSync } from "node:fs";
import { Rng } from "../sim/rng.js";

const PROCESSES = 16;
const LIVE_KEYS = 16;
const APPENDS_PER_KEY = 32;
const CHUNK_CHARS = 1 << 20;

type Mop = ["append", number, number] | ["r", number, number[] | null];

const args = process.argv.slice(2);
const injectG2 = args.includes("--g2");
const [file, countText = "100000", seedText = "1"] = args.filter((arg) => arg !== "--g2");
if (file === undefined)
  throw new Error("usage: generate-transactions.ts <file> [transactions] [seed] [--g2]");
const rng = Rng.fromSeed(Number(seedText));
const total = Number(countText);

const lists = new Map<number, number[]>();
/** Per key, the last element handed to an append (elements are unique per key). */
const elements = new Map<number, number>();
const live: number[] = [];
let nextKey = 0;
for (; nextKey < LIVE_KEYS; nextKey++) live.push(nextKey);
const pending = new Map<number, Mop[]>();
let index = 0;
let chunk = "";
const fd = openSync(file, "w");

function emit(process: number, type: "invoke" | "ok", value: Mop[]): void {
  chunk += `${JSON.stringify({ index, time: index * 100, process, type, f: "txn", value })}\n`;
  index++;
  if (chunk.length >= CHUNK_CHARS) {
    writeSync(fd, chunk);
    chunk = "";
  }
}

function invoke(process: number): void {
  const mops: Mop[] = [];
  const size = 1 + rng.int(4);
  for (let i = 0; i < size; i++) {
    const key = live[rng.int(live.length)] as number;
    if (rng.int(2) === 0) mops.push(["r", key, null]);
    else {
      const element = (elements.get(key) ?? 0) + 1;
      elements.set(key, element);
      mops.push(["append", key, element]);
    }
  }
  pending.set(process, mops);
  emit(process, "invoke", mops);
}

/** Applies the transaction atomically: appends extend the key's list, reads see it. */
function complete(process: number): void {
  const mops = (pending.get(process) as Mop[]).map((mop): Mop => {
    const key = mop[1];
    const list = lists.get(key) ?? [];
    lists.set(key, list);
    if (mop[0] === "r") return ["r", key, list.length === 0 ? null : [...list]];
    list.push(mop[2]);
    if (list.length === APPENDS_PER_KEY) live[live.indexOf(key)] = nextKey++;
    return mop;
  });
  pending.delete(process);
  emit(process, "ok", mops);
}

let invoked = 0;
while (invoked < total || pending.size > 0) {
  const process = rng.int(PROCESSES);
  if (pending.has(process)) complete(process);
  else if (invoked < total) {
    invoke(process);
    invoked++;
  }
}
if (injectG2) {
  const [x, y] = [nextKey, nextKey + 1];
  emit(0, "invoke", [
    ["r", x, null],
    ["append", y, 1],
  ]);
  emit(1, "invoke", [
    ["r", y, null],
    ["append", x, 1],
  ]);
  emit(0, "ok", [
    ["r", x, null],
    ["append", y, 1],
  ]);
  emit(1, "ok", [
    ["r", y, null],
    ["append", x, 1],
  ]);
}
writeSync(fd, chunk);
closeSync(fd);
