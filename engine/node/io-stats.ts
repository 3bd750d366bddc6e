// What a node's buffer pool and disk have done since the run began: counters the reports and the
// metrics read (through the cluster inspector). They live on the node's storage, so a crash, which
// empties the pool, does not reset them.

export class IoStats {
  /** Page lookups in the buffer pool that found the page in memory. */
  hits = 0;
  /** Page lookups that had to read the page from disk. */
  misses = 0;
  /** Pages evicted to make room (dirty ones were written back). */
  evictions = 0;
  /** Disk operations: page reads, page writes (dirty evictions), fsyncs of the log. */
  disk_reads = 0;
  disk_writes = 0;
  fsyncs = 0;
  /** Pages the buffer pool holds now. */
  pool_pages = 0;
}

/** A copy of the counters (what a report subtracts to cover the measured phase only). */
export function copyIoStats(stats: IoStats): IoStats {
  return Object.assign(new IoStats(), stats);
}
