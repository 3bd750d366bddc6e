// Where each range's replicas sit when a cluster has physical nodes (`cluster.nodes`, multi-raft):
// every range has a replica host on every node, and `replicas` of them, on distinct nodes, are its
// initial voters; the first voter listed leads at the start (its leaseholder).
//
// - balanced: replica slot t (range r's k-th voter is slot r x replicas + k) on node t mod nodes, so
//   replica counts per node differ by at most one; each range's leader is the voter whose node leads
//   the fewest ranges so far (the first such voter on a tie), which spreads the leaseholders too.
// - packed: every range on nodes 0 .. replicas - 1, led from node 0: one node holds every
//   leaseholder (the hot node a rebalancer exists to cure).

export const RANGE_PLACEMENTS = ["balanced", "packed"] as const;
export type RangePlacement = (typeof RANGE_PLACEMENTS)[number];

/** Each range's initial voters as node numbers, the leader first. Needs 1 <= replicas <= nodes. */
export function placeRanges(
  ranges: number,
  nodes: number,
  replicas: number,
  policy: RangePlacement,
): number[][] {
  if (!(Number.isInteger(replicas) && replicas >= 1 && replicas <= nodes))
    throw new RangeError(`placeRanges: replicas must be 1 .. nodes (${nodes}), got ${replicas}`);
  if (policy === "packed")
    return Array.from({ length: ranges }, () => Array.from({ length: replicas }, (_, k) => k));
  const leaders = new Array<number>(nodes).fill(0);
  return Array.from({ length: ranges }, (_, range) => {
    const voters = Array.from({ length: replicas }, (_, k) => (range * replicas + k) % nodes);
    let leader = 0;
    for (let k = 1; k < voters.length; k++)
      if ((leaders[voters[k] as number] as number) < (leaders[voters[leader] as number] as number))
        leader = k;
    const node = voters[leader] as number;
    leaders[node] = (leaders[node] as number) + 1;
    return [node, ...voters.filter((_, k) => k !== leader)];
  });
}

/** `node<i>`: a physical node's name, as faults name it and metrics label it. */
export function physicalNodeName(node: number): string {
  return `node${node}`;
}
