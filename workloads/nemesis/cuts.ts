// Partition shapes as the blocked links they make ("cuts"), decided when the partition starts.
//
// - isolate: each target alone, cut off from every other host both ways.
// - halves: the nodes, shuffled, in two halves; the first, the larger when the count is odd, keeps
//   the client. Each side is cut off from the other both ways.
// - minority: the targets plus random other nodes, floor((nodes - 1) / 2) nodes in all (more if the
//   targets alone are more), against the remaining nodes and the client.
// - bridge (Jepsen's): one random node keeps every link; the other nodes form two halves (the first,
//   with the client, the larger) that cannot reach each other.
// - one_way: messages from the `from` hosts to the `to` hosts are dropped; replies still flow.
//
// `nodes_only` (not for one_way): only links between database nodes are cut, as in Jepsen; the
// client and every other host keep all their links (an isolated target is cut off from the nodes).
//
// With fate groups (physical nodes, targets.ts) halves, minority and bridge count groups, not
// hosts, and a group's hosts stay on one side; an isolated group keeps its loopback links, and is
// cut off from the other nodes and the clients (not from the coordinator and router hosts).

import type { HostId } from "../../sim/host.js";
import type { FaultHandle } from "../../sim/network.js";
import type { Rng } from "../../sim/rng.js";
import type { Simulation } from "../../sim/simulation.js";
import type { PartitionSpec, Target } from "./resolve.js";
import { type ClusterView, emptyNote, resolveTarget, shuffledUnits } from "./targets.js";

export type Cut =
  | { readonly kind: "groups"; readonly groups: readonly (readonly HostId[])[] }
  | { readonly kind: "isolate"; readonly hosts: readonly HostId[] }
  | { readonly kind: "one_way"; readonly from: readonly HostId[]; readonly to: readonly HostId[] };

export interface PlannedCut {
  /** null when a target resolved to nothing: no partition. */
  readonly cut: Cut | null;
  /** The hosts the partition is about: the targets, the bridge node, or every node for halves. */
  readonly targets: readonly HostId[];
  /** Why nothing was cut, when `cut` is null. */
  readonly note?: string;
}

/** Blocks the links of `cut`; `sim.repair` of every handle returned ends it, and it alone. */
export function applyCut(sim: Simulation, cut: Cut): FaultHandle[] {
  switch (cut.kind) {
    case "groups":
      return [sim.partition(cut.groups)];
    case "isolate":
      return cut.hosts.map((host) => sim.isolate(host));
    case "one_way":
      return [sim.partitionOneWay(cut.from, cut.to)];
  }
}

/** Decides the cut of a partition starting now. Draws from `rng` in a fixed order and number. */
export function planCut(spec: PartitionSpec, view: ClusterView, rng: Rng): PlannedCut {
  const clients = view.clients().map((client) => client.id);
  switch (spec.shape) {
    case "isolate": {
      const hosts = resolveTarget(spec.target, view, rng, "up");
      if (hosts.length === 0) return nothing(spec.target);
      if (view.fate != null) {
        const others = view
          .nodes()
          .map((node) => node.id)
          .filter((id) => !hosts.includes(id));
        const rest = withClient(others, spec, clients);
        return { cut: { kind: "groups", groups: [...groupsOf(hosts, view), rest] }, targets: hosts };
      }
      if (!spec.nodes_only) return { cut: { kind: "isolate", hosts }, targets: hosts };
      const others = view
        .nodes()
        .map((node) => node.id)
        .filter((id) => !hosts.includes(id));
      return { cut: { kind: "groups", groups: [...hosts.map((host) => [host]), others] }, targets: hosts };
    }
    case "halves": {
      const units = shuffledUnits(view, rng);
      const first = Math.ceil(units.length / 2);
      const groups = [withClient(units.slice(0, first).flat(), spec, clients), units.slice(first).flat()];
      return { cut: { kind: "groups", groups }, targets: units.flat() };
    }
    case "minority": {
      const targets = resolveTarget(spec.target, view, rng, "up");
      const others = shuffledUnits(view, rng).filter((unit) => !unit.some((id) => targets.includes(id)));
      if (targets.length === 0) return nothing(spec.target);
      const targetUnits = groupsOf(targets, view).length;
      const size = Math.max(targetUnits, Math.floor((others.length + targetUnits - 1) / 2));
      const fill = size - targetUnits;
      const groups = [
        [...targets, ...others.slice(0, fill).flat()],
        withClient(others.slice(fill).flat(), spec, clients),
      ];
      return { cut: { kind: "groups", groups }, targets };
    }
    case "bridge": {
      const [bridge, ...rest] = shuffledUnits(view, rng);
      if (bridge === undefined) return { cut: null, targets: [], note: "no nodes" };
      const first = Math.ceil(rest.length / 2);
      const groups = [withClient(rest.slice(0, first).flat(), spec, clients), rest.slice(first).flat()];
      return { cut: { kind: "groups", groups }, targets: bridge };
    }
    case "one_way": {
      const from = resolveTarget(spec.from, view, rng, "up");
      const to = resolveTarget(spec.to, view, rng, "up");
      if (from.length === 0) return nothing(spec.from);
      if (to.length === 0) return nothing(spec.to);
      return { cut: { kind: "one_way", from, to }, targets: [...from, ...to] };
    }
  }
}

/** `nodes` with the client hosts in their group, unless only links between nodes are cut. */
function withClient(
  nodes: readonly HostId[],
  spec: { readonly nodes_only: boolean },
  clients: readonly HostId[],
): HostId[] {
  return spec.nodes_only ? [...nodes] : [...nodes, ...clients];
}

/** `hosts` (whole fate groups, as resolved) split into their groups; each host alone without groups. */
function groupsOf(hosts: readonly HostId[], view: ClusterView): HostId[][] {
  const fate = view.fate;
  if (fate == null) return hosts.map((host) => [host]);
  const byGroup = new Map<number, HostId[]>();
  const alone: HostId[][] = [];
  for (const host of hosts) {
    const group = fate.of(host);
    if (group < 0) alone.push([host]);
    else byGroup.set(group, [...(byGroup.get(group) ?? []), host]);
  }
  return [...byGroup.values(), ...alone];
}

function nothing(target: Target): PlannedCut {
  return { cut: null, targets: [], note: emptyNote(target, "up") };
}
