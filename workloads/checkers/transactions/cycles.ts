// Cycle search inside one strongly connected component: for each anomaly type, a breadth-first
// search from each edge that such a cycle must contain, over states (node, rw edges so far, whether
// the last edge was rw, which required edge types were used), so the cycle found is the shortest
// through that edge. Types and their edges (Elle's specifications):
//   G0 ww; G1c ww, wr, at least one wr; G-single-item exactly one rw; G-nonadjacent-item two or more
//   rw, no two adjacent; G2-item two or more rw. A `-process` / `-realtime` variant may also use,
//   and must use, edges of that order. A found cycle is classified by its edges as Elle does and
//   kept only under the type searched for.

import { type DependencyGraph, type EdgeType, PROCESS, REALTIME, RW, WR, WW } from "./graph.js";

export interface FoundCycle {
  readonly type: string;
  /** The cycle's edges in order; the last one returns to the first edge's source. */
  readonly edges: readonly number[];
}

type RwMode = "none" | "single" | "nonadjacent" | "multiple";

interface CycleSpec {
  /** Types an edge may have to be taken as a non-rw step. */
  readonly steps: number;
  readonly rw: RwMode;
  /** Each mask must be matched by at least one step. */
  readonly required: readonly number[];
}

const BASE_SPECS: Readonly<Record<string, CycleSpec>> = {
  G0: { steps: WW, rw: "none", required: [] },
  G1c: { steps: WW | WR, rw: "none", required: [WR] },
  "G-single-item": { steps: WW | WR, rw: "single", required: [] },
  "G-nonadjacent-item": { steps: WW | WR, rw: "nonadjacent", required: [] },
  "G2-item": { steps: WW | WR, rw: "multiple", required: [] },
};

export function cycleSpec(type: string): CycleSpec {
  const variant = type.endsWith("-realtime") ? REALTIME : type.endsWith("-process") ? PROCESS : 0;
  const base = BASE_SPECS[type.replace(/-(realtime|process)$/, "")];
  if (base === undefined) throw new Error(`no cycle search for ${type}`);
  return variant === 0
    ? base
    : { ...base, steps: base.steps | variant, required: [...base.required, variant] };
}

/** Thrown when the deadline passes mid-search. */
export class SearchTimeout extends Error {
  override readonly name = "SearchTimeout";
}

export interface SearchResult {
  readonly cycle: FoundCycle | null;
  /** A walk was found that revisits a transaction (not a simple cycle) and was passed over. */
  readonly incomplete: boolean;
}

/** The step of a BFS: state, the queue position it came from, the edge taken. */
const STATE_BITS = 5;

/**
 * A cycle of `type` in the component (`inComponent[node]` true for its members), or null. Checks
 * `overdue()` every few thousand steps and throws SearchTimeout when it says so.
 */
export function findCycle(
  graph: DependencyGraph,
  members: readonly number[],
  inComponent: Uint8Array,
  type: string,
  overdue: () => boolean,
): SearchResult {
  if (overdue()) throw new SearchTimeout(type);
  const spec = cycleSpec(type);
  const startMask = spec.rw !== "none" ? RW : (spec.required[0] ?? WW);
  let incomplete = false;
  let steps = 0;
  for (const start of members) {
    for (const first of graph.outEdges(start)) {
      if (graph.type(first) !== startMask || inComponent[graph.target(first)] !== 1) continue;
      // States: node << STATE_BITS | rw count (2 bits) << 3 | last rw << 2 | required bits (2).
      const queueStates: number[] = [];
      const queueParents: number[] = [];
      const queueEdges: number[] = [];
      const seen = new Set<number>();
      const initial = transition(spec, 0, graph.type(first));
      if (initial === -1) continue;
      const firstState = graph.target(first) * (1 << STATE_BITS) + initial;
      queueStates.push(firstState);
      queueParents.push(-1);
      queueEdges.push(first);
      seen.add(firstState);
      for (let at = 0; at < queueStates.length; at++) {
        if (++steps % 4096 === 0 && overdue()) throw new SearchTimeout(type);
        const state = queueStates[at] as number;
        const node = Math.floor(state / (1 << STATE_BITS));
        const flags = state % (1 << STATE_BITS);
        for (const edge of graph.outEdges(node)) {
          const target = graph.target(edge);
          if (inComponent[target] !== 1) continue;
          const nextFlags = transition(spec, flags, graph.type(edge));
          if (nextFlags === -1) continue;
          if (target === start) {
            if (!closes(spec, nextFlags, graph.type(edge))) continue;
            const edges = walk(queueParents, queueEdges, at, edge);
            if (!isSimple(graph, edges)) {
              incomplete = true;
              continue;
            }
            const found = classify(graph, edges);
            if (found === type) return { cycle: { type, edges }, incomplete };
            continue;
          }
          const next = target * (1 << STATE_BITS) + nextFlags;
          if (seen.has(next)) continue;
          seen.add(next);
          queueStates.push(next);
          queueParents.push(at);
          queueEdges.push(edge);
        }
      }
    }
  }
  return { cycle: null, incomplete };
}

/** The flags after taking an edge of `type` (-1: not allowed). */
function transition(spec: CycleSpec, flags: number, type: EdgeType): number {
  let rwCount = flags >> 3;
  let lastRw = 0;
  if (type === RW) {
    if (spec.rw === "none" || (spec.rw === "single" && rwCount >= 1)) return -1;
    if (spec.rw === "nonadjacent" && (flags & 4) !== 0) return -1;
    rwCount = Math.min(rwCount + 1, 2);
    lastRw = 4;
  } else if ((type & spec.steps) === 0) return -1;
  let required = flags & 3;
  spec.required.forEach((mask, i) => {
    if ((type & mask) !== 0) required |= 1 << i;
  });
  return (rwCount << 3) | lastRw | required;
}

/** Whether a walk ending with `flags` (the last edge of type `last`) back at its start is a cycle of the spec. */
function closes(spec: CycleSpec, flags: number, last: EdgeType): boolean {
  const rwCount = flags >> 3;
  if ((flags & 3) !== (1 << spec.required.length) - 1) return false;
  if (spec.rw === "single") return rwCount === 1;
  // The first edge of an rw search is rw: the last one, beside it, may not be too.
  if (spec.rw === "nonadjacent") return rwCount >= 2 && last !== RW;
  if (spec.rw === "multiple") return rwCount >= 2;
  return true;
}

function walk(parents: readonly number[], edges: readonly number[], at: number, last: number): number[] {
  const path = [last];
  for (let position = at; position !== -1; position = parents[position] as number)
    path.push(edges[position] as number);
  return path.reverse();
}

function isSimple(graph: DependencyGraph, edges: readonly number[]): boolean {
  const nodes = new Set(edges.map((edge) => graph.source(edge)));
  return nodes.size === edges.length;
}

/** Elle's classification of a cycle by its edges. */
export function classify(graph: DependencyGraph, edges: readonly number[]): string {
  const types = edges.map((edge) => graph.type(edge));
  const rw = types.filter((type) => type === RW).length;
  const adjacentRw = types.some((type, i) => type === RW && types[(i + 1) % types.length] === RW);
  const base =
    rw === 1
      ? "G-single-item"
      : rw > 1
        ? adjacentRw
          ? "G2-item"
          : "G-nonadjacent-item"
        : types.includes(WR)
          ? "G1c"
          : "G0";
  const suffix = types.includes(REALTIME) ? "-realtime" : types.includes(PROCESS) ? "-process" : "";
  return `${base}${suffix}`;
}

/** The shortest cycle through the component's first member over edges in `mask` (a fallback). */
export function anyCycle(
  graph: DependencyGraph,
  members: readonly number[],
  inComponent: Uint8Array,
  mask: number,
): number[] {
  const start = members[0] as number;
  const parentEdge = new Map<number, number>();
  const queue = [start];
  for (let at = 0; at < queue.length; at++) {
    const node = queue[at] as number;
    for (const edge of graph.outEdges(node)) {
      const target = graph.target(edge);
      if ((graph.type(edge) & mask) === 0 || inComponent[target] !== 1) continue;
      if (target === start) {
        const path = [edge];
        for (let back = node; back !== start; ) {
          const via = parentEdge.get(back) as number;
          path.push(via);
          back = graph.source(via);
        }
        return path.reverse();
      }
      if (parentEdge.has(target)) continue;
      parentEdge.set(target, edge);
      queue.push(target);
    }
  }
  throw new Error("a strongly connected component without a cycle");
}
