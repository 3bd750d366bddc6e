// Tarjan's strongly connected components, iterative (a recursion 100,000 transactions deep would
// overflow the stack): every cycle of the graph lies inside one component.

import type { DependencyGraph } from "./graph.js";

/** The components of more than one node (no edge is a self edge), over edges whose type is in `mask`. */
export function stronglyConnectedComponents(graph: DependencyGraph, mask: number): number[][] {
  const n = graph.nodes;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  // The depth-first path: a node and how many of its out-edges it has tried.
  const pathNodes: number[] = [];
  const pathNext: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    pathNodes.push(root);
    pathNext.push(0);
    while (pathNodes.length > 0) {
      const top = pathNodes.length - 1;
      const node = pathNodes[top] as number;
      const edges = graph.outEdges(node);
      let descended = false;
      while ((pathNext[top] as number) < edges.length) {
        const edge = edges[pathNext[top] as number] as number;
        pathNext[top] = (pathNext[top] as number) + 1;
        if ((graph.type(edge) & mask) === 0) continue;
        const next = graph.target(edge);
        if (index[next] === -1) {
          index[next] = low[next] = counter++;
          stack.push(next);
          onStack[next] = 1;
          pathNodes.push(next);
          pathNext.push(0);
          descended = true;
          break;
        }
        if (onStack[next] === 1 && (index[next] as number) < (low[node] as number))
          low[node] = index[next] as number;
      }
      if (descended) continue;
      pathNodes.pop();
      pathNext.pop();
      if (pathNodes.length > 0) {
        const parent = pathNodes[pathNodes.length - 1] as number;
        if ((low[node] as number) < (low[parent] as number)) low[parent] = low[node] as number;
      }
      if (low[node] === index[node]) {
        const component: number[] = [];
        let member: number;
        do {
          member = stack.pop() as number;
          onStack[member] = 0;
          component.push(member);
        } while (member !== node);
        if (component.length > 1) components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}
