// Sends one logical request to the node(s) that serve it and assembles the one response its sender
// waits for. Used by the client driver (client-side routing) and by the router host (proxy routing).
//
// - A keyed request goes to its shard (by the cached shard map; one shard when unsharded), and there
//   to a replica by the shard's ReplicaRouter (leader, follower or nearest).
// - `not_leader` naming a leader, and `wrong_shard` carrying a newer map, are followed at once (at
//   most MAX_REDIRECTS per request); they were not applied, so the request keeps its value.
// - On a sharded cluster a scan over ranges goes from range to range until it has its rows; over
//   hashed keys it is scattered to every shard that may hold keys from its start on;
//   each part returns up to LIMIT of its own rows, and the parts are merged in key order and cut to
//   LIMIT: what one node holding every record would return. A part answered under a newer map than
//   the one the scan was planned with is planned again with it (a reshard may have moved rows).
// - Read-your-writes tokens are log positions, so they are kept per (client, shard).

import type { HostContext, HostId } from "../../sim/host.js";
import { leaderOnly } from "../operations.js";
import {
  type RecordValue,
  type RequestSpec,
  type Response,
  requestValue,
  routed,
  type ScanResponse,
  type ScanSpec,
  unserved,
  writeLsn,
} from "../protocol.js";
import type { ConnectionPools } from "./connection-pool.js";
import { RangePartitioner } from "./partitioners.js";
import type { ReplicaRouter } from "./replica-router.js";
import type { ShardMap } from "./shard-map.js";

/** Client indices (or the router host's pending slots) are packed into wire ids; this bounds them. */
export const DISPATCH_MAX_TAGS = 16384;
/** Redirects one logical request may follow before it fails. */
export const MAX_REDIRECTS = 3;

export interface Dispatched {
  /** The sender's tag (a client index). */
  readonly tag: number;
  readonly response: Response;
  /** The node that answered last, and its shard. */
  readonly node: HostId;
  readonly shard: number;
  /** Time its parts waited for a pooled connection (0 without a pool; scattered parts: the longest). */
  readonly pool_wait_us: number;
}

interface Part {
  readonly shard: number;
  wireId: number;
  node: HostId;
  done: boolean;
  /** A range scan's part: its start key, the rows it still needs, and its range's end ("": none). */
  readonly range?: { readonly key: string; readonly limit: number; readonly until: string };
  /** With a pool: how long it waited for a connection. */
  pool_wait_us?: number;
}

interface Pending {
  readonly tag: number;
  readonly spec: RequestSpec;
  /** Only the leader serves it (operations.ts leaderOnly): routed as a write. */
  readonly leader: boolean;
  redirects: number;
  /** The ownership epoch of the map a scatter was planned with. */
  planned: number;
  parts: Part[];
  /** A scan scattered over the shards: its parts' answers are merged. */
  scattered: boolean;
  /** A scan over ranges (range sharding): one range after another until its rows are found. */
  ordered: boolean;
  answered: ScanResponse[];
  /** An explicit min_lsn (null: the read-your-writes token, if any). */
  readonly min_lsn: number | null;
}

/** The answers of a request that is not scattered (never pushed to). */
const NO_ANSWERS: ScanResponse[] = [];

export class Dispatcher {
  /** Per shard id: where its requests go among its replicas. */
  private readonly shards: ReadonlyMap<number, ReplicaRouter>;
  private map: ShardMap | null;
  /** By tag: the logical request in flight (a wire id carries its tag: id mod DISPATCH_MAX_TAGS). */
  private readonly pending: (Pending | undefined)[] = [];
  private readonly readYourWrites: boolean;
  /** The shard of an unsharded cluster (its one ReplicaRouter). */
  private readonly onlyShard: number;
  private readonly lastWriteLsn = new Map<number, number>();
  private counter = 0;
  /** Logical requests that touched more than one shard (scatter-gather). */
  crossShard = 0;
  /** Requests sent to each shard id (parts of a scatter count for each shard); may be shared. */
  private readonly sentToShard: number[];
  /** The sender's connection pools (null: requests go out at once, on no modelled connection). */
  private readonly pools: ConnectionPools | null;

  constructor(options: {
    shards: ReadonlyMap<number, ReplicaRouter>;
    map: ShardMap | null;
    readYourWrites: boolean;
    pools?: ConnectionPools;
    /** Where to count requests per shard: shared by every dispatcher whose requests the report counts. */
    sentToShard?: number[];
  }) {
    this.pools = options.pools ?? null;
    this.sentToShard = options.sentToShard ?? [];
    if (options.shards.size === 0) throw new RangeError("dispatch needs at least one shard");
    this.shards = options.shards;
    this.onlyShard = options.shards.keys().next().value as number;
    this.map = options.map;
    this.readYourWrites = options.readYourWrites;
  }

  /** Requests sent to each shard (parts of a scatter count for each shard). */
  get requestsByShard(): Map<number, number> {
    const counts = new Map<number, number>();
    this.sentToShard.forEach((count, shard) => {
      if (count !== undefined) counts.set(shard, count);
    });
    return counts;
  }

  /** Adopts a shard map newer than the cached one (a broadcast, or one a node sent). */
  adopt(map: ShardMap | undefined): boolean {
    if (map === undefined || this.map === null || map.version <= this.map.version) return false;
    this.map = map;
    return true;
  }

  /**
   * Starts a logical request for `tag` (one at a time per tag). `to` addresses a shard explicitly
   * (a coordinator's requests), with the log position the node must hold (`min_lsn`).
   */
  send(ctx: HostContext, tag: number, spec: RequestSpec, to?: { shard: number; min_lsn: number }): void {
    const entry: Pending = {
      tag,
      spec,
      leader: leaderOnly(spec),
      redirects: 0,
      planned: this.map?.epoch ?? 0,
      parts: [],
      scattered: false,
      ordered: false,
      answered: NO_ANSWERS,
      min_lsn: to?.min_lsn ?? null,
    };
    if (!(Number.isInteger(tag) && tag >= 0 && tag < DISPATCH_MAX_TAGS)) {
      throw new RangeError(`dispatch: tag ${tag} outside [0, ${DISPATCH_MAX_TAGS})`);
    }
    this.pending[tag] = entry;
    if (to !== undefined) this.sendPart(ctx, entry, { shard: to.shard, wireId: -1, node: -1, done: false });
    else if (spec.op === "scan" && this.map !== null) this.scatter(ctx, entry);
    else
      this.sendPart(ctx, entry, { shard: this.shardOfKey(keyOf(spec)), wireId: -1, node: -1, done: false });
  }

  /** A response from the network; returns the logical response once it is complete. */
  onResponse(ctx: HostContext, from: HostId, response: Response): Dispatched | null {
    this.pools?.answered(ctx, response.id, response.status === "too_many_connections");
    const entry = this.pending[response.id % DISPATCH_MAX_TAGS];
    if (entry === undefined) return null;
    const part = partWithId(entry.parts, response.id);
    if (part === null) return null; // late: the request was completed, redirected or abandoned
    part.done = true;
    const lsn = writeLsn(response);
    if (lsn > 0) this.noteWrite(entry.tag, part.shard, lsn);
    const map = "shard_map" in response ? response.shard_map : undefined;
    this.adopt(map);
    const answeredUnder = map?.epoch ?? 0;
    if (entry.spec.op === "scan" && answeredUnder > entry.planned && entry.redirects < MAX_REDIRECTS) {
      // The scan was planned with an older map: rows may have moved. Plan it again.
      entry.redirects++;
      this.abandonParts(ctx, entry);
      this.scatter(ctx, entry);
      return null;
    }
    const redirect = this.redirectTarget(entry, part, from, response);
    if (redirect !== null) {
      entry.redirects++;
      const resent: Part = { shard: redirect.shard, wireId: -1, node: -1, done: false };
      this.sendPart(
        ctx,
        entry,
        part.range === undefined ? resent : { ...resent, range: part.range },
        redirect.node,
      );
      return null;
    }
    if (response.status !== "ok" || response.op !== "scan" || !entry.scattered)
      return this.finish(entry, response, from, part.shard);
    entry.answered.push(response);
    if (entry.ordered && part.range !== undefined) {
      // The next range, if this one ran out before the scan had its rows.
      const missing = part.range.limit - (response.records?.length ?? 0);
      if (missing > 0 && part.range.until !== "") {
        if (entry.answered.length === 1) this.crossShard++;
        this.sendRangePart(ctx, entry, part.range.until, missing);
        return null;
      }
    }
    return entry.parts.every((p) => p.done) ? this.finish(entry, this.merge(entry), from, part.shard) : null;
  }

  /**
   * The sender gave up on `tag` (a timeout): forgets it and tells each shard's ReplicaRouter which nodes
   * left it unanswered, so the presumed leader moves on. False when none of it was sent (every part
   * still waited for a pooled connection): it definitely did not take effect. With a pool, a
   * connection given back goes to the next waiter.
   */
  abandon(tag: number, ctx: HostContext): boolean {
    const entry = this.pending[tag];
    if (entry === undefined) return true;
    const pools = this.pools;
    let sent = pools === null;
    for (const part of entry.parts) {
      if (part.done) continue;
      if (pools?.isWaiting(part.wireId) !== true) {
        sent = true;
        this.shards.get(part.shard)?.timedOut(part.node);
      }
    }
    this.dropParts(entry, ctx);
    this.pending[tag] = undefined;
    return sent || entry.parts.some((part) => part.done);
  }

  /** With a pool: its timer fired; the requests whose part waited too long fail `pool_timeout`. */
  poolTimeouts(ctx: HostContext): Dispatched[] {
    const done: Dispatched[] = [];
    for (const { part, request } of (this.pools as ConnectionPools).expired(ctx)) {
      const entry = this.pending[part.wireId % DISPATCH_MAX_TAGS];
      const waited = entry === undefined ? null : partWithId(entry.parts, part.wireId);
      if (entry === undefined || waited === null) continue;
      waited.done = true;
      this.dropParts(entry, ctx);
      const shard = waited.shard;
      done.push(this.finish(entry, unserved(request, "pool_timeout", 0, -1), waited.node, shard));
    }
    return done;
  }

  /** The node the request for `tag` went to last (-1: none). */
  nodeOf(tag: number): HostId {
    return this.pending[tag]?.parts.at(-1)?.node ?? -1;
  }

  /** The shard the request for `tag` went to last (-1: none). */
  shardOf(tag: number): number {
    return this.pending[tag]?.parts.at(-1)?.shard ?? -1;
  }

  /** The shard owning `key` by the cached map. */
  shardOfKey(key: string): number {
    if (this.map === null) return this.onlyShard;
    return this.map.ownerOf(key);
  }

  /** The shards the cached map uses. */
  shardsInUse(): readonly number[] {
    return this.map === null ? [this.onlyShard] : this.map.shardIds;
  }

  /**
   * Sends a scan to the shards that may hold its rows. Over ranges (outside a reshard) it goes to
   * the range holding its start, then on to the next range only while rows are missing, as a range
   * store does; otherwise to every candidate shard at once (scatter-gather), merged and cut.
   */
  private scatter(ctx: HostContext, entry: Pending): void {
    const map = this.map as ShardMap;
    entry.planned = map.epoch;
    entry.scattered = true;
    entry.answered = [];
    const scan = entry.spec as ScanSpec;
    if (map.target === null && map.current instanceof RangePartitioner) {
      entry.ordered = true;
      this.sendRangePart(ctx, entry, scan.key, scan.scan_length);
      return;
    }
    const shards = map.scanShards(scan.key).filter((shard) => this.shards.has(shard));
    if (shards.length > 1) this.crossShard++;
    for (const shard of shards) this.sendPart(ctx, entry, { shard, wireId: -1, node: -1, done: false });
  }

  /** The part of an ordered range scan for the range holding `key`: up to `limit` rows within it. */
  private sendRangePart(ctx: HostContext, entry: Pending, key: string, limit: number): void {
    const { shard, until } = ((this.map as ShardMap).current as RangePartitioner).rangeOf(key);
    this.sendPart(ctx, entry, {
      shard,
      wireId: -1,
      node: -1,
      done: false,
      range: { key, limit, until: until ?? "" },
    });
  }

  private sendPart(ctx: HostContext, entry: Pending, part: Part, to?: HostId): void {
    const replicas = this.shards.get(part.shard);
    if (replicas === undefined) throw new Error(`dispatch: no shard ${part.shard}`);
    const counter = ++this.counter;
    part.wireId = counter * DISPATCH_MAX_TAGS + entry.tag;
    const route = replicas.route(entry.leader ? "write" : "read", entry.tag);
    part.node = to ?? route.node;
    entry.parts.push(part);
    this.sentToShard[part.shard] = (this.sentToShard[part.shard] ?? 0) + 1;
    const { spec } = entry;
    const { range } = part;
    const request = routed(
      // A range scan's part: its own start, the rows it still needs, and its range's end.
      range === undefined
        ? spec
        : { op: "scan", key: range.key, scan_length: range.limit, until: range.until },
      (Math.imul(counter, 0x9e3779b1) ^ requestValue(spec)) >>> 0,
      part.wireId,
      entry.min_lsn ??
        (!entry.leader && this.readYourWrites
          ? (this.lastWriteLsn.get(this.tokenKey(entry.tag, part.shard)) ?? 0)
          : 0),
      route.require_leader || to !== undefined,
    );
    if (this.pools === null) ctx.send(part.node, request);
    else this.pools.send(ctx, part, request);
  }

  /** Where to resend a part, or null when its answer stands. */
  private redirectTarget(
    entry: Pending,
    part: Part,
    from: HostId,
    response: Response,
  ): { shard: number; node?: HostId } | null {
    if (entry.redirects >= MAX_REDIRECTS) return null;
    if (response.status === "not_leader") {
      const next = this.shards.get(part.shard)?.redirect(from, response.leader_hint) ?? null;
      return next === null ? null : { shard: part.shard, node: next };
    }
    if (response.status === "wrong_shard" && this.map !== null) {
      const shard = this.map.ownerOf(part.range?.key ?? keyOf(entry.spec));
      return shard === part.shard ? null : { shard };
    }
    return null;
  }

  private noteWrite(tag: number, shard: number, lsn: number): void {
    const key = this.tokenKey(tag, shard);
    if (lsn > (this.lastWriteLsn.get(key) ?? 0)) this.lastWriteLsn.set(key, lsn);
  }

  private tokenKey(tag: number, shard: number): number {
    return shard * DISPATCH_MAX_TAGS + tag;
  }

  /** One response from the parts of a scatter (or the only part's own). */
  private merge(entry: Pending): ScanResponse {
    const answered = entry.answered;
    const records: RecordValue[] = [];
    let rows = 0;
    let pagesRead = 0;
    let queue_us = 0;
    let service_us = 0;
    let disk_us = 0;
    let pagesHit = 0;
    let pagesMissed = 0;
    for (const part of answered) {
      if (part.records !== null) records.push(...part.records);
      rows += part.rows;
      pagesRead += part.pages_read;
      pagesHit += part.pages_hit;
      pagesMissed += part.pages_missed;
      queue_us = Math.max(queue_us, part.queue_us);
      service_us = Math.max(service_us, part.service_us);
      disk_us = Math.max(disk_us, part.disk_us);
    }
    records.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    records.length = Math.min(records.length, (entry.spec as ScanSpec).scan_length);
    return {
      ...(answered.at(-1) as ScanResponse),
      records,
      rows,
      pages_read: pagesRead,
      pages_hit: pagesHit,
      pages_missed: pagesMissed,
      queue_us,
      service_us,
      disk_us,
    };
  }

  private finish(entry: Pending, response: Response, node: HostId, shard: number): Dispatched {
    this.pending[entry.tag] = undefined;
    return { tag: entry.tag, response, node, shard, pool_wait_us: this.poolWait(entry) };
  }

  /** Time the request's parts waited for connections: summed, or the longest of scattered parts. */
  private poolWait(entry: Pending): number {
    if (this.pools === null) return 0;
    let sum_us = 0;
    let max_us = 0;
    for (const part of entry.parts) {
      const wait_us = part.pool_wait_us ?? 0;
      sum_us += wait_us;
      if (wait_us > max_us) max_us = wait_us;
    }
    return entry.scattered && !entry.ordered ? max_us : sum_us;
  }

  /** Forgets the parts in flight: answers to them are dropped as late. */
  private abandonParts(ctx: HostContext, entry: Pending): void {
    this.dropParts(entry, ctx);
    entry.parts = [];
  }

  /** With a pool: the parts not answered stop waiting for a connection, or give theirs back. */
  private dropParts(entry: Pending, ctx: HostContext): void {
    const pools = this.pools;
    if (pools === null) return;
    for (const part of entry.parts) if (!part.done) pools.cancel(ctx, part.wireId);
  }
}

/** The key a request is routed by ("" for requests no key places: queries, the shard mover's). */
function keyOf(spec: RequestSpec): string {
  return "key" in spec ? spec.key : "";
}

function partWithId(parts: readonly Part[], wireId: number): Part | null {
  for (const part of parts) if (part.wireId === wireId && !part.done) return part;
  return null;
}
