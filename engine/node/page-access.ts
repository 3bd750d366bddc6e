// A node's pages through its buffer pool and disk: after each unit of work (a request, an applied
// log entry) the node runs the pages it touched (index/page-space.ts) through the pool. A page in
// the pool is a hit (waiting only if a read of it is still in flight); a missing page is read from
// the disk into a frame, evicting the policy's victim, which is written back first if dirty (the
// write takes the device's IOPS but nobody waits for it: a background writer's). A page written
// becomes dirty; a created page enters the pool dirty without a read. The unit of work's missing
// pages are read at once (as read-ahead would) and it waits for the last: `serve` returns when.
//
// There is no checkpointer: a dirty page reaches the disk only when evicted (the log keeps writes
// durable). Prewarming loads pages without reads, clean, as PostgreSQL's pg_prewarm does at start.

import { PAGE_NEW, PAGE_READ, type PageSpace } from "../index/page-space.js";
import type { BufferPool } from "./buffer-pool.js";
import type { DiskDevice } from "./disk-device.js";
import type { IoStats } from "./io-stats.js";

export class PageAccess {
  private readonly pool: BufferPool;
  private readonly device: DiskDevice;
  private readonly stats: IoStats;
  /** Lookups of the last `serve` that found their page in the pool, and that read it from disk. */
  hits = 0;
  misses = 0;

  constructor(pool: BufferPool, device: DiskDevice, stats: IoStats) {
    this.pool = pool;
    this.device = device;
    this.stats = stats;
    stats.pool_pages = pool.size;
  }

  /** Runs the pages `space` recorded through the pool; returns when the last one needed is in memory. */
  serve(space: PageSpace, now_us: number): number {
    const pool = this.pool;
    const { ids, kinds } = space;
    let ready_us = now_us;
    let hits = 0;
    let misses = 0;
    for (let i = 0; i < space.length; i++) {
      const page = ids[i] as number;
      const kind = kinds[i] as number;
      let frame = pool.lookup(page);
      if (kind === PAGE_NEW) {
        if (frame < 0) frame = this.admit(page, now_us);
      } else if (frame >= 0) {
        hits++;
        const at = pool.readyAt[frame] as number;
        if (at > ready_us) ready_us = at;
      } else {
        misses++;
        frame = this.admit(page, now_us);
        const at = this.device.read(now_us);
        pool.readyAt[frame] = at;
        if (at > ready_us) ready_us = at;
      }
      if (kind !== PAGE_READ) pool.dirty[frame] = 1;
    }
    const stats = this.stats;
    stats.hits += hits;
    stats.misses += misses;
    stats.disk_reads += misses;
    stats.pool_pages = pool.size;
    this.hits = hits;
    this.misses = misses;
    return ready_us;
  }

  /** Loads the first pages of `space` (lowest ids: the trees' upper levels first) until the pool is full. */
  prewarm(space: PageSpace): void {
    const pool = this.pool;
    const count = Math.min(space.idLimit, pool.capacity);
    // Highest id first, so the lowest ids (roots, inner pages) end up the most recently used.
    for (let page = count - 1; page >= 0; page--) if (pool.lookup(page) < 0) pool.admit(page);
    this.stats.pool_pages = pool.size;
  }

  private admit(page: number, now_us: number): number {
    const pool = this.pool;
    const frame = pool.admit(page);
    if (pool.evictedPage >= 0) {
      this.stats.evictions++;
      if (pool.evictedDirty) {
        this.stats.disk_writes++;
        this.device.write(now_us);
      }
    }
    return frame;
  }
}
