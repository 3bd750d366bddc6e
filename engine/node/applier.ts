// A node's applier: it applies the log entries the protocol logged (a follower's replicated
// entries, a peer's writes, or entries the protocol commits) to the state machines, in log order,
// paying for them as a request would: an entry costs service_time + page_time x the pages it
// touches, on the node's CPU, after its missing pages are read from disk. It is one thread, as a
// replica's apply usually is (MySQL's SQL thread, PostgreSQL's startup process): entries are applied
// one after another, each waiting for its own disk reads, so a follower whose pages are cold falls
// behind a leader that overlaps many requests' reads. Its CPU steps go ahead of new requests
// (server.ts). A step applies consecutive entries whose pages are all in memory, up to
// STEP_ENTRIES_MAX, and stops after the first that must wait for a read.
//
// An entry is applied (the data changes) when its step starts; the lag of each replicated entry
// (`lag` events: now - its origin's timestamp, by the clocks) is reported when its step's CPU work
// ends. A request that must see every entry logged before it (a write, or a read only a leader may
// answer) makes the node catch up first: it applies what is pending at once, within its own CPU time
// (catchUp); so a promoted follower finishes applying before it serves.

import type { PageSpace } from "../index/page-space.js";
import type { LogEntry } from "../replication/protocol.js";
import type { NodeLog, Applier as StateApplier } from "./log.js";
import type { PageAccess } from "./page-access.js";
import type { NodeStorage } from "./storage.js";

/** The applier's work on the CPU: entries first_lsn..last_lsn, applied at its start, and their CPU time. */
export class ApplyStep {
  first_lsn = 0;
  last_lsn = 0;
  cpu_us = 0;
}

/** Entries one CPU step applies at most (a long backlog is applied in steps, between requests). */
export const STEP_ENTRIES_MAX = 16;

/** The node as its applier sees it. */
export interface ApplierHost {
  readonly log: NodeLog;
  readonly state: StateApplier;
  readonly storage: NodeStorage;
  readonly access: PageAccess;
  /** The host's monotonic clock (node/server.ts times the node's work by it). */
  monotonic_us(): number;
  /** CPU time of an entry that touched `pages` pages. */
  cost_us(pages: number): number;
  /** Hands a step to the CPU once its pages are in memory (server.ts runWhenReady). */
  run(step: ApplyStep, ready_us: number): void;
  /** An entry of another node was applied here: report its lag. */
  applied(entry: LogEntry): void;
}

export class Applier {
  private readonly host: ApplierHost;
  /** Entries up to here are to be applied. */
  private target = 0;
  private readonly step = new ApplyStep();
  /** A step is reading its pages or waiting for, or on, the CPU. */
  private busy = false;

  constructor(host: ApplierHost) {
    this.host = host;
  }

  /** Whether logged entries wait to be applied. */
  get pending(): boolean {
    const { log } = this.host;
    return log.applied_lsn < Math.min(this.target, log.last_lsn);
  }

  /** Entries up to `lsn` are to be applied: in order, as the CPU allows. */
  request(lsn: number): void {
    if (lsn > this.target) this.target = lsn;
    if (!this.busy) this.next();
  }

  /** Entries up to the target were logged again (a log cut at a corrupt entry, refilled): apply them. */
  resume(): void {
    if (!this.busy) this.next();
  }

  /** The log was cut back to before `lsn`: entries logged there later are to be applied only if asked again. */
  truncated(lsn: number): void {
    if (this.target >= lsn) this.target = lsn - 1;
  }

  /**
   * Applies every pending entry now, recording their pages in the caller's unit of work (its page
   * space is not cleared); returns their CPU time.
   */
  catchUp(): number {
    const { log, storage } = this.host;
    const pages = storage.pages;
    const limit = Math.min(this.target, log.last_lsn);
    let cpu_us = 0;
    for (let lsn = log.applied_lsn + 1; lsn <= limit; lsn++) {
      const before = pages.length;
      const entry = this.applyAt(lsn);
      cpu_us += this.host.cost_us(pages.length - before);
      this.host.applied(entry);
    }
    return cpu_us;
  }

  /** The step's CPU work is done: its entries' lag is reported, and the next step begins. */
  onCpuDone(): void {
    const { log } = this.host;
    const step = this.step;
    this.busy = false;
    for (let lsn = step.first_lsn; lsn <= step.last_lsn; lsn++) {
      const entry = log.entryAt(lsn); // undefined if truncated or replaced by a snapshot meanwhile
      if (entry !== undefined && lsn <= log.applied_lsn) this.host.applied(entry);
    }
    this.next();
  }

  /** Starts the next step, if entries are pending. */
  private next(): void {
    const host = this.host;
    const { log, access } = host;
    const pages: PageSpace = host.storage.pages;
    const limit = Math.min(this.target, log.last_lsn);
    const first = log.applied_lsn + 1;
    if (first > limit) return;
    const now = host.monotonic_us();
    const last = Math.min(limit, first + STEP_ENTRIES_MAX - 1);
    let cpu_us = 0;
    let ready_us = now;
    let lsn = first;
    for (; lsn <= last; lsn++) {
      pages.clear();
      this.applyAt(lsn);
      cpu_us += host.cost_us(pages.length);
      ready_us = access.serve(pages, now);
      if (ready_us > now) break;
    }
    const step = this.step;
    step.first_lsn = first;
    step.last_lsn = Math.min(lsn, last);
    step.cpu_us = cpu_us;
    this.busy = true;
    host.run(step, ready_us);
  }

  /** Applies the entry at `lsn` (the next one not applied) to the state machines. */
  private applyAt(lsn: number): LogEntry {
    const { log, state } = this.host;
    return log.applyNext(lsn, state);
  }
}
