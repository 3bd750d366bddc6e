// Writes a register history of about the given size in the format `dbsim run` records
// (DESIGN.md, "History (JSONL)"), linearizable by construction, to try `dbsim check` on large input.
//
//   npx tsx bench/generate-history.ts <file> [size, default 1GiB] [seed, default 1]
//
// Processes invoke reads and writes of random keys; a pending operation takes effect on the register
// at a random later step and completes at a later one still, so operations overlap and the effect
// order is a linearization. One write in a thousand completes as `info` (a timeout: its process
// continues under a new number).

import { closeSync, openSync, writeSync } from "node:fs";
import { parseByteSize } from "../engine/settings/units.js";
import { Rng } from "../sim/rng.js";

const PROCESSES = 64;
const KEYS = 100_000;
const CHUNK_CHARS = 1 << 20;

interface Pending {
  process: number;
  f: "read" | "write";
  key: string;
  value: number | null;
  effected: boolean;
}

const [file, sizeText = "1GiB", seedText = "1"] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: generate-history.ts <file> [size] [seed]");
const rng = Rng.fromSeed(Number(seedText));
const target = parseByteSize(sizeText);

const registers = new Map<string, number | null>();
const idle: number[] = Array.from({ length: PROCESSES }, (_, p) => p);
let nextProcess = PROCESSES;
const pending: Pending[] = [];
let index = 0;
let time = 0;
let nextValue = 1;
let written = 0;
let chunk = "";
const fd = openSync(file, "w");

function emit(event: Record<string, unknown>): void {
  chunk += `${JSON.stringify({ index: index++, time, ...event })}\n`;
  if (chunk.length >= CHUNK_CHARS) flush();
}

function flush(): void {
  written += writeSync(fd, chunk);
  chunk = "";
}

while (written + chunk.length < target || pending.length > 0) {
  time += 1 + rng.int(20);
  const step = rng.float();
  const open = written + chunk.length < target;
  if (open && idle.length > 0 && (step < 0.4 || pending.length === 0)) {
    const process = idle.splice(rng.int(idle.length), 1)[0] as number;
    const write = rng.float() < 0.5;
    const key = `user${rng.int(KEYS)}`;
    const value = write ? nextValue++ : null;
    pending.push({ process, f: write ? "write" : "read", key, value, effected: false });
    emit({ process, type: "invoke", f: write ? "write" : "read", key, value });
    continue;
  }
  const op = pending[rng.int(pending.length)] as Pending;
  if (!op.effected) {
    op.effected = true;
    if (op.f === "write") registers.set(op.key, op.value);
    else op.value = registers.get(op.key) ?? null;
    continue;
  }
  pending.splice(pending.indexOf(op), 1);
  const timedOut = op.f === "write" && rng.float() < 0.001;
  emit({
    process: op.process,
    type: timedOut ? "info" : "ok",
    f: op.f,
    key: op.key,
    value: op.value,
    node: "shard0/n0",
  });
  idle.push(timedOut ? nextProcess++ : op.process);
}
flush();
closeSync(fd);
console.log(`wrote ${file}: ${written} bytes, ${index} events`);
