// The deterministic kernel: virtual time in integer µs, one event queue ordered by
// (time_us, sequence), hosts made by factories, a network, and a rolling trace hash. A host has a
// unique name and an id (its index, what the hot path uses); lookups and fault verbs take either.
//
// Everything in a run derives from one seed: the root stream is split into named children
// ("network", "host:<name>", and whatever the caller asks for with `rng.split`).

import { Disk } from "./disk.js";
import { EMPTY, EventQueue, LATER } from "./event-queue.js";
import { fnv1a32 } from "./hash.js";
import {
  type HostBehaviour,
  type HostContext,
  type HostFactory,
  type HostId,
  type HostRef,
  MESSAGE_HEADER_BYTES,
  type Message,
  type TimerId,
  type TimerTag,
} from "./host.js";
import type { LatencySpec } from "./latency.js";
import { type FaultHandle, type LinkFault, type LinkOptions, makeLink, Network } from "./network.js";
import { Rng } from "./rng.js";
import { DEFAULT_CHECKPOINT_EVERY, type TraceCheckpoint, TraceHash } from "./trace.js";

const EV_START = 1;
const EV_TIMER = 2;
const EV_MESSAGE = 3;
const EV_CALLBACK = 4;

export const SIM_HOSTS_MAX = 1024;
/** Events at one virtual instant past which the run is a livelock: time must move. */
export const SIM_EVENTS_AT_ONE_TIME_MAX = 10_000_000;
/** Virtual time cannot pass this (about 104 days): keeps every time an exact integer. */
export const SIM_TIME_US_MAX = 2 ** 53 / 1000;

export interface SimulationOptions {
  seed: number;
  /** Latency of every link unless `setLink` says otherwise. */
  latency: LatencySpec;
  /** Bandwidth of every link unless `setLink` says otherwise (null or absent: unlimited). */
  bandwidth_bytes_per_s?: number | null;
  checkpointEvery?: number;
}

/** A message's size on the wire in bytes, from its contents. */
export type MessageSizer = (msg: Message) => number;

const headerOnly: MessageSizer = () => MESSAGE_HEADER_BYTES;

export interface HostOptions {
  /** Latency of one fsync on this host's disk. Default 0. */
  fsync_us?: number;
}

export type SliceOutcome = "idle" | "until" | "stopped" | "slice";

interface HostRecord {
  readonly id: HostId;
  readonly name: string;
  readonly factory: HostFactory;
  readonly disk: Disk;
  readonly rng: Rng;
  behaviour: HostBehaviour | null;
  ctx: HostContext | null;
  up: boolean;
  incarnation: number;
  clockOffset_us: number;
  clockDrift_ppm: number;
  /** While now < pausedUntil_us the process is stopped: its events wait until then. */
  pausedUntil_us: number;
}

/** Error raised inside a run, annotated with what reproduces it. */
export class SimulationError extends Error {
  readonly seed: number;
  readonly time_us: number;
  readonly host: string | null;
  constructor(cause: unknown, seed: number, time_us: number, host: string | null) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `${reason} (seed=${seed}, t=${time_us}us${host === null ? "" : `, host ${host}`}; reproduce with --seed=${seed})`,
      {
        cause,
      },
    );
    this.name = "SimulationError";
    this.seed = seed;
    this.time_us = time_us;
    this.host = host;
  }
}

export class Simulation {
  readonly seed: number;
  readonly rng: Rng;
  private readonly queue = new EventQueue(4096);
  private readonly hosts: HostRecord[] = [];
  private readonly hostsByName = new Map<string, HostId>();
  private readonly trace: TraceHash;
  private readonly defaultLatency: LatencySpec;
  private readonly defaultBandwidth: number | null;
  private messageBytes: MessageSizer = headerOnly;
  private readonly cancelledTimers = new Set<number>();
  /** Timers deferred by a pause get a new sequence number: original id <-> current sequence. */
  private readonly timerCurrentSeq = new Map<TimerId, number>();
  private readonly timerOriginalId = new Map<number, TimerId>();
  private readonly payloads: (Message | undefined)[] = [];
  private readonly freePayloads: number[] = [];
  private readonly callbacks: ((() => void) | undefined)[] = [];
  private readonly freeCallbacks: number[] = [];
  private readonly kindHashes = new Map<string, number>();
  private network: Network | null = null;
  /** Virtual time now (the `now_us` getter). */
  private clock_us = 0;
  private eventsAtThisTime = 0;
  private started = false;
  private stopped = false;
  /** Host whose handler is running (-1: none), to name it in errors. */
  private currentTarget = -1;
  messagesSent = 0;
  /** Messages and bytes sent per message kind (a holder per kind: one map lookup per send). */
  private readonly sentByKind = new Map<string, { count: number; bytes: number }>();

  constructor(options: SimulationOptions) {
    this.seed = options.seed;
    this.rng = Rng.fromSeed(options.seed);
    this.defaultLatency = options.latency;
    this.defaultBandwidth = options.bandwidth_bytes_per_s ?? null;
    this.trace = new TraceHash(options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY);
  }

  get now_us(): number {
    return this.clock_us;
  }

  get events(): number {
    return this.trace.eventCount;
  }

  /** Messages sent so far per kind (including those the network then lost), in first-sent order. */
  messagesByKind(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [kind, sent] of this.sentByKind) counts.set(kind, sent.count);
    return counts;
  }

  /** Bytes sent so far per message kind (including messages the network then lost), in first-sent order. */
  bytesByKind(): Map<string, number> {
    const bytes = new Map<string, number>();
    for (const [kind, sent] of this.sentByKind) bytes.set(kind, sent.bytes);
    return bytes;
  }

  traceHash(): string {
    return this.trace.hex();
  }

  get checkpoints(): readonly TraceCheckpoint[] {
    return this.trace.checkpoints;
  }

  /** Adds a host under a unique name; all hosts must be added before `start`. Returns its id. */
  addHost(name: string, factory: HostFactory, options: HostOptions = {}): HostId {
    if (this.started) throw new Error(`addHost(${name}): the simulation has started`);
    if (this.hostsByName.has(name)) throw new Error(`addHost: duplicate host name ${name}`);
    if (this.hosts.length >= SIM_HOSTS_MAX) throw new RangeError(`at most ${SIM_HOSTS_MAX} hosts`);
    const id = this.hosts.length;
    this.hosts.push({
      id,
      name,
      factory,
      disk: new Disk(options.fsync_us ?? 0),
      rng: this.rng.split(`host:${name}`),
      behaviour: null,
      ctx: null,
      up: false,
      incarnation: 0,
      clockOffset_us: 0,
      clockDrift_ppm: 0,
      pausedUntil_us: 0,
    });
    this.hostsByName.set(name, id);
    return id;
  }

  /** The id of a host given by name (or by id, checked). */
  host(ref: HostRef): HostId {
    return this.record(ref).id;
  }

  nameOf(id: HostId): string {
    return this.record(id).name;
  }

  get hostCount(): number {
    return this.hosts.length;
  }

  isUp(host: HostRef): boolean {
    return this.record(host).up;
  }

  disk(host: HostRef): Disk {
    return this.record(host).disk;
  }

  /**
   * Sizes every message sent from now on (before `start`): what a link's bandwidth charges and
   * `bytesByKind` counts. Until then every message is MESSAGE_HEADER_BYTES.
   */
  sizeMessagesBy(sizer: MessageSizer): void {
    if (this.started) throw new Error("sizeMessagesBy: the simulation has started");
    this.messageBytes = sizer;
  }

  /** Builds the network and schedules every host's start at time 0. */
  start(): void {
    if (this.started) throw new Error("start: already started");
    this.started = true;
    const defaultLink = makeLink(this.defaultLatency, { bandwidth_bytes_per_s: this.defaultBandwidth });
    this.network = new Network(this.hosts.length, defaultLink, this.rng.split("network"));
    for (const host of this.hosts) this.queue.push(0, EV_START, host.id, 0, 0);
  }

  /**
   * Configures the link from -> to (one direction); latency and bandwidth left out are the default
   * link's. Link faults laid over it stay in force.
   */
  setLink(from: HostRef, to: HostRef, options: LinkOptions): void {
    const link = makeLink(options.latency ?? this.defaultLatency, {
      ...options,
      bandwidth_bytes_per_s:
        options.bandwidth_bytes_per_s === undefined ? this.defaultBandwidth : options.bandwidth_bytes_per_s,
    });
    this.requireNetwork().setLink(this.host(from), this.host(to), link);
  }

  // Network faults. Each verb returns a handle, and `repair(handle)` undoes exactly that fault: a
  // direction stays blocked while another cut still blocks it. `heal` ends every cut at once.
  // Messages already in flight when a link is blocked are still delivered (they have left the
  // sender); a blocked message is dropped when it is sent, and counts in `messagesDropped`.

  /**
   * Blocks every link, both ways, between hosts of different groups. Hosts in no group stay
   * connected to everyone; a host may not be in two groups.
   */
  partition(groups: readonly (readonly HostRef[])[]): FaultHandle {
    const network = this.requireNetwork();
    const groupOf = new Int32Array(this.hosts.length).fill(-1);
    for (const [g, group] of groups.entries()) {
      for (const ref of group) {
        const id = this.host(ref);
        if (groupOf[id] !== -1 && groupOf[id] !== g) {
          throw new RangeError(`partition: host ${this.nameOf(id)} is in groups ${groupOf[id]} and ${g}`);
        }
        groupOf[id] = g;
      }
    }
    const links: number[] = [];
    for (let a = 0; a < groupOf.length; a++) {
      const ga = groupOf[a] as number;
      if (ga < 0) continue;
      for (let b = 0; b < groupOf.length; b++) {
        const gb = groupOf[b] as number;
        if (gb >= 0 && gb !== ga) links.push(network.linkOf(a, b));
      }
    }
    return network.cut(Int32Array.from(links));
  }

  /** Blocks delivery from every host of `from` to every host of `to`, in that direction only. */
  partitionOneWay(from: readonly HostRef[], to: readonly HostRef[]): FaultHandle {
    return this.requireNetwork().cut(this.linksBetween(from, to, false));
  }

  /** Blocks every link to and from `host`. */
  isolate(host: HostRef): FaultHandle {
    const everyone = this.hosts.map((other) => other.id);
    return this.requireNetwork().cut(this.linksBetween([host], everyone, true));
  }

  /** Ends every cut (partition, one-way partition, isolation): no direction is blocked any more. */
  heal(): void {
    this.requireNetwork().heal();
  }

  /**
   * Ends exactly the network fault `handle` made (a cut or a link fault); other faults stay. False
   * when it had ended already (repaired, or a cut that `heal` ended).
   */
  repair(handle: FaultHandle): boolean {
    return this.requireNetwork().repair(handle);
  }

  isBlocked(from: HostRef, to: HostRef): boolean {
    return this.requireNetwork().isBlocked(this.host(from), this.host(to));
  }

  /**
   * Degrades every link between a host of `from` and a host of `to`, both directions, laying
   * `fault` over the configured link (fields left out keep its values) until `repair`. Over a link
   * already degraded the latest fault applies; repairing it brings back the one before.
   */
  linkFault(from: readonly HostRef[], to: readonly HostRef[], fault: LinkFault): FaultHandle {
    return this.requireNetwork().degrade(this.linksBetween(from, to, true), fault);
  }

  /** Ends every link fault between a and b, both directions: the links are as configured again. */
  resetLink(a: HostRef, b: HostRef): void {
    const network = this.requireNetwork();
    const [idA, idB] = [this.host(a), this.host(b)];
    network.clearFaults(idA, idB);
    network.clearFaults(idB, idA);
  }

  /** Messages dropped so far: lost on a lossy link or sent into a blocked one. */
  get messagesDropped(): number {
    return this.network?.messagesDropped ?? 0;
  }

  /** Runs `fn` at virtual time `time_us` (>= now), e.g. a scheduled fault. */
  at(time_us: number, fn: () => void): void {
    if (!(time_us >= this.clock_us))
      throw new RangeError(`at(${time_us}): time is in the past (now ${this.clock_us})`);
    let slot = this.freeCallbacks.pop();
    if (slot === undefined) {
      slot = this.callbacks.length;
      this.callbacks.push(fn);
    } else {
      this.callbacks[slot] = fn;
    }
    this.queue.push(checkTime(time_us), EV_CALLBACK, -1, slot, 0);
  }

  /**
   * Crash: the host stops at once; its timers and in-flight deliveries to it are lost, and so is its
   * disk's volatile tail (`torn`: but for the entry being written, left corrupt; disk.ts). Returns
   * the torn entry's position, or -1.
   */
  crash(ref: HostRef, torn = false): number {
    const host = this.record(ref);
    if (!host.up) return -1;
    host.up = false;
    host.incarnation++;
    host.behaviour = null;
    host.ctx = null;
    return host.disk.crash(torn);
  }

  /** Restarts a crashed host: a fresh behaviour from its factory, started now. */
  restart(ref: HostRef): void {
    const host = this.record(ref);
    if (host.up) return;
    this.queue.push(this.clock_us, EV_START, host.id, 0, 0);
  }

  /** Skews a host's clock: local time = true time + offset + drift_ppm * true time / 1e6. */
  skewClock(ref: HostRef, offset_us: number, drift_ppm = 0): void {
    const host = this.record(ref);
    host.clockOffset_us = offset_us;
    host.clockDrift_ppm = drift_ppm;
  }

  /**
   * Pauses a host's process for `for_us` (like SIGSTOP): its clock keeps running, but the messages
   * and timers due to it wait, in order, until it resumes. Pausing a paused host extends the pause.
   */
  pause(ref: HostRef, for_us: number): void {
    if (!(for_us >= 0)) throw new RangeError(`pause: for_us must be >= 0, got ${for_us}`);
    const host = this.record(ref);
    host.pausedUntil_us = Math.max(host.pausedUntil_us, this.clock_us + Math.round(for_us));
  }

  /** Stops the run loop after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /** Lets the run loop go on after a stop() (e.g. to let the hosts settle after a workload ended). */
  resume(): void {
    this.stopped = false;
  }

  /**
   * Executes at most `events_max` events with time <= until_us. Returns why it returned: the queue
   * is empty ("idle"), the next event lies past until_us ("until"; the clock advances to until_us),
   * `stop()` was called, or the slice is used up.
   */
  runSlice(events_max: number, until_us = SIM_TIME_US_MAX): SliceOutcome {
    if (!this.started) this.start();
    const queue = this.queue;
    const trace = this.trace;
    try {
      for (let i = 0; i < events_max; i++) {
        if (this.stopped) return "stopped";
        const popped = queue.popUntil(until_us);
        if (popped === EMPTY) return "idle";
        if (popped === LATER) {
          this.clock_us = until_us;
          return "until";
        }
        const time_us = queue.poppedTime_us;
        if (time_us === this.clock_us) {
          if (++this.eventsAtThisTime > SIM_EVENTS_AT_ONE_TIME_MAX) {
            throw new Error(
              `no progress: more than ${SIM_EVENTS_AT_ONE_TIME_MAX} events at virtual time ${time_us}us (a zero-delay loop?)`,
            );
          }
        } else {
          this.eventsAtThisTime = 0;
        }
        const kind = queue.poppedKind;
        const target = queue.poppedTarget;
        const a = queue.poppedA;
        this.clock_us = time_us;
        switch (kind) {
          case EV_TIMER: {
            const seq = queue.poppedSeq;
            if (this.cancelledTimers.size > 0 && this.cancelledTimers.delete(seq)) continue;
            const host = this.hosts[target] as HostRecord;
            if (!host.up || host.incarnation !== queue.poppedB) continue;
            if (host.pausedUntil_us > time_us) {
              this.deferTimer(host, seq, a);
              continue;
            }
            if (this.timerOriginalId.size > 0) this.forgetTimerAlias(seq);
            trace.record(time_us, kind, target, a, 0);
            this.currentTarget = target;
            (host.behaviour as HostBehaviour).onTimer(host.ctx as HostContext, a);
            break;
          }
          case EV_MESSAGE: {
            const slot = queue.poppedB;
            const host = this.hosts[target] as HostRecord;
            if (host.pausedUntil_us > time_us && host.up) {
              queue.push(host.pausedUntil_us, EV_MESSAGE, target, a, slot); // same payload slot
              continue;
            }
            const msg = this.payloads[slot] as Message;
            this.payloads[slot] = undefined;
            this.freePayloads.push(slot);
            trace.record(time_us, kind, target, a, this.digestOf(msg));
            if (!host.up) continue;
            this.currentTarget = target;
            (host.behaviour as HostBehaviour).onMessage(host.ctx as HostContext, a, msg);
            break;
          }
          case EV_START: {
            trace.record(time_us, kind, target, 0, 0);
            this.currentTarget = target;
            this.startHost(this.hosts[target] as HostRecord);
            break;
          }
          case EV_CALLBACK: {
            const fn = this.callbacks[a] as () => void;
            this.callbacks[a] = undefined;
            this.freeCallbacks.push(a);
            trace.record(time_us, kind, -1, a, 0);
            this.currentTarget = -1;
            fn();
            break;
          }
          default:
            throw new Error(`unknown event kind ${kind}`);
        }
      }
      return "slice";
    } catch (error) {
      if (error instanceof SimulationError) throw error;
      const host = this.currentTarget < 0 ? null : (this.hosts[this.currentTarget]?.name ?? null);
      throw new SimulationError(error, this.seed, this.clock_us, host);
    } finally {
      this.currentTarget = -1;
    }
  }

  /** Runs until the queue is empty, `stop()`, `until_us`, or `events_max` (then returns "slice"). */
  run(options: { until_us?: number; events_max?: number } = {}): SliceOutcome {
    return this.runSlice(options.events_max ?? Number.MAX_SAFE_INTEGER, options.until_us ?? SIM_TIME_US_MAX);
  }

  private startHost(host: HostRecord): void {
    if (host.up) return;
    host.up = true;
    const incarnation = host.incarnation;
    const queue = this.queue;
    const ctx: HostContext = {
      id: host.id,
      name: host.name,
      rng: host.rng,
      disk: host.disk,
      now_us: () => this.localTime(host),
      monotonic_us: () => this.clock_us,
      send: (to, msg) => this.send(host.id, to, msg),
      setTimer: (delay_us: number, tag: TimerTag): TimerId => {
        if (!(delay_us >= 0)) throw new RangeError(`setTimer: delay_us must be >= 0, got ${delay_us}`);
        const at_us = checkTime(this.clock_us + Math.round(delay_us));
        return queue.push(at_us, EV_TIMER, host.id, tag, incarnation);
      },
      cancelTimer: (id: TimerId) => {
        this.cancelledTimers.add(this.timerCurrentSeq.get(id) ?? id);
      },
    };
    host.ctx = ctx;
    host.behaviour = host.factory();
    host.behaviour.onStart(ctx);
  }

  private deferTimer(host: HostRecord, seq: number, tag: TimerTag): void {
    const original = this.timerOriginalId.get(seq) ?? seq;
    this.timerOriginalId.delete(seq);
    const next = this.queue.push(host.pausedUntil_us, EV_TIMER, host.id, tag, host.incarnation);
    this.timerOriginalId.set(next, original);
    this.timerCurrentSeq.set(original, next);
  }

  private forgetTimerAlias(seq: number): void {
    const original = this.timerOriginalId.get(seq);
    if (original === undefined) return;
    this.timerOriginalId.delete(seq);
    this.timerCurrentSeq.delete(original);
  }

  private localTime(host: HostRecord): number {
    if (host.clockOffset_us === 0 && host.clockDrift_ppm === 0) return this.clock_us;
    return Math.round(this.clock_us + host.clockOffset_us + (this.clock_us * host.clockDrift_ppm) / 1e6);
  }

  private send(from: HostId, to: HostId, msg: Message): void {
    const network = this.requireNetwork();
    if (!(to >= 0 && to < this.hosts.length)) throw new RangeError(`send: no host ${to}`);
    this.messagesSent++;
    const bytes = this.messageBytes(msg);
    const sent = this.sentByKind.get(msg.kind);
    if (sent === undefined) this.sentByKind.set(msg.kind, { count: 1, bytes });
    else {
      sent.count++;
      sent.bytes += bytes;
    }
    const deliveries = network.route(from, to, this.clock_us, bytes);
    if (deliveries.count === 0) return;
    this.pushMessage(deliveries.first_us, from, to, msg);
    if (deliveries.count === 2) this.pushMessage(deliveries.second_us, from, to, msg);
  }

  private pushMessage(time_us: number, from: HostId, to: HostId, msg: Message): void {
    let slot = this.freePayloads.pop();
    if (slot === undefined) {
      slot = this.payloads.length;
      this.payloads.push(msg);
    } else {
      this.payloads[slot] = msg;
    }
    this.queue.push(checkTime(time_us), EV_MESSAGE, to, from, slot);
  }

  private digestOf(msg: Message): number {
    let h = this.kindHashes.get(msg.kind);
    if (h === undefined) {
      h = fnv1a32(msg.kind);
      this.kindHashes.set(msg.kind, h);
    }
    return (h ^ (msg.digest ?? 0)) >>> 0;
  }

  private record(ref: HostRef): HostRecord {
    const host = typeof ref === "number" ? this.hosts[ref] : this.hosts[this.hostsByName.get(ref) ?? -1];
    if (host === undefined)
      throw new RangeError(typeof ref === "number" ? `no host ${ref}` : `no host named ${ref}`);
    return host;
  }

  /** The links from each host of `from` to each of `to` (and back when `bothWays`), each once. */
  private linksBetween(from: readonly HostRef[], to: readonly HostRef[], bothWays: boolean): Int32Array {
    const network = this.requireNetwork();
    const links = new Set<number>();
    const targets = to.map((ref) => this.host(ref));
    for (const ref of from) {
      const a = this.host(ref);
      for (const b of targets) {
        if (a === b) continue;
        links.add(network.linkOf(a, b));
        if (bothWays) links.add(network.linkOf(b, a));
      }
    }
    return Int32Array.from(links);
  }

  private requireNetwork(): Network {
    if (this.network === null) throw new Error("the simulation has not started");
    return this.network;
  }
}

function checkTime(time_us: number): number {
  if (!(time_us <= SIM_TIME_US_MAX))
    throw new RangeError(`virtual time ${time_us}us past the limit ${SIM_TIME_US_MAX}us`);
  return time_us;
}
