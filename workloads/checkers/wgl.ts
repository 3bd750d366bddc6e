// The linearizability search over one register (Wing & Gong's algorithm with Lowe's memoization).
//
// The completed operations form a doubly linked list of call and return events in real-time order.
// From the head, the search tries to linearize each operation whose call comes before the first
// return still in the list, then each `info` operation invoked before that return: if the register
// allows it and the configuration it leads to (set of linearized operations, register state) has not
// been seen before, the operation is pushed, its events are unlinked, and the scan restarts from the
// head. When nothing can come next, the operation of that first return cannot be linearized here:
// pop the last operation, put its events back and try the ones after it. The history is
// linearizable once every completed operation is linearized: `info` operations have no return, so
// they may be linearized at any point after their invoke, or never. Trying them only after the
// completed ones applies them only where some completed operation needs them.

import { LinearizedSets } from "./linearized-sets.js";
import { PairTable } from "./pair-table.js";
import { ANY_STATE, EMPTY, type RegisterPartition, UNCHANGED } from "./register-model.js";

export interface SearchClock {
  readonly now_ms: () => number;
  readonly deadline_ms: number;
}

export type SearchOutcome =
  | { readonly kind: "linearizable" }
  | { readonly kind: "timeout" }
  | {
      readonly kind: "violation";
      /** The longest partial linearization found, as operation ids in order. */
      readonly longest: readonly number[];
      /** The completed operation that could not follow `longest` (nor anything after it). */
      readonly blocked: number;
    };

const END = -1;

/** Iterations between two looks at the clock. */
const CLOCK_EVERY = 1024;

export function searchLinearization(partition: RegisterPartition, clock?: SearchClock): SearchOutcome {
  const { operations, requires, leaves, twin, completedCount } = partition;
  const count = operations.length;
  const invokes = Float64Array.from(operations, (operation) => operation.invokeIndex);
  const completes = Float64Array.from(operations, (operation) => operation.completeIndex ?? Infinity);
  // The completed operations' events: the call of operation i is node i, its return completedCount + i.
  const head = 2 * completedCount;
  const next = new Int32Array(head + 1);
  const prev = new Int32Array(head + 1);
  linkEvents(completedCount, invokes, completes, next, prev);
  // The `info` operations not linearized, in invoke order (their ids are), after a head node.
  const infoHead = count;
  const infoNext = new Int32Array(count + 1);
  const infoPrev = new Int32Array(count + 1);
  let lastInfo = infoHead;
  for (let id = completedCount; id < count; id++) {
    infoNext[lastInfo] = id;
    infoPrev[id] = lastInfo;
    lastInfo = id;
  }
  infoNext[lastInfo] = END;

  const sets = new LinearizedSets(count);
  const seen = new PairTable(count); // configurations reached: (linearized set id, register state)
  const linearized = new Uint8Array(count);
  const stackOperation = new Int32Array(count);
  const stackState = new Int32Array(count);
  const stackSet = new Int32Array(count);
  /** For a pushed `info` operation: the operation of the first return when it was pushed. */
  const stackBlocked = new Int32Array(count);
  /** 1 where the pushed operation was the only one worth trying in its configuration (see below). */
  const stackForced = new Uint8Array(count);
  let depth = 0;
  let state = EMPTY;
  let set = sets.empty;
  let remaining = completedCount;

  // The longest partial linearization, kept incrementally: its first `shared` operations are the
  // stack's, so recording a longer one copies only what was pushed since.
  const longest = new Int32Array(count);
  let longestLength = -1;
  let shared = 0;
  let longestBlocked = -1;

  // Where the scan is: `node` in the event list, or once it reached the first return (of
  // operation `blocked`), `info` in the `info` list.
  let node = next[head] as number;
  let scanningInfo = false;
  let info = END;
  let blocked = -1;
  let steps = 0;
  // Ends: every push adds a configuration to `seen`, and there are finitely many.
  while (remaining > 0) {
    if (clock !== undefined && ++steps % CLOCK_EVERY === 0 && clock.now_ms() > clock.deadline_ms) {
      return { kind: "timeout" };
    }
    let operation = -1;
    if (!scanningInfo) {
      if (node === END) throw new Error("linearizability search passed its last event (a bug)");
      if (node >= completedCount) {
        scanningInfo = true;
        blocked = node - completedCount;
        info = infoNext[infoHead] as number;
        continue;
      }
      operation = node;
      node = next[node] as number;
    } else if (info !== END && (invokes[info] as number) < (completes[blocked] as number)) {
      operation = info;
      info = infoNext[info] as number;
    } else if (depth > longestLength) {
      // Nothing can come next: `blocked` cannot be linearized after the stack. A new longest one.
      longest.set(stackOperation.subarray(shared, depth), shared);
      longestLength = depth;
      shared = depth;
      longestBlocked = blocked;
    }

    if (operation !== -1) {
      const required = requires[operation] as number;
      if (required !== ANY_STATE && required !== state) continue;
      const left = leaves[operation] as number;
      const after = left === UNCHANGED ? state : left;
      const completed = operation < completedCount;
      if (!completed) {
        // An `info` operation that changes nothing need not be linearized: leaving it out is as good.
        // Of `info` operations with the same effect, the earlier-invoked one can always stand in for a
        // later one, so they are linearized in invoke order only.
        if (after === state) continue;
        const earlier = twin[operation] as number;
        if (earlier !== -1 && linearized[earlier] === 0) continue;
      }
      // A completed operation that never changes the state (a read, a cas of a value to itself) can
      // be linearized as soon as it is possible without losing any linearization: moved there from
      // anywhere later, it sees the same state. So if that fails, every other choice here fails too.
      // (Not so a write that happens to leave the state as it is: later, it would change it.)
      const forced = completed && (left === UNCHANGED || left === required);
      const afterSet = sets.with(set, operation);
      const known = seen.size;
      seen.intern(afterSet, after);
      if (seen.size > known) {
        stackOperation[depth] = operation;
        stackState[depth] = state;
        stackSet[depth] = set;
        stackBlocked[depth] = blocked;
        stackForced[depth] = forced ? 1 : 0;
        depth++;
        linearized[operation] = 1;
        if (completed) {
          unlink(next, prev, operation);
          unlink(next, prev, completedCount + operation);
          remaining--;
        } else {
          unlink(infoNext, infoPrev, operation);
        }
        state = after;
        set = afterSet;
        node = next[head] as number;
        scanningInfo = false;
        continue;
      }
      if (!forced) continue;
      // Its configuration was explored before and failed: this one fails too.
    }

    // Backtrack: undo the last choice, and the one before while the undone one was forced.
    do {
      if (depth === 0) {
        return {
          kind: "violation",
          longest: Array.from(longest.subarray(0, longestLength)),
          blocked: longestBlocked,
        };
      }
      depth--;
      if (shared > depth) shared = depth;
      operation = stackOperation[depth] as number;
      state = stackState[depth] as number;
      set = stackSet[depth] as number;
      linearized[operation] = 0;
      if (operation < completedCount) {
        relink(next, prev, completedCount + operation);
        relink(next, prev, operation);
        remaining++;
      } else {
        relink(infoNext, infoPrev, operation);
      }
    } while (stackForced[depth] === 1);
    if (operation < completedCount) {
      node = next[operation] as number;
      scanningInfo = false;
    } else {
      info = infoNext[operation] as number;
      blocked = stackBlocked[depth] as number;
      scanningInfo = true;
    }
  }
  return { kind: "linearizable" };
}

function unlink(next: Int32Array, prev: Int32Array, node: number): void {
  const after = next[node] as number;
  next[prev[node] as number] = after;
  if (after !== END) prev[after] = prev[node] as number;
}

/** Undoes the unlink of `node`; unlinks are undone in the reverse order. */
function relink(next: Int32Array, prev: Int32Array, node: number): void {
  const after = next[node] as number;
  next[prev[node] as number] = node;
  if (after !== END) prev[after] = node;
}

/** Links the head and the completed operations' calls and returns in history order. */
function linkEvents(
  completedCount: number,
  invokes: Float64Array,
  completes: Float64Array,
  next: Int32Array,
  prev: Int32Array,
): void {
  const head = 2 * completedCount;
  const calls = new Int32Array(completedCount);
  for (let id = 0; id < completedCount; id++) calls[id] = id;
  calls.sort((a, b) => (invokes[a] as number) - (invokes[b] as number));
  let last = head;
  prev[head] = END;
  const append = (node: number) => {
    next[last] = node;
    prev[node] = last;
    last = node;
  };
  let call = 0;
  // Completed operations are numbered by completion, so returns come in id order.
  for (let returned = 0; returned < completedCount; returned++) {
    while (
      call < completedCount &&
      (invokes[calls[call] as number] as number) < (completes[returned] as number)
    ) {
      append(calls[call++] as number);
    }
    append(completedCount + returned);
  }
  next[last] = END;
}
