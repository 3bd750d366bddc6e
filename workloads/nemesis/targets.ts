// Resolves a fault's target to hosts when the fault fires, from the cluster as it is then. A role
// (and a partition's shuffle of the nodes) picks among the nodes in service: those of the shards
// the shard map uses now, so a spare shard group no change has used yet is never hit by chance; a
// node named explicitly is hit wherever it is.
//
// Draws from the fault stream come in a fixed order and a fixed number per fault: a role that picks
// one node (leader, follower, any) draws exactly one number even when there is nothing to pick,
// and a shuffle draws (every node) - 1 numbers. So who is leader, or which shards are in service,
// can change which host a fault hits, but never shifts the draws of later faults.
//
// Fate groups (multi-raft's physical nodes, docs/ranges.md): a host that belongs to one never fails
// alone. A target resolves to whole groups (a role picks a replica, and hits its node), a group's
// name (`node3`) names all its hosts, and a shuffle orders groups, not hosts, so a partition never
// splits a node.

import type { HostId } from "../../sim/host.js";
import type { Rng } from "../../sim/rng.js";
import type { Target } from "./resolve.js";

export type NodeRoleState = "leader" | "follower" | "candidate" | "down";

/** The cluster as the fault injector sees it; implemented by whoever builds the cluster. */
export interface ClusterView {
  /** Every node; `in_service`: its shard is one the shard map uses now (always, unsharded). */
  nodes(): readonly { id: HostId; name: string; role: NodeRoleState; in_service: boolean }[];
  /** The client hosts (one per client region), each with its region (null without a topology). */
  clients(): readonly ClientHostView[];
  /** Hosts that fail together (absent or null: each host alone). */
  readonly fate?: FateGroups | null;
}

/** Hosts that fail together: multi-raft's physical nodes, each the set of its replica hosts. */
export interface FateGroups {
  /** Each group's name (`node<i>`), by group number. */
  readonly names: readonly string[];
  /** Each group's hosts, by group number. */
  readonly hosts: readonly (readonly HostId[])[];
  /** The group of a host (-1: none; it fails alone). */
  of(host: HostId): number;
}

/** `hosts` with every host of their fate groups, each once, in the order met. */
export function withFate(hosts: readonly HostId[], fate: FateGroups | null | undefined): HostId[] {
  if (fate == null) return [...hosts];
  const out: HostId[] = [];
  const seen = new Set<number>();
  for (const host of hosts) {
    const group = fate.of(host);
    if (group < 0) out.push(host);
    else if (!seen.has(group)) {
      seen.add(group);
      out.push(...(fate.hosts[group] as readonly HostId[]));
    }
  }
  return out;
}

export interface ClientHostView {
  readonly id: HostId;
  readonly region: string | null;
}

/**
 * Which nodes `any` picks from: nodes that are up (to crash, pause, skew or cut off), or nodes that
 * are down (to restart).
 */
export type AnyOf = "up" | "down";

/** The hosts `target` names now; [] when nothing matches (say, no leader during an election). */
export function resolveTarget(target: Target, view: ClusterView, rng: Rng, anyOf: AnyOf): HostId[] {
  return withFate(resolveHosts(target, view, rng, anyOf), view.fate);
}

function resolveHosts(target: Target, view: ClusterView, rng: Rng, anyOf: AnyOf): HostId[] {
  if (target.kind === "node") {
    const group = view.fate?.names.indexOf(target.name) ?? -1;
    if (group >= 0) return [...(view.fate?.hosts[group] ?? [])];
    const node = view.nodes().find((candidate) => candidate.name === target.name);
    if (node === undefined) throw new Error(`ClusterView has no node named ${target.name}`);
    return [node.id];
  }
  if (target.kind === "place") {
    const names = new Set(target.names);
    return view
      .nodes()
      .filter((node) => names.has(node.name))
      .map((node) => node.id);
  }
  const nodes = view.nodes().filter((node) => node.in_service);
  switch (target.role) {
    case "client":
      return view.clients().map((client) => client.id);
    case "followers":
      return nodes.filter((node) => node.role === "follower").map((node) => node.id);
    case "leader":
      return pickOne(
        nodes.filter((node) => node.role === "leader").map((node) => node.id),
        rng,
      );
    case "follower":
      return pickOne(
        nodes.filter((node) => node.role === "follower").map((node) => node.id),
        rng,
      );
    case "any": {
      const wanted = (role: NodeRoleState) => (anyOf === "down" ? role === "down" : role !== "down");
      return pickOne(
        nodes.filter((node) => wanted(node.role)).map((node) => node.id),
        rng,
      );
    }
  }
}

/** Why `target` resolved to no host (only a role can). */
export function emptyNote(target: Target, anyOf: AnyOf): string {
  if (target.kind === "node") return `no node ${target.name}`;
  if (target.kind === "place") return `no node in ${target.place} is ${anyOf}`;
  if (target.role === "any") return `no node is ${anyOf} now`;
  return `no ${target.role} now`;
}

/**
 * The nodes in service as the units a partition keeps together, in an order drawn from `rng`: each
 * host alone, or (fate groups) each group with a host in service, ordered by its first host in the
 * shuffle.
 */
export function shuffledUnits(view: ClusterView, rng: Rng): HostId[][] {
  const hosts = shuffledNodes(view, rng);
  const fate = view.fate;
  if (fate == null) return hosts.map((host) => [host]);
  const units: HostId[][] = [];
  const seen = new Set<number>();
  for (const host of hosts) {
    const group = fate.of(host);
    if (group < 0) units.push([host]);
    else if (!seen.has(group)) {
      seen.add(group);
      units.push([...(fate.hosts[group] as readonly HostId[])]);
    }
  }
  return units;
}

/**
 * The nodes in service, in an order drawn from `rng`: every node is shuffled (Fisher-Yates: nodes - 1
 * draws, however many are in service), then those out of service are left out.
 */
function shuffledNodes(view: ClusterView, rng: Rng): HostId[] {
  const nodes = [...view.nodes()];
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const swap = nodes[i] as (typeof nodes)[number];
    nodes[i] = nodes[j] as (typeof nodes)[number];
    nodes[j] = swap;
  }
  return nodes.filter((node) => node.in_service).map((node) => node.id);
}

/** One of `candidates`, drawing one number whether or not there is any. */
function pickOne(candidates: readonly HostId[], rng: Rng): HostId[] {
  const draw = rng.float();
  return candidates.length === 0 ? [] : [candidates[Math.floor(draw * candidates.length)] as HostId];
}
