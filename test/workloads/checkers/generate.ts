// Histories of a correct register store, for tests. Each process runs its operations one at a time;
// each operation takes effect at one instant between its invoke and its completion (an `info` one at
// any instant after its invoke, or never), applied in that order to one register per key. So every
// history made here is linearizable.

export interface PlannedOperation {
  process: number;
  f: "read" | "write" | "cas";
  key: number;
  /** write: the value; cas: the expected value. */
  value: number;
  /** cas: the new value. */
  next: number;
  /** Ticks from the process's previous completion to this invoke. */
  gap: number;
  /** Ticks from invoke to completion. */
  length: number;
  /** Ticks from invoke to the effect, at most `length` (for `ok` operations). */
  effect: number;
  /** An `info` operation takes effect `infoEffect` ticks after its invoke (any time later), or never (null). */
  info: boolean;
  infoEffect: number | null;
}

interface Timed {
  readonly plan: PlannedOperation;
  readonly invoke: number;
  readonly complete: number;
  /** Null: never took effect. */
  readonly effect: number | null;
  type: "ok" | "fail" | "info";
  value: unknown;
}

/**
 * The history (JSONL) of `plan` run against correct registers; with `finalReads`, ended by Jepsen's
 * final reads: that process reads every key once, from each of `replicas` nodes, after the rest.
 */
export function historyFromPlan(
  plan: readonly PlannedOperation[],
  finalReads?: { process: number; replicas: readonly string[] },
): string {
  // Times are 4 * tick, + 1 for effects and + 2 for completions: an invoke, an effect and a
  // completion never coincide, so the real-time order is exactly what the plan says.
  const clocks = new Map<number, number>();
  const timed: Timed[] = plan.map((operation) => {
    const start = (clocks.get(operation.process) ?? 0) + operation.gap;
    const end = start + operation.length;
    clocks.set(operation.process, end + 1);
    const effectTick = operation.info ? operation.infoEffect : Math.min(operation.effect, operation.length);
    return {
      plan: operation,
      invoke: 4 * start,
      complete: 4 * end + 2,
      effect: effectTick === null ? null : 4 * (start + effectTick) + 1,
      type: operation.info ? "info" : "ok",
      value: operation.f === "cas" ? [operation.value, operation.next] : operation.value,
    };
  });
  const registers = new Map<number, number | null>();
  const byEffect = timed
    .filter((t) => t.effect !== null)
    .sort((a, b) => (a.effect as number) - (b.effect as number));
  for (const operation of byEffect) {
    const { f, key, value, next } = operation.plan;
    const current = registers.get(key) ?? null;
    if (f === "read") operation.value = current;
    else if (f === "write") registers.set(key, value);
    else if (current === value) registers.set(key, next);
    else if (operation.type === "ok") operation.type = "fail";
  }
  const events: { time: number; line: object }[] = [];
  for (const operation of timed) {
    const { process, f, key } = operation.plan;
    const base = { process, f, key: `k${key}` };
    const invokeValue = f === "read" ? null : operation.value;
    const completeValue = f === "read" && operation.type !== "ok" ? null : operation.value;
    events.push({ time: operation.invoke, line: { ...base, type: "invoke", value: invokeValue } });
    events.push({ time: operation.complete, line: { ...base, type: operation.type, value: completeValue } });
  }
  events.sort((a, b) => a.time - b.time);
  if (finalReads !== undefined) {
    let time = (events.at(-1)?.time ?? 0) + 1;
    const keys = [...new Set(plan.map((operation) => operation.key))].sort((a, b) => a - b);
    for (const key of keys) {
      for (const node of finalReads.replicas) {
        const base = { process: finalReads.process, f: "read", key: `k${key}` };
        events.push({ time: time++, line: { ...base, type: "invoke", value: null } });
        events.push({ time: time++, line: { ...base, type: "ok", value: registers.get(key) ?? null, node } });
      }
    }
  }
  return events.map((event, index) => JSON.stringify({ index, time: event.time, ...event.line })).join("\n");
}

export interface RandomPlanOptions {
  operations: number;
  keys: number;
  processes: number;
  /** Values a write picks from; by default every write's value is unique (as dbsim's are). */
  values?: number;
  /** Probability that an operation's outcome is unknown (`info`). */
  infoRate: number;
  seed: number;
}

export function randomPlan(options: RandomPlanOptions): PlannedOperation[] {
  const random = seededRandom(options.seed);
  const pick = (n: number) => Math.floor(random() * n);
  let written = 0;
  const value = () => (options.values === undefined ? ++written : pick(options.values));
  return Array.from({ length: options.operations }, () => {
    const roll = random();
    const f = roll < 0.5 ? "read" : roll < 0.8 ? "write" : "cas";
    const length = pick(30);
    const info = random() < options.infoRate;
    return {
      process: pick(options.processes),
      f,
      key: pick(options.keys),
      value: value(),
      next: value(),
      gap: pick(10),
      length,
      effect: pick(length + 1),
      info,
      infoEffect: random() < 0.5 ? null : pick(200),
    };
  });
}

/** mulberry32: a small seeded generator, so generated histories reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
