// Injects a scenario's faults into a simulation: the schedule at its times, and the random
// nemesis's timeline (drawn up front, see nemesis.ts). Targets are resolved when a fault fires,
// from the ClusterView, with draws from the fault stream (see targets.ts).
//
// Faults with a duration end on their own, each independently of the others: a partition or link
// fault ends by `sim.repair` of the handles it got (a link stays cut while another partition cuts
// it), and a clock skew gives way to the latest other skew still in force on its host.

import type { HostId } from "../../sim/host.js";
import type { FaultHandle } from "../../sim/network.js";
import type { Rng } from "../../sim/rng.js";
import type { Simulation } from "../../sim/simulation.js";
import { applyCut, planCut } from "./cuts.js";
import { drawNemesisSchedule } from "./nemesis.js";
import type { DiskFault, ResolvedFault, ResolvedFaults, Target } from "./resolve.js";
import { type AnyOf, type ClientHostView, type ClusterView, emptyNote, resolveTarget } from "./targets.js";

export type {
  FaultsContext,
  LinkFaultSpec,
  PartitionSpec,
  RandomNemesisSpec,
  ResolvedFault,
  ResolvedFaults,
  Target,
} from "./resolve.js";
export { hasDiskFaults, isDiskFault, resolveFaults } from "./resolve.js";
export type { ClusterView, NodeRoleState } from "./targets.js";

/** What fired when, with its targets as resolved then. Times in virtual seconds. */
export interface FaultRecord {
  at_s: number;
  kind: string;
  /** Host names; [] when the target resolved to nothing (then `detail.note` says why). */
  targets: string[];
  /** How long it was meant to last (for a crash: restart_after). */
  for_s?: number;
  detail?: Record<string, unknown>;
  /** When it ended: by itself, by a `heal` (partitions), or once every node a crash took down was restarted. */
  end_s?: number;
}

interface ActiveSkew {
  readonly record: FaultRecord;
  readonly offset_us: number;
  readonly drift_ppm: number;
}

const US_PER_S = 1_000_000;
/** Faults that take nodes down until they are restarted. */
const CRASHING: ReadonlySet<string> = new Set(["crash", "torn_write", "lost_fsync"]);

export class FaultInjector {
  readonly log: FaultRecord[] = [];
  private readonly sim: Simulation;
  private readonly faults: ResolvedFaults;
  private readonly view: ClusterView;
  /** Target choices when faults fire. */
  private readonly targetRng: Rng;
  /** The random nemesis's timeline, drawn at install. */
  private readonly nemesisRng: Rng;
  /** Partitions and link faults in force, with the handles that end them. */
  private readonly partitions = new Map<FaultRecord, readonly FaultHandle[]>();
  private readonly linkFaults = new Map<FaultRecord, FaultHandle>();
  /** Crashes in force, with the hosts they took down not yet restarted (it ends when none is left). */
  private readonly crashes = new Map<FaultRecord, Set<HostId>>();
  /** Per host, the skews in force, latest last: the latest applies. */
  private readonly skews = new Map<HostId, ActiveSkew[]>();
  /** Per host, the slow_disk factors in force, latest last: the latest applies. */
  private readonly slowDisks = new Map<HostId, { record: FaultRecord; factor: number }[]>();
  /** Hosts whose fsyncs lie now (lost_fsync), with the fault. */
  private readonly lyingDisks = new Map<HostId, FaultRecord>();
  /** Which entries a disk_corruption flips. */
  private readonly diskRng: Rng;
  private installed = false;
  /** endAll() was called: nothing fires any more, not even the end of a fault. */
  private over = false;

  /** `rng` is the run's fault stream, `rng.split("faults")`. */
  constructor(sim: Simulation, faults: ResolvedFaults, view: ClusterView, rng: Rng) {
    this.sim = sim;
    this.faults = faults;
    this.view = view;
    this.targetRng = rng.split("targets");
    this.nemesisRng = rng.split("nemesis");
    this.diskRng = rng.split("disk");
  }

  /** Schedules every fault; call before the run reaches the first one (e.g. before `sim.start`). */
  install(): void {
    if (this.installed) throw new Error("FaultInjector.install: already installed");
    this.installed = true;
    const random =
      this.faults.random === null ? [] : drawNemesisSchedule(this.faults.random, this.nemesisRng);
    for (const fault of this.faults.schedule) this.sim.at(fault.at_us, () => this.fire(fault, false));
    for (const fault of random) this.sim.at(fault.at_us, () => this.fire(fault, true));
  }

  /**
   * Jepsen's final generator, once the clients are done: ends every fault now (heals partitions,
   * clears link faults and clock skews, restarts crashed nodes) and fires nothing more. (A pause
   * has ended by then: every fault with a duration ends within the run.)
   */
  endAll(): void {
    this.over = true;
    for (const record of [...this.partitions.keys(), ...this.linkFaults.keys()]) this.ended(record);
    this.partitions.clear();
    this.sim.heal();
    for (const handle of this.linkFaults.values()) this.sim.repair(handle);
    this.linkFaults.clear();
    for (const [host, stack] of this.skews) {
      for (const skew of stack) this.ended(skew.record);
      this.sim.skewClock(host, 0, 0);
    }
    this.skews.clear();
    for (const [host, stack] of this.slowDisks) {
      for (const slow of stack) this.ended(slow.record);
      this.sim.disk(host).latency_factor = 1;
    }
    this.slowDisks.clear();
    for (const [host, record] of this.lyingDisks) {
      this.sim.disk(host).fsyncsLie = false; // the next fsync flushes: no power loss now
      this.ended(record);
    }
    this.lyingDisks.clear();
    for (const node of this.view.nodes()) if (node.role === "down") this.sim.restart(node.id);
    this.crashes.clear();
    for (const record of this.log)
      if (CRASHING.has(record.kind) && record.end_s === undefined) this.ended(record);
  }

  private fire(fault: ResolvedFault, random: boolean): void {
    if (this.over) return;
    switch (fault.kind) {
      case "partition":
        this.partition(fault, random);
        break;
      case "heal":
        this.heal(random);
        break;
      case "crash":
        this.crash(fault, random);
        break;
      case "restart": {
        this.restart(this.start(fault.kind, fault.target, "down", null, random).hosts);
        break;
      }
      case "pause": {
        const { record, hosts } = this.start(fault.kind, fault.target, "up", fault.for_us, random);
        for (const host of hosts) this.sim.pause(host, fault.for_us);
        if (hosts.length > 0) this.after(fault.for_us, () => this.ended(record)); // the simulator resumes them
        break;
      }
      case "clock_skew":
        this.skew(fault, random);
        break;
      case "link":
        this.link(fault, random);
        break;
      case "zone_outage":
      case "region_outage":
        this.outage(fault, random);
        break;
      case "region_partition":
        this.regionPartition(fault, random);
        break;
      case "disk_corruption":
      case "torn_write":
      case "lost_fsync":
      case "slow_disk":
        this.disk(fault, random);
        break;
    }
  }

  private disk(fault: DiskFault, random: boolean): void {
    switch (fault.kind) {
      case "disk_corruption": {
        const { record, hosts } = this.start(fault.kind, fault.target, "up", null, random);
        const corrupted: number[] = [];
        for (const host of hosts) corrupted.push(this.corrupt(host, fault.entries));
        if (hosts.length > 0) record.detail = { ...record.detail, entries: corrupted };
        this.ended(record); // at an instant: the bad bytes stay until the node finds them
        break;
      }
      case "torn_write": {
        const { record, hosts } = this.start(fault.kind, fault.target, "up", fault.restart_after_us, random);
        const torn = hosts.map((host) => this.sim.crash(host, true));
        // The torn entry's log position, or null: nothing was being written (all synced).
        if (hosts.length > 0)
          record.detail = { ...record.detail, torn_lsn: torn.map((p) => (p < 0 ? null : p + 1)) };
        this.crashed(record, hosts, fault.restart_after_us);
        break;
      }
      case "lost_fsync": {
        const { record, hosts } = this.start(fault.kind, fault.target, "up", fault.for_us, random);
        for (const host of hosts) {
          this.sim.disk(host).fsyncsLie = true;
          this.lyingDisks.set(host, record);
        }
        if (hosts.length === 0) return;
        this.after(fault.for_us, () => this.powerLoss(record, hosts, fault.restart_after_us));
        break;
      }
      case "slow_disk": {
        const { record, hosts } = this.start(fault.kind, fault.target, "up", fault.for_us, random, {
          factor: fault.factor,
        });
        for (const host of hosts) {
          const stack = this.slowDisks.get(host) ?? [];
          stack.push({ record, factor: fault.factor });
          this.slowDisks.set(host, stack);
          this.sim.disk(host).latency_factor = fault.factor;
        }
        if (hosts.length === 0) return;
        this.after(fault.for_us, () => {
          for (const host of hosts) {
            const stack = (this.slowDisks.get(host) ?? []).filter((slow) => slow.record !== record);
            this.slowDisks.set(host, stack);
            this.sim.disk(host).latency_factor = stack[stack.length - 1]?.factor ?? 1;
          }
          this.ended(record);
        });
        break;
      }
    }
  }

  /** Flips `entries` durable entries of the host's log, drawn uniformly; returns how many it flipped. */
  private corrupt(host: HostId, entries: number): number {
    const disk = this.sim.disk(host);
    const first = disk.firstPosition;
    const held = disk.flushedLength - first;
    let flipped = 0;
    for (let i = 0; i < entries && held > 0; i++) {
      const position = first + this.diskRng.int(held);
      if (!disk.isCorrupt(position)) flipped++;
      disk.corruptAt(position);
    }
    return flipped;
  }

  /** The end of a lost_fsync: fsyncs stop lying, and hosts still up lose power (then restart). */
  private powerLoss(record: FaultRecord, hosts: readonly HostId[], restart_after_us: number): void {
    const down: HostId[] = [];
    for (const host of hosts) {
      if (this.lyingDisks.get(host) === record) this.lyingDisks.delete(host);
      if (this.view.nodes().find((node) => node.id === host)?.role !== "down") {
        this.sim.crash(host);
        down.push(host);
      }
      this.sim.disk(host).fsyncsLie = false;
    }
    if (down.length === 0) this.ended(record);
    else this.crashed(record, down, restart_after_us);
  }

  private partition(fault: Extract<ResolvedFault, { kind: "partition" }>, random: boolean): void {
    const planned = planCut(fault.partition, this.view, this.targetRng);
    const { partition } = fault;
    const detail: Record<string, unknown> = { shape: partition.shape };
    if (partition.shape !== "one_way" && partition.nodes_only) detail.nodes_only = true;
    if (planned.cut?.kind === "groups") detail.groups = planned.cut.groups.map((group) => this.names(group));
    const record = this.record("partition", planned.targets, fault.for_us, detail, random, planned.note);
    if (planned.cut === null) return;
    this.partitions.set(record, applyCut(this.sim, planned.cut));
    if (fault.for_us !== null) this.after(fault.for_us, () => this.endPartition(record));
  }

  private endPartition(record: FaultRecord): void {
    const handles = this.partitions.get(record);
    if (handles === undefined) return; // a heal ended it already
    this.partitions.delete(record);
    for (const handle of handles) this.sim.repair(handle);
    this.ended(record);
  }

  private heal(random: boolean): void {
    this.record("heal", [], null, { partitions_ended: this.partitions.size }, random);
    for (const record of this.partitions.keys()) this.ended(record);
    this.partitions.clear();
    this.sim.heal();
  }

  private crash(fault: Extract<ResolvedFault, { kind: "crash" }>, random: boolean): void {
    const { record, hosts } = this.start(fault.kind, fault.target, "up", fault.restart_after_us, random);
    this.takeDown(record, hosts, fault.restart_after_us);
  }

  /** Every node of a zone or region that is up crashes; the same ones restart after `for`. */
  private outage(
    fault: Extract<ResolvedFault, { kind: "zone_outage" | "region_outage" }>,
    random: boolean,
  ): void {
    const hosts = resolveTarget(fault.target, this.view, this.targetRng, "up").filter((host) =>
      this.sim.isUp(host),
    );
    const note = hosts.length === 0 ? emptyNote(fault.target, "up") : undefined;
    const record = this.record(fault.kind, hosts, fault.for_us, { place: fault.target.place }, random, note);
    this.takeDown(record, hosts, fault.for_us);
  }

  /** Crashes `hosts` as `record`'s fault, which ends once they are all up again. */
  private takeDown(record: FaultRecord, hosts: readonly HostId[], restart_after_us: number | null): void {
    for (const host of hosts) this.sim.crash(host);
    this.crashed(record, hosts, restart_after_us);
  }

  /** `hosts` went down by `record`'s fault: it ends once they are all restarted. */
  private crashed(record: FaultRecord, hosts: readonly HostId[], restart_after_us: number | null): void {
    if (hosts.length === 0) return;
    this.crashes.set(record, new Set(hosts));
    if (restart_after_us === null) return;
    this.after(restart_after_us, () => this.restart(hosts));
  }

  /**
   * Cuts a region's nodes off from every other node, both ways; each client host stays with its own
   * region's side. Hosts in neither group (coordinator, router) keep every link, as in a partition.
   */
  private regionPartition(
    fault: Extract<ResolvedFault, { kind: "region_partition" }>,
    random: boolean,
  ): void {
    const inside = resolveTarget(fault.target, this.view, this.targetRng, "up");
    const outside = this.view
      .nodes()
      .map((node) => node.id)
      .filter((id) => !inside.includes(id));
    const clients = this.view.clients();
    const within = (client: ClientHostView) => client.region === fault.target.place;
    const groups = [
      [...inside, ...clients.filter(within).map((client) => client.id)],
      [...outside, ...clients.filter((client) => !within(client)).map((client) => client.id)],
    ];
    const detail = { place: fault.target.place, groups: groups.map((group) => this.names(group)) };
    const record = this.record(fault.kind, inside, fault.for_us, detail, random);
    this.partitions.set(record, [this.sim.partition(groups)]);
    if (fault.for_us !== null) this.after(fault.for_us, () => this.endPartition(record));
  }

  /** Restarts hosts (a crash's restart_after, or a `restart` fault); a crash ends once all its hosts are. */
  private restart(hosts: readonly HostId[]): void {
    for (const host of hosts) this.sim.restart(host);
    for (const [record, down] of this.crashes) {
      for (const host of hosts) down.delete(host);
      if (down.size > 0) continue;
      this.crashes.delete(record);
      this.ended(record);
    }
  }

  private skew(fault: Extract<ResolvedFault, { kind: "clock_skew" }>, random: boolean): void {
    const { record, hosts } = this.start(fault.kind, fault.target, "up", fault.for_us, random, {
      offset_us: fault.offset_us,
      drift_ppm: fault.drift_ppm,
    });
    // The simulator's drift counts from time 0; shift the offset so it counts from now instead.
    const offset_us = fault.offset_us - Math.round((fault.drift_ppm * this.sim.now_us) / US_PER_S);
    for (const host of hosts) {
      const stack = this.skews.get(host) ?? [];
      stack.push({ record, offset_us, drift_ppm: fault.drift_ppm });
      this.skews.set(host, stack);
      this.sim.skewClock(host, offset_us, fault.drift_ppm);
    }
    if (fault.for_us === null || hosts.length === 0) return;
    this.after(fault.for_us, () => {
      for (const host of hosts) {
        const stack = (this.skews.get(host) ?? []).filter((skew) => skew.record !== record);
        this.skews.set(host, stack);
        const latest = stack[stack.length - 1];
        this.sim.skewClock(host, latest?.offset_us ?? 0, latest?.drift_ppm ?? 0);
      }
      this.ended(record);
    });
  }

  private link(fault: Extract<ResolvedFault, { kind: "link" }>, random: boolean): void {
    const from = resolveTarget(fault.from, this.view, this.targetRng, "up");
    const to = resolveTarget(fault.to, this.view, this.targetRng, "up");
    const note =
      from.length === 0
        ? emptyNote(fault.from, "up")
        : to.length === 0
          ? emptyNote(fault.to, "up")
          : undefined;
    const empty = note !== undefined;
    const detail = { from: this.names(from), to: this.names(to), ...fault.link };
    const record = this.record("link", empty ? [] : [...from, ...to], fault.for_us, detail, random, note);
    if (empty) return;
    const handle = this.sim.linkFault(from, to, fault.link);
    this.linkFaults.set(record, handle);
    if (fault.for_us === null) return;
    this.after(fault.for_us, () => {
      this.linkFaults.delete(record);
      this.sim.repair(handle);
      this.ended(record);
    });
  }

  /** Resolves a single-target fault and records it. */
  private start(
    kind: string,
    target: Target,
    anyOf: AnyOf,
    for_us: number | null,
    random: boolean,
    detail: Record<string, unknown> = {},
  ): { record: FaultRecord; hosts: HostId[] } {
    const hosts = resolveTarget(target, this.view, this.targetRng, anyOf);
    const note = hosts.length === 0 ? emptyNote(target, anyOf) : undefined;
    return { record: this.record(kind, hosts, for_us, detail, random, note), hosts };
  }

  private record(
    kind: string,
    hosts: readonly HostId[],
    for_us: number | null,
    detail: Record<string, unknown>,
    random: boolean,
    note?: string,
  ): FaultRecord {
    const record: FaultRecord = { at_s: this.sim.now_us / US_PER_S, kind, targets: this.names(hosts) };
    if (for_us !== null) record.for_s = for_us / US_PER_S;
    const full = { ...detail, ...(random ? { random: true } : {}), ...(note === undefined ? {} : { note }) };
    if (Object.keys(full).length > 0) record.detail = full;
    this.log.push(record);
    return record;
  }

  private ended(record: FaultRecord): void {
    record.end_s = this.sim.now_us / US_PER_S;
  }

  private after(delay_us: number, fn: () => void): void {
    this.sim.at(this.sim.now_us + delay_us, () => {
      if (!this.over) fn();
    });
  }

  /** Host names; a physical node's hosts (a fate group) by the node's name, once. */
  private names(hosts: readonly HostId[]): string[] {
    const fate = this.view.fate;
    if (fate == null) return hosts.map((host) => this.sim.nameOf(host));
    const names: string[] = [];
    for (const host of hosts) {
      const group = fate.of(host);
      const name = group < 0 ? this.sim.nameOf(host) : (fate.names[group] as string);
      if (!names.includes(name)) names.push(name);
    }
    return names;
  }
}
