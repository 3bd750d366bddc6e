// The rebalancer's planner (engine/ranges/rebalance-plan.ts): applying its actions one after another
// ends at a balanced cluster, never puts two replicas of a range on one node, never plans onto a down
// node, never narrows a range's spread over regions and zones, and honours the lease preference.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  nextRebalanceAction,
  type PlanNode,
  type PlanRange,
  type RebalanceAction,
  type RebalanceInput,
  tolerance,
} from "../../../engine/ranges/rebalance-plan.js";
import type { Place } from "../../../engine/regions/placement.js";

const REGIONS = ["us", "eu", "ap"];
const ZONES = ["a", "b"];

/**
 * A cluster: 3..9 nodes (some down), 1..24 ranges of 1..5 replicas on distinct nodes (`voters`: every
 * range has that many voters and no learner).
 */
const clusters = (withPlaces: boolean, voterCount?: number) =>
  fc
    .record({
      nodes: fc.integer({ min: 3, max: 9 }),
      down: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
      places: fc.array(fc.integer({ min: 0, max: REGIONS.length * ZONES.length - 1 }), {
        minLength: 9,
        maxLength: 9,
      }),
      ranges: fc.array(
        fc.record({
          order: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 9, maxLength: 9 }),
          replicas: fc.integer({ min: 1, max: 5 }),
          learners: fc.integer({ min: 0, max: 1 }),
          leaseholder: fc.integer({ min: -1, max: 4 }),
        }),
        { minLength: 1, maxLength: 24 },
      ),
      lease_region: fc.option(fc.constantFrom(...REGIONS), { nil: undefined }),
    })
    .map(({ nodes: n, down, places, ranges, lease_region }): RebalanceInput => {
      const nodes: PlanNode[] = Array.from({ length: n }, (_, id) => {
        const p = places[id] as number;
        const place: Place = { region: REGIONS[p % REGIONS.length] as string, zone: ZONES[p % 2] as string };
        // At most a third of the nodes down.
        const up = id >= Math.floor(n / 3) || !down[id];
        return withPlaces ? { id, up, place } : { id, up };
      });
      const planned: PlanRange[] = ranges.map((r, shard) => {
        const ids = Array.from({ length: n }, (_, id) => id).sort(
          (a, b) => (r.order[a] as number) - (r.order[b] as number) || a - b,
        );
        const count = Math.min(voterCount ?? r.replicas, n);
        const learners = count > 1 && voterCount === undefined ? r.learners : 0;
        const voters = ids.slice(0, count - learners);
        const leaseholder = r.leaseholder < 0 ? -1 : (voters[r.leaseholder % voters.length] as number);
        return { shard, voters, learners: ids.slice(count - learners, count), leaseholder };
      });
      return withPlaces && lease_region !== undefined
        ? { nodes, ranges: planned, lease_region }
        : { nodes, ranges: planned };
    });

function members(range: PlanRange): number[] {
  return [...range.voters, ...range.learners];
}

function spread(input: RebalanceInput, range: PlanRange): [number, number] {
  const placeOf = (id: number) => input.nodes[id]?.place;
  const regions = new Set(members(range).map((id) => placeOf(id)?.region ?? `#${id}`));
  const zones = new Set(members(range).map((id) => (placeOf(id) ? JSON.stringify(placeOf(id)) : `#${id}`)));
  return [regions.size, zones.size];
}

/** Carries an action out, checking what the planner promises of it. */
function apply(input: RebalanceInput, action: RebalanceAction): RebalanceInput {
  const up = (id: number) => input.nodes[id]?.up === true;
  const ranges = input.ranges.map((range): PlanRange => {
    if ("transfer_leader" in action) {
      const { shard, to } = action.transfer_leader;
      if (range.shard !== shard) return range;
      expect(range.voters).toContain(to);
      expect(up(to)).toBe(true);
      expect(to).not.toBe(range.leaseholder);
      return { ...range, leaseholder: to };
    }
    const { shard, from, to } = action.move_replica;
    if (range.shard !== shard) return range;
    expect(members(range)).toContain(from);
    expect(members(range)).not.toContain(to);
    expect(up(to)).toBe(true);
    const swap = (ids: readonly number[]) => ids.map((id) => (id === from ? to : id));
    const moved = {
      shard,
      voters: swap(range.voters),
      learners: swap(range.learners),
      leaseholder: range.leaseholder === from ? to : range.leaseholder,
    };
    const [regionsBefore, zonesBefore] = spread(input, range);
    const [regionsAfter, zonesAfter] = spread(input, moved);
    expect(regionsAfter).toBeGreaterThanOrEqual(regionsBefore);
    expect(zonesAfter).toBeGreaterThanOrEqual(zonesBefore);
    return moved;
  });
  return { ...input, ranges };
}

/** Applies the planner's actions until it has none; returns the final cluster and the actions taken. */
function settle(input: RebalanceInput): { end: RebalanceInput; actions: number } {
  let state = input;
  for (let actions = 0; actions < 10_000; actions++) {
    const action = nextRebalanceAction(state);
    if (action === null) return { end: state, actions };
    state = apply(state, action);
    for (const range of state.ranges) expect(new Set(members(range)).size).toBe(members(range).length);
  }
  throw new Error("the planner did not terminate within 10,000 actions");
}

/** Each up node's count of what `of` counts, and the mean over them. */
function counts(input: RebalanceInput, of: (range: PlanRange) => readonly number[]) {
  const up = input.nodes.filter((n) => n.up);
  const per = new Map(up.map((n) => [n.id, 0]));
  for (const range of input.ranges)
    for (const id of of(range)) if (per.has(id)) per.set(id, (per.get(id) ?? 0) + 1);
  const values = [...per.values()];
  return { values, mean: values.reduce((a, b) => a + b, 0) / values.length };
}

function withinThreshold({ values, mean }: { values: number[]; mean: number }): boolean {
  return values.every((v) => Math.abs(v - mean) <= tolerance(mean));
}

describe("rebalance planner", () => {
  it("terminates at replicas within the threshold, never co-locating replicas nor planning onto a down node", () => {
    fc.assert(
      fc.property(clusters(false), (input) => {
        const { end } = settle(input);
        expect(withinThreshold(counts(end, members))).toBe(true);
        const leases = counts(end, (range) => [range.leaseholder]);
        const leasesOf = (id: number) => end.ranges.filter((range) => range.leaseholder === id).length;
        for (const range of end.ranges) {
          if (range.leaseholder < 0 || !range.voters.some((id) => end.nodes[id]?.up)) continue;
          // A range with an up voter holds its lease on an up node...
          expect(end.nodes[range.leaseholder]?.up).toBe(true);
          // ... and no transfer to another of its voters would narrow the spread of leases.
          const from = leasesOf(range.leaseholder);
          const offBalance = Math.abs(from - leases.mean) > tolerance(leases.mean);
          for (const id of range.voters)
            if (end.nodes[id]?.up && offBalance) expect(from - leasesOf(id)).toBeLessThan(2);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("ends with leases within the threshold where every range has 3 voters", () => {
    fc.assert(
      fc.property(clusters(false, 3), (input) => {
        const { end } = settle(input);
        expect(withinThreshold(counts(end, members))).toBe(true);
        expect(withinThreshold(counts(end, (range) => [range.leaseholder]))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps each range's spread over regions and zones, and moves leases to the preferred region", () => {
    fc.assert(
      fc.property(clusters(true), (input) => {
        const { end } = settle(input);
        const region = input.lease_region;
        if (region === undefined) return;
        for (const range of end.ranges) {
          const upThere = range.voters.filter(
            (id) => end.nodes[id]?.up && end.nodes[id]?.place?.region === region,
          );
          if (upThere.length > 0 && range.leaseholder >= 0) expect(upThere).toContain(range.leaseholder);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("plans nothing for a balanced cluster", () => {
    const nodes = [0, 1, 2].map((id) => ({ id, up: true }));
    const ranges = [0, 1, 2].map((shard) => ({
      shard,
      voters: [0, 1, 2],
      learners: [],
      leaseholder: shard,
    }));
    expect(nextRebalanceAction({ nodes, ranges })).toBeNull();
  });

  it("moves a replica from the fullest node to the emptiest, transferring its lease away first", () => {
    const nodes = [0, 1, 2, 3].map((id) => ({ id, up: true }));
    // Node 0 holds all four ranges and every lease; node 3 holds none.
    const ranges = [0, 1, 2, 3].map((shard) => ({ shard, voters: [0, 1, 2], learners: [], leaseholder: 0 }));
    const first = nextRebalanceAction({ nodes, ranges });
    expect(first).toEqual({ transfer_leader: { shard: 0, to: 1 } });
    const after = apply({ nodes, ranges }, first as RebalanceAction);
    expect(nextRebalanceAction(after)).toEqual({ move_replica: { shard: 0, from: 0, to: 3 } });
  });

  it("never plans onto a down node, and moves replicas off one", () => {
    const nodes = [
      { id: 0, up: true },
      { id: 1, up: true },
      { id: 2, up: false },
      { id: 3, up: true },
    ];
    const ranges = [{ shard: 7, voters: [0, 1, 2], learners: [], leaseholder: 2 }];
    expect(nextRebalanceAction({ nodes, ranges })).toEqual({ transfer_leader: { shard: 7, to: 0 } });
    const leased = { nodes, ranges: [{ ...(ranges[0] as PlanRange), leaseholder: 0 }] };
    expect(nextRebalanceAction(leased)).toEqual({ move_replica: { shard: 7, from: 2, to: 3 } });
  });
});
