// What clients and cache hosts say to each other. A cache host answers with an ordinary Response
// (engine/protocol.ts: a read's value, a write's acknowledgement) carrying how the cache served it,
// so the client driver and the message sizer treat it as any node's answer.

import type { HostId } from "../../sim/host.js";
import { type ReadResponse, type RequestSpec, type Response, responseDigest } from "../protocol.js";

/** Cache-aside's own requests, and a keyed request for a read-through / write-through / write-behind host. */
export type CacheRequest =
  | {
      readonly kind: "cache_req";
      readonly digest: number;
      readonly id: number;
      readonly op: "get";
      readonly key: string;
    }
  | {
      readonly kind: "cache_req";
      readonly digest: number;
      readonly id: number;
      /** Sent without waiting for an answer (none comes). */
      readonly op: "set";
      readonly key: string;
      readonly value: number;
      /** The lease the reader's miss handed it (0: none). */
      readonly token: number;
    }
  | {
      readonly kind: "cache_req";
      readonly digest: number;
      readonly id: number;
      readonly op: "delete";
      readonly key: string;
    }
  | {
      readonly kind: "cache_req";
      readonly digest: number;
      readonly id: number;
      readonly op: "update";
      readonly key: string;
      readonly value: number;
    }
  | {
      readonly kind: "cache_req";
      readonly digest: number;
      readonly id: number;
      readonly op: "through";
      readonly spec: RequestSpec;
    };

/** How a cache-aside get was served: a hit (the value), or a miss (with a lease, or 0). */
export type CacheReply = Response & { readonly cache_hit: boolean; readonly token: number };

/** A reader's (or writer's) request waiting at a cache host. */
export interface Waiter {
  readonly client: HostId;
  readonly id: number;
}

/**
 * A cache host's answer with nothing of a database's work in it; a get's carries whether it hit and
 * its lease. Written as one literal per shape (no spreads): it is built for every cache request.
 */
export function cacheResponse(
  op: "read" | "update" | "insert",
  id: number,
  value: number | null,
  queue_us: number,
  service_us: number,
  get?: { readonly hit: boolean; readonly token: number },
): Response {
  const digest = responseDigest(id, value);
  if (op !== "read") {
    return {
      kind: "resp",
      digest,
      id,
      op,
      status: "ok",
      lsn: 0,
      term: 0,
      leader_hint: -1,
      queue_us,
      service_us,
      sync_us: 0,
      disk_us: 0,
      pages_hit: 0,
      pages_missed: 0,
      rows: 0,
      pages_read: 0,
      pages_written: 0,
    };
  }
  const read: ReadResponse & { cache_hit: boolean; token: number } = {
    kind: "resp",
    digest,
    id,
    op,
    status: value === null ? "not_found" : "ok",
    value,
    term: 0,
    leader_hint: -1,
    queue_us,
    service_us,
    sync_us: 0,
    disk_us: 0,
    pages_hit: 0,
    pages_missed: 0,
    rows: 0,
    pages_read: 0,
    pages_written: 0,
    cache_hit: get?.hit ?? value !== null,
    token: get?.token ?? 0,
  };
  return read;
}
