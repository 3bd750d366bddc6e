// The dependency graph's order edges, Tarjan's components and the cycle search, each against a
// brute-force reference on random inputs (fixed seeds).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classify, findCycle } from "../../../../workloads/checkers/transactions/cycles.js";
import {
  addProcessEdges,
  addRealtimeEdges,
  DependencyGraph,
  type EdgeType,
  PROCESS,
  REALTIME,
  RW,
  WR,
  WW,
} from "../../../../workloads/checkers/transactions/graph.js";
import { stronglyConnectedComponents } from "../../../../workloads/checkers/transactions/scc.js";
import { events, parseTransactions } from "./helpers.js";

/** Which nodes each node reaches over the graph's edges (of the mask), by search from each. */
function reachability(graph: DependencyGraph, mask: number): Set<number>[] {
  return Array.from({ length: graph.nodes }, (_, start) => {
    const seen = new Set<number>();
    const stack = [start];
    while (stack.length > 0) {
      for (const edge of graph.outEdges(stack.pop() as number)) {
        if ((graph.type(edge) & mask) === 0 || seen.has(graph.target(edge))) continue;
        seen.add(graph.target(edge));
        stack.push(graph.target(edge));
      }
    }
    return seen;
  });
}

/** Random interleavings: each step is a process that invokes when idle and completes when pending. */
function interleaving(steps: readonly number[], outcomes: readonly number[]): string {
  const pending = new Set<number>();
  const list: [number, "invoke" | "ok" | "info", []][] = [];
  steps.forEach((process, i) => {
    if (!pending.has(process)) {
      pending.add(process);
      list.push([process, "invoke", []]);
    } else {
      pending.delete(process);
      list.push([process, outcomes[i % outcomes.length] === 0 ? "info" : "ok", []]);
    }
  });
  return events(...list);
}

describe("real-time edges", () => {
  it("link a transaction to another exactly when it completed before the other was invoked (fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 80 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 10 }),
        (steps, outcomes) => {
          const txns = parseTransactions(interleaving(steps, outcomes), "list-append");
          const graph = new DependencyGraph(txns.length);
          addRealtimeEdges(graph, txns);
          graph.seal();
          const reaches = reachability(graph, REALTIME);
          for (const a of txns) {
            for (const b of txns) {
              const before =
                a.operation.type === "ok" && (a.operation.completeIndex as number) < b.operation.invokeIndex;
              expect(reaches[a.id]?.has(b.id), `T${a.id} -> T${b.id}`).toBe(before);
            }
          }
          // Linear, not every pair: the frontier holds at most one transaction per process.
          expect(graph.edges).toBeLessThanOrEqual(6 * txns.length);
        },
      ),
      { seed: 16, numRuns: 200 },
    );
  });
});

describe("process edges", () => {
  it("link each committed transaction to its process's next, and nothing from info or fail", () => {
    const txns = parseTransactions(
      events(
        [0, "invoke", []],
        [0, "ok", []],
        [0, "invoke", []],
        [0, "info", []],
        [0, "invoke", []],
        [0, "ok", []],
        [1, "invoke", []],
        [1, "fail", []],
        [1, "invoke", []],
        [1, "ok", []],
      ),
      "list-append",
    );
    const graph = new DependencyGraph(txns.length);
    addProcessEdges(graph, txns);
    graph.seal();
    const edges = Array.from({ length: graph.edges }, (_, e) => [graph.source(e), graph.target(e)]);
    expect(edges).toEqual([[0, 1]]);
  });
});

const TYPES: EdgeType[] = [WW, WR, RW, PROCESS, REALTIME];
const randomGraph = (nodes: number) =>
  fc.array(
    fc.tuple(
      fc.integer({ min: 0, max: nodes - 1 }),
      fc.integer({ min: 0, max: nodes - 1 }),
      fc.constantFrom(...TYPES),
    ),
    { maxLength: nodes * 3 },
  );

function build(nodes: number, edges: readonly [number, number, EdgeType][]): DependencyGraph {
  const graph = new DependencyGraph(nodes);
  for (const [from, to, type] of edges) graph.add(from, to, type);
  graph.seal();
  return graph;
}

describe("strongly connected components", () => {
  it("are the sets of mutually reachable nodes, of two or more (fixed seed)", () => {
    fc.assert(
      fc.property(randomGraph(12), fc.constantFrom(WW | WR, WW | WR | RW, 31), (edges, mask) => {
        const graph = build(12, edges);
        const reaches = reachability(graph, mask);
        const components = stronglyConnectedComponents(graph, mask);
        const componentOf = new Map<number, number>();
        components.forEach((members, i) => {
          expect(members.length).toBeGreaterThan(1);
          for (const member of members) componentOf.set(member, i);
        });
        for (let a = 0; a < 12; a++) {
          for (let b = 0; b < 12; b++) {
            if (a === b) continue;
            const mutual = Boolean(reaches[a]?.has(b) && reaches[b]?.has(a));
            expect(componentOf.has(a) && componentOf.get(a) === componentOf.get(b)).toBe(mutual);
          }
        }
      }),
      { seed: 17, numRuns: 300 },
    );
  });

  it("handle a path of 200,000 transactions without recursion", () => {
    const graph = new DependencyGraph(200_000);
    for (let n = 0; n + 1 < 200_000; n++) graph.add(n, n + 1, WW);
    graph.add(199_999, 0, WR);
    graph.seal();
    expect(stronglyConnectedComponents(graph, WW | WR).map((members) => members.length)).toEqual([200_000]);
  });
});

/** Every simple cycle (as edge lists), each once: from its smallest node. */
function simpleCycles(graph: DependencyGraph): number[][] {
  const cycles: number[][] = [];
  const visit = (start: number, node: number, path: number[], onPath: Set<number>): void => {
    for (const edge of graph.outEdges(node)) {
      const next = graph.target(edge);
      if (next === start) cycles.push([...path, edge]);
      else if (next > start && !onPath.has(next)) {
        onPath.add(next);
        visit(start, next, [...path, edge], onPath);
        onPath.delete(next);
      }
    }
  };
  for (let start = 0; start < graph.nodes; start++) visit(start, start, [], new Set([start]));
  return cycles;
}

const SEARCHED = ["G0", "G1c", "G-single-item", "G-nonadjacent-item", "G2-item"].flatMap((type) => [
  type,
  `${type}-process`,
  `${type}-realtime`,
]);

describe("cycle search", () => {
  it("finds a simple cycle of each type there is one of, or says it passed one over (fixed seed)", () => {
    fc.assert(
      fc.property(randomGraph(6), fc.constantFrom(PROCESS, REALTIME), (edges, order) => {
        // A checker's graph has one order: process or real-time (a model needs one or the other).
        const graph = build(
          6,
          edges.map(([from, to, type]) => [from, to, type === PROCESS || type === REALTIME ? order : type]),
        );
        const present = new Set(simpleCycles(graph).map((cycle) => classify(graph, cycle)));
        const members = [0, 1, 2, 3, 4, 5];
        const all = new Uint8Array(6).fill(1);
        for (const type of SEARCHED) {
          const { cycle, incomplete } = findCycle(graph, members, all, type, () => false);
          if (cycle === null) {
            expect(present.has(type) && !incomplete, type).toBe(false);
            continue;
          }
          expect(classify(graph, cycle.edges)).toBe(type);
          cycle.edges.forEach((edge, i) => {
            const next = cycle.edges[(i + 1) % cycle.edges.length] as number;
            expect(graph.target(edge)).toBe(graph.source(next));
          });
          expect(new Set(cycle.edges.map((edge) => graph.source(edge))).size).toBe(cycle.edges.length);
        }
      }),
      { seed: 18, numRuns: 400 },
    );
  });
});
